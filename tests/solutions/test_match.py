"""Matching needs to solutions (kembar.solutions.match): plain Python, hand-made cases whose
right answer is obvious. No database."""

from __future__ import annotations

import pytest
from sklearn.metrics.pairwise import cosine_similarity

from kembar.solutions import glossary, match
from kembar.solutions.match import Item

FLOOD = Item(
    10,
    "Flood early warning. River level sensors send SMS warnings to residents before floods.",
    frozenset({"disaster", "smart_city"}),
    frozenset({"11.5", "13"}),
    frozenset({"en"}),
    "in_use",
)
WASTE_BANK = Item(
    11,
    "Waste bank. Residents bring sorted plastic waste to a neighbourhood bank and earn savings.",
    frozenset({"environment"}),
    frozenset({"11.6", "12"}),
    frozenset({"en"}),
    "scaled",
)
TELEMEDICINE = Item(
    12,
    "Telemedicine for remote clinics. Doctors consult patients by video.",
    frozenset({"health"}),
    frozenset({"3"}),
    frozenset({"en"}),
    "pilot",
)
SOLUTIONS = [FLOOD, WASTE_BANK, TELEMEDICINE]


def test_an_indonesian_flood_need_finds_the_english_flood_warning_first():
    need = Item(
        1,
        "Sistem peringatan dini banjir. Sungai meluap saat hujan deras; warga perlu peringatan lewat pesan singkat.",
        frozenset({"disaster"}),
        frozenset({"11.5"}),
        frozenset({"id"}),
    )
    ranked = match.rank(need, SOLUTIONS)
    assert ranked[0].solution_id == FLOOD.id
    reasons = [r.text() for r in ranked[0].reasons]
    assert "same field: disaster" in reasons and "both target SDG 11.5" in reasons
    text = next(r for r in ranked[0].reasons if r.kind == "text")
    assert {"flood", "warning", "river"} <= set(text.values)  # banjir, peringatan, sungai through the glossary
    assert ranked[0].parts["text"] > 0.2


def test_the_text_alone_decides_when_fields_and_sdgs_are_not_given():
    bare = [Item(s.id, s.text, maturity=s.maturity) for s in SOLUTIONS]
    need = Item(2, "Bank sampah: warga memilah sampah plastik.")
    assert match.rank(need, bare)[0].solution_id == WASTE_BANK.id
    need = Item(3, "Dokter jarak jauh untuk pasien di puskesmas.")
    assert match.rank(need, bare)[0].solution_id == TELEMEDICINE.id


def test_cognates_meet_through_character_ngrams_without_the_glossary(monkeypatch):
    monkeypatch.setattr(match, "ID_EN", {})
    monkeypatch.setattr(match, "EN_ID", {})
    solution = Item(20, "Digital information system for permits.")
    unrelated = Item(21, "Tree planting along rivers.")
    need = Item(4, "Sistem informasi digital untuk perizinan.")
    ranked = match.rank(need, [solution, unrelated])
    assert [m.solution_id for m in ranked] == [solution.id]
    assert ranked[0].parts["text"] > 0.2


def test_without_the_glossary_banjir_does_not_meet_flood(monkeypatch):
    """Why the glossary exists: TF-IDF compares spelling, and "banjir" shares none with "flood"."""
    need = Item(5, "banjir sungai")
    solution = Item(22, "flood river")
    with_glossary = match.rank(need, [solution])[0].parts["text"]
    monkeypatch.setattr(match, "ID_EN", {})
    monkeypatch.setattr(match, "EN_ID", {})
    assert match.rank(need, [solution]) == []
    assert with_glossary > 0.5


def test_stated_limitation_a_word_neither_in_the_glossary_nor_spelled_alike_does_not_match():
    """The documented limit of the method: "pengerukan" (dredging) is not in the glossary and
    shares no letters with "dredging", so a need in those words alone finds nothing."""
    assert "pengerukan" not in glossary.ID_EN
    need = Item(6, "Pengerukan kanal")
    dredging = Item(23, "Dredging of canals", maturity="in_use")
    assert match.rank(need, [dredging]) == []
    # With the field of cooperation stated, the pair is found again, on the field alone.
    need = Item(6, "Pengerukan kanal", fields=frozenset({"urban"}))
    dredging = Item(23, "Dredging of canals", fields=frozenset({"urban"}), maturity="in_use")
    found = match.rank(need, [dredging])
    assert [r.kind for r in found[0].reasons if r.kind in ("field", "text")] == ["field"]


def test_sdg_target_of_the_same_goal_counts_half():
    score, shared = match.sdg_overlap(frozenset({"11.5"}), frozenset({"11.6"}))
    assert (score, shared) == (0.5, ())
    assert match.sdg_overlap(frozenset({"11.5", "13"}), frozenset({"11.5"})) == (0.5, ("11.5",))


def test_maturity_and_language_break_a_tie():
    need = Item(7, "Waste bank", frozenset({"environment"}), languages=frozenset({"id"}))
    idea = Item(30, "Waste bank", frozenset({"environment"}), languages=frozenset({"en"}), maturity="idea")
    scaled = Item(31, "Waste bank", frozenset({"environment"}), languages=frozenset({"id"}), maturity="scaled")
    ranked = match.rank(need, [idea, scaled])
    assert [m.solution_id for m in ranked] == [scaled.id, idea.id]
    assert "shared language: id" in [r.text() for r in ranked[0].reasons]


