"""/api/conversations: a partnership's conversation between its two offices (list and post
messages, with documents; mark read), the caller's conversations with unread counts, and search
across them. Views translate HTTP to `kembar.conversations.services`.

No `from __future__ import annotations` (ninja evaluates annotations of paginated views)."""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, File, Form, Query, Router, Schema, UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status as Reply

from kembar.accounts import permissions
from kembar.api import uploads
from kembar.api.auth import READ, WRITE
from kembar.api.errors import ERRORS, WRITE_ERRORS, ValidationErrors
from kembar.api.pagination import Pagination
from kembar.api.schemas import InputSchema
from kembar.api.uploads import FileOut, download_resolver
from kembar.core.uploads import refuse_text_parts

from . import services
from .models import MAX_BODY, MessageAttachment
from .services import MAX_QUERY

router = Router(tags=["conversations"], auth=READ)

CONVERSATION_NOT_FOUND = gettext_lazy("No conversation of a partnership with id %(id)s.")
FILE_NOT_FOUND = gettext_lazy("No message attachment with id %(id)s.")


class MessageFileOut(FileOut):
    resolve_download = download_resolver("download_message_file")


class MessageOut(Schema):
    id: int
    partnership_id: int
    author: str | None = Field(description="The author's user name; null once the user is deleted.")
    government_id: int | None = Field(description="The side the author wrote for; null for a platform administrator.")
    body: str = Field(description="Plain text, as written.")
    created: dt.datetime
    attachments: list[MessageFileOut]

    @staticmethod
    def resolve_author(obj) -> str | None:
        return obj.author.get_username() if obj.author else None

    @staticmethod
    def resolve_attachments(obj) -> list:
        return list(obj.attachments.all())


class ConversationOut(Schema):
    partnership_id: int
    name: str
    messages: int
    unread: int
    last_message: dt.datetime | None
    shared_with_oversight: bool


class MessageIn(Schema):
    body: str = Field(min_length=1, max_length=MAX_BODY, description="Plain text.")


class SharingIn(InputSchema):
    shared: bool = Field(description="true: oversight bodies read the conversation; false: they stop reading it.")


class SharingOut(Schema):
    partnership_id: int
    shared_with_oversight: bool
    shared_by: str | None = Field(description="Who last set the sharing (user name); null if never set or deleted.")
    shared_changed: dt.datetime | None = Field(description="When the sharing was last set; null if never.")

    @staticmethod
    def resolve_shared_by(obj) -> str | None:
        return obj.shared_by.get_username() if obj.shared_by else None


class ReadOut(Schema):
    partnership_id: int
    last_read: int = Field(description="The id of the last message read.")
    unread: int


def _partnership(user, partnership_id: int):
    partnership = services.readable_partnership(user, partnership_id) if 0 < partnership_id < 2**63 else None
    if partnership is None:
        raise Http404(CONVERSATION_NOT_FOUND % {"id": partnership_id})
    return partnership


@router.get("", response={200: list[ConversationOut], 422: ValidationErrors}, summary="My conversations")
@paginate(Pagination)
def list_conversations(request):
    """The conversations of the caller's offices' partnerships (for a platform administrator or an
    oversight body: those it reads that have begun), the most recently active first, with the
    caller's unread count."""
    partnerships = services.inbox_partnerships(request.auth).select_related("conversation")
    counts = services.unread_counts(request.auth, partnerships.values("pk"))
    return [
        {
            "partnership_id": p.pk,
            "name": f"{p.government_a.name} – {p.government_b.name}",
            "messages": p.message_count,
            "unread": counts.get(p.pk, 0),
            "last_message": p.last_message,
            "shared_with_oversight": bool(getattr(getattr(p, "conversation", None), "shared_with_oversight", False)),
        }
        for p in services.latest_activity(partnerships)
    ]


@router.get("/messages", response={200: list[MessageOut], 422: ValidationErrors}, summary="Search my conversations")
@paginate(Pagination)
def search_messages(request, q: str = Query(..., min_length=1, max_length=MAX_QUERY)):
    """The messages of all the caller's conversations whose text or attachment names hold `q`, newest first."""
    return services.search_all(request.auth, q)


@router.get(
    "/{partnership_id}/messages", response={200: list[MessageOut], **ERRORS}, summary="Messages of a conversation"
)
@paginate(Pagination)
def list_messages(request, partnership_id: int, q: str = Query("", max_length=MAX_QUERY)):
    """A partnership's messages, oldest first (with `q`: those holding it). Members of either
    office read them; an oversight body only while an office shares the conversation."""
    partnership = _partnership(request.auth, partnership_id)
    return services.search(services.messages_of(partnership), q)


@uploads.upload_operation(
    router,
    "/{partnership_id}/messages",
    MessageOut,
    auth=WRITE,
    summary="Post a message",
    what=(
        "Editors of either office post; the members of both offices are mailed (each as they chose). "
        "The fields are form fields; documents, if any, are parts named `file` (at most 5)."
    ),
)
def post_message(request, partnership_id: int, payload: Form[MessageIn], file: File[list[UploadedFile]] = None):
    partnership = _partnership(request.auth, partnership_id)
    refuse_text_parts(request)
    files = list(file or [])
    if not permissions.can_write_in_conversation(request.auth, partnership):  # who may, before the files
        raise PermissionDenied(_("You may not write in this conversation."))
    for upload in files:
        uploads.check_upload_field(upload)
    message = services.post_message(request.auth, partnership, payload.body, files)
    return Reply(201, services.messages_of(partnership).get(pk=message.pk))


@router.post(
    "/{partnership_id}/read", auth=WRITE, response={200: ReadOut, **WRITE_ERRORS}, summary="Mark a conversation read"
)
def mark_read(
    request,
    partnership_id: int,
    up_to: int | None = Query(None, ge=1, le=2**63 - 1, description="The last message read; leave out for the latest."),
):
    """The caller's own read state (any reader of the conversation): up to `up_to`, or its latest
    message. It takes no body."""
    partnership = _partnership(request.auth, partnership_id)
    last = services.mark_read(request.auth, partnership, up_to)
    unread = services.unread_counts(request.auth, [partnership.pk]).get(partnership.pk, 0)
    return {"partnership_id": partnership.pk, "last_read": last, "unread": unread}


@router.get("/{partnership_id}/sharing", response={200: SharingOut, **ERRORS}, summary="Sharing with oversight")
def get_sharing(request, partnership_id: int):
    """Whether the conversation is shared with oversight bodies, by whom and since when (readers
    of the conversation)."""
    partnership = _partnership(request.auth, partnership_id)
    return services.sharing_of(partnership)


@router.post(
    "/{partnership_id}/sharing",
    auth=WRITE,
    response={200: SharingOut, **WRITE_ERRORS},
    summary="Share with oversight, or stop",
)
def set_sharing(request, partnership_id: int, payload: SharingIn):
    """Editors of either office (and platform administrators) share the conversation with the
    oversight bodies, or stop sharing it, as on its page; who and when are kept."""
    partnership = _partnership(request.auth, partnership_id)
    return services.set_sharing(request.auth, partnership, payload.shared)


@uploads.download_operation(
    router,
    "/files/{file_id}",
    url_name="download_message_file",
    summary="Download a message's document",
    what="document",
)
def download_file(request, file_id: int):
    """Whoever reads the conversation downloads its documents."""
    partnerships = services.conversation_partnerships(request.auth)
    return uploads.stored_file_response(
        MessageAttachment.objects.filter(message__partnership__in=partnerships.values("pk")), file_id, FILE_NOT_FOUND
    )
