"""The place resolver: which gazetteer place a list means by a name, a country and (perhaps)
a point. The import of twinning lists (`kembar.partnerships.importer`) resolves each side of a
row with it; `Resolver` explains the rules in order.

The gazetteer of the countries asked about is held in memory (`CountryIndex`: every spelling's
name key, the cores of the names, a grid of the towns' points), loaded from the database in
one query a batch of countries (`database_resolver`) or given directly (the tests).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property

from rapidfuzz import fuzz

from .models import Place, PlaceName
from .normalise import ADMIN_PHRASES, REGION, admin_split, core_key, name_key, name_parts

# How far (km) a town found by name may lie from the row's point. Twinning lists geocode a
# municipality, GeoNames its centre; big cities and Chinese prefecture-level cities spread far.
CITY_KM = 30
BIG_CITY_KM = 60
BIG_CITY_POPULATION = 500_000
# Subdivisions borrow the point of their namesake city, lists use the region's middle.
SUBDIVISION_KM = 400
# A second-level division (a county, a district) has the middle of its towns as its point; a
# list's point for it lies within this distance, or it names another division of that name.
SECOND_LEVEL_KM = 80
# A list's bare "Boone" is Boone County when the point lies this near the county's middle and
# no town of that name lies within TOWN_NAMESAKE_KM (else it may be a village the data lacks).
BARE_DIVISION_KM = 25
TOWN_NAMESAKE_KM = 100
BARE_DIVISION_TYPES = frozenset({"County", "Municipality", "Local government area"})
# Countries whose second-level divisions are named after their seat town ("Hancock County",
# "Powiat głubczycki"): there the bare name is the town's, another government.
DIVISIONS_NAMED_AFTER_TOWNS = frozenset(
    {"US", "GB", "IE", "CA", "AU", "NZ", "PL", "CZ", "SK", "HU", "RU", "UA", "BY", "KZ", "DE", "AT", "CH", "BE"}
)
# A name that only looks alike must be on the spot.
FUZZY_KM = 8
FUZZY_SCORE = 88
# A match by another town's old or municipal name counts this much farther than a town's own.
ALIAS_PENALTY_KM = 5
# A point within this distance of a namesake abroad was geocoded there by mistake.
ABROAD_KM = 25
# A point with towns of other countries but none of its own this near lies abroad.
ELSEWHERE_KM = 50
# A point the file gives to this many differently named places is a fallback (a country's or
# region's middle), not where any of them is.
CROWDED_POINT_NAMES = 3
# Without a usable point a name must be unique in its country, or borne by one big city that
# outweighs the next bearer by this factor, to be linked.
DOMINANT_POPULATION = 100_000
DOMINANT_FACTOR = 10
ALIAS_POPULATION = 10_000


@dataclass(frozen=True)
class PlaceRef:
    """One side of a row: a place as the list names it."""

    name: str
    country: str  # ISO 3166-1 alpha-2
    latitude: float | None = None
    longitude: float | None = None

    @cached_property
    def identity(self) -> tuple:
        """Two sides naming the same place the same way are one place of the file."""
        return name_key(self.name), self.country, self.latitude, self.longitude

    @property
    def has_point(self) -> bool:
        return self.latitude is not None and self.longitude is not None


@dataclass(slots=True)
class Entry:
    """A gazetteer place as the resolver sees it."""

    id: int
    kind: str
    name: str
    latitude: float | None
    longitude: float | None
    population: int = 0
    subdivision_type: str = ""
    timezone: str = ""
    second_level: bool = False  # a GeoNames second-level division (no ISO 3166-2 code)
    admin1_code: str = ""

    @property
    def is_city(self) -> bool:
        return self.kind == Place.Kind.CITY

    @property
    def located(self) -> bool:
        return self.latitude is not None and self.longitude is not None


def distance_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lng2 - lng1) / 2) ** 2
    return 12742 * math.asin(min(1.0, math.sqrt(h)))


_CELL = 0.5  # degrees
_COLUMNS = int(360 / _CELL)


def _cell(lat: float, lng: float) -> tuple[int, int]:
    return int(math.floor(lat / _CELL)), int(math.floor(((lng + 180) % 360) / _CELL))


def _cells_around(lat: float, lng: float, km: float) -> Iterator[list[tuple[int, int]]]:
    """Grid cells within reach of a point, ring by ring outwards."""
    row, col = _cell(lat, lng)
    reach_lat = int(km / (111 * _CELL)) + 1
    reach_lng = min(int(km / (111 * _CELL * max(0.05, math.cos(math.radians(lat))))) + 1, _COLUMNS // 2)
    for ring in range(max(reach_lat, reach_lng) + 1):
        cells = []
        for r in range(row - min(ring, reach_lat), row + min(ring, reach_lat) + 1):
            for c in range(col - min(ring, reach_lng), col + min(ring, reach_lng) + 1):
                if max(abs(r - row), abs(c - col)) == ring:
                    cells.append((r, c % _COLUMNS))
        yield cells


class CountryIndex:
    """One country's gazetteer in memory: places, their name keys, and a grid of their points.

    `by_key` holds every spelling; `by_core` the cores (core_key) of city main names and of
    every subdivision name. Alternate names of cities are not cut down to a core: GeoNames
    keeps old and district names there ("Frederick Town" for Winchester, "Nanhai Shi" for
    Foshan), and their cores would link the wrong town.
    """

    def __init__(self, entries: Iterable[Entry], names: Iterable[tuple[int, str]]):
        self.entries: dict[int, Entry] = {e.id: e for e in entries}
        # The country's second-level divisions (counties, districts), consulted last.
        self.divisions: CountryIndex | None = None
        self.by_key: dict[str, list[int]] = defaultdict(list)
        self.keys_of: dict[int, list[str]] = defaultdict(list)
        for place_id, key in names:
            if place_id in self.entries and key:
                self.by_key[key].append(place_id)
                self.keys_of[place_id].append(key)
        self.main_core: dict[int, str] = {}
        self.by_core: dict[str, list[int]] = defaultdict(list)
        for entry in self.entries.values():
            key = name_key(entry.name)
            if key and entry.id not in self.by_key.get(key, ()):
                self.by_key[key].append(entry.id)
                self.keys_of[entry.id].append(key)
            core = core_key(key)[0]
            self.main_core[entry.id] = core
            cores = {core} if entry.is_city else {core_key(k)[0] for k in self.keys_of[entry.id]}
            for core in cores:
                self.by_core[core].append(entry.id)
        self.grid: dict[tuple[int, int], list[Entry]] = defaultdict(list)
        for entry in self.entries.values():
            if entry.is_city and entry.located:
                self.grid[_cell(entry.latitude, entry.longitude)].append(entry)
        self.main_zone = max(self.entries.values(), key=lambda e: e.population, default=None)

    def entry(self, place_id: int) -> Entry:
        """A place of the country: a town, a province or a second-level division."""
        if place_id not in self.entries and self.divisions is not None:
            return self.divisions.entries[place_id]
        return self.entries[place_id]

    def near(self, lat: float, lng: float, km: float, *, first: bool = False) -> list[tuple[float, Entry]]:
        """Cities within km of a point, nearest first (with first=True, the first found)."""
        # A cheap flat-earth bound keeps the haversine for the few points that may be in reach.
        ky, kx = 111.2, 111.2 * max(0.05, math.cos(math.radians(lat)))
        bound = (km * 1.05 + 1) ** 2
        found = []
        for cells in _cells_around(lat, lng, km):
            for cell in cells:
                for entry in self.grid.get(cell, ()):
                    dy = (entry.latitude - lat) * ky
                    dx = ((entry.longitude - lng + 180) % 360 - 180) * kx
                    if dx * dx + dy * dy > bound:
                        continue
                    d = distance_km(lat, lng, entry.latitude, entry.longitude)
                    if d <= km:
                        found.append((d, entry))
            if first and found:
                break
        found.sort(key=lambda pair: pair[0])
        return found

    def timezone_at(self, lat: float | None, lng: float | None) -> str:
        """The zone of the nearest town, or of the country's biggest place."""
        if lat is not None and lng is not None:
            near = self.near(lat, lng, 150, first=True)
            if near:
                return near[0][1].timezone
        return self.main_zone.timezone if self.main_zone else ""


