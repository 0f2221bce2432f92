"""`backup`: the registry's rows (as Django's serializer writes them, without building model
instances), the places they use and MEDIA_ROOT, written to one archive.
"""

from __future__ import annotations

import datetime
import io
import json
import os
import tarfile
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from importlib import metadata
from pathlib import Path
from typing import IO

import django
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.python import Serializer as PythonSerializer
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.utils.translation import gettext as _
from tqdm import tqdm

from kembar.gazetteer.models import Place, PlaceName

from .archive import (
    DATA_MEMBER,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST_MEMBER,
    MEDIA_PREFIX,
    SIGNATURE_MEMBER,
    STAGING_PREFIX,
    BackupError,
    _add_member,
    _file_size,
    _HashingWriter,
    format_size,
    manifest_signature,
)
from .checks import _applied_migrations, _check_migrated
from .registry import CHUNK, NATURAL_KEY_MODELS, _chunks, _label, _place_fields, registry_models


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
                signature = manifest_signature(blob).encode()
                _add_member(tar, SIGNATURE_MEMBER, io.BytesIO(signature), len(signature))
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
