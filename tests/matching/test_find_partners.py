"""Partner matchmaking in the platform: the model built from the registry, pages, API, CLI."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from kembar.gazetteer.models import Place, PlaceTrait
from kembar.matching import services
from kembar.matching.recommend import F
from kembar.partnerships import traits
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
    assert "Busan, your partner, is twinned with it" in kochi.reasons
    # The places a reason speaks of are named, the nearest to Bandung first.
    assert "it is twinned with 4 places in Indonesia, among them Semarang, Surabaya and Denpasar" in kochi.reasons
    assert any(r.endswith("shared office hours") for r in kochi.reasons)
    # Every "your partner(s)" reason names exactly the partners of Bandung twinned with it.
    ours = {"Kyoto", "Busan"}
    for s in found:
        for reason in s.reasons:
            if "your partner" in reason:
                named = set(reason.split(", your partner")[0].replace(" and ", ", ").split(", "))
                theirs = set(
                    Partnership.objects.filter(government_a__place=s.place).values_list(
                        "government_b__place__name", flat=True
                    )
                ) | set(
                    Partnership.objects.filter(government_b__place=s.place).values_list(
                        "government_a__place__name", flat=True
                    )
                )
                assert named == theirs & ours


def test_reasons_name_at_most_three_places_and_count_the_rest(model_file, monkeypatch):
    """Ichikawa's partners Medan, Palembang and Padang are all in Indonesia: with NAMED at 2,
    the reason names the two nearest to Bandung and counts the third."""
    model = services.load_model()
    bandung = model.place_index[model_file["Bandung"].place_id]
    ichikawa = model.place_index[model_file["Ichikawa"].place_id]
    x = model.builder.features(model.builder.query(bandung), np.array([ichikawa]))[0]
    said = [r for r in services.reasons(model, bandung, ichikawa, x) if "in Indonesia" in r]
    assert said == ["it is twinned with Palembang, Padang and Medan in Indonesia"]
    monkeypatch.setattr(services, "NAMED", 2)
    said = [r for r in services.reasons(model, bandung, ichikawa, x) if "in Indonesia" in r]
    assert said == ["it is twinned with 3 places in Indonesia, among them Palembang and Padang"]


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


def test_trait_filters_put_places_known_to_have_it_first_and_drop_those_known_to_lack_it(model_file):
    """The places known to have the trait — from sourced data (Natural Earth's ports) or recorded
    by their office — come first, those known to lack it are left out, and the rest follow, each
    saying the trait is not recorded."""
    bandung = model_file["Bandung"]
    port = services.SuggestionFilter(country="JP", traits=["port"])
    data_ports = set(
        PlaceTrait.objects.filter(trait="port", place__country_code="JP").values_list("place_id", flat=True)
    )
    found = services.suggest(bandung, port, top=40)
    known = [s for s in found if not s.unrecorded]
    assert len(known) >= 5 and {s.place.id for s in known} <= data_ports
    assert found[: len(known)] == known and all(s.unrecorded == ["Port"] for s in found[len(known) :])
    # Ichikawa's office recorded its traits, without "port": it is known to lack it.
    ichikawa = model_file["Ichikawa"]
    assert ichikawa.place_id not in data_ports
    ichikawa.traits = ["heritage"]
    ichikawa.save()
    found = services.suggest(bandung, port, top=40)
    assert ichikawa.place not in [s.place for s in found]
    # An office that withdraws its data port is no longer known to be one.
    kochi = model_file["Kochi"]
    row = PlaceTrait.objects.get(place=kochi.place, trait="port")
    assert kochi.place in [s.place for s in known]
    traits.withdraw_trait(_superuser(), kochi, row.trait, "test")
    found = services.suggest(bandung, port, top=40)
    assert all(s.place != kochi.place or s.unrecorded == ["Port"] for s in found)
    # A national capital is known from the gazetteer's data: Tokyo, though no one recorded it.
    capitals = services.suggest(bandung, services.SuggestionFilter(country="JP", traits=["capital"]), top=3)
    assert capitals[0].place.name == "Tokyo" and capitals[0].unrecorded == []
    assert capitals[1].unrecorded == ["Capital"]


def test_the_coast_is_known_for_every_place(model_file):
    """The data says of every GeoNames city whether it is on the coast: a coastal filter leaves
    only places known to be coastal (no "not recorded" ones)."""
    coastal = services.suggest(
        model_file["Bandung"], services.SuggestionFilter(country="JP", traits=["coastal"]), top=20
    )
    assert len(coastal) == 20 and all(not s.unrecorded for s in coastal)
    assert all(PlaceTrait.objects.filter(place=s.place, trait="coastal").exists() for s in coastal)


def test_shared_traits_from_data_are_a_reason(model_file):
    """Surabaya and Kochi: both ports on the coast in the data, though no office recorded it."""
    model = services.load_model()
    surabaya = model.place_index[model_file["Surabaya"].place_id]
    kochi = model.place_index[model_file["Kochi"].place_id]
    assert model_file["Surabaya"].traits == [] and model_file["Kochi"].traits == []
    x = model.builder.features(model.builder.query(surabaya), np.array([kochi]))[0]
    assert x[F["shared_tags"]] >= 2
    both = [r for r in services.reasons(model, surabaya, kochi, x) if r.startswith("both: ")]
    assert both and "port" in both[0] and "coastal" in both[0]


def _superuser():
    from tests.support.builders import make_user

    return make_user("traits_admin", is_superuser=True, is_staff=True)


def test_field_filter_puts_places_cooperating_in_it_first(model_file):
    bandung = model_file["Bandung"]
    surabaya, kochi = model_file["Surabaya"], model_file["Kochi"]
    ichikawa, padang = model_file["Ichikawa"], model_file["Padang"]
    Partnership.objects.get(government_a__in=[surabaya, kochi], government_b__in=[surabaya, kochi]).fields.set(
        ["education"]
    )
    Partnership.objects.get(government_a__in=[padang, ichikawa], government_b__in=[padang, ichikawa]).fields.set(
        ["trade"]
    )
    found = services.suggest(bandung, services.SuggestionFilter(country="JP", field="education"), top=5)
    assert found[0].place == kochi.place and found[0].unrecorded == []
    assert ichikawa.place not in [s.place for s in found]  # it cooperates in trade only
    assert all(s.unrecorded == ["Education"] for s in found[1:])


def test_places_abroad_unless_the_own_country_is_asked_for(client, model_file):
    """A sister city is a partner abroad: Bandung's partners' other Indonesian partners (Surabaya,
    Medan...) are suggested only when asked for, by the filter or by choosing Indonesia."""
    bandung = model_file["Bandung"]
    abroad = services.suggest(bandung, top=50)
    assert len(abroad) == 50 and "ID" not in {s.place.country_code for s in abroad}
    domestic = services.suggest(bandung, services.SuggestionFilter(domestic=True), top=30)
    assert "Surabaya" in [s.place.name for s in domestic]
    assert "ID" in {s.place.country_code for s in domestic[:10]}
    chosen = services.suggest(bandung, services.SuggestionFilter(country="ID"), top=5)
    assert len(chosen) == 5 and {s.place.country_code for s in chosen} == {"ID"}
    # The page, the API and the command say the same.
    url = f"/matching/governments/{bandung.pk}/partners/"
    assert "ID" not in {s.place.country_code for s in client.get(url).context["suggestions"]}
    assert "ID" in {s.place.country_code for s in client.get(url, {"domestic": "on"}).context["suggestions"]}
    api = f"/api/governments/{bandung.pk}/recommendations"
    assert "ID" not in {i["country"] for i in client.get(api, {"top": 30}).json()}
    assert "Surabaya" in {i["place_name"] for i in client.get(api, {"top": 30, "domestic": "true"}).json()}
    out = io.StringIO()
    call_command("recommend", "Bandung", "--country", "ID", "--top", "30", "--domestic", stdout=out)
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


def test_reasons_shared_by_the_suggestions_are_said_once_above_them(client, model_file):
    """In Japan every card said "Indonesia–Japan is a frequent pairing" and "N shared office
    hours": those go to one line above the list, and the cards keep what tells them apart."""
    bandung = model_file["Bandung"]
    page = client.get(f"/matching/governments/{bandung.pk}/partners/", {"country": "JP"})
    html = page.content.decode()
    suggestions = page.context["suggestions"]
    assert len(suggestions) >= 3
    [line] = page.context["shared"]
    assert line.country == "" and line.count == len(suggestions)
    pairing = next(r for r in line.reasons if "Indonesia–Japan" in r)
    assert any(r.endswith("shared office hours") for r in line.reasons)
    assert html.count(pairing) == 1
    assert f"All {len(suggestions)} suggestions:" in html
    for s in suggestions:
        assert not set(s.shown_reasons) & set(line.reasons)
    kochi = next(s for s in suggestions if s.place.name == "Kochi")
    assert "Busan, your partner, is twinned with it" in kochi.shown_reasons
    # Several countries: a country's reasons go above only when two or more of its places share them.
    mixed = services.suggest(bandung, top=20)
    lines = services.shared_reasons(mixed)
    by_country = {line.country: line for line in lines}
    for s in mixed:
        others = [o for o in mixed if o.place.country_code == s.place.country_code]
        pairing = [r for r in s.reasons if r.about == services.Reason.COUNTRY]
        if len(others) >= 2 and pairing:
            assert pairing[0] in by_country[s.place.country_name].reasons
            assert pairing[0] not in s.shown_reasons
        elif pairing:
            assert pairing[0] in s.shown_reasons


def test_a_card_offers_to_propose_a_partnership_or_to_contact_the_office(client, model_file, users):
    from kembar.accounts.models import Organisation
    from kembar.matching.models import PartnerRequest

    bandung, kochi, daegu = model_file["Bandung"], model_file["Kochi"], model_file["Daegu"]
    Organisation.objects.create(
        name="Kochi City International Office", local_government=kochi, email="intl@kochi.example"
    )
    office = Organisation.objects.create(name="Daegu International Relations", local_government=daegu)
    request = PartnerRequest.objects.create(
        government=daegu,
        title="Partner for textile design",
        offers="Textile know-how",
        seeks="A creative city",
        contact_email="ir@daegu.example",
        status=PartnerRequest.Status.PUBLISHED,
    )
    url = f"/matching/governments/{bandung.pk}/partners/"
    assert "Propose a partnership" not in client.get(url).content.decode()  # visitors only read
    client.force_login(users["bandung_viewer"])
    assert "Propose a partnership" not in client.get(url).content.decode()
    client.force_login(users["surabaya_editor"])  # acts for Surabaya, not for Bandung
    assert "Propose a partnership" not in client.get(url).content.decode()
    client.force_login(users["bandung_editor"])
    page = client.get(url, {"country": "JP"})
    html = page.content.decode()
    card = next(s for s in page.context["suggestions"] if s.place == kochi.place)
    propose = (
        f"/partnerships/new/?government={bandung.pk}&amp;partner_place={kochi.place_id}"
        f"&amp;partner_level={kochi.level}&amp;status=proposed"
    )
    assert propose in html
    assert card.office.name == "Kochi City International Office"
    assert 'href="mailto:intl@kochi.example">Write to Kochi City International Office</a>' in html
    korea = client.get(url, {"country": "KR"}).content.decode()
    assert office.name not in korea  # it has a published request: that is where to answer
    assert f'href="{request.get_absolute_url()}">Answer its partner request “Partner for textile design”</a>' in korea
    # The link opens the new-partnership form filled in: Bandung, Kochi, proposed.
    form = client.get(propose.replace("&amp;", "&"))
    assert form.status_code == 200
    body = form.content.decode()
    assert f'<option value="{bandung.pk}" selected>' in body
    assert f'name="partner_place" value="{kochi.place_id}"' in body
    assert '<option value="proposed" selected>' in body
    assert "Kochi, Japan" in body
    created = client.post(
        "/partnerships/new/",
        {
            "government": bandung.pk,
            "partner_place": kochi.place_id,
            "partner_level": kochi.level,
            "kind": "sister_city",
            "status": "proposed",
        },
    )
    assert created.status_code == 302
    assert Partnership.objects.get(government_a__in=[bandung, kochi], government_b__in=[bandung, kochi]).status == (
        "proposed"
    )
    # A value out of its choices in the link is ignored, not an error.
    assert client.get("/partnerships/new/?government=x&partner_place=99999999&status=bogus").status_code == 200


def test_find_partners_page_with_actions_in_constant_queries(client, model_file, users):
    """The cards' offices and partner requests cost the same few queries however many there are."""
    from kembar.accounts.models import Organisation
    from kembar.matching.models import PartnerRequest
    from tests.support.queries import assert_constant_queries

    client.force_login(users["bandung_editor"])
    url = f"/matching/governments/{model_file['Bandung'].pk}/partners/"
    with assert_constant_queries() as queries:
        client.get(url)  # warm the model cache
        with queries.few():
            page = client.get(url)
        assert len(page.context["suggestions"]) == 20 and page.context["can_propose"]
        for s in page.context["suggestions"]:
            if s.government:
                Organisation.objects.create(name=f"Office of {s.government.name}", local_government=s.government)
                PartnerRequest.objects.create(
                    government=s.government,
                    title=f"{s.government.name} seeks partners",
                    offers="-",
                    seeks="-",
                    contact_email="x@example.org",
                    status=PartnerRequest.Status.PUBLISHED,
                )
        with queries.many():
            page = client.get(url)
        assert sum(1 for s in page.context["suggestions"] if s.open_request) >= 5


def test_provincial_capital_filter_and_reason(model_file):
    """Sourced provincial capitals (Natural Earth) come first under the filter, and two of them
    share it as a reason."""
    bandung = model_file["Bandung"]
    found = services.suggest(bandung, services.SuggestionFilter(country="JP", traits=["provincial_capital"]), top=10)
    known = [s for s in found if not s.unrecorded]
    assert known and found[: len(known)] == known
    assert all(PlaceTrait.objects.filter(place=s.place, trait="provincial_capital").exists() for s in known)
    assert all(s.unrecorded == ["Provincial capital"] for s in found[len(known) :])
    model = services.load_model()
    surabaya = model.place_index[model_file["Surabaya"].place_id]
    kochi = model.place_index[model_file["Kochi"].place_id]
    x = model.builder.features(model.builder.query(surabaya), np.array([kochi]))[0]
    both = [r for r in services.reasons(model, surabaya, kochi, x) if r.startswith("both: ")]
    assert "provincial capital" in both[0]
