"""Backup and restore of a whole registry: database rows and uploaded files, in one archive.

`kembar backup FILE` and `kembar restore FILE` call `backup()` and `restore()` below.

The archive
-----------
A gzip-compressed tar file with these members, in this order:

- ``data.jsonl``: one JSON object per line, ``{"model": "app.model", "pk": ..., "fields": {...}}``,
  written by Django's own serializer (the format of ``dumpdata``), so the file is independent
  of the database: a backup taken on SQLite restores on PostgreSQL and the other way round.
  Datetimes keep their microseconds (``dumpdata`` drops them), so history entries compare
  equal after a round trip. Lines are grouped by model; the gazetteer's lines come first.
- ``media/<path>``: every regular file under MEDIA_ROOT (symbolic links are skipped).
- ``manifest.json``, last, because it holds the SHA-256 and size of every other member:
  format name and version, creation time (UTC), kembar and Django versions, the database
  vendor, the applied migrations, and the row count of every model.

Restore reads the archive twice. The first pass only checks: every member is one the
manifest lists, with its size and SHA-256; member names are plain relative paths (no
``..``, no absolute paths, no links or devices); the format version is one this code knows;
the archive needs no migration the target database lacks. Nothing is written before that
pass succeeds. The second pass loads the rows inside one transaction (and re-checks the data
hash and the row counts before committing) and writes the media files into a staging
directory inside MEDIA_ROOT; only after the transaction commits are they moved into place,
one atomic rename each. Any error rolls the database back and removes the staging directory.

What is in it, and what is not
------------------------------
Every installed model's rows, including django-simple-history's Historical* tables, users
with their password hashes, groups, organisations, memberships, API token digests and the
admin log. Left out: content types and permissions (``migrate`` creates them; references to
them are written as natural keys, as ``dumpdata --natural-foreign`` does) and sessions
(everyone logs in again after a restore; a replacing restore also ends all sessions, so a
cookie of the old registry cannot outlive it).

Places
------
The gazetteer (about 175,000 places and 740,000 names) is reference data that
``kembar load-gazetteer`` rebuilds from the GeoNames and ISO 3166-2 packages; pushing it
through Django's serializer would make every backup slow and large. A place's primary key,
however, is local to a database: the same GeoNames town gets different ids on two machines,
and LocalGovernment.place (and its history) refer to places by id. So the backup holds only:

- every unverified place (created by imports; they exist nowhere else), and
- every place that any backed-up row refers to (a government, a history entry),

each with all its names. Restore maps each of these to the target database by its natural
key: a GeoNames place by ``geonameid``, a subdivision by ``subdivision_code``. A place the
target already has is reused as it is (the target's gazetteer wins); one it lacks is created
with its names, and unverified places are always created. Every foreign key to Place in the
restored rows is then rewritten to the new ids. A history entry that pointed at a place that
no longer existed when the backup was taken gets an empty place, rather than a foreign id
that would name some unrelated place.

Hence restoring works with or without a loaded gazetteer; run ``kembar load-gazetteer``
before (or after: it is idempotent and keeps the restored places) so search finds every
place again. A backup of a registry with the full gazetteer and the 25,000 imported
Wikipedia pairs takes seconds, not the minutes that dumping the gazetteer would.

Restoring into a registry that already holds data
-------------------------------------------------
Refused unless ``force=True`` (``--force``): then every backed-up table is emptied, with the
unverified places, and refilled, all in the same transaction. Rows that migrations seed
(the fields of cooperation) do not make a registry "non-empty". Files in MEDIA_ROOT that the
archive does not contain are left where they are (uploads are never deleted by a restore);
files with the same name are replaced. On PostgreSQL the id sequences are reset afterwards,
as ``sqlsequencereset`` would.

The backup reads the database inside one transaction (REPEATABLE READ on PostgreSQL), so the
rows are a consistent snapshot even while officers keep working; media files are read as
they are at that moment.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import time
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import IO

import django
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.python import Deserializer as PythonDeserializer
from django.core.serializers.python import Serializer as PythonSerializer
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, models, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.utils.translation import gettext as _
from tqdm import tqdm

from kembar.gazetteer.models import Place, PlaceName

FORMAT = "kembar-backup"
FORMAT_VERSION = 1
DATA_MEMBER = "data.jsonl"
MANIFEST_MEMBER = "manifest.json"
MEDIA_PREFIX = "media/"
STAGING_PREFIX = ".kembar-restore-"

# Recreated by `migrate`, or not worth keeping (see the module docstring).
EXCLUDED_MODELS = {ContentType, Permission, Session}
# Referenced by natural key, because their ids differ between databases.
NATURAL_KEY_MODELS = {ContentType, Permission}
# Rows that migrations create; their presence does not make a registry non-empty.
SEEDED_MODELS = {"partnerships.cooperationfield", "agreements.proceduretemplate", "agreements.templatestage"}

CHUNK = 2000
COPY_BUFFER = 1 << 20


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, for the officer."""


@dataclass
class BackupReport:
    path: Path
    rows: dict[str, int]
    places: int
    media_files: int
    media_bytes: int
    size: int
    sha256: str
    seconds: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


