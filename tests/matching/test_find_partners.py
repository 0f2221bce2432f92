"""Partner matchmaking in the platform: the model built from the registry, pages, API, CLI."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from kembar.gazetteer.models import Place
from kembar.matching import services
from kembar.matching.recommend import F
from kembar.partnerships.models import Partnership
from kembar.partnerships.services import government_for_place
from tests.support.builders import government

# A small real network: Indonesian cities twinned with Japanese and Korean ones, German with
# British. Bandung's partners (Kyoto, Busan) are twinned with other Indonesian cities.
LINKS = [
    (("Bandung", "ID"), ("Kyoto", "JP")),
    (("Bandung", "ID"), ("Busan", "KR")),
    (("Surabaya", "ID"), ("Kyoto", "JP")),
    (("Surabaya", "ID"), ("Busan", "KR")),
    (("Surabaya", "ID"), ("Kochi", "JP")),
    (("Medan", "ID"), ("Kyoto", "JP")),
    (("Medan", "ID"), ("Ichikawa", "JP")),
    (("Semarang", "ID"), ("Busan", "KR")),
    (("Semarang", "ID"), ("Kochi", "JP")),
    (("Makassar", "ID"), ("Kochi", "JP")),
    (("Makassar", "ID"), ("Incheon", "KR")),
    (("Palembang", "ID"), ("Incheon", "KR")),
    (("Palembang", "ID"), ("Ichikawa", "JP")),
    (("Denpasar", "ID"), ("Kochi", "JP")),
    (("Denpasar", "ID"), ("Daegu", "KR")),
    (("Malang", "ID"), ("Daegu", "KR")),
    (("Malang", "ID"), ("Kyoto", "JP")),
    (("Bogor", "ID"), ("Incheon", "KR")),
    (("Bogor", "ID"), ("Daegu", "KR")),
    (("Padang", "ID"), ("Ichikawa", "JP")),
    (("Hamburg", "DE"), ("Liverpool", "GB")),
    (("Hamburg", "DE"), ("Leeds", "GB")),
    (("Bremen", "DE"), ("Leeds", "GB")),
    (("Bremen", "DE"), ("Bristol", "GB")),
    (("Hannover", "DE"), ("Bristol", "GB")),
    (("Hannover", "DE"), ("Liverpool", "GB")),
    (("Köln", "DE"), ("Leeds", "GB")),
    (("Köln", "DE"), ("Liverpool", "GB")),
    (("Dresden", "DE"), ("Coventry", "GB")),
    (("Dresden", "DE"), ("Bristol", "GB")),
    (("Kyoto", "JP"), ("Köln", "DE")),
    (("Busan", "KR"), ("Kochi", "JP")),
]


@pytest.fixture
def registry(db, governments):
    govs = {}
    for (a, ca), (b, cb) in LINKS:
        ga, gb = govs.setdefault(a, government(a, ca)), govs.setdefault(b, government(b, cb))
        lo, hi = sorted([ga, gb], key=lambda g: g.pk)
        Partnership.objects.get_or_create(government_a=lo, government_b=hi)
    return govs


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("matching")


@pytest.fixture
def model_file(settings, model_dir, registry):
    """The model learned from `registry`, trained once per module: it is keyed by place, and the
    places (the session's gazetteer slice) and the links are the same in every test."""
    path = model_dir / "model.pkl"
    settings.MATCHING_MODEL_PATH = str(path)
    if not path.exists():
        out = io.StringIO()
        call_command("match_train", stdout=out, stderr=io.StringIO())
        assert "Model saved" in out.getvalue()
    return registry


def test_existing_partners_are_never_suggested(model_file):
    bandung = model_file["Bandung"]
    partner_places = {model_file["Kyoto"].place_id, model_file["Busan"].place_id}
    found = services.suggest(bandung, top=50)
    assert len(found) == 50
    places = {s.place.pk for s in found}
    assert not places & partner_places
    assert bandung.place_id not in places
    # A partnership added after training is excluded too.
    first = found[0].place
    other = government_for_place(first)
    lo, hi = sorted([bandung, other], key=lambda g: g.pk)
    Partnership.objects.create(government_a=lo, government_b=hi)
    assert first.pk not in {s.place.pk for s in services.suggest(bandung, top=50)}


def test_partners_of_partners_come_first_with_true_reasons(model_file):
    bandung = model_file["Bandung"]
    found = services.suggest(bandung, top=10)
    names = [s.place.name for s in found]
    # Kochi is twinned with Busan (a partner of Bandung) and with four Indonesian cities.
    assert "Kochi" in names
    kochi = next(s for s in found if s.place.name == "Kochi")
    assert "1 of your partners is twinned with it" in kochi.reasons
    assert "it is twinned with 4 places in Indonesia" in kochi.reasons
    assert any(r.endswith("shared office hours") for r in kochi.reasons)
    # Indonesian cities already twinned with Bandung's partners: reasons count the real links.
    for s in found:
        for reason in s.reasons:
            if reason.endswith("of your partners are twinned with it") or reason.endswith("is twinned with it"):
                n = int(reason.split()[0])
                theirs = set(
                    Partnership.objects.filter(government_a__place=s.place).values_list(
                        "government_b__place", flat=True
                    )
                ) | set(
                    Partnership.objects.filter(government_b__place=s.place).values_list(
                        "government_a__place", flat=True
                    )
                )
                assert n == len(theirs & {model_file["Kyoto"].place_id, model_file["Busan"].place_id})


def test_an_active_twinner_says_how_many_partners_it_has(model_file):
    model = services.load_model()
    bandung = model.place_index[model_file["Bandung"].place_id]
    degree = model.net.degree
    busy = int(np.argmax(degree))
    quiet = int(np.flatnonzero((degree > 0) & (degree < services.ACTIVE_TWINNER))[0])
    for c in (busy, quiet):
        x = model.builder.features(model.builder.query(bandung), np.array([c]))[0]
        said = [r for r in services.reasons(model, bandung, c, x) if r.endswith("places in all")]
        n = len(model.net.partners(c))
        assert said == ([f"it is twinned with {n} places in all"] if n >= services.ACTIVE_TWINNER else [])
    assert degree[busy] >= services.ACTIVE_TWINNER


def test_a_pairing_is_frequent_only_when_it_is_a_good_share_of_the_countrys(model_file, monkeypatch):
    """Indonesia's 20 partnerships: 11 with Japan, 9 with Korea. Both pair more often than their
    countries' shares predict; "frequent" needs FREQUENT_PAIRING of Indonesia's (here 50 %)."""
    model = services.load_model()
    bandung = model.place_index[model_file["Bandung"].place_id]
    c = model.builder.query(bandung)
    monkeypatch.setattr(services, "FREQUENT_PAIRING", 0.5)
    said = {}
    for name in ("Kochi", "Daegu"):
        node = model.place_index[model_file[name].place_id]
        x = model.builder.features(c, np.array([node]))[0]
        said[name] = [r for r in services.reasons(model, bandung, node, x) if "partnerships)" in r]
    assert said == {
        "Kochi": ["Indonesia–Japan is a frequent pairing (11 partnerships)"],
        "Daegu": ["Indonesia–South Korea pairs more often than chance (9 partnerships)"],
    }


def test_no_shared_office_hour_is_no_reason(model_file):
    """Places 8 or more hours apart share no office hour: that is not given as a reason."""
    model = services.load_model()
    bandung = model.place_index[model_file["Bandung"].place_id]
    kyoto = model.place_index[model_file["Kyoto"].place_id]
    x = model.builder.features(model.builder.query(bandung), np.array([kyoto]))[0]
    assert any("shared office hour" in r for r in services.reasons(model, bandung, kyoto, x))
    x[F["office_hours"]] = 0.0
    assert not any("office hour" in r for r in services.reasons(model, bandung, kyoto, x))


def test_cold_start_suggests_from_country_patterns(model_file):
    """Yogyakarta has no partnership: it still gets the places Indonesia twins with."""
    yogya = government("Yogyakarta", "ID")
    assert not Partnership.objects.filter(government_a=yogya).exists()
    found = services.suggest(yogya, top=5)
    assert len(found) == 5
    assert {s.place.country_code for s in found[:3]} <= {"JP", "KR"}


def test_filters_restrict_the_suggestions(model_file):
    bandung = model_file["Bandung"]
    found = services.suggest(bandung, services.SuggestionFilter(country="DE", population_min=200_000), top=10)
    assert found and all(s.place.country_code == "DE" and s.place.population >= 200_000 for s in found)
    assert services.suggest(bandung, services.SuggestionFilter(traits=["port"]), top=10) == []


def test_places_abroad_unless_the_own_country_is_asked_for(client, model_file):
    """A sister city is a partner abroad: Bandung's partners' other Indonesian partners (Surabaya,
    Medan...) are suggested only when asked for, by the filter or by choosing Indonesia."""
    bandung = model_file["Bandung"]
    abroad = services.suggest(bandung, top=50)
    assert len(abroad) == 50 and "ID" not in {s.place.country_code for s in abroad}
    domestic = services.suggest(bandung, services.SuggestionFilter(domestic=True), top=10)
    assert "Surabaya" in [s.place.name for s in domestic]
    chosen = services.suggest(bandung, services.SuggestionFilter(country="ID"), top=5)
    assert len(chosen) == 5 and {s.place.country_code for s in chosen} == {"ID"}
    # The page, the API and the command say the same.
    url = f"/matching/governments/{bandung.pk}/partners/"
    assert "Surabaya" not in {s.place.name for s in client.get(url).context["suggestions"]}
    assert "Surabaya" in {s.place.name for s in client.get(url, {"domestic": "on"}).context["suggestions"]}
    api = f"/api/governments/{bandung.pk}/recommendations"
    assert "ID" not in {i["country"] for i in client.get(api, {"top": 30}).json()}
    assert "Surabaya" in {i["place_name"] for i in client.get(api, {"top": 10, "domestic": "true"}).json()}
    out = io.StringIO()
    call_command("recommend", "Bandung", "--country", "ID", "--top", "10", "--domestic", stdout=out)
    assert "Surabaya, ID" in out.getvalue()
    out = io.StringIO()
    call_command("recommend", "Bandung", "--country", "ID", "--top", "10", stdout=out)
    assert ", ID" not in out.getvalue()


def test_region_filter_keeps_one_first_level_division(client, model_file):
    bandung = model_file["Bandung"]
    west_java = bandung.place.admin1_code
    assert west_java
    found = services.suggest(bandung, services.SuggestionFilter(country="ID", region=west_java), top=10)
    assert found and all(s.place.country_code == "ID" and s.place.admin1_code == west_java for s in found)
    assert services.suggest(bandung, services.SuggestionFilter(country="ID", region="no-such-region"), top=10) == []
    # The ISO 3166-2 code names the same division; another country's code names none.
    by_iso = services.suggest(bandung, services.SuggestionFilter(country="ID", region="ID-JB"), top=10)
    assert [s.place for s in by_iso] == [s.place for s in found]
    assert services.suggest(bandung, services.SuggestionFilter(country="ID", region="JP-26"), top=10) == []
    # The page offers the country's regions once a country is chosen, named as provinces.
    page = client.get(f"/matching/governments/{bandung.pk}/partners/", {"country": "ID", "region": west_java})
    assert page.status_code == 200
    assert {s.place.admin1_code for s in page.context["suggestions"]} == {west_java}
    assert f'<option value="{west_java}" selected>Jawa Barat</option>' in page.content.decode()
    reply = client.get(f"/api/governments/{bandung.pk}/recommendations", {"country": "ID", "region": west_java})
    assert reply.status_code == 200 and reply.json()
    assert {Place.objects.get(pk=i["place_id"]).admin1_code for i in reply.json()} == {west_java}
    by_iso = client.get(f"/api/governments/{bandung.pk}/recommendations", {"country": "ID", "region": "ID-JB"})
    assert by_iso.json() == reply.json()
    bad = client.get(f"/api/governments/{bandung.pk}/recommendations", {"region": west_java})
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "region"
    with pytest.raises(CommandError, match="Choose a country for the region"):
        call_command("recommend", "Bandung", "--country", "ID", "--partner-region", west_java, stdout=io.StringIO())
    out = io.StringIO()
    call_command(
        "recommend",
        "Bandung",
        "--country",
        "ID",
        "--partner-country",
        "ID",
        "--partner-region",
        west_java,
        "--top",
        "3",
        stdout=out,
    )
    assert out.getvalue().startswith(" 1. ")


def _assert_page_and_api_ask_for_training(client, government, detail):
    """The "Find partners" page says to run match-train; the API answers 409 with `detail`."""
    page = client.get(f"/matching/governments/{government.pk}/partners/")
    assert page.status_code == 200
    assert "kembar match-train" in page.content.decode()
    reply = client.get(f"/api/governments/{government.pk}/recommendations")
    assert reply.status_code == 409
    assert detail in reply.json()["detail"]


def test_without_a_model_pages_and_api_say_so(client, settings, tmp_path, registry):
    settings.MATCHING_MODEL_PATH = str(tmp_path / "none.pkl")
    _assert_page_and_api_ask_for_training(client, registry["Bandung"], "match-train")


def test_a_model_file_from_an_earlier_version_is_refused_with_a_message(client, settings, tmp_path, model_file):
    """A model learned on other features (a file kept from before an upgrade) would make the
    trees read the wrong columns: the page and the API ask for a new match-train instead."""
    import pickle
    from pathlib import Path

    with open(settings.MATCHING_MODEL_PATH, "rb") as handle:
        model = pickle.load(handle)
    model.features = model.features[:-1]
    old = Path(tmp_path / "old.pkl")
    old.write_bytes(pickle.dumps(model))
    settings.MATCHING_MODEL_PATH = str(old)
    bandung = model_file["Bandung"]
    with pytest.raises(services.ModelMissing, match="earlier version"):
        services.suggest(bandung)
    _assert_page_and_api_ask_for_training(client, bandung, "earlier version")


def test_find_partners_page_lists_suggestions_in_constant_queries(client, model_file, django_assert_num_queries):
    bandung = model_file["Bandung"]
    url = f"/matching/governments/{bandung.pk}/partners/"
    client.get(url)  # warm the model cache
    with django_assert_num_queries(4):
        page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Kochi" in html and "of your partners" in html
    assert page.context["suggestions"] and len(page.context["suggestions"]) == 20
    bad = client.get(url, {"population_min": "100", "population_max": "5"})
    assert "The maximum is below the minimum." in bad.content.decode()
    assert (
        f'href="/matching/governments/{bandung.pk}/partners/"'
        in client.get(bandung.get_absolute_url()).content.decode()
    )


def test_recommendations_api(client, model_file):
    bandung = model_file["Bandung"]
    reply = client.get(f"/api/governments/{bandung.pk}/recommendations", {"top": 5, "country": "JP"})
    assert reply.status_code == 200
    items = reply.json()
    assert len(items) == 5 and all(i["country"] == "JP" for i in items)
    assert items[0]["reasons"]
    assert client.get("/api/governments/999999/recommendations").status_code == 404
    bad = client.get(f"/api/governments/{bandung.pk}/recommendations", {"country": "Atlantis"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "country"
    bad = client.get(f"/api/governments/{bandung.pk}/recommendations", {"population_min": 10, "population_max": 1})
    assert bad.status_code == 422


def test_recommend_command(model_file):
    out = io.StringIO()
    call_command("recommend", "Bandung", "--country", "ID", "--top", "3", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith(" 1. ")
    assert sum(1 for line in lines if line[:3].strip().rstrip(".").isdigit()) == 3
    with pytest.raises(CommandError, match="Did you mean: Bandung, ID"):
        call_command("recommend", "Bandnug", "--country", "ID", stdout=io.StringIO())
    with pytest.raises(CommandError, match="No place matches"):
        call_command("recommend", "Bandung", "--country", "ID", "--partner-country", "ZZ", stdout=io.StringIO())


def test_match_train_refuses_an_empty_registry(settings, tmp_path, db):
    settings.MATCHING_MODEL_PATH = str(tmp_path / "model.pkl")
    with pytest.raises(CommandError, match="too few links"):
        call_command("match_train", stdout=io.StringIO(), stderr=io.StringIO())


def test_match_eval_command_reports_the_protocol_figures(tmp_path):
    header = "city1,country1,lat1,lng1,city2,country2,lat2,lng2\n"
    rows = []
    for i in range(30):
        rows.append(f"Leaf{i},Indonesia,{-6 - i / 10},{107 + i / 10},Hub{i % 5},Japan,{35 + i % 5},{135 + i % 5}")
        rows.append(
            f"Leaf{i},Indonesia,{-6 - i / 10},{107 + i / 10},Hub{(i + 1) % 5},Japan,{35 + (i + 1) % 5},{135 + (i + 1) % 5}"
        )
    train = tmp_path / "train.csv"
    train.write_text(header + "\n".join(rows[:-6]) + "\n")
    test = tmp_path / "test.csv"
    test.write_text(header + "\n".join(rows[-6:]) + "\n")
    out = io.StringIO()
    call_command("match_eval", "--train", str(train), "--test", str(test), "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert set(result) == {"hit@10", "hit@50", "mrr", "queries", "ms_median", "ms_p95"}
    assert result["queries"] == 12 and result["hit@10"] >= 0.3
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("a,b\n")
    with pytest.raises(CommandError, match="wrong columns"):
        call_command("match_eval", "--train", str(wrong), "--test", str(test), stdout=io.StringIO())
    empty = tmp_path / "empty.csv"
    empty.write_text(header)
    with pytest.raises(CommandError, match="empty"):
        call_command("match_eval", "--train", str(train), "--test", str(empty), stdout=io.StringIO())