class CountryGrid:
    """Which countries have towns near a point (to notice a point geocoded abroad)."""

    def __init__(self, points: Iterable[tuple[str, float, float]]):
        self.cells: dict[tuple[int, int], set[str]] = defaultdict(set)
        for code, lat, lng in points:
            if lat is not None and lng is not None:
                self.cells[_cell(lat, lng)].add(code)

    def countries_near(self, lat: float, lng: float, km: float) -> set[str]:
        found: set[str] = set()
        for cells in _cells_around(lat, lng, km):
            for cell in cells:
                found |= self.cells.get(cell, set())
        return found


@dataclass(frozen=True)
class Match:
    place_id: int
    how: str  # name, core, fuzzy, name-only
    distance_km: float | None = None


# Which ISO 3166-2 subdivision types a word in a list's name may mean. "Utah County" is not
# the State of Utah, "Olomouc Region" not the Olomouc District; a word not listed fits any.
SUBDIVISION_TYPES_FOR_WORD = {
    "province": (
        "province",
        "region",
        "metropolitan city",
        "decentralized",
        "free municipal",
        "district",
        "autonomous",
        "oblast",
    ),
    "provincia": ("province", "metropolitan city", "decentralized", "free municipal"),
    "provinsi": ("province",),
    "sheng": ("province", "autonomous"),
    "do": ("province", "special"),
    "aimag": ("province",),
    "aimak": ("province",),
    "prefecture": ("prefecture",),
    "ken": ("prefecture",),
    "fu": ("prefecture",),
    "state": ("state", "land", "territory", "federal", "emirate"),
    "region": ("region", "oblast", "autonomous", "province"),
    "regione": ("region",),
    "oblast": ("region", "oblast", "autonomous", "republic"),
    "krai": ("region", "krai", "territory"),
    "kray": ("region", "krai", "territory"),
    "okrug": ("autonomous", "district", "region"),
    "county": ("county", "department"),
    "comte": ("county",),
    "county council": ("county",),
    "district": ("district", "rayon"),
    "raion": ("district", "rayon"),
    "rayon": ("district", "rayon"),
    "district council": ("district",),
    "governorate": ("governorate",),
    "department": ("department",),
    "departement": ("department",),
    "departamento": ("department",),
    "canton": ("canton",),
    "kanton": ("canton",),
    "voivodeship": ("voivodship", "province"),
    "voivodship": ("voivodship", "province"),
    "regency": ("regency",),
    "kabupaten": ("regency",),
    "autonomous region": ("autonomous",),
    "autonomous province": ("autonomous", "province"),
    "autonomous oblast": ("autonomous",),
    "autonomous okrug": ("autonomous",),
    "rural municipality": ("rural municipality",),
    "regional unit": ("regional unit",),
    "gun": ("county",),
    "xian": ("county",),
    "landkreis": (),
    "kreis": (),
    "powiat": (),
    "rural gmina": (),
    "rural district": (),
    "microregion": (),
    "subregion": (),
    "regional municipality": (),
    "regional district": (),
}