@dataclass
class RestoreReport:
    rows: dict[str, int]
    places_matched: int = 0
    places_created: int = 0
    media_files: int = 0
    media_bytes: int = 0
    replaced: bool = False
    manifest: dict = field(default_factory=dict)
    gazetteer_loaded: bool = True
    seconds: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


# --------------------------------------------------------------------------- which models


def registry_models() -> list[type[models.Model]]:
    """Models whose rows a backup holds as they are (places aside), parents before children.

    Auto-created many-to-many tables are not listed: their rows travel with the model that
    declares the field, as in `dumpdata`.
    """
    chosen = [
        model
        for model in apps.get_models()
        if model._meta.managed
        and not model._meta.proxy
        and model not in EXCLUDED_MODELS
        and model not in (Place, PlaceName)
    ]
    return _dependency_order(chosen)


def _dependency_order(chosen: list[type[models.Model]]) -> list[type[models.Model]]:
    """Referenced models first where possible (constraints are deferred anyway)."""
    remaining = list(chosen)
    ordered: list[type[models.Model]] = []
    while remaining:
        for model in remaining:
            deps = {f.related_model for f in model._meta.concrete_fields if f.is_relation}
            deps |= {f.related_model for f in model._meta.many_to_many}
            if not any(dep in remaining and dep is not model for dep in deps):
                break
        else:  # a cycle: take the first one
            model = remaining[0]
        remaining.remove(model)
        ordered.append(model)
    return ordered


def _through_models(model) -> list[type[models.Model]]:
    return [f.remote_field.through for f in model._meta.local_many_to_many if f.remote_field.through._meta.auto_created]


def _place_fields(model) -> list[models.ForeignKey]:
    return [f for f in model._meta.concrete_fields if f.is_relation and f.related_model is Place]


def _label(model) -> str:
    return model._meta.label_lower


# --------------------------------------------------------------------------- serialization


class _Encoder(DjangoJSONEncoder):
    """DjangoJSONEncoder, but datetimes and times keep their microseconds."""

    def default(self, o):
        if isinstance(o, (datetime.datetime, datetime.time)):
            if isinstance(o, datetime.time) and o.utcoffset() is not None:
                raise ValueError("JSON can't represent timezone-aware times.")
            return o.isoformat()
        return super().default(o)


class _LineSerializer(PythonSerializer):
    """Django's serializer writing one JSON line per object; natural keys only where needed."""

    def __init__(self, out: IO[str], bar=None):
        super().__init__()
        self.out = out
        self.bar = bar
        self.count = 0

    def handle_fk_field(self, obj, field):
        self.use_natural_foreign_keys = field.remote_field.model in NATURAL_KEY_MODELS
        super().handle_fk_field(obj, field)

    def handle_m2m_field(self, obj, field):
        self.use_natural_foreign_keys = field.remote_field.model in NATURAL_KEY_MODELS
        super().handle_m2m_field(obj, field)

    def end_object(self, obj):
        self.out.write(json.dumps(self.get_dump_object(obj), cls=_Encoder, ensure_ascii=False))
        self.out.write("\n")
        self._current = None
        self.count += 1
        if self.bar is not None:
            self.bar.update(1)


class _Holder:
    """Stands in for a model instance when a field's value_to_string() wants one."""


def _converter(field) -> Callable:
    """The value Django's Python serializer would write, from a value_list() value."""
    if isinstance(field, models.JSONField):
        return lambda value: value
    attname = field.attname

    def convert(value):
        if value is None or isinstance(value, (str, int, float, Decimal, datetime.date, datetime.time)):
            return value
        holder = _Holder()
        setattr(holder, attname, value)
        return field.value_to_string(holder)

    return convert


class _RowWriter:
    """Writes rows exactly as Django's Python serializer would, without building model instances.

    Django's serializer spends most of a backup creating one model instance per row and one
    many-to-many query per object; this reads value tuples instead and the links of each
    many-to-many table in one query. Models with a foreign key that travels as a natural key
    (the admin log, user permissions) still go through Django's serializer: they are small.
    """

    def __init__(self, out: IO[str], using: str):
        self.out = out
        self.using = using
        self.encode = _Encoder(ensure_ascii=False).encode

    def write(self, model, queryset, bar=None) -> int:
        relations = [*model._meta.concrete_fields, *model._meta.local_many_to_many]
        if any(f.is_relation and f.related_model in NATURAL_KEY_MODELS for f in relations):
            serializer = _LineSerializer(self.out, bar)
            serializer.serialize(
                _queryset(model, self.using).filter(pk__in=queryset.values("pk")).iterator(chunk_size=CHUNK)
            )
            return serializer.count
        meta = model._meta
        fields = [f for f in meta.concrete_model._meta.local_fields if f.serialize]
        converters = [(f.name, _converter(f)) for f in fields]
        pk_convert = _converter(meta.pk)
        links = {}
        for f in meta.local_many_to_many:
            through = f.remote_field.through
            if not through._meta.auto_created:
                continue
            source = through._meta.get_field(f.m2m_field_name()).attname
            target = through._meta.get_field(f.m2m_reverse_field_name()).attname
            convert = _converter(f.remote_field.model._meta.pk)
            by_owner = defaultdict(list)
            for owner, related in (
                through._base_manager.using(self.using)
                .order_by(source, target)
                .values_list(source, target)
                .iterator(chunk_size=CHUNK)
            ):
                by_owner[owner].append(convert(related))
            links[f.name] = by_owner
        label = str(meta)
        count = 0
        write = self.out.write
        rows = queryset.order_by("pk").values_list(meta.pk.attname, *(f.attname for f in fields))
        for row in rows.iterator(chunk_size=CHUNK):
            values = {name: convert(value) for (name, convert), value in zip(converters, row[1:])}
            for name, by_owner in links.items():
                values[name] = by_owner.get(row[0], [])
            write(self.encode({"model": label, "pk": pk_convert(row[0]), "fields": values}))
            write("\n")
            count += 1
            if bar is not None:
                bar.update(1)
        return count


