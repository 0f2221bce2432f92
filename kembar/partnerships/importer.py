"""Import of twinning lists: CSV pairs of places become imported partnerships.

Two formats are read, told apart by their header:

- geocoded: city1,country1,lat1,lng1,city2,country2,lat2,lng2
- names only: city1,country1,city2,country2

Each side is resolved to a gazetteer place (the gazetteer's `resolver.Resolver`): by name in any spelling the
gazetteer knows, with the row's parenthesised qualifiers and words such as "Prefecture" or
"City of" understood, and checked against the row's coordinates. A side that cannot be
resolved becomes an unverified place with the row's own name, country and coordinates, so no
row is lost; a later import reuses it. Each place gets its local government at the default
level, each pair one partnership (source import, active, public).

Rows are written one transaction per batch. A second import of the same file creates
nothing: pairs already in the registry, whoever entered them, count as duplicates merged.
Governments and partnerships are written with `bulk_create_with_history`, so an imported
record has its "created" history entry like one entered by hand.
"""

from __future__ import annotations

import csv
import io
import math
import os
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history
from tqdm import tqdm

from kembar.core.database import refresh_statistics
from kembar.core.validation import ONE_LINE
from kembar.gazetteer.models import Place, PlaceName
from kembar.gazetteer.normalise import name_key
from kembar.gazetteer.resolver import PlaceRef, Resolver, database_resolver, distance_km
from kembar.gazetteer.services import country_code

from .models import LocalGovernment, Partnership
from .services import default_level
from .vocab import Kind, Status

GEOCODED_COLUMNS = ("city1", "country1", "lat1", "lng1", "city2", "country2", "lat2", "lng2")
NAMES_ONLY_COLUMNS = ("city1", "country1", "city2", "country2")
BATCH_ROWS = 1000
REJECTED_LISTED = 1000


class ImportFileError(ValueError):
    """The file cannot be imported at all (wrong columns, no header); nothing was written."""


# --------------------------------------------------------------------------------------------
# Reading rows
# --------------------------------------------------------------------------------------------


@dataclass
class Row:
    line: int
    first: PlaceRef
    second: PlaceRef


@dataclass
class Rejection:
    line: int
    reason: str


def read_header(header: list[str]) -> tuple[str, ...]:
    """The column layout the header declares; ImportFileError naming both layouts otherwise."""
    found = [h.strip().lower() for h in header]
    if found and found[0].startswith("\ufeff"):
        found[0] = found[0][1:]
    for columns in (GEOCODED_COLUMNS, NAMES_ONLY_COLUMNS):
        if len(found) == len(columns) and set(found) == set(columns):
            return tuple(found)
    raise ImportFileError(
        _("Wrong columns. Expected %(geocoded)s (geocoded) or %(names)s (names only); found %(found)s.")
        % {
            "geocoded": ",".join(GEOCODED_COLUMNS),
            "names": ",".join(NAMES_ONLY_COLUMNS),
            "found": ",".join(header) if header else _("an empty file"),
        }
    )


def parse_row(line: int, values: list[str], columns: tuple[str, ...]) -> Row | Rejection:
    """A row's two sides, or the reason it cannot be imported."""
    if len(values) != len(columns):
        return Rejection(
            line, _("Expected %(expected)d fields, found %(found)d.") % {"expected": len(columns), "found": len(values)}
        )
    data = dict(zip(columns, (v.strip() for v in values)))
    for column, value in data.items():
        found = ONE_LINE.search(value)
        if found:
            return Rejection(
                line,
                _("%(column)s contains a control character (code %(code)d).")
                % {"column": column, "code": ord(found.group())},
            )
    sides = []
    for n in ("1", "2"):
        side = _parse_side(data, n)
        if isinstance(side, str):
            return Rejection(line, side)
        sides.append(side)
    return Row(line, *sides)