_ABBREVIATIONS = [
    (re.compile(r"\bst\b"), "saint"),
    (re.compile(r"\bste\b"), "sainte"),
    (re.compile(r"\bsankt\b"), "saint"),
    (re.compile(r"\bsaint\b"), "st"),
    (re.compile(r"\bmt\b"), "mount"),
    (re.compile(r"\bft\b"), "fort"),
]
# Words that tie a town's name to a river, lake or region: "Ebensee am Traunsee" is Ebensee.
_LOCATIVES = {
    "am",
    "an",
    "im",
    "in",
    "bei",
    "by",
    "on",
    "upon",
    "sur",
    "sous",
    "sul",
    "nad",
    "pod",
    "na",
    "ob",
    "vor",
    "auf",
    "les",
    "near",
}
LOCATIVE_KM = 5


@dataclass
class Wanted:
    """The keys a list's name may stand for."""

    exact: list[str]
    cores: list[str]
    region_words: tuple[str, ...]  # county, district, province... stripped from the name
    parents: tuple[str, ...] = ()  # "Seoul" in "Gangbuk (Seoul)": a place known by it is the parent

    @property
    def region(self) -> bool:
        return bool(self.region_words)

    def fits(self, entry: Entry) -> bool:
        """Whether a subdivision's type fits the words of the name ("Utah County" is no state)."""
        kind = entry.subdivision_type.lower()
        for word in self.region_words:
            types = SUBDIVISION_TYPES_FOR_WORD.get(re.sub(r" (of|de|di)$", "", word))
            if types is not None and not any(t in kind for t in types):
                return False
        return True


