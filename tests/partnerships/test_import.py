"""Import of twinning lists: resolution of names to gazetteer places, rejections, idempotency."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from kembar.gazetteer.models import Place
from kembar.gazetteer.normalise import core_key, name_key, name_parts
from kembar.gazetteer.resolver import CountryIndex, Entry, PlaceRef, Resolver, wanted_keys
from kembar.gazetteer.services import country_code, load_gazetteer
from kembar.partnerships.importer import ImportFileError, import_links
from kembar.partnerships.models import LocalGovernment, Partnership
from kembar.partnerships.services import government_for_place
from kembar.partnerships.vocab import Kind, Level, Status
from tests.support.builders import city
from tests.support.paths import DATA


def counts() -> dict[str, int]:
    return {
        "places": Place.objects.count(),
        "governments": LocalGovernment.objects.count(),
        "partnerships": Partnership.objects.count(),
        "government_history": LocalGovernment.history.count(),
        "partnership_history": Partnership.history.count(),
    }


def partner_names(partnership: Partnership) -> set[str]:
    return {partnership.government_a.place.name, partnership.government_b.place.name}


def pair(a: Place, b: Place) -> Partnership:
    ga, gb = sorted([government_for_place(a), government_for_place(b)], key=lambda g: g.pk)
    return Partnership.objects.get(government_a=ga, government_b=gb)


def subdivision(code: str) -> Place:
    return Place.objects.get(subdivision_code=code)


# Names, countries and the resolver on their own ------------------------------------------------


@pytest.mark.parametrize(
    "text, code",
    [
        ("England, United Kingdom", "GB"),
        ("Scotland", "GB"),
        ("Georgia (country)", "GE"),
        ("Georgia, United States", "US"),
        ("Ohio, United States", "US"),
        ("Réunion, France", "RE"),
        ("Republic of Korea", "KR"),
        ("in Italy", "IT"),
        ("Moldavia", "MD"),
        ("ID", "ID"),
        ("Atlantis", None),
    ],
)
def test_country_spellings_of_real_lists(text, code):
    assert country_code(text) == code


def test_name_parts_split_parents_and_keep_government_words():
    assert name_parts("Gangbuk (Seoul)") == (["Gangbuk"], ["Seoul"])
    assert name_parts("Tokyo – Ōta") == (["Ōta"], ["Tokyo"])
    assert name_parts("Herford (district)") == (["Herford district"], [])
    assert core_key("kyoto prefecture") == ("kyoto", "region")
    assert core_key("city of cape town") == ("cape town", "local")
    assert core_key("old town") == ("old town", None)


def _resolver(*entries: Entry, names: dict[int, list[str]] | None = None) -> Resolver:
    pairs = [(pid, key) for pid, keys in (names or {}).items() for key in keys]
    return Resolver(lambda codes: {code: CountryIndex(entries, pairs) for code in codes})


def test_a_town_near_the_point_links_and_a_namesake_far_away_does_not():
    resolver = _resolver(
        Entry(1, "city", "Springfield", 39.80, -89.64, 114000), Entry(2, "city", "Springfield", 42.10, -72.59, 155000)
    )
    assert resolver.resolve(PlaceRef("Springfield", "US", 39.78, -89.65)).place_id == 1
    assert resolver.resolve(PlaceRef("Springfield", "US", 44.0, -103.0)) is None


def test_a_town_on_the_spot_with_another_name_does_not_link():
    resolver = _resolver(Entry(1, "city", "Tranebjerg", 55.83, 10.59, 900))
    assert resolver.resolve(PlaceRef("Samsø", "DK", 55.8667, 10.6167)) is None


def test_a_town_on_the_spot_spelled_almost_alike_links():
    resolver = _resolver(Entry(1, "city", "Vyzhnytsya", 48.25, 25.19, 3976))
    match = resolver.resolve(PlaceRef("Vyzhnytsia", "UA", 48.24, 25.18))
    assert (match.place_id, match.how) == (1, "fuzzy")


def test_a_county_is_neither_its_seat_nor_a_state_of_that_name():
    resolver = _resolver(
        Entry(1, "city", "Los Angeles", 34.05, -118.24, 3_800_000),
        Entry(2, "subdivision", "Utah", None, None, subdivision_type="State"),
        names={2: ["utah", "utah state"]},
    )
    assert resolver.resolve(PlaceRef("Los Angeles County", "US", 34.05, -118.25)) is None
    assert resolver.resolve(PlaceRef("Utah County", "US", 40.12, -111.67)) is None
    assert resolver.resolve(PlaceRef("Utah", "US", 39.3, -111.7)).place_id == 2


def test_the_parent_in_parentheses_is_never_the_place():
    resolver = _resolver(Entry(1, "city", "Foshan", 23.03, 113.13, 9_000_000), names={1: ["nan hai"]})
    assert resolver.resolve(PlaceRef("Nanhai (Foshan)", "CN", 23.03, 113.15)) is None


def test_without_a_point_only_a_unique_or_dominant_name_links():
    resolver = _resolver(
        Entry(1, "city", "Florence", 34.80, -87.68, 40000),
        Entry(2, "city", "Florence", 34.20, -79.76, 38000),
        Entry(3, "city", "Montevideo", 44.94, -95.72, 5217),
    )
    assert resolver.resolve(PlaceRef("Florence", "US")) is None
    assert resolver.resolve(PlaceRef("Montevideo", "US")).place_id == 3


def test_a_point_geocoded_at_a_namesake_abroad_is_ignored():
    indexes = {
        "FR": CountryIndex(
            [Entry(1, "city", "Bruges", 44.88, -0.61, 12650), Entry(3, "city", "Dunkerque", 51.03, 2.37, 48000)], []
        ),
        "BE": CountryIndex([Entry(2, "city", "Bruges", 51.21, 3.22, 117000)], []),
    }
    resolver = Resolver(
        lambda codes: {code: indexes[code] for code in codes}, lambda: [("FR", 51.03, 2.37), ("BE", 51.21, 3.22)]
    )
    match = resolver.resolve(PlaceRef("Bruges", "FR", 51.2089, 3.2242))
    assert (match.place_id, match.how) == (1, "name-only")


def test_a_point_abroad_or_given_to_many_names_links_only_the_one_bearer_of_the_name():
    indexes = {
        "IT": CountryIndex(
            [
                Entry(1, "city", "Turi", 40.92, 17.02, 11813),
                Entry(2, "city", "Novi", 44.76, 8.79, 28000),
                Entry(3, "city", "Rosta", 45.07, 7.47, 4391),
                Entry(4, "city", "Rosta", 44.10, 11.00, 1200),
                Entry(5, "city", "Roma", 41.89, 12.48, 2_800_000),
            ],
            [],
        ),
        "LU": CountryIndex([Entry(10, "city", "Luxembourg", 49.61, 6.13, 76684)], []),
    }
    resolver = Resolver(
        lambda codes: {code: indexes[code] for code in codes},
        lambda: [("IT", e.latitude, e.longitude) for e in indexes["IT"].entries.values()] + [("LU", 49.61, 6.13)],
    )
    # Geocoded in Luxembourg, where no Turi is: the point says nothing, the name is unique.
    match = resolver.resolve(PlaceRef("Turi", "IT", 49.54, 6.15))
    assert (match.place_id, match.how) == (1, "name-only")
    # Two towns bear the name; a parent in parentheses is no place of that name.
    assert resolver.resolve(PlaceRef("Rosta", "IT", 49.54, 6.15)) is None
    assert resolver.resolve(PlaceRef("Novi (Luxembourg)", "IT", 49.54, 6.15)) is None
    # In Italy, but far from Turi: a different place of that name, perhaps.
    assert resolver.resolve(PlaceRef("Turi", "IT", 45.9, 9.2)) is None
    # A point the list gives to three differently named places is a fallback, not a place.
    refs = [PlaceRef(name, "IT", 42.0, 13.0) for name in ("Turi", "Rosta", "Pisoniano")]
    assert resolver.resolve(refs[0]) is None
    resolver.note_points(refs)
    assert resolver.resolve(refs[0]).place_id == 1
    assert resolver.resolve(refs[1]) is None
    resolver.note_points([PlaceRef(name, "IT", 45.0, 10.0) for name in ("Turi", "Turi City")])
    assert resolver.resolve(PlaceRef("Turi", "IT", 45.0, 10.0)) is None


def test_wanted_keys_know_saints_and_government_words():
    wanted = wanted_keys("St Clears")
    assert "saint clears" in wanted.exact
    assert wanted_keys("Gyeonggi Province").region_words == ("province",)


# Importing files ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_geocoded_list_links_places_and_merges_pairs_listed_from_both_sides():
    report = import_links(DATA / "links_geocoded.csv", progress=False)

    assert (report.rows_read, report.pairs_created, report.duplicates_merged, report.rows_rejected) == (9, 7, 2, 0)
    assert (report.places_linked, report.places_unverified) == (13, 1)  # Tbilisi: Georgia is not loaded
    assert report.link_rate == pytest.approx(13 / 14)

    bandung = pair(city("Bandung", "ID"), city("Braunschweig", "DE"))
    assert (bandung.source, bandung.kind, bandung.status, bandung.public) == (
        Partnership.Source.IMPORT,
        Kind.SISTER_CITY,
        Status.ACTIVE,
        True,
    )
    assert bandung.government_a_id < bandung.government_b_id
    assert bandung.history.count() == 1
    # "England, United Kingdom" and "Scotland" are Great Britain.
    assert pair(city("Liverpool", "GB"), city("Busan", "KR")).kind == Kind.SISTER_CITY
    assert pair(city("Kyoto", "JP"), city("Edinburgh", "GB"))


@pytest.mark.django_db
def test_prefectures_and_provinces_resolve_to_subdivisions_and_pair_as_sister_provinces():
    import_links(DATA / "links_geocoded.csv", progress=False)
    kyoto_prefecture, gyeonggi = subdivision("JP-26"), subdivision("KR-41")

    partnership = pair(kyoto_prefecture, gyeonggi)
    assert partnership.kind == Kind.SISTER_PROVINCE
    assert government_for_place(kyoto_prefecture).level == Level.PREFECTURE
    assert government_for_place(gyeonggi).level == Level.PROVINCE
    # Plain "Kyoto" is the city, not the prefecture.
    assert LocalGovernment.objects.filter(place=city("Kyoto", "JP"), level=Level.CITY).exists()


@pytest.mark.django_db
def test_qualified_names_resolve_to_the_district_and_never_to_the_parent_city():
    import_links(DATA / "links_geocoded.csv", progress=False)
    mitte = Place.objects.get(kind=Place.Kind.CITY, name="Mitte", country_code="DE", population__gt=100000)
    chuo = Place.objects.filter(kind=Place.Kind.CITY, name="Chūō", country_code="JP").order_by("-population")[0]
    assert pair(mitte, chuo)

    # Seoul's district: GeoNames' second-level division Gangbuk-gu, not the city of Seoul.
    gangbuk = Place.objects.get(kind=Place.Kind.SUBDIVISION, name="Gangbuk-gu", country_code="KR")
    assert gangbuk.subdivision_code is None and gangbuk.timezone == "Asia/Seoul"
    assert not Place.objects.filter(kind=Place.Kind.UNVERIFIED, country_code="KR").exists()
    assert not LocalGovernment.objects.filter(place=city("Seoul", "KR")).exists()
    assert pair(city("Yogyakarta", "ID"), gangbuk)


@pytest.mark.django_db
def test_places_of_countries_outside_the_gazetteer_become_unverified_with_the_right_country():
    import_links(DATA / "links_geocoded.csv", progress=False)
    tbilisi = Place.objects.get(kind=Place.Kind.UNVERIFIED, name="Tbilisi")
    assert (tbilisi.country_code, tbilisi.latitude, tbilisi.longitude) == ("GE", 41.7151, 44.8271)
    assert pair(city("Surabaya", "ID"), tbilisi).kind == Kind.SISTER_CITY


@pytest.mark.django_db
def test_every_rejected_row_is_reported_with_its_line_and_reason(settings):
    before = Place.objects.count()
    report = import_links(DATA / "links_rejected.csv", progress=False)

    assert report.rows_read == 12
    assert report.rows_rejected == 10
    assert report.pairs_created == 2
    assert report.pairs_created + report.duplicates_merged + report.rows_rejected == report.rows_read
    reasons = {r.line: r.reason for r in report.rejected}
    assert reasons[2] == "city1 is empty."
    assert reasons[3] == "country1 is empty (city1 “Bandung”)."
    assert reasons[4] == "Unknown country “Atlantis” (country1)."
    assert reasons[5] == "Malformed coordinates for city1: “south”, “107.6071”."
    assert reasons[6] == "Coordinates out of range for city1: -96.9, 107.6071."
    assert reasons[7] == "Malformed coordinates for city1: “-6.9218”, “”."
    assert reasons[8] == "Expected 8 fields, found 6."
    assert reasons[9] == "Both sides are the same place: Bandung, ID."
    assert reasons[10] == "Both sides are the same place: Bandung, ID."  # "Kota Bandung" is Bandung
    # A place outside the gazetteer on both sides is rejected without creating it.
    assert reasons[13] == "Both sides are the same place: Pella, GR."
    assert set(reasons) == set(range(2, 11)) | {13}
    # "Varna, Bulgaria" with an empty country column is read as city and country.
    assert Place.objects.get(kind=Place.Kind.UNVERIFIED).name == "Varna"
    assert Place.objects.count() == before + 1


@pytest.mark.django_db
def test_a_second_import_changes_nothing():
    first = import_links(DATA / "links_geocoded.csv", progress=False)
    import_links(DATA / "links_rejected.csv", progress=False)
    before = counts()

    again = import_links(DATA / "links_geocoded.csv", progress=False)

    assert counts() == before
    assert (again.pairs_created, again.places_created, again.governments_created) == (0, 0, 0)
    assert again.duplicates_merged == again.rows_read - again.rows_rejected == 9
    assert (again.places_linked, again.places_unverified) == (first.places_linked, first.places_unverified)


@pytest.mark.django_db
def test_a_pair_already_registered_by_hand_counts_as_merged_and_is_left_alone(governments):
    manual = Partnership.objects.create(
        government_a=governments["bandung"],
        government_b=governments["braunschweig"],
        kind=Kind.FRIENDSHIP,
        status=Status.SUSPENDED,
    )

    report = import_links(DATA / "links_geocoded.csv", progress=False)

    assert report.duplicates_merged == 3
    manual.refresh_from_db()
    assert (manual.source, manual.kind, manual.status) == (Partnership.Source.MANUAL, Kind.FRIENDSHIP, Status.SUSPENDED)


@pytest.mark.django_db
def test_names_only_list_resolves_by_name_alone():
    report = import_links(DATA / "links_raw.csv", progress=False)

    assert (report.format, report.rows_read, report.pairs_created, report.duplicates_merged) == ("names-only", 5, 4, 1)
    assert pair(city("Bandung", "ID"), city("Braunschweig", "DE"))
    assert pair(city("Kyoto", "JP"), city("Busan", "KR"))
    assert pair(subdivision("JP-26"), subdivision("KR-41")).kind == Kind.SISTER_PROVINCE
    gangbuk = Place.objects.get(kind=Place.Kind.UNVERIFIED)
    assert (gangbuk.name, gangbuk.country_code, gangbuk.latitude, gangbuk.longitude) == (
        "Gangbuk (Seoul)",
        "KR",
        None,
        None,
    )

    again = import_links(DATA / "links_raw.csv", progress=False)
    assert (again.pairs_created, again.places_created) == (0, 0)


@pytest.mark.django_db
def test_a_wrong_header_is_refused_before_anything_is_written():
    before = counts()
    with pytest.raises(ImportFileError) as error:
        import_links(DATA / "links_wrong_header.csv", progress=False)
    message = str(error.value)
    assert "city1,country1,lat1,lng1,city2,country2,lat2,lng2" in message
    assert "city1,country1,city2,country2" in message
    assert "town1,country1,town2,country2" in message
    assert counts() == before


@pytest.mark.django_db
def test_a_file_that_is_not_utf8_is_refused_before_anything_is_written(tmp_path):
    path = tmp_path / "latin1.csv"
    good = (DATA / "links_geocoded.csv").read_text(encoding="utf-8")
    path.write_bytes(good.encode("utf-8") + "Zürich,Schweiz,47.37,8.54,Köln,Deutschland,50.94,6.96\n".encode("latin-1"))
    before = counts()
    with pytest.raises(ImportFileError, match="UTF-8"):
        import_links(path, progress=False)
    assert counts() == before


@pytest.mark.django_db
def test_an_empty_file_is_refused():
    with pytest.raises(ImportFileError):
        import_links(io.StringIO(""), progress=False)


@pytest.mark.django_db
def test_a_stream_in_small_batches_gives_the_same_result():
    text = (DATA / "links_geocoded.csv").read_text(encoding="utf-8")
    from kembar.partnerships.importer import Importer

    report = Importer(progress=False, batch_size=2).run(io.StringIO(text))
    assert (report.pairs_created, report.duplicates_merged, report.places_unverified) == (7, 2, 1)


# The command ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_command_prints_the_report_as_json_on_the_last_line():
    out = io.StringIO()
    call_command("import_links", str(DATA / "links_rejected.csv"), "--json", "--no-progress", stdout=out)
    report = json.loads(out.getvalue().strip().splitlines()[-1])

    for key in (
        "rows_read",
        "pairs_created",
        "duplicates_merged",
        "places_linked",
        "places_unverified",
        "rows_rejected",
    ):
        assert isinstance(report[key], int)
    assert isinstance(report["link_rate"], float)
    assert report["pairs_created"] + report["duplicates_merged"] + report["rows_rejected"] == report["rows_read"]
    assert report["rejected"][0] == {"line": 2, "reason": "city1 is empty."}
    assert report["rejected_total"] == 10


@pytest.mark.django_db
def test_command_prints_a_readable_report_with_rejected_lines():
    out = io.StringIO()
    call_command("import_links", str(DATA / "links_rejected.csv"), "--no-progress", stdout=out)
    text = out.getvalue()
    assert "Rows read 12: pairs created 2, duplicates merged 0, rows rejected 10." in text
    assert "line 4: Unknown country “Atlantis” (country1)." in text


@pytest.mark.django_db
def test_command_exits_non_zero_on_a_wrong_header(capsys, monkeypatch):
    from django.db import connections

    from kembar.cli import main

    # The command line closes the database connections when it ends; the test still needs its own.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    before = counts()
    with pytest.raises(SystemExit) as exit:
        main(["kembar", "import-links", str(DATA / "links_wrong_header.csv"), "--no-progress"])
    assert exit.value.code != 0
    assert "Wrong columns" in capsys.readouterr().err
    assert counts() == before
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_links", str(DATA / "missing.csv"), "--no-progress")


# The real list ----------------------------------------------------------------------------

REAL_LIST = Path(settings.SHARED_DATA_DIR) / "twin_cities.csv"


@pytest.mark.realdata
@pytest.mark.django_db
def test_the_real_twinning_list_links_most_places_and_imports_again_as_nothing():
    if not REAL_LIST.exists():
        pytest.skip(f"real twinning list not found at {REAL_LIST} (set KEMBAR_SHARED_DATA)")
    load_gazetteer(progress=False)

    report = import_links(REAL_LIST, progress=False)

    assert report.rows_read == 25917
    assert report.pairs_created + report.duplicates_merged + report.rows_rejected == report.rows_read
    assert report.rows_rejected < 20
    # About 10% of the list's places (villages, city districts, merged municipalities) have no
    # entry of their name in the GeoNames cities >= 1000 at all; they stay unverified.
    assert report.link_rate >= 0.85

    before = counts()
    again = import_links(REAL_LIST, progress=False)
    assert (again.pairs_created, again.places_created, again.governments_created) == (0, 0, 0)
    assert counts() == before


@pytest.mark.django_db
def test_a_bare_county_name_and_a_district_named_with_its_town_import_as_those_divisions():
    def division(name: str, cc: str, admin1: str, lat=None, lng=None, *, kind="County", other="") -> Place:
        place = Place.objects.create(
            kind=Place.Kind.SUBDIVISION,
            name=name,
            country_code=cc,
            admin1_code=admin1,
            subdivision_type=kind,
            latitude=lat,
            longitude=lng,
        )
        for text in filter(None, [name, other]):
            place.names.create(name=text, key=name_key(text))
        return place

    # The test gazetteer has the US counties; Russia's districts are made here.
    boone = Place.objects.filter(name="Boone County", country_code="US", admin1_code="IL").first() or division(
        "Boone County", "US", "IL", 42.287, -88.838
    )
    spb = Place.objects.create(
        name="Saint Petersburg",
        country_code="RU",
        admin1_code="66",
        latitude=59.94,
        longitude=30.31,
        population=5_000_000,
    )
    spb.names.create(name=spb.name, key=name_key(spb.name))
    petrogradsky = division("Petrogradskiy Rayon", "RU", "66", kind="District", other="Petrogradsky District")
    rows = (
        "city1,country1,lat1,lng1,city2,country2,lat2,lng2\n"
        "Boone,United States,42.321,-88.824,Petrogradsky (Saint Petersburg),Russia,59.964,30.286\n"
        # Boone put in the Black Hills, far from every Boone County: it stays unverified.
        "Boone,United States,44.0,-103.0,Petrogradsky (Saint Petersburg),Russia,59.964,30.286\n"
    )

    report = import_links(io.StringIO(rows), progress=False)

    assert (report.places_linked, report.places_unverified) == (2, 1)
    assert pair(boone, petrogradsky)
    assert Place.objects.get(kind=Place.Kind.UNVERIFIED).latitude == 44.0
