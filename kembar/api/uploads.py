"""Documents through the API: multipart uploads checked exactly like the pages' (the one check,
`kembar.core.uploads.check_upload`), and downloads sent like the pages' (`download_response`).

An upload operation takes `multipart/form-data` with the document in the part `file`; a file that
is empty, too large, of a type not accepted or whose content is not what its name says is a 422
on `file` with the page's message. A download answers the file itself, as an attachment.

Every kind of document has the same three operations, declared with the decorators below so that
their responses and documentation are the same everywhere (the view keeps its own name, which is
its operationId):

    @uploads.list_operation(router, "/meetings/{meeting_id}/attachments", AttachmentOut, "...")
    @uploads.upload_operation(router, "/meetings/{meeting_id}/attachments", AttachmentOut, auth=WRITE, ...)
    @uploads.download_operation(router, "/attachments/{attachment_id}", url_name="...", ...)
"""

import datetime as dt
from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse
from django.urls import reverse
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from kembar.api.errors import ERRORS, WRITE_ERRORS
from kembar.api.pagination import Pagination
from kembar.api.params import get_or_404
from kembar.core.uploads import (
    DOCUMENT_TYPES,
    LABELS,
    CheckedUpload,
    check_upload_field,
    download_response,
    max_upload_bytes,
)

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
    """A stored document. Each kind subclasses it with `resolve_download = download_resolver(...)`."""

    id: int
    name: str
    content_type: str
    size: int
    uploaded: dt.datetime
    download: str = Field(description="Where to download it (the same permission as reading what it belongs to).")


def download_url(url_name: str, *ids: int) -> str:
    return reverse(f"api:{url_name}", args=ids)


def download_resolver(url_name: str) -> staticmethod:
    """A schema's `resolve_download`: where the operation named `url_name` downloads the object."""
    return staticmethod(lambda obj: download_url(url_name, obj.pk))


def list_operation(router: Router, path: str, schema: type[Schema], summary: str) -> Callable:
    """GET `path`: the documents of one record, a page at a time (the view returns them all)."""

    def decorate(view: Callable) -> Callable:
        return router.get(path, response={200: list[schema], **ERRORS}, summary=summary)(paginate(Pagination)(view))

    return decorate


def upload_operation(router: Router, path: str, schema: type[Schema], *, auth, summary: str, what: str) -> Callable:
    """POST `path`: store a document, a 201 with it; `what` says who may and what it stores."""
    return router.post(
        path, auth=auth, response={201: schema, **WRITE_ERRORS}, summary=summary, description=upload_description(what)
    )


def download_operation(router: Router, path: str, *, url_name: str, summary: str, what: str) -> Callable:
    """GET `path`: the `what` (attachment, document) itself; `url_name` is what its `download` links to."""
    return router.get(path, response=ERRORS, url_name=url_name, summary=summary, openapi_extra=download_openapi(what))


def checked_upload(upload, *, allowed: bool, refusal: str) -> CheckedUpload:
    """The pages' order: who may change the record first (a 403 with `refusal`), then the file (a 422 on `file`)."""
    if not allowed:
        raise PermissionDenied(refusal)
    return check_upload_field(upload)


def stored_file_response(queryset: QuerySet, file_id: int, not_found: str) -> FileResponse:
    """The StoredFile `file_id` as an attachment, if it is among `queryset` (those of the records the
    caller reads); a 404 reading `not_found` otherwise."""
    stored = get_or_404(queryset, file_id, not_found)
    return download_response(stored.file, stored.name, stored.content_type)