def _queryset(model, using):
    qs = model._base_manager.using(using).order_by("pk")
    prefetch = []
    for f in model._meta.local_many_to_many:
        if f.remote_field.through._meta.auto_created:
            prefetch.append(f.name)
            if f.remote_field.model is Permission:
                prefetch.append(f"{f.name}__content_type")
    return qs.prefetch_related(*prefetch) if prefetch else qs


def _chunks(items: list, size: int = 900) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --------------------------------------------------------------------------- backup


class _HashingWriter(io.RawIOBase):
    def __init__(self, raw: IO[bytes]):
        self.raw = raw
        self.digest = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.raw.write(data)
        self.digest.update(data)
        self.size += len(data)
        return len(data)


class _HashingReader(io.RawIOBase):
    def __init__(self, raw: IO[bytes]):
        self.raw = raw
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.raw.read(len(buffer))
        buffer[: len(data)] = data
        self.digest.update(data)
        return len(data)


def _media_files(root: Path) -> list[tuple[Path, str]]:
    """(path, archive name) of every regular file under MEDIA_ROOT, in a stable order."""
    if not root.is_dir():
        return []
    found = []
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(
            d for d in dirnames if not d.startswith(STAGING_PREFIX) and not os.path.islink(os.path.join(directory, d))
        )
        for name in sorted(filenames):
            path = Path(directory, name)
            if path.is_symlink() or not path.is_file():
                continue
            found.append((path, MEDIA_PREFIX + path.relative_to(root).as_posix()))
    return found


def _applied_migrations(using) -> dict[str, list[str]]:
    applied: dict[str, list[str]] = defaultdict(list)
    for app, name in sorted(MigrationRecorder(connections[using]).applied_migrations()):
        applied[app].append(name)
    return dict(applied)


def _kembar_version() -> str:
    try:
        return metadata.version("kembar")
    except metadata.PackageNotFoundError:
        return "unknown"


def _snapshot(using):
    """A transaction whose reads all see one moment of the database."""
    connection = connections[using]
    atomic = transaction.atomic(using=using)

    class _Snapshot:
        def __enter__(self):
            outermost = not connection.in_atomic_block
            atomic.__enter__()
            if connection.vendor == "postgresql" and outermost:  # inside a transaction: its snapshot
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")

        def __exit__(self, *exc):
            return atomic.__exit__(*exc)

    return _Snapshot()