def _parse_side(data: dict[str, str], n: str) -> PlaceRef | str:
    name, country = data[f"city{n}"], data[f"country{n}"]
    if not name:
        return _("city%(n)s is empty.") % {"n": n}
    if not country and "," in name:
        # "Varna, Bulgaria" with the country column left empty
        head, tail = name.rsplit(",", 1)
        if country_code(tail) and head.strip():
            name, country = head.strip(), tail.strip()
    if not country:
        return _("country%(n)s is empty (city%(n)s “%(name)s”).") % {"n": n, "name": name}
    code = country_code(country)
    if not code:
        return _("Unknown country “%(country)s” (country%(n)s).") % {"country": country, "n": n}
    latitude = longitude = None
    if f"lat{n}" in data:
        raw_lat, raw_lng = data[f"lat{n}"], data[f"lng{n}"]
        if raw_lat or raw_lng:
            try:
                latitude, longitude = float(raw_lat), float(raw_lng)
            except ValueError:
                return _("Malformed coordinates for city%(n)s: “%(lat)s”, “%(lng)s”.") % {
                    "n": n,
                    "lat": raw_lat,
                    "lng": raw_lng,
                }
            if not (-90 <= latitude <= 90 and -180 <= longitude <= 180) or math.isnan(latitude + longitude):
                return _("Coordinates out of range for city%(n)s: %(lat)s, %(lng)s.") % {
                    "n": n,
                    "lat": raw_lat,
                    "lng": raw_lng,
                }
    return PlaceRef(name[:200], code, latitude, longitude)


def read_rows(stream: TextIO) -> tuple[tuple[str, ...], Iterator[Row | Rejection]]:
    """The file's layout (checked before anything else) and its rows with line numbers."""
    reader = csv.reader(stream)
    try:
        header = next(reader)
    except StopIteration:
        header = []
    columns = read_header(header)

    def rows() -> Iterator[Row | Rejection]:
        line = reader.line_num
        for values in reader:
            start, line = line + 1, reader.line_num
            if not values or not any(v.strip() for v in values):
                continue
            yield parse_row(start, values, columns)

    return columns, rows()


# --------------------------------------------------------------------------------------------
# Importing
# --------------------------------------------------------------------------------------------


@dataclass
class ImportReport:
    rows_read: int = 0
    pairs_created: int = 0
    duplicates_merged: int = 0
    rows_rejected: int = 0
    places_linked: int = 0
    places_unverified: int = 0
    places_created: int = 0
    governments_created: int = 0
    format: str = ""
    rejected: list[Rejection] = field(default_factory=list)

    @property
    def link_rate(self) -> float:
        total = self.places_linked + self.places_unverified
        return self.places_linked / total if total else 0.0

    def as_dict(self, rejected_limit: int = REJECTED_LISTED) -> dict:
        return {
            "rows_read": self.rows_read,
            "pairs_created": self.pairs_created,
            "duplicates_merged": self.duplicates_merged,
            "rows_rejected": self.rows_rejected,
            "places_linked": self.places_linked,
            "places_unverified": self.places_unverified,
            "link_rate": round(self.link_rate, 4),
            "places_created": self.places_created,
            "governments_created": self.governments_created,
            "format": self.format,
            "rejected": [{"line": r.line, "reason": r.reason} for r in self.rejected[:rejected_limit]],
            "rejected_total": len(self.rejected),
        }


class _UnverifiedPlaces:
    """Unverified places, found again by name key, country and nearness (or both lacking a point)."""

    NEAR_KM = 30

    def __init__(self, rows: Iterable[tuple[int, str, str, float | None, float | None]] = ()):
        self.by_key: dict[tuple[str, str], list[tuple[int, float | None, float | None]]] = defaultdict(list)
        self.names: dict[int, tuple[str, str]] = {}
        for row in rows:
            self.add(*row)

    @classmethod
    def stored(cls) -> _UnverifiedPlaces:
        return cls(
            Place.objects.filter(kind=Place.Kind.UNVERIFIED).values_list(
                "id", "name", "country_code", "latitude", "longitude"
            )
        )

    def add(self, pid: int, name: str, cc: str, lat: float | None, lng: float | None) -> None:
        self.by_key[(name_key(name), cc)].append((pid, lat, lng))
        self.names[pid] = (name, cc)

    def find(self, ref: PlaceRef) -> int | None:
        for pid, lat, lng in self.by_key.get((name_key(ref.name), ref.country), ()):
            if lat is None and lng is None and not ref.has_point:
                return pid
            if lat is not None and ref.has_point and distance_km(lat, lng, ref.latitude, ref.longitude) <= self.NEAR_KM:
                return pid
        return None