def wanted_keys(name: str) -> Wanted:
    names, qualifiers = name_parts(name)
    exact: list[str] = []
    for text in [name, *names]:
        key = name_key(text)
        for variant in [key] + [pattern.sub(word, key) for pattern, word in _ABBREVIATIONS if pattern.search(key)]:
            if variant and variant not in exact:
                exact.append(variant)
    cores: list[str] = []
    region_words: list[str] = []
    for key in exact:
        core, kind, words = admin_split(key)
        if kind == REGION:
            region_words.extend(w for w in words if w in ADMIN_PHRASES and ADMIN_PHRASES[w] == REGION)
        if core not in exact and core not in cores:
            cores.append(core)
    parents = tuple(k for k in dict.fromkeys(name_key(q) for q in qualifiers) if k and k not in exact)
    return Wanted(exact, cores, tuple(dict.fromkeys(region_words)), parents)


# Russian, Ukrainian and Belarusian districts are named by an adjective that lists romanise
# -sky, -skiy, -skyi or -ski ("Yeysky District", GeoNames' "Yeyskiy Rayon").
_ADJECTIVE_ENDING = re.compile(r"(?<=s)k(?:iy|yi|ii|y|i)\b")


def adjective_spellings(wanted: Wanted) -> Wanted:
    """The keys with the other romanisations of an adjectival ending, for divisions only: a
    town's name is not an adjective, and a link already made by a town never changes."""
    exact, cores = list(wanted.exact), list(wanted.cores)
    for key in wanted.exact:
        if not _ADJECTIVE_ENDING.search(key):
            continue
        for ending in ("kiy", "ky"):
            variant = _ADJECTIVE_ENDING.sub(ending, key)
            if variant not in exact:
                exact.append(variant)
            core = core_key(variant)[0]
            if core not in exact and core not in cores:
                cores.append(core)
    if len(exact) == len(wanted.exact):
        return wanted
    return Wanted(exact, cores, wanted.region_words, wanted.parents)