def backup(
    path: str | os.PathLike,
    *,
    using: str = DEFAULT_DB_ALIAS,
    progress: bool = False,
    say: Callable[[str], None] = lambda message: None,
) -> BackupReport:
    """Write the registry and MEDIA_ROOT to one archive at `path` (replaced atomically)."""
    started = time.monotonic()
    target = Path(path)
    if target.is_dir():
        raise BackupError(
            _("%(path)s is a directory; give a file name such as kembar-backup.tar.gz.") % {"path": target}
        )
    if not target.parent.is_dir():
        raise BackupError(_("The directory %(path)s does not exist.") % {"path": target.parent})
    _check_migrated(using)
    media_root = Path(settings.MEDIA_ROOT)
    rows: Counter[str] = Counter()
    members: dict[str, dict] = {}

    partial = tempfile.NamedTemporaryFile(dir=target.parent, prefix=f".{target.name}.", suffix=".partial", delete=False)
    data_file = tempfile.TemporaryFile(mode="w+b", dir=target.parent)
    try:
        with data_file:
            text = io.TextIOWrapper(data_file, encoding="utf-8", newline="\n", write_through=False)
            with _snapshot(using):
                writer = _RowWriter(text, using)
                places = _write_places(writer, rows, using, progress)
                for model in registry_models():
                    count = model._base_manager.using(using).count()
                    with tqdm(total=count, desc=_label(model), unit="row", disable=not progress, leave=False) as bar:
                        rows[_label(model)] = writer.write(model, model._base_manager.using(using).all(), bar)
                applied = _applied_migrations(using)
                vendor = connections[using].vendor
            text.flush()
            text.detach()
            say(
                _("Database: %(rows)d rows of %(models)d models, %(places)d places.")
                % {"rows": sum(rows.values()), "models": len(rows), "places": places}
            )

            skip = {Path(partial.name).resolve(), target.resolve()}  # a backup written inside MEDIA_ROOT
            media = [(p, name) for p, name in _media_files(media_root) if p.resolve() not in skip]
            media_bytes = sum(p.stat().st_size for p, _name in media)
            archive = _HashingWriter(partial)
            with tarfile.open(fileobj=archive, mode="w:gz", compresslevel=6, format=tarfile.PAX_FORMAT) as tar:
                data_file.seek(0)
                members[DATA_MEMBER] = _add_member(tar, DATA_MEMBER, data_file, _file_size(data_file))
                with tqdm(
                    total=media_bytes,
                    desc=_("media files"),
                    unit="B",
                    unit_scale=True,
                    disable=not progress or not media,
                    leave=False,
                ) as bar:
                    for file_path, name in media:
                        with file_path.open("rb") as source:
                            members[name] = _add_member(
                                tar, name, source, os.fstat(source.fileno()).st_size, mtime=file_path.stat().st_mtime
                            )
                        bar.update(members[name]["size"])
                manifest = {
                    "format": FORMAT,
                    "version": FORMAT_VERSION,
                    "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                    "kembar": _kembar_version(),
                    "django": django.get_version(),
                    "database": vendor,
                    "migrations": applied,
                    "rows": dict(rows),
                    "places": places,
                    "media": {"files": len(media), "bytes": sum(members[n]["size"] for _p, n in media)},
                    "members": members,
                }
                blob = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
                _add_member(tar, MANIFEST_MEMBER, io.BytesIO(blob), len(blob))
            partial.flush()
            os.fsync(partial.fileno())
            partial.close()
            os.replace(partial.name, target)
    except BaseException:
        partial.close()
        Path(partial.name).unlink(missing_ok=True)
        raise
    say(
        _("Media: %(files)d files, %(bytes)s.")
        % {"files": len(media), "bytes": format_size(manifest["media"]["bytes"])}
    )
    return BackupReport(
        path=target,
        rows=dict(rows),
        places=places,
        media_files=len(media),
        media_bytes=manifest["media"]["bytes"],
        size=archive.size,
        sha256=archive.digest.hexdigest(),
        seconds=time.monotonic() - started,
    )


def _file_size(f) -> int:
    f.seek(0, os.SEEK_END)
    size = f.tell()
    f.seek(0)
    return size


def _add_member(tar: tarfile.TarFile, name: str, source: IO[bytes], size: int, mtime: float | None = None) -> dict:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(mtime if mtime is not None else time.time())
    info.mode = 0o644
    reader = _HashingReader(source)
    tar.addfile(info, io.BufferedReader(reader, COPY_BUFFER))
    return {"size": size, "sha256": reader.digest.hexdigest()}


def _write_places(writer: _RowWriter, rows: Counter, using, progress: bool) -> int:
    """Unverified places and every place a backed-up row refers to, with their names."""
    referenced: set[int] = set()
    for model in registry_models():
        for f in _place_fields(model):
            referenced.update(
                model._base_manager.using(using)
                .exclude(**{f.attname: None})
                .values_list(f.attname, flat=True)
                .distinct()
            )
    places = Place.objects.using(using)
    ids = set(places.filter(kind=Place.Kind.UNVERIFIED).values_list("id", flat=True))
    ids |= {
        pk
        for chunk in _chunks(sorted(referenced - ids))
        for pk in places.filter(id__in=chunk).values_list("id", flat=True)
    }
    ordered = sorted(ids)
    with tqdm(total=len(ordered), desc=_("places"), unit="place", disable=not progress, leave=False) as bar:
        rows[_label(Place)] = sum(writer.write(Place, places.filter(id__in=chunk), bar) for chunk in _chunks(ordered))
        rows[_label(PlaceName)] = sum(
            writer.write(PlaceName, PlaceName.objects.using(using).filter(place_id__in=chunk))
            for chunk in _chunks(ordered)
        )
    return len(ordered)


