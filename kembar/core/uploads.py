"""Uploaded documents: the one check every upload goes through, safe names, private downloads.

Agreements' stage evidence, activity attachments, meeting minutes and library documents all
use this module, so a file type is accepted (or refused) the same way everywhere:

* the extension must be one of the accepted document types;
* the content must really be that type, read from the bytes (`filetype` signatures, plus the
  archive members that make a ZIP a DOCX or an ODT), not from the name or the browser's
  Content-Type: an .exe renamed .pdf is refused, and so is a DOCX renamed .pdf;
* the size is at most ``settings.KEMBAR_MAX_UPLOAD_MB``; a ZIP-based document (DOCX, ODT) or
  spreadsheet (XLSX) also unpacks to at most UNPACKED_LIMIT_FACTOR times that, and every member
  is read through a byte cap (`read_member`), so a small file that inflates to gigabytes (a
  "zip bomb") is refused instead of filling a worker's memory and the database;
* the stored name is a fresh directory per file plus an ASCII-safe version of the original name,
  so names never collide, never traverse and never run as anything.

Files live under MEDIA_ROOT, which is not served by URL: downloads go through a view that has
checked the reader's permission, then `download_response`. A file (and its folder) is removed
once the transaction that deletes its row commits, a cascade included (django-cleanup), so a
removed document does not stay on the server; a rolled-back delete keeps it.
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.dispatch import receiver
from django.http import FileResponse
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_cleanup.signals import cleanup_post_delete
from unidecode import unidecode

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
JPEG = "image/jpeg"
PNG = "image/png"
TIFF = "image/tiff"
WEBP = "image/webp"
ZIP_TYPES = {DOCX, ODT}  # documents that are ZIP archives inside

# Extension → the content type its bytes must have.
DOCUMENT_TYPES: dict[str, str] = {
    "pdf": PDF,
    "docx": DOCX,
    "odt": ODT,
    "jpg": JPEG,
    "jpeg": JPEG,
    "png": PNG,
    "tif": TIFF,
    "tiff": TIFF,
    "webp": WEBP,
}

LABELS = {
    PDF: "PDF",
    DOCX: "Word (DOCX)",
    ODT: "OpenDocument (ODT)",
    JPEG: "JPEG",
    PNG: "PNG",
    TIFF: "TIFF",
    WEBP: "WebP",
}

# What the file chooser offers (the server checks again, whatever the browser sends).
ACCEPT = ",".join("." + ext for ext in DOCUMENT_TYPES)

MAX_NAME_LENGTH = 120
_UNSAFE = re.compile(r"[^-\w.]", re.ASCII)


def max_upload_bytes() -> int:
    return int(getattr(settings, "KEMBAR_MAX_UPLOAD_MB", 20)) * 1024 * 1024


# A real DOCX, ODT or XLSX unpacks to a few times its size (XML compresses about tenfold).
UNPACKED_LIMIT_FACTOR = 5


def max_unpacked_bytes() -> int:
    return UNPACKED_LIMIT_FACTOR * max_upload_bytes()


class ArchiveTooLarge(ValueError):
    """A ZIP whose members unpack to more than the limit."""


def check_archive(source, label: str = "") -> None:
    """Refuse a ZIP (path or binary file) whose members, as its directory declares them, unpack
    to more than max_unpacked_bytes(). zipfile stops reading a member at its declared size, so a
    member that lies about its size ends in an error, not in more bytes."""
    limit = max_unpacked_bytes()
    with zipfile.ZipFile(source) as archive:
        total = sum(info.file_size for info in archive.infolist())
    if total > limit:
        raise ArchiveTooLarge(
            _("%(name)s unpacks to %(size)d MB; documents may unpack to at most %(limit)d MB.")
            % {"name": label, "size": total // 2**20, "limit": limit // 2**20}
        )


def read_member(archive: zipfile.ZipFile, name: str, limit: int | None = None) -> bytes:
    """A member's bytes, at most `limit` (default max_unpacked_bytes()) of them."""
    limit = max_unpacked_bytes() if limit is None else limit
    with archive.open(name) as member:
        data = member.read(limit + 1)
    if len(data) > limit:
        raise ArchiveTooLarge(name)
    return data


@dataclass(frozen=True)
class CheckedUpload:
    name: str  # the safe file name to store and offer on download
    content_type: str  # read from the content
    size: int
    sha256: str


def safe_filename(name: str) -> str:
    """An ASCII file name without directories: 'Nota Kesepahaman (draf) – 2026.PDF' →
    'Nota_Kesepahaman_draf_-_2026.pdf'."""
    base = PurePath(str(name).replace("\\", "/")).name
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    stem = _UNSAFE.sub("", unidecode(stem).strip().replace(" ", "_")).strip("._-") or "document"
    ext = _UNSAFE.sub("", unidecode(ext)).lower()
    stem = stem[: MAX_NAME_LENGTH - len(ext) - 1]
    return f"{stem}.{ext}" if ext else stem


def _zip_has(fileobj, member: str, mimetype: str | None = None) -> bool:
    try:
        with zipfile.ZipFile(fileobj) as archive:
            names = set(archive.namelist())
            if member not in names:
                return False
            if mimetype is not None:
                return read_member(archive, "mimetype", 256).decode("ascii", "replace").strip() == mimetype
            return True
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, ArchiveTooLarge):
        return False


