"""`restore`: an archive's rows loaded in one transaction (places mapped by natural key), its
media files staged inside MEDIA_ROOT and moved into place after the commit.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.core.serializers.python import Deserializer as PythonDeserializer
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, models, transaction
from django.utils.translation import gettext as _
from tqdm import tqdm

from kembar.gazetteer.models import Place, PlaceName

from .archive import (
    ARCHIVE_ERRORS,
    COPY_BUFFER,
    DATA_MEMBER,
    MANIFEST_MEMBER,
    SIGNATURE_MEMBER,
    STAGING_PREFIX,
    BackupError,
    _damaged,
    _HashingReader,
    _open_archive,
    safe_media_name,
    verify,
)
from .checks import _check_compatible
from .registry import (
    CHUNK,
    EXCLUDED_MODELS,
    NATURAL_KEY_MODELS,
    _chunks,
    _label,
    _model,
    _through_models,
    clear_registry,
    registry_models,
    registry_rows,
)


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


def restore(
    path: str | os.PathLike,
    *,
    force: bool = False,
    trust_unsigned: bool = False,
    using: str = DEFAULT_DB_ALIAS,
    progress: bool = False,
    say: Callable[[str], None] = lambda message: None,
) -> RestoreReport:
    """Replace the registry with the archive's content; see the module docstring."""
    started = time.monotonic()
    archive = Path(path)
    manifest = verify(archive, progress=progress, trust_unsigned=trust_unsigned)
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
                            elif info.name not in (MANIFEST_MEMBER, SIGNATURE_MEMBER):
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
        self.pks: list = []
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
        self.pks.append(record.get("pk"))
        if len(self.rows) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        with self.connection.cursor() as cursor:
            if self.rows:
                self._insert(cursor, self.sql, self.rows, self.pks)
                self.rows, self.pks = [], []
            for f, sql, _source, _target, links in self.links:
                if links:
                    self._insert(cursor, sql, links, [f"{owner} → {f.name} {target}" for owner, target in links])
                    links.clear()

    def _insert(self, cursor, sql: str, rows: list[tuple], names: list) -> None:
        """All rows at once; when the database refuses them (a crafted archive: a required value
        missing, a duplicate, a dangling link), row by row to name the one it refuses."""
        alias = self.connection.alias
        try:
            with transaction.atomic(using=alias):
                cursor.executemany(sql, rows)
            return
        except DatabaseError:
            pass
        for row, name in zip(rows, names, strict=True):
            try:
                with transaction.atomic(using=alias):
                    cursor.execute(sql, row)
            except DatabaseError as error:
                raise BackupError(
                    _("Row %(row)s of %(model)s in the backup cannot be restored: %(error)s; nothing was restored.")
                    % {"row": name, "model": self.label, "error": str(error).strip().splitlines()[0]}
                ) from error


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