def format_size(n: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"


# --------------------------------------------------------------------------- restore: checks


def _check_migrated(using) -> None:
    connection = connections[using]
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as error:
        raise BackupError(_("The database cannot be read: %(error)s") % {"error": error})
    if plan:
        raise BackupError(
            _("The database is not migrated (%(count)d migrations pending); run “kembar migrate” first.")
            % {"count": len(plan)}
        )


class _ProgressReader(io.RawIOBase):
    def __init__(self, raw: IO[bytes], bar):
        self.raw = raw
        self.bar = bar

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.raw.read(len(buffer))
        buffer[: len(data)] = data
        self.bar.update(len(data))
        return len(data)


def _open_archive(path: Path, bar) -> tuple[IO[bytes], tarfile.TarFile]:
    raw = path.open("rb")
    try:
        tar = tarfile.open(fileobj=io.BufferedReader(_ProgressReader(raw, bar), COPY_BUFFER), mode="r|gz")
    except BaseException:
        raw.close()
        raise
    return raw, tar


def _damaged(path: Path, error: Exception) -> BackupError:
    return BackupError(
        _("%(path)s is damaged or not a kembar backup: %(error)s")
        % {"path": path, "error": str(error) or type(error).__name__}
    )


ARCHIVE_ERRORS = (tarfile.TarError, zlib.error, EOFError, OSError, UnicodeDecodeError)


def safe_media_name(name: str) -> PurePosixPath | None:
    """The path below MEDIA_ROOT that an archive member may write, or None if it may not."""
    if not name.startswith(MEDIA_PREFIX) or "\\" in name or "\x00" in name:
        return None
    relative = name[len(MEDIA_PREFIX) :]
    parts = relative.split("/")
    if not relative or any(part in ("", ".", "..") for part in parts) or parts[0].startswith(STAGING_PREFIX):
        return None
    if ":" in parts[0]:  # a drive letter, should the archive ever be read on Windows
        return None
    return PurePosixPath(*parts)


def verify(path: str | os.PathLike, *, progress: bool = False) -> dict:
    """Check the whole archive without writing anything; return its manifest.

    Raises BackupError naming the first problem: a damaged file, a member that is not listed
    or whose SHA-256 or size differs, an unsafe member name, an unknown format or version.
    """
    archive = Path(path)
    if not archive.is_file():
        raise BackupError(_("%(path)s does not exist or is not a file.") % {"path": archive})
    seen: dict[str, dict] = {}
    manifest = None
    with tqdm(
        total=archive.stat().st_size, desc=_("checking"), unit="B", unit_scale=True, disable=not progress, leave=False
    ) as bar:
        try:
            raw, tar = _open_archive(archive, bar)
            with raw, tar:
                for info in tar:
                    name = info.name
                    if name in seen or (name == MANIFEST_MEMBER and manifest is not None):
                        raise BackupError(_("The archive holds %(name)s twice.") % {"name": name})
                    if not info.isreg():
                        raise BackupError(_("The archive member %(name)s is not a regular file.") % {"name": name})
                    if name != MANIFEST_MEMBER and name != DATA_MEMBER and safe_media_name(name) is None:
                        raise BackupError(_("The archive member name %(name)s is not allowed.") % {"name": name})
                    source = tar.extractfile(info)
                    if name == MANIFEST_MEMBER:
                        manifest = _parse_manifest(source.read())
                        continue
                    digest = hashlib.sha256()
                    size = 0
                    while block := source.read(COPY_BUFFER):
                        digest.update(block)
                        size += len(block)
                    seen[name] = {"size": size, "sha256": digest.hexdigest()}
        except BackupError:
            raise
        except ARCHIVE_ERRORS as error:
            raise _damaged(archive, error) from error
    if manifest is None:
        raise BackupError(
            _("%(path)s has no manifest; it is not a kembar backup or it is cut short.") % {"path": archive}
        )
    expected = manifest["members"]
    for name, facts in seen.items():
        if name not in expected:
            raise BackupError(_("The archive member %(name)s is not listed in the manifest.") % {"name": name})
        if facts != {"size": expected[name].get("size"), "sha256": expected[name].get("sha256")}:
            raise BackupError(
                _("Checksum mismatch for %(name)s: the backup is damaged; nothing was restored.") % {"name": name}
            )
    missing = sorted(set(expected) - set(seen))
    if missing:
        raise BackupError(_("The archive lacks %(names)s, which the manifest lists.") % {"names": ", ".join(missing)})
    if DATA_MEMBER not in seen:
        raise BackupError(_("The archive holds no %(name)s.") % {"name": DATA_MEMBER})
    return manifest


def _parse_manifest(blob: bytes) -> dict:
    try:
        manifest = json.loads(blob.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BackupError(_("The manifest of the backup is damaged and cannot be read: %(error)s") % {"error": error})
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(_("This file is not a kembar backup."))
    if manifest.get("version") != FORMAT_VERSION:
        raise BackupError(
            _("This backup has format version %(found)s; this kembar reads version %(known)d only.")
            % {"found": manifest.get("version"), "known": FORMAT_VERSION}
        )
    if not isinstance(manifest.get("members"), dict) or not isinstance(manifest.get("rows"), dict):
        raise BackupError(_("The manifest of the backup is incomplete."))
    return manifest


def _check_compatible(manifest: dict, using) -> None:
    _check_migrated(using)
    applied = {(app, name) for app, names in _applied_migrations(using).items() for name in names}
    archived = {(app, name) for app, names in manifest.get("migrations", {}).items() for name in names}
    installed = {config.label for config in apps.get_app_configs()}
    newer = sorted(f"{app}.{name}" for app, name in archived - applied if app in installed)
    if newer:
        raise BackupError(
            _(
                "The backup comes from a newer kembar (migrations %(names)s are unknown here); "
                "upgrade kembar and run “kembar migrate” first."
            )
            % {"names": ", ".join(newer[:5])}
        )
    unknown = sorted(label for label in manifest["rows"] if _model(label) is None)
    if unknown:
        raise BackupError(
            _("The backup holds tables this kembar does not have: %(names)s.") % {"names": ", ".join(unknown)}
        )


# Models that moved between apps: a backup made before the move restores into the new place.
MOVED_MODELS = {"portal.sentreminder": "core.sentreminder"}


def _model(label: str):
    try:
        return apps.get_model(MOVED_MODELS.get(label, label))
    except (LookupError, ValueError):
        return None


def registry_rows(using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    """Rows that make a registry non-empty: everything a backup holds, seeded rows aside."""
    counts = {}
    for model in registry_models():
        if _label(model) in SEEDED_MODELS:
            continue
        if model._base_manager.using(using).exists():
            counts[_label(model)] = model._base_manager.using(using).count()
    unverified = Place.objects.using(using).filter(kind=Place.Kind.UNVERIFIED).count()
    if unverified:
        counts[_label(Place) + " (unverified)"] = unverified
    return counts


def clear_registry(using: str = DEFAULT_DB_ALIAS) -> None:
    """Empty every backed-up table, the unverified places and the sessions; the gazetteer stays.

    Raw deletes, no signals: the caller holds a transaction, and foreign keys are checked at
    its end (Django creates them deferred on both SQLite and PostgreSQL).
    """
    for model in reversed(registry_models()):
        for through in _through_models(model):
            through._base_manager.using(using).all()._raw_delete(using)
        model._base_manager.using(using).all()._raw_delete(using)
    unverified = Place.objects.using(using).filter(kind=Place.Kind.UNVERIFIED)
    PlaceName.objects.using(using).filter(place__in=unverified.values("id"))._raw_delete(using)
    unverified._raw_delete(using)
    Session.objects.using(using).all()._raw_delete(using)


# --------------------------------------------------------------------------- restore: loading


def restore(
    path: str | os.PathLike,
    *,
    force: bool = False,
    using: str = DEFAULT_DB_ALIAS,
    progress: bool = False,
    say: Callable[[str], None] = lambda message: None,
) -> RestoreReport:
    """Replace the registry with the archive's content; see the module docstring."""
    started = time.monotonic()
    archive = Path(path)
    manifest = verify(archive, progress=progress)
    say(
        _("Checked %(path)s: backup of %(created)s from %(database)s, kembar %(version)s; checksums match.")
        % {
            "path": archive,
            "created": manifest.get("created"),
            "database": manifest.get("database"),
            "version": manifest.get("kembar"),
        }
    )
    _check_compatible(manifest, using)
    present = registry_rows(using)
    if present and not force:
        listed = ", ".join(f"{label} {count}" for label, count in sorted(present.items())[:6])
        raise BackupError(
            _("The registry is not empty (%(rows)s); restore with --force to replace it.") % {"rows": listed}
        )

    media_root = Path(settings.MEDIA_ROOT)
    staging: Path | None = None
    report = RestoreReport(rows={}, replaced=bool(present), manifest=manifest)
    report.gazetteer_loaded = Place.objects.using(using).exclude(kind=Place.Kind.UNVERIFIED).exists()
    try:
        with transaction.atomic(using=using):
            clear_registry(using)  # also when "empty": seeded rows are replaced by the backup's
            with tqdm(
                total=archive.stat().st_size,
                desc=_("restoring"),
                unit="B",
                unit_scale=True,
                disable=not progress,
                leave=False,
            ) as bar:
                try:
                    raw, tar = _open_archive(archive, bar)
                    with raw, tar:
                        for info in tar:
                            source = tar.extractfile(info)
                            if info.name == DATA_MEMBER:
                                digest = _load_data(source, manifest, report, using, progress)
                                if digest != manifest["members"][DATA_MEMBER]["sha256"]:
                                    raise BackupError(
                                        _(
                                            "Checksum mismatch for %(name)s: the backup is damaged; "
                                            "nothing was restored."
                                        )
                                        % {"name": DATA_MEMBER}
                                    )
                            elif info.name != MANIFEST_MEMBER:
                                if staging is None:
                                    media_root.mkdir(parents=True, exist_ok=True)
                                    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=media_root))
                                _stage(source, info.name, staging, manifest)
                                report.media_files += 1
                                report.media_bytes += info.size
                except ARCHIVE_ERRORS as error:
                    raise _damaged(archive, error) from error
            if report.rows != {k: v for k, v in manifest["rows"].items() if v}:
                raise BackupError(_("The backup's rows do not match its manifest; nothing was restored."))
            _reset_sequences(using)
            connections[using].check_constraints(table_names=_tables())
            moves = _plan_moves(staging, media_root) if staging is not None else []
        for staged, destination in moves:  # committed: now the files, one atomic rename each
            destination.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged, destination)
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    report.seconds = time.monotonic() - started
    return report


