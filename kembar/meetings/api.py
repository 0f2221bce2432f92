"""/api/meetings and /api/library: the slot finder, meetings with minutes and action items, and
the knowledge exchange library. Views translate HTTP to `kembar.meetings.services`.

No `from __future__ import annotations` (ninja evaluates annotations of paginated views)."""

import datetime as dt
from typing import Annotated

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, File, Form, Query, Router, Schema, UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status as Reply

from kembar.accounts import permissions
from kembar.api import params, uploads
from kembar.api.auth import READ, WRITE
from kembar.api.errors import ERRORS, WRITE_ERRORS, Error, ValidationErrors, renamed_fields
from kembar.api.pagination import Pagination
from kembar.api.schemas import MAX_ID, Date, DateTime, InputSchema, omitted, version_read
from kembar.api.uploads import FileOut, download_resolver, download_url
from kembar.core.uploads import check_upload_field, download_response, refuse_text_parts
from kembar.partnerships.api import visible_partnership
from kembar.partnerships.models import LocalGovernment
from kembar.partnerships.services import partnership_queryset
from kembar.partnerships.vocab import Field as CooperationField

from . import services
from .models import Attachment, LibraryItem, Participant

router = Router(tags=["meetings"], auth=READ)
library_router = Router(tags=["library"], auth=READ)

MEETING_NOT_FOUND = gettext_lazy("No meeting with id %(id)s.")
ITEM_NOT_FOUND = gettext_lazy("No library item with id %(id)s.")
PARTNERSHIP_NOT_FOUND = gettext_lazy("No partnership with id %(id)s.")
PARTICIPANT_NOT_FOUND = gettext_lazy("No participant with id %(id)s.")
ATTACHMENT_NOT_FOUND = gettext_lazy("No attachment with id %(id)s.")
GOVERNMENT_NOT_FOUND = gettext_lazy("No local government with id %(id)s.")
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class SlotPlaceOut(Schema):
    place: str
    timezone: str
    local_start: str
    local_end: str
    penalty_minutes: int
    penalty_reason: str


class SlotOut(Schema):
    start: str
    end: str
    inside_office_hours: bool
    worst_penalty_minutes: int
    total_penalty_minutes: int
    explanation: str
    places: list[SlotPlaceOut]


class SlotsOut(Schema):
    inside_office_hours: bool
    notice: str
    slots: list[SlotOut]


class SideOut(Schema):
    government_id: int
    name: str
    timezone: str
    local_start: dt.datetime
    local_end: dt.datetime


class ActionItemOut(Schema):
    id: int
    text: str
    owner: str
    government_id: int
    due: dt.date
    status: str


class ParticipantOut(Schema):
    id: int
    name: str
    government_id: int


class MeetingOut(Schema):
    id: int
    partnership_id: int
    title: str
    start: dt.datetime
    end: dt.datetime
    duration: int
    status: str
    video_link: str
    agenda: list[str]
    minutes: str
    decisions: list[str]
    version: int
    sides: list[SideOut]
    participants: list[ParticipantOut]
    action_items: list[ActionItemOut]

    @staticmethod
    def resolve_agenda(obj) -> list[str]:
        return obj.agenda_items

    @staticmethod
    def resolve_decisions(obj) -> list[str]:
        return obj.decision_items

    @staticmethod
    def resolve_sides(obj) -> list[dict]:
        return [
            {"government_id": g.pk, "name": g.name, "timezone": g.place.timezone, "local_start": s, "local_end": e}
            for g, s, e in services.local_times(obj)
        ]

    @staticmethod
    def resolve_participants(obj) -> list:
        return list(obj.participants.all())

    @staticmethod
    def resolve_action_items(obj) -> list:
        return list(obj.action_items.all())


class MeetingIn(InputSchema):
    partnership_id: Id
    title: str = Field(min_length=1, max_length=200)
    start: DateTime = Field(description="With its offset, e.g. 2026-11-24T23:00:00Z.")
    duration: int = Field(60, ge=15, le=720)
    video_link: str = Field("", max_length=200)
    agenda: list[Annotated[str, Field(max_length=500)]] = Field(default_factory=list, max_length=50)


