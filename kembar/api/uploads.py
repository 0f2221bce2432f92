"""Documents through the API: multipart uploads checked exactly like the pages' (the one check,
`kembar.core.uploads.check_upload`), and downloads sent like the pages' (`download_response`).

An upload operation takes `multipart/form-data` with the document in the part `file`; a file that
is empty, too large, of a type not accepted or whose content is not what its name says is a 422
on `file` with the page's message. A download answers the file itself, as an attachment.
"""

import datetime as dt

from django.urls import reverse
from ninja import Field, Schema

from kembar.core.uploads import DOCUMENT_TYPES, LABELS, max_upload_bytes

ACCEPTED = ", ".join(sorted({ext.upper() for ext in DOCUMENT_TYPES}))


def upload_description(what: str) -> str:
    """The OpenAPI description of an upload: `what` (who may, what it stores), then the rules of the file.
    (An operation's `description` replaces its docstring, so the view's docstring goes here.)"""
    return (
        f"{what}\n\nSend `multipart/form-data` with the document in the part `file`: {ACCEPTED}, at most "
        f"{max_upload_bytes() // 1024 // 1024} MB, its content checked against its name (an .exe renamed "
        ".pdf, or a DOCX renamed .pdf, is refused). A refused file is a 422 on `file` with the reason."
    )


def download_openapi(what: str) -> dict:
    """The OpenAPI of a download: the file itself (one of the accepted document types)."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {
        "responses": {
            200: {
                "description": f"The {what}, as an attachment (private, not cached).",
                "content": {mime: binary for mime in sorted(LABELS)},
            }
        }
    }


class FileOut(Schema):
    """A stored document. Each kind subclasses it with `resolve_download` (see `download_url`)."""

    id: int
    name: str
    content_type: str
    size: int
    uploaded: dt.datetime
    download: str = Field(description="Where to download it (the same permission as reading what it belongs to).")


def download_url(url_name: str, *ids: int) -> str:
    return reverse(f"api:{url_name}", args=ids)