def _stage(source: IO[bytes], name: str, staging: Path, manifest: dict) -> None:
    relative = safe_media_name(name)
    if relative is None:  # verify() already refused it; belt and braces
        raise BackupError(_("The archive member name %(name)s is not allowed.") % {"name": name})
    destination = staging.joinpath(*relative.parts)
    destination.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with destination.open("xb") as out:
        while block := source.read(COPY_BUFFER):
            digest.update(block)
            out.write(block)
    if digest.hexdigest() != manifest["members"][name]["sha256"]:
        raise BackupError(
            _("Checksum mismatch for %(name)s: the backup is damaged; nothing was restored.") % {"name": name}
        )


def _plan_moves(staging: Path, media_root: Path) -> list[tuple[Path, Path]]:
    """Where each staged file goes; refuses links out of MEDIA_ROOT and files in the way of folders.

    Runs before the database commits, so a refusal still changes nothing.
    """
    root = media_root.resolve()
    moves = []
    for directory, _dirs, filenames in os.walk(staging):
        for name in sorted(filenames):
            staged = Path(directory, name)
            destination = media_root / staged.relative_to(staging)
            ancestor = destination.parent
            while not ancestor.exists():
                ancestor = ancestor.parent
            if (
                not ancestor.resolve().is_relative_to(root)
                or destination.is_symlink()
                or destination.is_dir()
                or not ancestor.is_dir()
            ):
                raise BackupError(
                    _("%(path)s cannot be written inside MEDIA_ROOT; nothing was restored.") % {"path": destination}
                )
            moves.append((staged, destination))
    return moves