class MeetingPatch(InputSchema):
    version: int = version_read()
    title: str = omitted(min_length=1, max_length=200)
    start: DateTime = omitted()
    duration: int = omitted(ge=15, le=720)
    status: str = omitted("planned, invited, held or cancelled.", max_length=10)
    minutes: str = omitted(max_length=100_000)
    decisions: list[Annotated[str, Field(max_length=500)]] = omitted(max_length=100)


class ActionItemIn(InputSchema):
    text: str = Field(min_length=1, max_length=500)
    owner: str = Field(min_length=1, max_length=200)
    government_id: Id
    due: Date


class LibraryItemOut(Schema):
    id: int
    title: str
    summary: str
    language: str
    government_id: int
    partnership_id: int | None
    fields: list[str]
    sdgs: list[int]
    public: bool
    has_file: bool
    file_name: str
    content_type: str
    download: str | None = Field(description="Where to download the document; null for a note without one.")
    created: dt.datetime

    @staticmethod
    def resolve_has_file(obj) -> bool:
        return bool(obj.file)

    @staticmethod
    def resolve_download(obj) -> str | None:
        return download_url("download_library_file", obj.pk) if obj.file else None


def _meeting(user, meeting_id: int):
    return params.get_or_404(
        permissions.visible_meetings(user, services.meeting_queryset()), meeting_id, MEETING_NOT_FOUND
    )


@router.get(
    "/slots",
    response={200: SlotsOut, 422: ValidationErrors, 404: Error, 401: Error},
    summary="Find meeting slots for a partnership",
)
def find_slots(
    request,
    partnership_id: int = Query(..., ge=1, le=MAX_ID),
    start: Date = Query(...),
    end: Date = Query(...),
    duration: int = Query(60, ge=15, le=720),
    top: int = Query(5, ge=1, le=20),
    also: list[int] = Query([], max_length=10, description="Further partner governments (multilateral meeting)."),
):
    """The best slots for the partnership's two sides (and any further governments), best first:
    never on a side's weekend or public holiday, ranked by how far outside office hours the
    worst-off side is."""
    partnership = visible_partnership(request.auth, partnership_id)
    governments = [partnership.government_a, partnership.government_b]
    found = LocalGovernment.objects.select_related("place").in_bulk([i for i in also if 0 < i <= MAX_ID])
    missing = [i for i in also if i not in found]
    if missing:
        raise ValidationError({"also": [GOVERNMENT_NOT_FOUND % {"id": missing[0]}]})
    governments += [found[i] for i in dict.fromkeys(also) if found[i] not in governments]
    result = services.find_slots_for(governments, start, end, duration, top)
    return {
        "inside_office_hours": result.inside_office_hours,
        "notice": result.notice(_),
        "slots": [services.slot_dict(s) for s in result.slots],
    }


@router.get("", response={200: list[MeetingOut], 422: ValidationErrors}, summary="List meetings")
@paginate(Pagination)
def list_meetings(request):
    """Meetings of the caller's partnerships (all of them for oversight and administrators)."""
    return permissions.visible_meetings(
        request.auth, services.meeting_queryset().prefetch_related("participants", "action_items")
    ).order_by("-start", "-id")


@router.get("/{meeting_id}", response={200: MeetingOut, **ERRORS}, summary="One meeting")
def get_meeting(request, meeting_id: int):
    return _meeting(request.auth, meeting_id)


@router.post("", auth=WRITE, response={201: MeetingOut, **WRITE_ERRORS}, summary="Schedule a meeting")
def create_meeting(request, payload: MeetingIn):
    """Editors of either partner's office schedule meetings of their partnership."""
    partnership = visible_partnership(request.auth, payload.partnership_id)
    meeting = services.schedule_meeting(
        request.auth,
        partnership,
        title=payload.title,
        start=payload.start,
        duration=payload.duration,
        video_link=payload.video_link,
        agenda="\n".join(payload.agenda),
    )
    return Reply(201, services.meeting_queryset().get(pk=meeting.pk))


