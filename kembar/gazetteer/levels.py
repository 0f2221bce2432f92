"""Equivalent government levels across countries: which governments are each other's peers.

A sister partnership joins a city, regency or province with *the equivalent government
abroad*: an Indonesian province (or the special regions of Yogyakarta and Aceh) with a
prefecture, a state, a region, a German Land, a first-level county; an Indonesian city (kota)
or regency (kabupaten) with a city, a municipality, a district. Two tiers say it:

- `PROVINCE`: the first level under the state (ISO 3166-2 subdivisions that are GeoNames'
  first-level divisions: Indonesia's provinces, Japan's prefectures, the US and Australian
  states, Germany's Länder, Korea's provinces and metropolitan cities, England, Scotland, …);
- `LOCAL`: the governments under it (cities, towns, regencies, municipalities, districts).

Plain data and functions, no query. What a *government* is comes from its recorded level
(`GOVERNMENT_LEVELS`, keyed by the codes of `kembar.partnerships.vocab.Level`); what a *place*
is comes from the gazetteer (`place_tier`): a subdivision that is GeoNames' first-level division
is province-level, every other place (a GeoNames city or town, a subdivision below the first
level such as an English metropolitan district, an unverified imported place) is local.
"""

from __future__ import annotations

PROVINCE = "province"
LOCAL = "local"
TIERS = (PROVINCE, LOCAL)

# A government's recorded level → its tier. None: the level alone does not say (a county is a
# first-level division in Kenya, Norway or Hungary, a local government in the United States):
# the tier of its place decides.
GOVERNMENT_LEVELS: dict[str, str | None] = {
    "province": PROVINCE,
    "special_region": PROVINCE,  # Daerah Istimewa Yogyakarta, Aceh: provinces with special status
    "prefecture": PROVINCE,
    "state": PROVINCE,  # a US, Australian, Indian or Malaysian state; a German Land
    "region": PROVINCE,  # a French, Italian or Philippine region; other first-level divisions
    "city": LOCAL,
    "regency": LOCAL,  # kabupaten
    "municipality": LOCAL,
    "district": LOCAL,
    "county": None,
}

# The words of each tier's levels across countries, for the documentation and the tests.
EQUIVALENTS: dict[str, tuple[str, ...]] = {
    PROVINCE: ("province", "special region", "prefecture", "state", "Land", "region", "first-level county"),
    LOCAL: ("city", "regency", "municipality", "district", "town"),
}


def place_tier(kind: str, admin1_code: str, subdivision_code: str | None) -> str:
    """The tier of a gazetteer place: province-level for a subdivision that is its country's
    first-level division (an ISO 3166-2 subdivision with GeoNames' admin1 code), local for every
    other place. A second-level division (a county, a gu, a kabupaten loaded from GeoNames'
    admin2 table) carries its province's admin1 code but no ISO code: it is local."""
    return PROVINCE if kind == "subdivision" and admin1_code and subdivision_code else LOCAL


def government_tier(level: str, tier_of_place: str) -> str:
    """The tier of a government at `level` whose place is of `tier_of_place`: the level's, or
    where the level does not say (a county), its place's."""
    return GOVERNMENT_LEVELS.get(level) or tier_of_place