class Resolver:
    """Finds the gazetteer place a list means by a name, a country and (perhaps) a point.

    With a point, in order: a town of that name (any spelling the gazetteer has) near the
    point; the same with words like "City" or "-gu" dropped; a subdivision of that name
    ("Kyoto Prefecture", "Shandong") whose type fits the name's words; a town on the spot
    spelled almost the same ("Vyzhnytsia" and "Vyzhnytsya"). A name that says county,
    district or province never links to its namesake town: that is another government.

    A point that lies at a namesake abroad ("Bruges, France" geocoded in Belgium) says
    nothing, and neither does a missing point: then only a name that is unique in its country
    (or borne by one big city that dwarfs the rest) links. A point that lies abroad without
    a namesake there ("Turi, Italy" geocoded in Luxembourg), or that the file gives to several
    differently named places (a fallback such as a country's middle, see `note_points`), says
    nothing either, but then the name must be borne by one place of the country alone, and
    not be qualified by a parent ("Novi Grad (Sarajevo)" is not the town of Novi Grad).

    Last, when nothing else matched, a second-level division (a county, a district): by its
    full name, by its core when the name says county or district, names the division's town
    ("Nevsky (Saint Petersburg)") or is a bare county name on the county with no town of that
    name near ("Boone" at Boone County); district adjectives in any romanisation.
    """

    def __init__(
        self,
        load_countries: Callable[[Collection[str]], dict[str, CountryIndex]],
        load_points: Callable[[], Iterable[tuple[str, float, float]]] | None = None,
    ):
        self._load_countries = load_countries
        self._load_points = load_points
        self._countries: dict[str, CountryIndex] = {}
        self._grid: CountryGrid | None = None
        self._crowded: set[tuple[str, float, float]] = set()

    def note_points(self, refs: Iterable[PlaceRef]) -> None:
        """Remember the points a file gives to several differently named places of one country."""
        names: dict[tuple[str, float, float], set[str]] = defaultdict(set)
        for ref in refs:
            if ref.has_point:
                names[(ref.country, ref.latitude, ref.longitude)].add(name_key(ref.name))
        self._crowded |= {point for point, keys in names.items() if len(keys) >= CROWDED_POINT_NAMES}

    def preload(self, codes: Iterable[str]) -> None:
        """Load the gazetteer of many countries at once (one query instead of one a country)."""
        missing = set(codes) - set(self._countries)
        if missing:
            self._countries.update(self._load_countries(missing))

    def country(self, code: str) -> CountryIndex:
        if code not in self._countries:
            self.preload([code])
        return self._countries[code]

    def resolve(self, ref: PlaceRef) -> Match | None:
        index = self.country(ref.country)
        wanted = wanted_keys(ref.name)
        if not ref.has_point:
            return self._by_name_only(index, wanted)
        match = self._near_point(index, wanted, ref.latitude, ref.longitude)
        if match is None and self._geocoded_abroad(ref, wanted):
            match = self._by_name_only(index, wanted)
        if (
            match is None
            and not wanted.parents
            and ((ref.country, ref.latitude, ref.longitude) in self._crowded or self._lies_abroad(ref, index))
        ):
            match = self._only_namesake(index, wanted)
        if match is None and index.divisions is not None:
            # Counties and districts come last: they only link what no town or province took,
            # so a larger gazetteer never moves a link an earlier import made.
            match = self._near_point(
                index.divisions, adjective_spellings(wanted), ref.latitude, ref.longitude, towns=index
            )
        return match

    # With a point ------------------------------------------------------------------------

    def _near_point(
        self, index: CountryIndex, wanted: Wanted, lat: float, lng: float, *, towns: CountryIndex | None = None
    ) -> Match | None:
        """`towns`: the country's towns and provinces when `index` holds its second-level divisions."""
        towns = towns or index

        def lookup(keys: list[str], table: dict[str, list[int]], seen: set[int]) -> list[tuple[float | None, Entry]]:
            out = []
            for key in keys:
                for place_id in table.get(key, ()):
                    if place_id not in seen:
                        seen.add(place_id)
                        entry = index.entries[place_id]
                        d = distance_km(lat, lng, entry.latitude, entry.longitude) if entry.located else None
                        out.append((d, entry))
            return out

        seen: set[int] = set(self._parents(towns, wanted))
        exact = lookup(wanted.exact, index.by_key, seen)
        core = lookup(wanted.cores, index.by_key, seen) + lookup(wanted.exact + wanted.cores, index.by_core, seen)

        def own(entry: Entry) -> bool:
            return name_key(entry.name) in wanted.exact or index.main_core[entry.id] in wanted.exact + wanted.cores

        def city(found, how) -> Match | None:
            ok = [(d, e) for d, e in found if e.is_city and d is not None and d <= city_km(e)]
            if not ok:
                return None
            # Another town's old or municipal name ("Veria" is listed for Vergína) counts a few
            # km less than a town's own name, and loses to a town on the spot spelled alike.
            d, e = min(ok, key=lambda pair: (pair[0] + (0 if own(pair[1]) else ALIAS_PENALTY_KM), -pair[1].population))
            if not own(e) and d > ALIAS_PENALTY_KM:
                spot = self._alike_on_the_spot(index, wanted, lat, lng, km=ALIAS_PENALTY_KM / 2, own_names=True)
                if spot:
                    return spot
            return Match(e.id, how, round(d, 1))

        here: list[set[str]] = []

        def provinces_here() -> set[str]:
            """The first-level divisions (GeoNames' admin1 codes) of the towns near the point."""
            if not here:
                here.append({e.admin1_code for _d, e in towns.near(lat, lng, CITY_KM) if e.admin1_code})
            return here[0]

        # "Sükhbaatar (Ulaanbaatar)" is a district of a town: a province of that name far away
        # is not it (Skopje's municipalities, ISO subdivisions without a point, may be).
        parent_towns = [
            towns.entries[pid]
            for key in wanted.parents
            for pid in towns.by_key.get(key, ())
            if towns.entries[pid].is_city
        ]
        in_a_town = bool(parent_towns)
        parent_provinces = {e.admin1_code for e in parent_towns if e.admin1_code}

        def town_of_the_name() -> bool:
            """Whether a town bearing the name lies within TOWN_NAMESAKE_KM of the point."""
            return any(
                towns.entries[pid].is_city
                and towns.entries[pid].located
                and distance_km(lat, lng, towns.entries[pid].latitude, towns.entries[pid].longitude) <= TOWN_NAMESAKE_KM
                for key in wanted.exact
                for pid in towns.by_key.get(key, ())
            )

        def near_enough(d: float | None, e: Entry, how: str) -> bool:
            if not e.second_level:
                return d is None or d <= (CITY_KM if in_a_town else SUBDIVISION_KM)
            # A county or district is taken only where it lies, and by its bare core ("Hancock"
            # for Hancock County) only when the name says county or district: a town of that
            # name is another government.
            if how != "name" and not wanted.region:
                if in_a_town:
                    # "Petrogradsky (Saint Petersburg)": a district of the town it names, in
                    # that town's province and on the spot (Ryazan's Ryazansky raion is not
                    # Moscow's Ryazansky district, wherever the list put its point).
                    if e.admin1_code not in parent_provinces:
                        return False
                    return e.admin1_code in provinces_here() if d is None else d <= CITY_KM
                # A bare "Boone" geocoded at Boone County, with no town of that name near: the
                # list means the county. Not a district or region, whose bare name a merged
                # municipality may bear ("Albula/Alvra" is not Region Albula).
                return (
                    e.subdivision_type in BARE_DIVISION_TYPES
                    and d is not None
                    and d <= BARE_DIVISION_KM
                    and not town_of_the_name()
                )
            if d is not None:
                return d <= SECOND_LEVEL_KM
            # A division without towns of its own to place it (Seoul's gu): the point must lie
            # among the towns of its province.
            return e.admin1_code in provinces_here()

        def subdivision(found, how) -> Match | None:
            ok = [(d, e) for d, e in found if not e.is_city and wanted.fits(e) and near_enough(d, e, how)]
            located = [pair for pair in ok if pair[0] is not None]
            if located:
                d, e = min(located, key=lambda pair: pair[0])
                return Match(e.id, how, round(d, 1))
            # No point to compare: the name alone must settle it.
            if len(ok) == 1 and (how == "name" or wanted.region or (in_a_town and ok[0][1].second_level)):
                return Match(ok[0][1].id, how)
            return None

        steps = [(city, exact, "name")]
        if not wanted.region:
            steps.append((city, core, "core"))
        steps += [(subdivision, exact, "name"), (subdivision, core, "core")]
        for pick, found, how in steps:
            match = pick(found, how)
            if match:
                return match
        return None if wanted.region else self._alike_on_the_spot(index, wanted, lat, lng)

    def _alike_on_the_spot(
        self,
        index: CountryIndex,
        wanted: Wanted,
        lat: float,
        lng: float,
        *,
        km: float = FUZZY_KM,
        own_names: bool = False,
    ) -> Match | None:
        keys = [k for k in wanted.exact + wanted.cores if len(k) >= 4]
        parents = self._parents(index, wanted)
        best: tuple[float, float, Entry] | None = None
        for d, entry in index.near(lat, lng, km):
            if entry.id in parents:
                continue
            theirs = {name_key(entry.name), index.main_core[entry.id]}
            if not own_names:
                theirs.update(index.keys_of.get(entry.id, ()))
            for their in theirs:
                for key in keys:
                    score = fuzz.ratio(key, their) if key[0] == their[:1] else 0
                    # "Saint-Cyr-sur-Loire" is the village Saint-Cyr only when no town bears the
                    # full name: else the point was put at the wrong namesake.
                    if (
                        score < FUZZY_SCORE
                        and d <= LOCATIVE_KM
                        and _same_but_locative(key, their)
                        and not index.by_key.get(key)
                    ):
                        score = FUZZY_SCORE
                    if score >= FUZZY_SCORE and (best is None or (score, -d) > (best[0], -best[1])):
                        best = (score, d, entry)
        return Match(best[2].id, "fuzzy", round(best[1], 1)) if best else None

    @staticmethod
    def _parents(index: CountryIndex, wanted: Wanted) -> set[int]:
        """Places the name gives as its parent: "Nanhai (Foshan)" is not Foshan, whatever Foshan's old names."""
        return {pid for key in wanted.parents for pid in index.by_key.get(key, ())}

    def _geocoded_abroad(self, ref: PlaceRef, wanted: Wanted) -> bool:
        """Whether the point is at a namesake in another country (the list's geocoder went abroad)."""
        if self._load_points is None:
            return False
        if self._grid is None:
            self._grid = CountryGrid(self._load_points())
        for code in self._grid.countries_near(ref.latitude, ref.longitude, ABROAD_KM) - {ref.country}:
            index = self.country(code)
            for key in wanted.exact:
                for place_id in index.by_key.get(key, ()):
                    entry = index.entries[place_id]
                    if (
                        entry.located
                        and distance_km(ref.latitude, ref.longitude, entry.latitude, entry.longitude) <= ABROAD_KM
                    ):
                        return True
        return False

    def _lies_abroad(self, ref: PlaceRef, index: CountryIndex) -> bool:
        """Whether the point has towns of other countries near it and none of its own."""
        if self._load_points is None or index.near(ref.latitude, ref.longitude, ELSEWHERE_KM, first=True):
            return False
        if self._grid is None:
            self._grid = CountryGrid(self._load_points())
        return any(
            self.country(code).near(ref.latitude, ref.longitude, ELSEWHERE_KM, first=True)
            for code in sorted(self._grid.countries_near(ref.latitude, ref.longitude, ELSEWHERE_KM) - {ref.country})
        )

    # Without a point ---------------------------------------------------------------------

    def _only_namesake(self, index: CountryIndex, wanted: Wanted) -> Match | None:
        """The name-only match, when no other place of the country bears any form of the name."""
        match = self._by_name_only(index, wanted)
        if match is None:
            return None
        keys = wanted.exact + wanted.cores
        bearers = {pid for key in keys for table in (index.by_key, index.by_core) for pid in table.get(key, ())}
        return match if bearers == {match.place_id} else None

    def _by_name_only(self, index: CountryIndex, wanted: Wanted) -> Match | None:
        parents = self._parents(index, wanted)

        def pick(keys: list[str], table: dict[str, list[int]], cities: bool) -> Match | None:
            entries = [index.entries[pid] for pid in {pid for key in keys for pid in table.get(key, ())} - parents]
            entries = sorted(
                (e for e in entries if e.is_city == cities and (cities or wanted.fits(e))), key=lambda e: -e.population
            )
            # A place whose own name is the one asked for beats places that merely list it among
            # old or other names; only a sizeable town is taken by another name alone.
            own = [e for e in entries if name_key(e.name) in keys or index.main_core[e.id] in keys]
            entries = own or [e for e in entries if e.population >= ALIAS_POPULATION]
            if len(entries) == 1 or (
                entries
                and entries[0].population >= DOMINANT_POPULATION
                and entries[0].population >= DOMINANT_FACTOR * entries[1].population
            ):
                return Match(entries[0].id, "name-only")
            return None

        everything = wanted.exact + wanted.cores
        steps = [] if wanted.region else [(wanted.exact, index.by_key, True)]
        steps.append((wanted.exact, index.by_key, False))
        if wanted.region:
            steps.append((everything, index.by_core, False))
        else:
            steps.append((everything, index.by_core, True))
        for keys, table, cities in steps:
            match = pick(keys, table, cities)
            if match:
                return match
        return None


