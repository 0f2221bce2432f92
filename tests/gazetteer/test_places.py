"""Gazetteer: loading is idempotent, search finds places by any name in any script, every city
knows its province."""

import re

import pytest
from django.core.management import call_command
from django.utils import translation

from kembar.gazetteer.countries import country_name
from kembar.gazetteer.models import Place, PlaceName
from kembar.gazetteer.normalise import name_key, prefix_upper_bound
from kembar.gazetteer.services import (
    ProvinceLookupError,
    admin1_codes,
    admin1_of,
    country_code,
    find_province,
    load_gazetteer,
    parse_place_query,
    province_code_of,
    province_of,
    search_places,
)
from tests.support.builders import city

pytestmark = pytest.mark.django_db


def test_name_key_folds_scripts_accents_and_punctuation():
    assert name_key("Kyōto-shi") == "kyoto shi"
    assert name_key("  SAINT-ÉTIENNE ") == "saint etienne"
    assert name_key("Xi'an") == "xian"
    assert name_key("京都市") == "jing du shi"  # the same transliteration for the query and the index


def test_prefix_bound_is_just_above_every_completion():
    bound = prefix_upper_bound("kyo")
    assert "kyoto" < bound and "kyozzz" < bound and "kyp" >= bound


@pytest.mark.parametrize(
    "query, expected, country",
    [
        ("Kyoto", "Kyoto", "JP"),
        ("京都市", "Kyoto", "JP"),
        ("Киото", "Kyoto", "JP"),
        ("Yogya", "Yogyakarta", "ID"),
        ("Jogjakarta", "Yogyakarta", "ID"),
        ("반둥", "Bandung", "ID"),
        ("Braunschweig", "Braunschweig", "DE"),
        ("Brunswick, DE", "Braunschweig", "DE"),
    ],
)
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


def test_a_province_keeps_the_time_of_its_own_towns():
    """Indonesia has three zones: a province not named like a town takes the zone of its own
    towns, not the country's (Papua is nine hours ahead of UTC, not seven)."""
    zones = dict(
        Place.objects.filter(subdivision_code__in=["ID-PA", "ID-BA", "ID-SN", "ID-JI", "US-TX"]).values_list(
            "subdivision_code", "timezone"
        )
    )
    assert zones == {
        "ID-PA": "Asia/Jayapura",
        "ID-BA": "Asia/Makassar",
        "ID-SN": "Asia/Makassar",
        "ID-JI": "Asia/Jakarta",
        "US-TX": "America/Chicago",
    }


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


@pytest.mark.parametrize(
    "text, code",
    [
        ("Indonesia", "ID"),
        ("England, United Kingdom", "GB"),
        ("Georgia (country)", "GE"),
        ("South Korea", "KR"),
        ("JP", "JP"),
        ("United States", "US"),
        ("Atlantis", None),
    ],
)
def test_country_spellings(text, code):
    assert country_code(text) == code


def test_parse_place_query_splits_country():
    assert parse_place_query("Bandung, ID") == ("Bandung", "ID")
    assert parse_place_query("Kyoto, Japan") == ("Kyoto", "JP")
    assert parse_place_query("Washington, D.C.") == ("Washington, D.C.", None)
    # An Indonesian officer writes the country in Indonesian.
    assert parse_place_query("Kyoto, Jepang") == ("Kyoto", "JP")
    assert parse_place_query("Xi'an, Tiongkok") == ("Xi'an", "CN")


@pytest.mark.parametrize(
    "text, code",
    [
        ("Jepang", "JP"),
        ("Korea Selatan", "KR"),
        ("Amerika Serikat", "US"),
        ("Belanda", "NL"),
        ("Jerman", "DE"),
        ("Tiongkok", "CN"),
        ("Cina", "CN"),
        ("Inggris", "GB"),
        ("Prancis", "FR"),
        ("Perancis", "FR"),
        ("Suriah", "SY"),
        ("Federasi Rusia", "RU"),
        ("Rusia", "RU"),
        # English names and aliases keep their country; the Indonesian names of neighbours stay apart.
        ("Georgia", "GE"),
        ("Island", "IS"),
        ("Dominika", "DM"),
        ("Republik Dominika", "DO"),
    ],
)
def test_country_names_in_bahasa_indonesia(text, code):
    assert country_code(text) == code


# --- provinces: ISO 3166-2 subdivisions linked to GeoNames' first-level divisions --------------


def test_the_admin1_file_links_real_codes():
    codes = admin1_codes()
    assert codes["ID-JB"] == "30" and codes["ID-JK"] == "04"  # Jawa Barat, DKI Jakarta
    assert codes["DE-BY"] == "02" and codes["US-CA"] == "CA" and codes["GB-ENG"] == "ENG"
    assert codes["JP-26"] == "22"  # Kyoto: both codes are numbers, and they differ
    # GeoNames files Pécs (a Hungarian city with county rights) and Taiwan's counties under
    # other divisions: no admin1 code of their own.
    assert "HU-PS" not in codes and "TW-HSQ" not in codes and codes["HU-BA"] == "02"
    per_country = [(iso[:2], a1) for iso, a1 in codes.items()]
    assert len(per_country) == len(set(per_country)) > 3000  # one ISO code per division