def test_weights_are_explicit_and_sum_to_one():
    assert sum(match.WEIGHTS.values()) == pytest.approx(1.0)


def test_rank_many_and_needs_served_agree_with_rank():
    flood_need = Item(1, "Peringatan dini banjir", frozenset({"disaster"}), frozenset({"11.5"}))
    waste_need = Item(2, "Bank sampah plastik", frozenset({"environment"}), frozenset({"11.6"}))
    many = match.rank_many([flood_need, waste_need], SOLUTIONS)
    assert many[1][0].solution_id == FLOOD.id and many[2][0].solution_id == WASTE_BANK.id
    served = match.needs_served(WASTE_BANK, [flood_need, waste_need])
    assert [m.need_id for m in served] == [waste_need.id]


def test_nothing_to_match():
    assert match.rank(Item(1, "x"), []) == []
    assert match.needs_served(FLOOD, []) == []
    assert match.rank(Item(1, ""), [Item(2, "")]) == []


# --- the need page's cached analysis (match.SolutionTexts) gives what a fresh fit gives ---------


def _fresh_and_cached(texts: match.SolutionTexts, need: Item, solutions: list[Item]):
    fresh = match.TextModel([need.text] + [s.text for s in solutions])
    return fresh, texts.model(need, solutions)


def _same_model(fresh: match.TextModel, cached: match.TextModel) -> None:
    assert list(cached.vocabulary) == list(fresh.vocabulary)
    for a, b in ((fresh.word_matrix, cached.word_matrix), (fresh.char_matrix, cached.char_matrix)):
        # the same numbers in the same places and order: sums, ties and reasons come out alike
        assert a.shape == b.shape
        assert a.indptr.tolist() == b.indptr.tolist() and a.indices.tolist() == b.indices.tolist()
        assert a.data.tolist() == b.data.tolist()


def _random_corpus(rng, words, size):
    def text():
        return " ".join(rng.choice(words) for _ in range(rng.randint(1, 30))).capitalize() + "."

    return [Item(100 + k, text(), maturity=rng.choice(list(match.MATURITY_SCORE))) for k in range(size)]


def test_the_cached_analysis_equals_a_fresh_fit_for_any_subset_order_and_need():
    """Subsets and orders change the numbering of terms and the IDF; words only the need has,
    glossary words, repeated and one-letter words all occur. Bit for bit, and so rank and reasons."""
    import random

    rng = random.Random(3)
    words = (
        "flood river warning sms residents waste bank plastic clinic doctor video sensor rain "
        "banjir sungai peringatan sampah warga dokter pasien sistem informasi digital a i "
        "river river flood"
    ).split()
    solutions = _random_corpus(rng, words, 60)
    texts = match.SolutionTexts()
    for round_ in range(25):
        pool = rng.sample(solutions, rng.randint(1, len(solutions)))
        need = Item(
            1,
            " ".join(rng.choice(words + [f"onlyneed{round_}", "zzz", "aaa"]) for _ in range(rng.randint(1, 15))),
            frozenset({"disaster"}),
        )
        fresh, cached = _fresh_and_cached(texts, need, pool)
        _same_model(fresh, cached)
        js = list(range(len(pool), 0, -1))  # as the similarity was computed pair by pair, for a subset
        by_word = cosine_similarity(fresh.word_matrix[0], fresh.word_matrix[js])[0]
        by_char = cosine_similarity(fresh.char_matrix[0], fresh.char_matrix[js])[0]
        assert cached.similarity(0, js) == [float(0.5 * a + 0.5 * b) for a, b in zip(by_word, by_char)]
        index = {s.id: k + 1 for k, s in enumerate(pool)}
        assert match.rank(need, pool, limit=10, model=cached, need_index=0, solution_index=index) == match.rank(
            need, pool, limit=10
        )


def test_an_edited_solution_is_analysed_again_and_the_others_are_kept():
    texts = match.SolutionTexts()
    need = Item(1, "Peringatan dini banjir sungai")
    before = [Item(10, "Flood warning by SMS."), Item(11, "Waste bank for plastic.")]
    fresh, cached = _fresh_and_cached(texts, need, before)
    _same_model(fresh, cached)
    ranked = match.rank(need, before, model=cached, need_index=0, solution_index={10: 1, 11: 2})
    assert "flood" in ranked[0].reasons[0].values
    kept = texts.entries[11]
    after = [Item(10, "River level sensors for canals."), before[1]]
    fresh, cached = _fresh_and_cached(texts, need, after)
    _same_model(fresh, cached)
    assert texts.entries[10][0] == "River level sensors for canals." and texts.entries[11] is kept
    reasons = match.rank(need, after, model=cached, need_index=0, solution_index={10: 1, 11: 2})[0].reasons
    assert "river" in reasons[0].values and "flood" not in reasons[0].values


def test_the_cache_falls_back_to_a_fit_when_there_are_no_words():
    texts = match.SolutionTexts()
    assert texts.model(Item(1, ""), [Item(2, "")]).word_matrix is None
    with pytest.raises(ValueError):  # as TextModel: one-letter words make no vocabulary
        texts.model(Item(1, "a"), [Item(2, "b")])