@router.patch(
    "/{meeting_id}",
    auth=WRITE,
    response={200: MeetingOut, 409: Error, **WRITE_ERRORS},
    summary="Change a meeting or record its minutes",
)
def update_meeting(request, meeting_id: int, payload: MeetingPatch):
    meeting = _meeting(request.auth, meeting_id)
    data, version = params.sent_changes(payload)
    if "decisions" in data:
        data["decisions"] = "\n".join(data["decisions"] or [])
    services.update_meeting(request.auth, meeting, expected_version=version, **data)
    return services.meeting_queryset().get(pk=meeting.pk)


@router.post(
    "/{meeting_id}/action-items",
    auth=WRITE,
    response={201: ActionItemOut, **WRITE_ERRORS},
    summary="Add an action item",
)
def add_action_item(request, meeting_id: int, payload: ActionItemIn):
    meeting = _meeting(request.auth, meeting_id)
    with renamed_fields({"government": "government_id"}):
        item = services.add_action_item(
            request.auth,
            meeting,
            text=payload.text,
            owner=payload.owner,
            government=_government(payload.government_id),
            due=payload.due,
        )
    return Reply(201, item)


@library_router.get("", response={200: list[LibraryItemOut], 422: ValidationErrors}, summary="Search the library")
@paginate(Pagination)
def search_library(
    request,
    q: str = Query("", max_length=200, description="Words in Bahasa Indonesia or English."),
    field: str = Query("", max_length=20),
    sdg: int | None = Query(None, ge=1, le=17),
):
    """Public items for everyone; a partnership's own items for its offices, oversight and administrators."""
    queryset = permissions.visible_library(request.auth, LibraryItem.objects.all())
    queryset = services.search_library(queryset, q, field, sdg)
    return queryset if q.strip() else queryset.order_by("-created", "-id")


@library_router.get("/{item_id}", response={200: LibraryItemOut, **ERRORS}, summary="One library item")
def get_library_item(request, item_id: int):
    return params.get_or_404(
        permissions.visible_library(request.auth, LibraryItem.objects.all()), item_id, ITEM_NOT_FOUND
    )


# --- participants and invitations ------------------------------------------------------------


class ParticipantDetailOut(Schema):
    id: int
    name: str
    email: str
    government_id: int
    invitation: str = Field(description="The participant's invitation (.ics), in their side's time zone.")

    @staticmethod
    def resolve_invitation(obj) -> str:
        return download_url("participant_invitation", obj.meeting_id, obj.pk)


class ParticipantIn(InputSchema):
    government_id: Id = Field(description="The side: one of the meeting's governments.")
    name: str = Field(min_length=1, max_length=200)
    email: str = Field("", max_length=254, description="Where the invitation is sent; empty: no e-mail.")


class ParticipantPatch(InputSchema):
    government_id: Id = omitted("The side: one of the meeting's governments.")
    name: str = omitted(min_length=1, max_length=200)
    email: str = omitted(max_length=254)


class InvitationsOut(Schema):
    sent: int = Field(description="How many invitations were queued (participants with an address).")
    status: str


def _government(pk: int | None) -> LocalGovernment | None:
    if pk is None:
        return None
    return params.get_or_invalid(
        LocalGovernment.objects.select_related("place"), pk, "government_id", GOVERNMENT_NOT_FOUND
    )


def _participant(user, meeting_id: int, participant_id: int) -> Participant:
    meeting = _meeting(user, meeting_id)
    participant = params.get_or_404(
        meeting.participants.select_related("government__place"), participant_id, PARTICIPANT_NOT_FOUND
    )
    participant.meeting = meeting
    return participant


@router.get(
    "/{meeting_id}/participants",
    response={200: list[ParticipantDetailOut], **ERRORS},
    summary="Participants of a meeting",
)
@paginate(Pagination)
def list_participants(request, meeting_id: int):
    """Who takes part, per side, with the address the invitation goes to."""
    return _meeting(request.auth, meeting_id).participants.all()