@dataclass
class _Located:
    """Where the sides of one batch are: stored places, or unverified places still to create."""

    of: dict[tuple, tuple[str, int]] = field(default_factory=dict)  # identity -> token
    pending: list[PlaceRef] = field(default_factory=list)
    new: _UnverifiedPlaces = field(default_factory=_UnverifiedPlaces)

    def describe(self, token: tuple[str, int], places: dict[int, _Resolved]) -> tuple[str, str]:
        if token[0] == "new":
            ref = self.pending[token[1]]
            return ref.name, ref.country
        place = places[token[1]]
        return place.name, place.country


@dataclass
class _Resolved:
    place_id: int
    kind: str
    name: str
    subdivision_type: str
    country: str


class Importer:
    """One import run. `run` reads a stream; everything it writes is in batch transactions."""

    def __init__(self, *, progress: bool = True, batch_size: int = BATCH_ROWS, resolver: Resolver | None = None):
        self.progress = progress
        self.batch_size = batch_size
        self.resolver = resolver or database_resolver()
        self.report = ImportReport()
        self._refs: dict[tuple, int | None] = {}  # identity -> gazetteer place id, or None (unverified)
        self._places: dict[int, _Resolved] = {}

    def run(self, stream: TextIO) -> ImportReport:
        try:
            columns, rows = read_rows(stream)
            rows = list(rows)  # the whole file is read before anything is written
        except (UnicodeDecodeError, csv.Error) as error:
            raise ImportFileError(_("The file cannot be read as UTF-8 CSV: %(error)s") % {"error": error})
        self.report.format = "geocoded" if len(columns) == len(GEOCODED_COLUMNS) else "names-only"
        self._unverified = _UnverifiedPlaces.stored()
        self._governments = {
            (pid, level): gid for gid, pid, level in LocalGovernment.objects.values_list("id", "place_id", "level")
        }
        self._pairs = set(Partnership.objects.values_list("government_a_id", "government_b_id"))
        with tqdm(total=len(rows), desc="loading the gazetteer", unit="row", disable=not self.progress) as bar:
            refs = [ref for row in rows if isinstance(row, Row) for ref in (row.first, row.second)]
            self.resolver.preload({ref.country for ref in refs})
            self.resolver.note_points(refs)
            bar.set_description("import")
            for start in range(0, len(rows), self.batch_size):
                batch = rows[start : start + self.batch_size]
                self._batch(batch)
                bar.update(len(batch))
        return self.report

    def _batch(self, rows: list[Row | Rejection]) -> None:
        report = self.report
        with transaction.atomic():
            located = _Located()
            valid: list[Row] = []
            for row in rows:
                report.rows_read += 1
                if isinstance(row, Rejection):
                    self._reject(row)
                    continue
                first, second = self._locate(row.first, located), self._locate(row.second, located)
                if first == second:
                    name, country = located.describe(first, self._places)
                    self._reject(
                        Rejection(
                            row.line,
                            _("Both sides are the same place: %(name)s, %(country)s.")
                            % {"name": name, "country": country},
                        )
                    )
                    continue
                valid.append(row)
            place_of = self._create_unverified(
                located, {located.of[ref.identity] for row in valid for ref in (row.first, row.second)}
            )
            government_of = self._governments_for(set(place_of.values()))
            new: list[Partnership] = []
            for row in valid:
                first, second = place_of[located.of[row.first.identity]], place_of[located.of[row.second.identity]]
                a, b = sorted((government_of[first], government_of[second]))
                if (a, b) in self._pairs:
                    report.duplicates_merged += 1
                    continue
                self._pairs.add((a, b))
                both_subdivisions = all(self._places[p].kind == Place.Kind.SUBDIVISION for p in (first, second))
                new.append(
                    Partnership(
                        government_a_id=a,
                        government_b_id=b,
                        source=Partnership.Source.IMPORT,
                        kind=Kind.SISTER_PROVINCE if both_subdivisions else Kind.SISTER_CITY,
                        status=Status.ACTIVE,
                        public=True,
                    )
                )
            if new:
                bulk_create_with_history(
                    new, Partnership, batch_size=500, default_change_reason="Imported from a twinning list"
                )
            report.pairs_created += len(new)

    def _reject(self, rejection: Rejection) -> None:
        self.report.rows_rejected += 1
        self.report.rejected.append(rejection)

    def _locate(self, ref: PlaceRef, located: _Located) -> tuple[str, int]:
        """("place", id) of a stored place for a side, or ("new", n) for an unverified place to create."""
        identity = ref.identity
        if identity not in located.of:
            if identity not in self._refs:
                self._refs[identity] = self._resolve(ref)
            place_id = self._refs[identity]
            if place_id is None:
                place_id = self._unverified.find(ref)
                if place_id is not None and place_id not in self._places:
                    name, cc = self._unverified.names[place_id]
                    self._places[place_id] = _Resolved(place_id, Place.Kind.UNVERIFIED, name, "", cc)
            if place_id is not None:
                located.of[identity] = ("place", place_id)
            else:
                slot = located.new.find(ref)
                if slot is None:
                    slot = len(located.pending)
                    located.pending.append(ref)
                    located.new.add(slot, ref.name, ref.country, ref.latitude, ref.longitude)
                located.of[identity] = ("new", slot)
        return located.of[identity]

    def _create_unverified(self, located: _Located, wanted: set[tuple[str, int]]) -> dict[tuple[str, int], int]:
        """Create the unverified places rows still need; the place id of every located side."""
        slots = sorted(slot for kind, slot in wanted if kind == "new")
        places = []
        for slot in slots:
            ref = located.pending[slot]
            zone = self.resolver.country(ref.country).timezone_at(ref.latitude, ref.longitude)
            places.append(
                Place(
                    kind=Place.Kind.UNVERIFIED,
                    name=ref.name,
                    country_code=ref.country,
                    latitude=ref.latitude,
                    longitude=ref.longitude,
                    timezone=zone,
                )
            )
        out = {token: token[1] for token in wanted if token[0] == "place"}
        if places:
            created = Place.objects.bulk_create(places, batch_size=500)
            PlaceName.objects.bulk_create(
                [PlaceName(place=p, name=p.name, key=name_key(p.name)[:200]) for p in created], batch_size=500
            )
            self.report.places_created += len(created)
            for slot, place in zip(slots, created):
                self._unverified.add(place.id, place.name, place.country_code, place.latitude, place.longitude)
                out[("new", slot)] = place.id
        for place_id in out.values():
            if place_id not in self._places:
                name, cc = self._unverified.names[place_id]
                self._places[place_id] = _Resolved(place_id, Place.Kind.UNVERIFIED, name, "", cc)
        return out

    def _resolve(self, ref: PlaceRef) -> int | None:
        match = self.resolver.resolve(ref)
        if match is None:
            self.report.places_unverified += 1
            return None
        self.report.places_linked += 1
        if match.place_id not in self._places:
            e = self.resolver.country(ref.country).entry(match.place_id)
            self._places[e.id] = _Resolved(e.id, e.kind, e.name, e.subdivision_type, ref.country)
        return match.place_id

    def _governments_for(self, place_ids: set[int]) -> dict[int, int]:
        """The government of each place at its default level, created in bulk where missing."""
        out: dict[int, int] = {}
        missing: list[LocalGovernment] = []
        for place_id in place_ids:
            place = self._places[place_id]
            level = default_level(Place(kind=place.kind, subdivision_type=place.subdivision_type))
            gid = self._governments.get((place_id, level))
            if gid is None:
                missing.append(
                    LocalGovernment(place_id=place_id, level=level, name=place.name, country_code=place.country)
                )
            else:
                out[place_id] = gid
        if missing:
            created = bulk_create_with_history(
                missing, LocalGovernment, batch_size=500, default_change_reason="Imported from a twinning list"
            )
            self.report.governments_created += len(created)
            for government in created:
                self._governments[(government.place_id, government.level)] = government.id
                out[government.place_id] = government.id
        return out


def import_links(
    source: str | os.PathLike | TextIO, *, progress: bool = True, batch_size: int = BATCH_ROWS
) -> ImportReport:
    """Import a twinning list from a path or an open text stream; see the module docstring.

    Raises ImportFileError, before writing anything, when the header is not one of the two
    layouts. Invariant of the report: pairs_created + duplicates_merged + rows_rejected ==
    rows_read.
    """
    importer = Importer(progress=progress, batch_size=batch_size)
    if isinstance(source, (str, os.PathLike)):
        with Path(source).open(encoding="utf-8-sig", newline="") as stream:
            report = importer.run(stream)
    elif isinstance(source, io.TextIOBase) or hasattr(source, "read"):
        report = importer.run(source)
    else:
        raise TypeError("source must be a path or a text stream")
    refresh_statistics(Partnership, LocalGovernment)
    return report
