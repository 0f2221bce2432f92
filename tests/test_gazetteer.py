"""Gazetteer: loading is idempotent, search finds places by any name in any script."""
import pytest
from django.core.management import call_command

from kembar.gazetteer.models import Place, PlaceName
from kembar.gazetteer.normalise import name_key, prefix_upper_bound
from kembar.gazetteer.services import country_code, load_gazetteer, parse_place_query, search_places

pytestmark = pytest.mark.django_db


def test_name_key_folds_scripts_accents_and_punctuation():
    assert name_key("Kyōto-shi") == "kyoto shi"
    assert name_key("  SAINT-ÉTIENNE ") == "saint etienne"
    assert name_key("Xi'an") == "xian"
    assert name_key("京都市") == "jing du shi"  # the same transliteration for the query and the index


def test_prefix_bound_is_just_above_every_completion():
    bound = prefix_upper_bound("kyo")
    assert "kyoto" < bound and "kyozzz" < bound and "kyp" >= bound


@pytest.mark.parametrize("query, expected, country", [
    ("Kyoto", "Kyoto", "JP"),
    ("京都市", "Kyoto", "JP"),
    ("Киото", "Kyoto", "JP"),
    ("Yogya", "Yogyakarta", "ID"),
    ("Jogjakarta", "Yogyakarta", "ID"),
    ("반둥", "Bandung", "ID"),
    ("Braunschweig", "Braunschweig", "DE"),
    ("Brunswick, DE", "Braunschweig", "DE"),
])
def test_search_finds_the_place_by_any_name(query, expected, country):
    first = search_places(query)[0]
    assert (first.name, first.country_code) == (expected, country)


def test_search_ranks_by_population_and_filters_by_country():
    results = search_places("Liverpool")
    assert results[0].country_code == "GB"
    assert all(p.country_code == "ID" for p in search_places("Ban", country="ID"))


def test_search_finds_subdivisions_by_type_name():
    kyoto_prefecture = search_places("Kyoto Prefecture")[0]
    assert kyoto_prefecture.kind == Place.Kind.SUBDIVISION
    assert kyoto_prefecture.subdivision_code == "JP-26"
    assert kyoto_prefecture.timezone == "Asia/Tokyo"
    west_java = search_places("Jawa Barat")[0]
    assert west_java.subdivision_code == "ID-JB" and west_java.timezone == "Asia/Jakarta"


def test_too_short_queries_return_nothing():
    assert search_places("") == []
    assert search_places("k") == []


def test_loading_again_changes_nothing():
    before = (Place.objects.count(), PlaceName.objects.count())
    report = load_gazetteer(countries=["JP"], progress=False)
    assert report.created == 0 and report.updated == 0 and report.unchanged > 1000
    assert (Place.objects.count(), PlaceName.objects.count()) == before


def test_loading_restores_a_changed_place():
    kyoto = Place.objects.get(geonameid=1857910)
    Place.objects.filter(pk=kyoto.pk).update(population=1, timezone="UTC")
    report = load_gazetteer(countries=["JP"], progress=False)
    assert report.updated == 1
    kyoto.refresh_from_db()
    assert kyoto.population > 1_000_000 and kyoto.timezone == "Asia/Tokyo"


def test_load_gazetteer_command_reports_json(capsys):
    call_command("load_gazetteer", "--country", "KR", "--no-progress", "--json")
    out = capsys.readouterr().out.strip().splitlines()[-1]
    assert '"created": 0' in out and '"unchanged"' in out


@pytest.mark.parametrize("text, code", [
    ("Indonesia", "ID"), ("England, United Kingdom", "GB"), ("Georgia (country)", "GE"),
    ("South Korea", "KR"), ("JP", "JP"), ("United States", "US"), ("Atlantis", None),
])
def test_country_spellings(text, code):
    assert country_code(text) == code


def test_parse_place_query_splits_country():
    assert parse_place_query("Bandung, ID") == ("Bandung", "ID")
    assert parse_place_query("Kyoto, Japan") == ("Kyoto", "JP")
    assert parse_place_query("Washington, D.C.") == ("Washington, D.C.", None)