def city_km(entry: Entry) -> float:
    return BIG_CITY_KM if entry.population >= BIG_CITY_POPULATION else CITY_KM


def _same_but_locative(a: str, b: str) -> bool:
    """ "ebensee am traunsee" and "ebensee": one is the other plus "am/an/sur/nad ..." and a name."""
    short, long = sorted((a, b), key=len)
    if not long.startswith(short + " "):
        return False
    rest = long[len(short) + 1 :].split(" ")
    return rest[0] in _LOCATIVES and 1 < len(rest) <= 4


def load_country_indexes(codes: Collection[str]) -> dict[str, CountryIndex]:
    """Countries' cities and subdivisions (not unverified places) with all their name keys."""
    codes = sorted(codes)
    places = Place.objects.filter(country_code__in=codes).exclude(kind=Place.Kind.UNVERIFIED)
    entries: dict[str, list[Entry]] = {code: [] for code in codes}
    country_of: dict[int, str] = {}
    for code, iso, *values in places.values_list(
        "country_code",
        "subdivision_code",
        "id",
        "kind",
        "name",
        "latitude",
        "longitude",
        "population",
        "subdivision_type",
        "timezone",
        "admin1_code",
    ):
        *values, admin1 = values
        entry = Entry(*values, admin1_code=admin1)
        entry.second_level = entry.kind == Place.Kind.SUBDIVISION and not iso
        entries[code].append(entry)
        country_of[entry.id] = code
    names: dict[str, list[tuple[int, str]]] = {code: [] for code in codes}
    rows = (
        PlaceName.objects.filter(place__country_code__in=codes)
        .exclude(place__kind=Place.Kind.UNVERIFIED)
        .values_list("place_id", "key")
    )
    for place_id, key in rows.iterator(chunk_size=50000):
        code = country_of.get(place_id)
        if code:
            names[code].append((place_id, key))
    out = {}
    for code in codes:
        out[code] = CountryIndex([e for e in entries[code] if not e.second_level], names[code])
        out[code].divisions = CountryIndex([e for e in entries[code] if e.second_level], names[code])
    return out


def load_city_points() -> Iterator[tuple[str, float, float]]:
    return (
        Place.objects.filter(kind=Place.Kind.CITY)
        .values_list("country_code", "latitude", "longitude")
        .iterator(chunk_size=20000)
    )


def database_resolver() -> Resolver:
    return Resolver(load_country_indexes, load_city_points)
