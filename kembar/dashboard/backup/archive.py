"""The archive: its members and manifest, checksums while writing and reading, member names
that are safe to restore, and `verify`, which checks a whole archive without writing anything.
BackupError is the one error of backup and restore.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import os
import tarfile
import time
import zlib
from pathlib import Path, PurePosixPath
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _
from tqdm import tqdm

FORMAT = "kembar-backup"


FORMAT_VERSION = 1


DATA_MEMBER = "data.jsonl"


MANIFEST_MEMBER = "manifest.json"


# Last: the HMAC-SHA256 of manifest.json's bytes under the backup key (`manifest_signature`).
SIGNATURE_MEMBER = "manifest.sig"


MEDIA_PREFIX = "media/"


STAGING_PREFIX = ".kembar-restore-"


COPY_BUFFER = 1 << 20


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, for the officer."""


def manifest_signature(blob: bytes) -> str:
    """What proves a manifest was written by an installation holding the backup key.

    The checksums prove only that the members match the manifest; anyone can rewrite both. The
    key (KEMBAR_BACKUP_KEY, else SECRET_KEY) is kept outside the archive, so an archive edited
    consistently (say, an added administrator) no longer carries a valid signature.
    """
    key = (settings.KEMBAR_BACKUP_KEY or settings.SECRET_KEY).encode()
    return hmac.new(key, b"kembar-backup-manifest\n" + blob, hashlib.sha256).hexdigest()


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


def verify(path: str | os.PathLike, *, progress: bool = False, trust_unsigned: bool = False) -> dict:
    """Check the whole archive without writing anything; return its manifest.

    Raises BackupError naming the first problem: a damaged file, a member that is not listed
    or whose SHA-256 or size differs, an unsafe member name, an unknown format or version, a
    manifest without this installation's signature (unless `trust_unsigned`).
    """
    archive = Path(path)
    if not archive.is_file():
        raise BackupError(_("%(path)s does not exist or is not a file.") % {"path": archive})
    seen: dict[str, dict] = {}
    manifest = None
    manifest_blob = b""
    signature = None
    with tqdm(
        total=archive.stat().st_size, desc=_("checking"), unit="B", unit_scale=True, disable=not progress, leave=False
    ) as bar:
        try:
            raw, tar = _open_archive(archive, bar)
            with raw, tar:
                for info in tar:
                    name = info.name
                    if (
                        name in seen
                        or (name == MANIFEST_MEMBER and manifest is not None)
                        or (name == SIGNATURE_MEMBER and signature is not None)
                    ):
                        raise BackupError(_("The archive holds %(name)s twice.") % {"name": name})
                    if not info.isreg():
                        raise BackupError(_("The archive member %(name)s is not a regular file.") % {"name": name})
                    if name not in (MANIFEST_MEMBER, SIGNATURE_MEMBER, DATA_MEMBER) and safe_media_name(name) is None:
                        raise BackupError(_("The archive member name %(name)s is not allowed.") % {"name": name})
                    source = tar.extractfile(info)
                    if name == MANIFEST_MEMBER:
                        manifest_blob = source.read()
                        manifest = _parse_manifest(manifest_blob)
                        continue
                    if name == SIGNATURE_MEMBER:
                        signature = source.read(256).decode("ascii", "replace").strip()
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
    if not trust_unsigned:
        if signature is None:
            raise BackupError(
                _(
                    "%(path)s is not signed, so nothing proves which installation wrote it. Restore it "
                    "with --trust-unsigned only if you know where it comes from."
                )
                % {"path": archive}
            )
        if not hmac.compare_digest(signature, manifest_signature(manifest_blob)):
            raise BackupError(
                _(
                    "The signature of %(path)s does not match this installation's backup key: it was "
                    "changed after it was written, or written with another key (KEMBAR_BACKUP_KEY). "
                    "Nothing was restored."
                )
                % {"path": archive}
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


def format_size(n: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"
