"""Matching needs to solutions: plain Python and scikit-learn, no Django (tests and the CLI
call it directly; `services` turns database rows into `Item`s and reasons into words).

Score = sum of weighted parts, each between 0 and 1 (WEIGHTS below, summing to 1):

* text: cosine similarity of TF-IDF vectors of the need's title and description against the
  solution's title, summary and problem. Two vectorisers are averaged: word uni- and bigrams
  (shared terms, and the words shown as the reason) and character 3- and 4-grams within words,
  which let cognates meet across Bahasa Indonesia and English ("digital", "sistem"/"system",
  "informasi"/"information"). Before vectorising, `glossary.ID_EN` appends the English of
  Indonesian words (and the reverse), so "banjir" meets "flood". Limitation: a word that is
  neither in the glossary nor spelled alike does not match at all ("pengerukan" is not
  "dredging"); the score then rests on fields and SDGs only.
* field: the share of the need's fields of cooperation the solution covers.
* sdg: the share of the need's SDG codes the solution covers; the same goal with a different
  target (11.5 and 11.6) counts half.
* maturity: idea 0, pilot 0.4, in use 0.8, scaled 1.
* language: 1 if the two share a working language (or either states none).

A solution with nothing in common with the need (score below MIN_SCORE, or no field, SDG or
text in common) is left out.

The need page fits the model on the need and every solution the reader may see, which took
seconds at 1,000 solutions, mostly cutting texts into terms. `SOLUTION_TEXTS` keeps each
solution's terms per process (checked against its current text, so an edit is seen at once) and
builds the same matrices a fresh fit builds, bit for bit, from them.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfTransformer, TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity

from .glossary import EN_ID, ID_EN

WEIGHTS = {"text": 0.45, "field": 0.25, "sdg": 0.15, "maturity": 0.10, "language": 0.05}
MATURITY_SCORE = {"idea": 0.0, "pilot": 0.4, "in_use": 0.8, "scaled": 1.0}
MIN_SCORE = 0.10
MIN_TEXT_REASON = 0.05  # below this similarity the text is not given as a reason
REASON_TERMS = 4

WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


@dataclass
class Item:
    """A need or a solution as the matcher sees it."""

    id: int
    text: str
    fields: frozenset[str] = frozenset()
    sdgs: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    maturity: str = ""


@dataclass(frozen=True)
class Reason:
    """Why two items fit: kind is "field", "sdg", "text", "maturity" or "language";
    values are the codes or words concerned."""

    kind: str
    values: tuple[str, ...]

    def text(self) -> str:
        """English words, for logs and tests; pages translate through `services.reason_text`."""
        joined = ", ".join(self.values)
        return {
            "field": "same field: {}",
            "sdg": "both target SDG {}",
            "text": "text: {}",
            "maturity": "maturity: {}",
            "language": "shared language: {}",
        }[self.kind].format(joined)


@dataclass
class Match:
    need_id: int
    solution_id: int
    score: float
    parts: dict[str, float]
    reasons: list[Reason] = field(default_factory=list)


def expand(text: str) -> str:
    """The text with glossary equivalents appended, lower case."""
    words = WORD.findall(text.lower())
    extra = [ID_EN[w] for w in words if w in ID_EN] + [EN_ID[w] for w in words if w in EN_ID]
    return " ".join(words + extra)


def _goal(code: str) -> str:
    return code.split(".", 1)[0]


def sdg_overlap(need: frozenset[str], solution: frozenset[str]) -> tuple[float, tuple[str, ...]]:
    if not need or not solution:
        return 0.0, ()
    exact = sorted(need & solution)
    solution_goals = {_goal(c) for c in solution}
    half = [c for c in need - solution if _goal(c) in solution_goals]
    return (len(exact) + 0.5 * len(half)) / len(need), tuple(exact)


def field_overlap(need: frozenset[str], solution: frozenset[str]) -> tuple[float, tuple[str, ...]]:
    if not need or not solution:
        return 0.0, ()
    shared = sorted(need & solution)
    return len(shared) / len(need), tuple(shared)


def _vectorisers() -> tuple[TfidfVectorizer, TfidfVectorizer]:
    return (
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 4), sublinear_tf=True, min_df=1),
    )


class TextModel:
    """TF-IDF over one corpus of needs and solutions; similarity and shared terms."""

    def __init__(self, texts: list[str]):
        self.originals = [set(WORD.findall(t.lower())) for t in texts]
        expanded = [expand(t) for t in texts]
        self.word_matrix = self.char_matrix = self.vocabulary = None
        self._similar: dict[int, np.ndarray] = {}
        if any(t.strip() for t in expanded):
            words, chars = _vectorisers()
            self.word_matrix = words.fit_transform(expanded)
            self.char_matrix = chars.fit_transform(expanded)
            self.vocabulary = words.get_feature_names_out()

    @classmethod
    def _from_counts(cls, originals: list[set[str]], words: tuple, chars: tuple) -> TextModel:
        """The model from term counts and vocabularies made as the vectorisers make them."""
        model = cls.__new__(cls)
        model.originals = originals
        model._similar = {}
        model.word_matrix = TfidfTransformer(sublinear_tf=True).fit_transform(words[0])
        model.char_matrix = TfidfTransformer(sublinear_tf=True).fit_transform(chars[0])
        model.vocabulary = words[1]
        return model

    def similarity(self, i: int, js: list[int]) -> list[float]:
        if self.word_matrix is None or not js:
            return [0.0] * len(js)
        if i not in self._similar:  # against every text once (each value is its own pair's: the same)
            w = cosine_similarity(self.word_matrix[[i]], self.word_matrix)[0]
            c = cosine_similarity(self.char_matrix[[i]], self.char_matrix)[0]
            self._similar[i] = 0.5 * w + 0.5 * c
        return self._similar[i][js].tolist()

    def shared_terms(self, i: int, j: int, limit: int = REASON_TERMS) -> tuple[str, ...]:
        """The words both texts weigh most, as the solution (j) spells them where it can;
        a bigram hides the single words inside it."""
        if self.word_matrix is None:
            return ()
        product = self.word_matrix[i].multiply(self.word_matrix[j]).tocoo()
        own = self.originals[j]
        ranked = sorted(
            zip(product.data, product.col), key=lambda wc: (not set(str(self.vocabulary[wc[1]]).split()) <= own, -wc[0])
        )
        terms: list[str] = []
        for _weight, col in ranked:
            term = str(self.vocabulary[col])
            if any(term in t.split() or term == t for t in terms) or any(w in term.split() for w in terms):
                if " " in term:
                    terms = [t for t in terms if t not in term.split()] + [term]
                continue
            terms.append(term)
            if len(terms) >= limit:
                break
        return tuple(terms)


def rank(
    need: Item,
    solutions: list[Item],
    *,
    limit: int = 5,
    model: TextModel | None = None,
    need_index: int | None = None,
    solution_index: dict[int, int] | None = None,
) -> list[Match]:
    """The best-fitting solutions for a need, best first, each with its reasons."""
    if not solutions:
        return []
    if model is None:
        model = TextModel([need.text] + [s.text for s in solutions])
        need_index, solution_index = 0, {s.id: k + 1 for k, s in enumerate(solutions)}
    sims = model.similarity(need_index, [solution_index[s.id] for s in solutions])
    scored = [(score_parts(need, s, t), s, t) for s, t in zip(solutions, sims)]
    scored.sort(key=lambda x: (-x[0][0], x[1].id))
    out = []
    for (score, parts), solution, text_score in scored:  # reasons (the costly part) only for the best
        if score < MIN_SCORE:
            break
        m = score_pair(need, solution, text_score, model, need_index, solution_index[solution.id])
        if any(r.kind in ("field", "sdg", "text") for r in m.reasons):
            out.append(m)
            if len(out) == limit:
                break
    return out


def score_parts(need: Item, solution: Item, text_score: float) -> tuple[float, dict[str, float]]:
    f_score, _f = field_overlap(need.fields, solution.fields)
    s_score, _s = sdg_overlap(need.sdgs, solution.sdgs)
    shared_languages = need.languages & solution.languages
    l_score = 1.0 if shared_languages or not need.languages or not solution.languages else 0.0
    parts = {
        "text": text_score,
        "field": f_score,
        "sdg": s_score,
        "maturity": MATURITY_SCORE.get(solution.maturity, 0.0),
        "language": l_score,
    }
    return round(sum(WEIGHTS[k] * v for k, v in parts.items()), 4), parts


def score_pair(need: Item, solution: Item, text_score: float, model: TextModel, i: int, j: int) -> Match:
    score, parts = score_parts(need, solution, text_score)
    _f, f_shared = field_overlap(need.fields, solution.fields)
    _s, s_shared = sdg_overlap(need.sdgs, solution.sdgs)
    shared_languages = tuple(sorted(need.languages & solution.languages))
    reasons = []
    if f_shared:
        reasons.append(Reason("field", f_shared))
    if s_shared:
        reasons.append(Reason("sdg", s_shared))
    if text_score >= MIN_TEXT_REASON:
        terms = model.shared_terms(i, j)
        if terms:
            reasons.append(Reason("text", terms))
    if solution.maturity in ("in_use", "scaled"):
        reasons.append(Reason("maturity", (solution.maturity,)))
    if shared_languages:
        reasons.append(Reason("language", shared_languages))
    return Match(need.id, solution.id, score, parts, reasons)


def rank_many(needs: list[Item], solutions: list[Item], *, limit: int = 5) -> dict[int, list[Match]]:
    """`rank` for several needs over one corpus (one fit of the vectorisers)."""
    model = TextModel([n.text for n in needs] + [s.text for s in solutions])
    solution_index = {s.id: len(needs) + k for k, s in enumerate(solutions)}
    return {
        need.id: rank(need, solutions, limit=limit, model=model, need_index=k, solution_index=solution_index)
        for k, need in enumerate(needs)
    }


def needs_served(solution: Item, needs: list[Item], *, limit: int = 5) -> list[Match]:
    """The needs a solution could serve, best first."""
    if not needs:
        return []
    model = TextModel([n.text for n in needs] + [solution.text])
    j = len(needs)
    sims = model.similarity(j, list(range(len(needs))))
    out = [score_pair(n, solution, sims[k], model, k, j) for k, n in enumerate(needs)]
    out = [m for m in out if m.score >= MIN_SCORE and any(r.kind in ("field", "sdg", "text") for r in m.reasons)]
    out.sort(key=lambda m: (-m.score, m.need_id))
    return out[:limit]


class _Terms:
    """One analyser's terms of many texts, numbered once (tokenising is the costly part of a fit)."""

    def __init__(self, analyse: Callable[[str], list[str]]):
        self.analyse = analyse
        self.ids: dict[str, int] = {}
        self.terms: list[str] = []
        self._sorted: tuple[np.ndarray, np.ndarray] | None = None  # terms in order; each id's place in it

    def row(self, text: str, learn: bool = True) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """Term ids in order of first appearance, their counts, and (learn=False) the terms the
        table does not know, numbered after its own for this use only."""
        counts: dict[int, int] = {}
        new: dict[str, int] = {}
        for term in self.analyse(text):
            k = self.ids.get(term)
            if k is None:
                if learn:
                    k = self.ids[term] = len(self.terms)
                    self.terms.append(term)
                    self._sorted = None
                else:
                    k = new.setdefault(term, len(self.terms) + len(new))
            counts[k] = counts.get(k, 0) + 1
        return (
            np.fromiter(counts.keys(), np.int64, len(counts)),
            np.fromiter(counts.values(), np.float64, len(counts)),
            list(new),
        )

    def counts(self, rows: list[tuple[np.ndarray, np.ndarray]], extra: list[str]) -> tuple[sparse.csr_array, list]:
        """The count matrix and vocabulary CountVectorizer.fit_transform makes of these texts: terms
        numbered alphabetically, each row's entries in order of the terms' first appearance."""
        if self._sorted is None:
            terms = np.array(self.terms, dtype=str)
            order = np.argsort(terms, kind="stable")
            place = np.empty(len(terms), np.float64)
            place[order] = np.arange(len(terms))
            self._sorted = terms[order], place
        terms, place = self._sorted
        if extra:  # terms of the need alone: between their neighbours in alphabetical order
            unknown = np.array(extra, dtype=str)
            among = np.empty(len(extra))
            among[np.argsort(unknown, kind="stable")] = np.arange(len(extra))
            place = np.concatenate([place, np.searchsorted(terms, unknown) - 1 + (among + 1) / (len(extra) + 1)])
        lengths = np.array([len(ids) for ids, _ in rows])
        ids = np.concatenate([ids for ids, _ in rows])
        values = np.concatenate([v for _, v in rows])
        first = np.full(len(place), len(ids))
        np.minimum.at(first, ids, np.arange(len(ids)))
        used = np.flatnonzero(first < len(ids))
        seen = np.empty(len(place), np.int64)
        seen[used[np.argsort(first[used])]] = np.arange(len(used))
        column = np.empty(len(place), np.int64)
        column[used[np.argsort(place[used])]] = np.arange(len(used))
        order = np.argsort(np.repeat(np.arange(len(rows)), lengths) * len(used) + seen[ids])  # keys unique
        indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32)
        matrix = sparse.csr_array(
            (values[order], column[ids[order]].astype(np.int32), indptr), shape=(len(rows), len(used))
        )
        names = self.terms + extra
        return matrix, [names[k] for k in used[np.argsort(place[used])]]