def sniff(fileobj) -> str | None:
    """The accepted document type the bytes really are, or None."""
    fileobj.seek(0)
    head = fileobj.read(8192)
    fileobj.seek(0)
    if not head:
        return None
    kind = filetype.guess(head)
    mime = kind.mime if kind else None
    if mime in (DOCX, ODT, "application/zip"):
        # A ZIP is a DOCX when it holds the Word document part, an ODT when its `mimetype`
        # member says so; checked on the archive itself, not only its first bytes.
        if _zip_has(fileobj, "word/document.xml"):
            mime = DOCX
        elif _zip_has(fileobj, "content.xml", ODT):
            mime = ODT
        else:
            mime = None
        fileobj.seek(0)
    return mime if mime in LABELS else None


def check_upload(upload, allowed: dict[str, str] | None = None) -> CheckedUpload:
    """Check an uploaded file (Django UploadedFile or any named binary file object).

    Raises ValidationError with a message naming the file and the problem; codes: `empty`,
    `too_large`, `extension`, `content`, `mismatch`.
    """
    allowed = DOCUMENT_TYPES if allowed is None else allowed
    original = getattr(upload, "name", "") or ""
    name = safe_filename(original)
    ext = name.rpartition(".")[2].lower() if "." in name else ""
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
        upload.seek(0)
    if size == 0:
        raise ValidationError(_("%(name)s is empty.") % {"name": original}, code="empty")
    limit = max_upload_bytes()
    if size > limit:
        raise ValidationError(
            _("%(name)s is %(size).1f MB; files may be at most %(limit)d MB.")
            % {"name": original, "size": size / 1024 / 1024, "limit": limit // 1024 // 1024},
            code="too_large",
        )
    if ext not in allowed:
        raise ValidationError(
            _("%(name)s is not an accepted document type. Accepted: %(types)s.")
            % {"name": original, "types": ", ".join(sorted({e.upper() for e in allowed}))},
            code="extension",
        )
    actual = sniff(upload)
    expected = allowed[ext]
    if actual is None:
        raise ValidationError(
            _("%(name)s is not a valid %(type)s file: its content is not what its name says.")
            % {"name": original, "type": LABELS[expected]},
            code="content",
        )
    if actual != expected:
        raise ValidationError(
            _("%(name)s is called .%(ext)s but its content is %(actual)s. Rename it or upload the right file.")
            % {"name": original, "ext": ext, "actual": LABELS[actual]},
            code="mismatch",
        )
    if actual in ZIP_TYPES:
        try:
            upload.seek(0)
            check_archive(upload, original)
        except ArchiveTooLarge as error:
            raise ValidationError(str(error), code="too_large_unpacked")
        except (zipfile.BadZipFile, OSError, EOFError):
            raise ValidationError(
                _("%(name)s is not a valid %(type)s file: its content is not what its name says.")
                % {"name": original, "type": LABELS[expected]},
                code="content",
            )
        finally:
            upload.seek(0)
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(65536), b""):
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(name=name, content_type=actual, size=size, sha256=digest.hexdigest())


@deconstructible
class UploadPath:
    """`upload_to` for FileFields: '<prefix>/<yyyy>/<mm>/<random>/<safe name>'."""

    def __init__(self, prefix: str):
        self.prefix = prefix.strip("/")

    def __call__(self, instance, filename: str) -> str:
        now = timezone.now()
        return f"{self.prefix}/{now:%Y}/{now:%m}/{uuid.uuid4().hex}/{safe_filename(filename)}"

    def __eq__(self, other) -> bool:
        return isinstance(other, UploadPath) and other.prefix == self.prefix


@receiver(cleanup_post_delete)
def remove_emptied_folder(sender, file, file_name, success, **kwargs) -> None:
    """django-cleanup removed a stored document (its row was deleted or given another file):
    remove the document's own folder too (`UploadPath` makes one per file), if nothing else is in it."""
    if not success or not isinstance(file.storage, FileSystemStorage):
        return  # an object store (MEDIA_STORAGE=s3) has no folders to remove
    folder = os.path.dirname(file.storage.path(file_name))
    if os.path.realpath(folder) != os.path.realpath(file.storage.location):
        try:
            os.rmdir(folder)
        except OSError:
            pass  # not empty, or gone already


class DocumentField(forms.FileField):
    """A form field that runs `check_upload`; the result is on `upload.checked`."""

    default_error_messages = {"required": gettext_lazy("Choose a file to upload.")}

    def __init__(self, *args, allowed: dict[str, str] | None = None, **kwargs):
        self.allowed = allowed
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload and hasattr(upload, "read"):
            upload.checked = check_upload(upload, self.allowed)
        return upload


def download_response(fieldfile, filename: str, content_type: str) -> FileResponse:
    """Send a stored file as an attachment; the caller has checked the reader's permission."""
    response = FileResponse(fieldfile.open("rb"), as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def refuse_text_parts(request, field: str = "file") -> None:
    """A multipart part named `field` that came as text, not as a file, is refused (a 422 on
    `field`) rather than taken for "no document"."""
    if field in request.POST:
        raise ValidationError({field: [_("Send the document as a file, not as text.")]})


def check_upload_field(upload, field: str = "file", allowed: dict[str, str] | None = None) -> CheckedUpload:
    """`check_upload` with the error on `field` (for the API's 422), the result on `upload.checked`
    so the services that store it do not read it twice."""
    try:
        checked = check_upload(upload, allowed)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from error
    upload.checked = checked
    return checked