@router.post(
    "/{meeting_id}/participants",
    auth=WRITE,
    response={201: ParticipantDetailOut, **WRITE_ERRORS},
    summary="Add a participant",
)
def add_participant(request, meeting_id: int, payload: ParticipantIn):
    """Editors of any of the meeting's offices add participants of any of its sides."""
    meeting = _meeting(request.auth, meeting_id)
    with renamed_fields({"government": "government_id"}):
        participant = services.add_participant(
            request.auth, meeting, _government(payload.government_id), payload.name, payload.email
        )
    return Reply(201, participant)


@router.patch(
    "/{meeting_id}/participants/{participant_id}",
    auth=WRITE,
    response={200: ParticipantDetailOut, **WRITE_ERRORS},
    summary="Change a participant",
)
def update_participant(request, meeting_id: int, participant_id: int, payload: ParticipantPatch):
    """Leave out what stays."""
    participant = _participant(request.auth, meeting_id, participant_id)
    data = payload.dict(exclude_unset=True)
    with renamed_fields({"government": "government_id"}):
        return services.update_participant(
            request.auth,
            participant,
            government=_government(data.get("government_id")),
            name=data.get("name"),
            email=data.get("email"),
        )


@router.delete(
    "/{meeting_id}/participants/{participant_id}",
    auth=WRITE,
    response={204: None, **ERRORS},
    summary="Remove a participant",
)
def remove_participant(request, meeting_id: int, participant_id: int):
    """Editors of any of the meeting's offices; an invitation already sent is not withdrawn."""
    services.remove_participant(request.auth, _participant(request.auth, meeting_id, participant_id))
    return Reply(204, None)


@router.get(
    "/{meeting_id}/participants/{participant_id}/invitation.ics",
    response=ERRORS,
    url_name="participant_invitation",
    summary="A participant's invitation (.ics)",
    openapi_extra={
        "responses": {
            200: {
                "description": "An iCalendar invitation (METHOD:REQUEST) as an attachment.",
                "content": {"text/calendar": {"schema": {"type": "string"}}},
            }
        }
    },
)
def participant_invitation(request, meeting_id: int, participant_id: int):
    """The same invitation as the meeting page's: the times in the participant's side's time zone
    (TZID with its VTIMEZONE), the participant as attendee."""
    participant = _participant(request.auth, meeting_id, participant_id)
    response = HttpResponse(
        services.invitation_ics(participant.meeting, participant), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting_id}.ics"'
    response["Cache-Control"] = "private, no-store"
    return response


@router.post(
    "/{meeting_id}/invitations",
    auth=WRITE,
    response={200: InvitationsOut, **WRITE_ERRORS},
    summary="Send the invitations by e-mail",
)
def send_invitations(request, meeting_id: int):
    """Queue for every participant with an address their invitation (.ics attached), as the
    meeting page does; a planned meeting then counts as invited. `sent` counts the mails queued:
    they go out as soon as the mail server accepts them (retried while it cannot be reached)."""
    meeting = _meeting(request.auth, meeting_id)
    sent = services.send_invitations(request.auth, meeting)
    return {"sent": sent, "status": type(meeting).objects.values_list("status", flat=True).get(pk=meeting.pk)}


# --- attachments -----------------------------------------------------------------------------


class MeetingAttachmentOut(FileOut):
    resolve_download = download_resolver("download_meeting_attachment")


@uploads.list_operation(router, "/{meeting_id}/attachments", MeetingAttachmentOut, "Attachments of a meeting")
def list_attachments(request, meeting_id: int):
    """The meeting's documents (minutes, presentations), oldest first; whoever reads the meeting."""
    return _meeting(request.auth, meeting_id).attachments.order_by("uploaded", "id")