class SolutionTexts:
    """The solutions' texts analysed once per process, for the need page: `model(need, solutions)`
    equals `TextModel([need.text] + [s.text for s in solutions])` (same numbers, same order of
    terms, so the same ranking and reasons) without tokenising every solution on every page.

    Entries are keyed by solution id and checked against the text given: a solution edited since
    is analysed again on first use, nothing else is. Thread-safe."""

    def __init__(self):
        self.lock = threading.Lock()
        self._empty()

    def _empty(self) -> None:
        words, chars = _vectorisers()
        self.words, self.chars = _Terms(words.build_analyzer()), _Terms(chars.build_analyzer())
        self.entries: dict[int, tuple] = {}  # id -> (text, originals, word row, char row)

    def _entry(self, item: Item) -> tuple:
        entry = self.entries.get(item.id)
        if entry is None or entry[0] != item.text:
            expanded = expand(item.text)
            entry = (
                item.text,
                set(WORD.findall(item.text.lower())),
                self.words.row(expanded)[:2],
                self.chars.row(expanded)[:2],
            )
            self.entries[item.id] = entry
        return entry

    def model(self, need: Item, solutions: list[Item]) -> TextModel:
        expanded = expand(need.text)
        with self.lock:
            if len(self.words.terms) + len(self.chars.terms) > MAX_TERMS:  # grown by many edits: start afresh
                self._empty()
            entries = [self._entry(s) for s in solutions]
            w_ids, w_counts, w_new = self.words.row(expanded, learn=False)
            if not len(w_ids) and not any(len(e[2][0]) for e in entries):  # no word at all: as TextModel does
                return TextModel([need.text] + [s.text for s in solutions])
            c_ids, c_counts, c_new = self.chars.row(expanded, learn=False)
            words = self.words.counts([(w_ids, w_counts)] + [e[2] for e in entries], w_new)
            chars = self.chars.counts([(c_ids, c_counts)] + [e[3] for e in entries], c_new)
        return TextModel._from_counts([set(WORD.findall(need.text.lower()))] + [e[1] for e in entries], words, chars)


MAX_TERMS = 5_000_000
SOLUTION_TEXTS = SolutionTexts()