def test_admin1_of_accepts_geonames_and_iso_codes():
    assert admin1_of("ID", "30") == admin1_of("ID", "ID.30") == admin1_of("ID", "id-jb") == "30"
    assert admin1_of("ID", "JP-26") == "" and admin1_of("ID", "JP.22") == ""
    assert admin1_of("HU", "HU-PS") == ""
    assert province_code_of("ID", "30") == "ID-JB" and province_code_of("de", "02") == "DE-BY"
    assert province_code_of("ID", "99") == ""


@pytest.mark.parametrize(
    "name, country, code",
    [
        ("Bandung", "ID", "ID-JB"),
        ("Bekasi", "ID", "ID-JB"),
        ("Jakarta", "ID", "ID-JK"),
        ("Surabaya", "ID", "ID-JI"),
        ("Munich", "DE", "DE-BY"),
        ("Kyoto", "JP", "JP-26"),
        ("Manchester", "GB", "GB-ENG"),
        ("Los Angeles", "US", "US-CA"),
        ("Busan", "KR", "KR-26"),
    ],
)
def test_every_city_knows_its_province(name, country, code):
    province = Place.objects.get(subdivision_code=code)
    assert province.admin1_code == admin1_codes()[code]
    assert province_of(city(name, country)) == province
    assert province_of(province) == province


def test_a_subdivision_geonames_has_no_division_for_holds_no_city():
    """Hungary's cities with county rights are ISO 3166-2 subdivisions of their own; GeoNames
    files Pécs under Baranya county. The city's province is Baranya; HU-PS holds no city."""
    from kembar.insights.analytics.pivot import province_government_ids
    from kembar.partnerships.services import government_for_place

    load_gazetteer(countries=["HU"], progress=False)
    pecs_city, pecs_sub = city("Pécs", "HU"), Place.objects.get(subdivision_code="HU-PS")
    baranya = Place.objects.get(subdivision_code="HU-BA")
    assert pecs_sub.admin1_code == "" and baranya.admin1_code == pecs_city.admin1_code
    assert province_of(pecs_city) == baranya and province_of(pecs_sub) is None
    city_government, sub_government = government_for_place(pecs_city), government_for_place(pecs_sub)
    assert province_government_ids(pecs_sub) == [sub_government.pk]
    assert city_government.pk in province_government_ids(baranya)


@pytest.mark.parametrize(
    "text", ["ID-JB", "id-jb", "ID.30", "Jawa Barat", "jawa barat, Indonesia", "West Java, ID", "Provinsi Jawa Barat"]
)
def test_find_province_by_code_or_name(text):
    assert find_province(text).subdivision_code == "ID-JB"


@pytest.mark.parametrize(
    "text, message",
    [
        ("XX-99", "No province (ISO 3166-2 subdivision) has the code “XX-99”"),
        ("ID.99", "No province is known for GeoNames' first-level division “ID.99”"),
        ("Atlantis", "No province is called “Atlantis”"),
    ],
)
def test_find_province_says_what_it_did_not_find(text, message):
    with pytest.raises(ProvinceLookupError, match=re.escape(message)):
        find_province(text)


def test_loading_gives_subdivisions_their_admin1_code_again():
    Place.objects.filter(subdivision_code="ID-JB").update(admin1_code="")
    report = load_gazetteer(countries=["ID"], progress=False)
    assert report.updated == 1 and Place.objects.get(subdivision_code="ID-JB").admin1_code == "30"


def test_country_names_in_the_active_language():
    with translation.override("id"):
        assert (country_name("JP"), country_name("TL"), country_name("TW")) == ("Jepang", "Timor-Leste", "Taiwan")
        # Indonesian usage, not pycountry's catalogue ("Cina", "Federasi Rusia", "Republik Arab Syria").
        assert (country_name("CN"), country_name("RU"), country_name("SY"), country_name("CZ")) == (
            "Tiongkok",
            "Rusia",
            "Suriah",
            "Ceko",
        )
    with translation.override("en"):
        assert (country_name("JP"), country_name("TL"), country_name("RU"), country_name("KR")) == (
            "Japan",
            "Timor-Leste",
            "Russia",
            "South Korea",
        )


def test_country_choices_follow_the_language_of_each_call():
    """The sorted names are kept per language: a page in English after one in Indonesian
    lists English names, and a caller may extend its own list."""
    from django.utils import translation

    from kembar.gazetteer.services import country_choices

    with translation.override("id"):
        indonesian = dict(country_choices())
    with translation.override("en"):
        english = country_choices()
        english.insert(0, ("", "All countries"))
        assert country_choices()[0] != ("", "All countries")
    assert indonesian["JP"] == "Jepang" and dict(english)["JP"] == "Japan"