def _lines(source: IO[bytes], digest) -> Iterator[dict]:
    buffered = io.BufferedReader(_HashingReader(source), COPY_BUFFER)
    reader = io.TextIOWrapper(buffered, encoding="utf-8", newline="\n")
    for number, line in enumerate(reader, start=1):
        try:
            yield json.loads(line)
        except json.JSONDecodeError as error:
            raise BackupError(
                _("Line %(line)d of the backup's data cannot be read: %(error)s") % {"line": number, "error": error}
            )
    digest.append(buffered.raw.digest.hexdigest())


def _load_data(source: IO[bytes], manifest: dict, report: RestoreReport, using, progress: bool) -> str:
    """Insert every row of data.jsonl; return the SHA-256 of what was read.

    Places come first in the file; once they are mapped, each later row's foreign keys to
    Place are rewritten, and the names of places this restore created are inserted.
    """
    digest: list[str] = []
    place_map: dict[int, int] = {}
    created: set[int] = set()
    pending_places: list[dict] = []
    loaders: dict[str, _TableLoader] = {}
    natural = _NaturalKeys(using)
    current: _TableLoader | None = None
    read: Counter[str] = Counter()

    with tqdm(
        total=sum(manifest["rows"].values()), desc=_("rows"), unit="row", disable=not progress, leave=False
    ) as bar:
        for record in _lines(source, digest):
            bar.update(1)
            label = record.get("model") if isinstance(record, dict) else None
            read[label] += 1
            if label == _label(Place):
                pending_places.append(record)
                continue
            if pending_places:
                _map_places(pending_places, place_map, created, report, using)
                pending_places = []
            if label == _label(PlaceName):
                old = record.get("fields", {}).get("place")
                if old not in created:  # the target's gazetteer has the place and its names
                    continue
                record = {"model": label, "fields": {**record["fields"], "place": place_map[old]}}
            if label not in loaders:
                model = _model(label) if isinstance(label, str) else None
                if model is None or model in EXCLUDED_MODELS or model is Place:
                    raise BackupError(
                        _("The backup holds tables this kembar does not have: %(names)s.") % {"names": label}
                    )
                loaders[label] = _TableLoader(model, using, natural, place_map, with_pk=model is not PlaceName)
            loader = loaders[label]
            if loader is not current:
                if current is not None:
                    current.flush()
                current = loader
            loader.add(record)
        if pending_places:
            _map_places(pending_places, place_map, created, report, using)
        if current is not None:
            current.flush()
    if not digest:
        raise BackupError(_("The backup's data ends early."))
    report.rows = dict(read)
    return digest[0]


class _NaturalKeys:
    """Ids of content types and permissions in this database, from their natural keys."""

    def __init__(self, using):
        self.using = using
        self.cache: dict[tuple, object] = {}

    def pk(self, model, key) -> object:
        cache_key = (model, tuple(key))
        if cache_key not in self.cache:
            try:
                self.cache[cache_key] = model._default_manager.db_manager(self.using).get_by_natural_key(*key).pk
            except (ObjectDoesNotExist, TypeError, ValueError):
                raise BackupError(
                    _("The backup refers to %(model)s %(key)s, which this database lacks.")
                    % {"model": model._meta.label_lower, "key": " ".join(map(str, key))}
                )
        return self.cache[cache_key]