@uploads.upload_operation(
    router,
    "/{meeting_id}/attachments",
    MeetingAttachmentOut,
    auth=WRITE,
    summary="Upload an attachment",
    what="Editors of any of the meeting's offices, as on the meeting's page.",
)
def upload_attachment(request, meeting_id: int, file: File[UploadedFile]):
    meeting = _meeting(request.auth, meeting_id)
    allowed = permissions.can_edit_meeting(request.auth, meeting)
    uploads.checked_upload(file, allowed=allowed, refusal=_("You may not change this meeting."))
    return Reply(201, services.add_attachment(request.auth, meeting, file))


@uploads.download_operation(
    router,
    "/attachments/{attachment_id}",
    url_name="download_meeting_attachment",
    summary="Download an attachment",
    what="attachment",
)
def download_attachment(request, attachment_id: int):
    """Whoever reads the meeting downloads its attachments."""
    meetings = permissions.visible_meetings(request.auth, services.meeting_queryset())
    return uploads.stored_file_response(
        Attachment.objects.filter(meeting__in=meetings), attachment_id, ATTACHMENT_NOT_FOUND
    )


# --- library uploads -------------------------------------------------------------------------


class LibraryItemIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    government_id: Id = Field(description="Shared by: a government the caller's office acts for.")
    partnership_id: int | None = Field(
        None,
        ge=1,
        le=MAX_ID,
        description="The partnership's shelf; leave out to share with everyone (then `public` must be true).",
    )
    summary: str = Field("", max_length=100_000, description="A note; required without a file.")
    language: str = Field(
        "id", max_length=8, description="The document's language: an ISO 639-1 code of the platform's list."
    )
    fields: list[CooperationField] = Field([], max_length=20)
    sdgs: list[Annotated[int, Field(ge=1, le=17)]] = Field([], max_length=17)
    public: bool = False


@uploads.upload_operation(
    library_router,
    "",
    LibraryItemOut,
    auth=WRITE,
    summary="Share in the library",
    what=(
        "Editors share material for their own government, on one of its partnerships' shelves "
        "or (public) with the whole platform. The fields below are form fields; the document, "
        "if any, is the part `file` (a DOCX's or ODT's text is indexed for search)."
    ),
)
def share_item(request, payload: Form[LibraryItemIn], file: File[UploadedFile] = None):
    data = payload.dict()
    data["fields"] = [str(f) for f in data["fields"]]
    government = _government(data.pop("government_id"))
    if not permissions.can_edit_government(request.auth, government):  # as share_item, before the rest
        raise PermissionDenied(_("You may not share material for %(name)s.") % {"name": government.name})
    partnership_id = data.pop("partnership_id")
    partnership = None
    if partnership_id is not None:
        partnerships = permissions.visible_partnerships(request.auth, partnership_queryset())
        partnership = params.get_or_invalid(partnerships, partnership_id, "partnership_id", PARTNERSHIP_NOT_FOUND)
    refuse_text_parts(request)
    if file is not None:
        check_upload_field(file)
    with renamed_fields({"partnership": "partnership_id", "government": "government_id"}):
        item = services.share_item(request.auth, government=government, partnership=partnership, upload=file, **data)
    return Reply(201, item)


@uploads.download_operation(
    library_router,
    "/{item_id}/file",
    url_name="download_library_file",
    summary="Download a library item's document",
    what="document",
)
def download_library_file(request, item_id: int):
    """Whoever reads the item (public items: everyone); 404 for a note without a document."""
    item = params.get_or_404(
        permissions.visible_library(request.auth, LibraryItem.objects.all()), item_id, ITEM_NOT_FOUND
    )
    if not item.file:
        raise Http404(_("This library item has no document, only a note."))
    return download_response(item.file, item.file_name, item.content_type)


@library_router.delete("/{item_id}", auth=WRITE, response={204: None, **ERRORS}, summary="Remove a library item")
def delete_library_item(request, item_id: int):
    """Editors of the government that shared it (and platform administrators) remove it, as on its page."""
    item = params.get_or_404(
        permissions.visible_library(request.auth, LibraryItem.objects.all()), item_id, ITEM_NOT_FOUND
    )
    services.delete_item(request.auth, item)
    return Reply(204, None)