class _TableLoader:
    """Inserts one model's rows as they are: own ids, no auto_now, no signals, no new history.

    Each value goes through the field's to_python() (what Django's deserializer does) and
    get_db_prep_save() (what an INSERT does), then rows go in with executemany: building a
    model instance per row would cost most of the restore's time.
    """

    def __init__(self, model, using, natural: _NaturalKeys, place_map: dict, with_pk: bool = True):
        self.model = model
        self.label = _label(model)
        self.connection = connections[using]
        self.natural = natural
        self.place_map = place_map
        meta = model._meta
        self.pk_field = meta.pk
        self.fields = [f for f in meta.local_concrete_fields if f is not meta.pk]
        self.with_pk = with_pk
        columns = ([meta.pk.column] if with_pk else []) + [f.column for f in self.fields]
        self.sql = _insert_sql(self.connection, meta.db_table, columns)
        self.rows: list[tuple] = []
        self.links = []
        for f in meta.local_many_to_many:
            through = f.remote_field.through
            if through._meta.auto_created:
                source = through._meta.get_field(f.m2m_field_name())
                target = through._meta.get_field(f.m2m_reverse_field_name())
                self.links.append(
                    (
                        f,
                        _insert_sql(self.connection, through._meta.db_table, [source.column, target.column]),
                        source,
                        target,
                        [],
                    )
                )

    def _value(self, f, value, record):
        if f.is_relation:
            related = f.related_model
            if value is None:
                return None
            if related in NATURAL_KEY_MODELS and isinstance(value, list):
                return self.natural.pk(related, value)
            if related is Place and self.model is not PlaceName:
                new = self.place_map.get(value)
                if new is None and not f.null:
                    raise BackupError(
                        _("A row of %(model)s refers to place %(id)s, which the backup lacks.")
                        % {"model": self.label, "id": value}
                    )
                return new
            return f.target_field.to_python(value)
        return f.to_python(value)

    def add(self, record: dict) -> None:
        connection = self.connection
        try:
            values = record["fields"]
            row = []
            if self.with_pk:
                pk = self.pk_field.to_python(record["pk"])
                row.append(self.pk_field.get_db_prep_save(pk, connection))
            for f in self.fields:
                value = self._value(f, values[f.name], record) if f.name in values else f.get_default()
                row.append(f.get_db_prep_save(value, connection))
            for f, _sql, source, target, links in self.links:
                owner = source.get_db_prep_save(pk, connection)
                for related in values.get(f.name, []):
                    if f.related_model in NATURAL_KEY_MODELS and isinstance(related, list):
                        related = self.natural.pk(f.related_model, related)
                    links.append((owner, target.get_db_prep_save(target.to_python(related), connection)))
        except BackupError:
            raise
        except (ValidationError, KeyError, TypeError, ValueError, AttributeError) as error:
            raise BackupError(
                _("A row of %(model)s in the backup cannot be restored: %(error)s")
                % {"model": self.label, "error": error}
            )
        self.rows.append(tuple(row))
        if len(self.rows) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        with self.connection.cursor() as cursor:
            if self.rows:
                cursor.executemany(self.sql, self.rows)
                self.rows = []
            for _f, sql, _source, _target, links in self.links:
                if links:
                    cursor.executemany(sql, links)
                    links.clear()


def _insert_sql(connection, table: str, columns: list[str]) -> str:
    quote = connection.ops.quote_name
    return (
        f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )


def _deserialize(record: dict, using):
    try:
        return next(iter(PythonDeserializer([record], using=using)))
    except (DeserializationError, LookupError, ValueError, KeyError, TypeError) as error:
        raise BackupError(
            _("A row of %(model)s in the backup cannot be restored: %(error)s")
            % {"model": record.get("model"), "error": error}
        )
    except ObjectDoesNotExist as error:
        raise BackupError(
            _("A row of %(model)s in the backup cannot be restored: %(error)s")
            % {"model": record.get("model"), "error": error}
        )


def _natural_key(fields: dict) -> tuple[str, object] | None:
    if fields.get("kind") == Place.Kind.UNVERIFIED:
        return None
    if fields.get("geonameid") is not None:
        return ("geonameid", fields["geonameid"])
    if fields.get("subdivision_code"):
        return ("subdivision_code", fields["subdivision_code"])
    return None


def _map_places(records: list[dict], place_map: dict, created: set, report: RestoreReport, using) -> None:
    """Find each archived place in this database by its natural key, or create it."""
    by_key: dict[str, dict] = defaultdict(dict)
    for record in records:
        key = _natural_key(record["fields"])
        if key is not None:
            by_key[key[0]][key[1]] = record["pk"]
    for column, wanted in by_key.items():
        for chunk in _chunks(list(wanted)):
            for value, pk in Place.objects.using(using).filter(**{f"{column}__in": chunk}).values_list(column, "pk"):
                place_map[wanted[value]] = pk
    report.places_matched = len(place_map)
    new = [r for r in records if r["pk"] not in place_map]
    objects = []
    for record in new:
        obj = _deserialize(record, using).object
        obj.pk = None
        objects.append(obj)
    for chunk_records, chunk_objects in zip(_chunks(new, CHUNK), _chunks(objects, CHUNK)):
        _insert_new(Place, chunk_objects, using)
        for record, obj in zip(chunk_records, chunk_objects):
            place_map[record["pk"]] = obj.pk
            created.add(record["pk"])
    report.places_created = len(created)


def _insert_new(model, objects: list, using) -> None:
    """Rows without ids (places and names a restore creates); ids come back from the database."""
    if not objects:
        return
    model._base_manager.using(using).bulk_create(objects, batch_size=500)
    if any(obj.pk is None for obj in objects):  # databases that cannot return ids from a bulk insert
        raise BackupError(_("This database cannot report the ids of new rows; restore on SQLite 3.35+ or PostgreSQL."))


def _touched_models() -> list[type[models.Model]]:
    touched = [Place, PlaceName]
    for model in registry_models():
        touched.append(model)
        touched.extend(_through_models(model))
    return touched


def _tables() -> list[str]:
    return [model._meta.db_table for model in _touched_models()]


def _reset_sequences(using) -> None:
    connection = connections[using]
    statements = connection.ops.sequence_reset_sql(no_style(), _touched_models())
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
