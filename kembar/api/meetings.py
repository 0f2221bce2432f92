"""/api/meetings and /api/library: the slot finder, meetings with minutes and action items, and
the knowledge exchange library. Views translate HTTP to `kembar.meetings.services`.

No `from __future__ import annotations` (ninja evaluates annotations of paginated views)."""
import datetime as dt
from typing import Annotated

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status as Reply

from kembar.accounts import permissions
from kembar.meetings import services
from kembar.meetings.models import LibraryItem
from kembar.partnerships.models import LocalGovernment
from kembar.partnerships.services import partnership_queryset

from . import params
from .auth import READ, WRITE
from .errors import ERRORS, WRITE_ERRORS, Error, ValidationErrors
from .pagination import Pagination
from .schemas import MAX_ID, InputSchema, omitted

router = Router(tags=["meetings"], auth=READ)
library_router = Router(tags=["library"], auth=READ)

MEETING_NOT_FOUND = gettext_lazy("No meeting with id %(id)s.")
ITEM_NOT_FOUND = gettext_lazy("No library item with id %(id)s.")
PARTNERSHIP_NOT_FOUND = gettext_lazy("No partnership with id %(id)s.")
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
        return [{"government_id": g.pk, "name": g.name, "timezone": g.place.timezone, "local_start": s,
                 "local_end": e} for g, s, e in services.local_times(obj)]

    @staticmethod
    def resolve_participants(obj) -> list:
        return list(obj.participants.all())

    @staticmethod
    def resolve_action_items(obj) -> list:
        return list(obj.action_items.all())


class MeetingIn(InputSchema):
    partnership_id: Id
    title: str = Field(min_length=1, max_length=200)
    start: dt.datetime = Field(description="With its offset, e.g. 2026-11-24T23:00:00Z.")
    duration: int = Field(60, ge=15, le=720)
    video_link: str = Field("", max_length=200)
    agenda: list[Annotated[str, Field(max_length=500)]] = Field(default_factory=list, max_length=50)


class MeetingPatch(InputSchema):
    version: int | None = omitted("The version you read; the change is refused (409) if it changed.", ge=1)
    title: str = omitted(min_length=1, max_length=200)
    start: dt.datetime = omitted()
    duration: int = omitted(ge=15, le=720)
    status: str = omitted("planned, invited, held or cancelled.", max_length=10)
    minutes: str = omitted(max_length=100_000)
    decisions: list[Annotated[str, Field(max_length=500)]] = omitted(max_length=100)


class ActionItemIn(InputSchema):
    text: str = Field(min_length=1, max_length=500)
    owner: str = Field(min_length=1, max_length=200)
    government_id: Id
    due: dt.date


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
    created: dt.datetime

    @staticmethod
    def resolve_has_file(obj) -> bool:
        return bool(obj.file)


def _meeting(user, meeting_id: int):
    return params.get_or_404(permissions.visible_meetings(user, services.meeting_queryset()), meeting_id,
                             MEETING_NOT_FOUND)


@router.get("/slots", response={200: SlotsOut, 422: ValidationErrors, 404: Error, 401: Error},
            summary="Find meeting slots for a partnership")
def find_slots(request, partnership_id: int = Query(..., ge=1, le=MAX_ID), start: dt.date = Query(...),
               end: dt.date = Query(...), duration: int = Query(60, ge=15, le=720), top: int = Query(5, ge=1, le=20),
               also: list[int] = Query([], max_length=10,
                                       description="Further partner governments (multilateral meeting).")):
    """The best slots for the partnership's two sides (and any further governments), best first:
    never on a side's weekend or public holiday, ranked by how far outside office hours the
    worst-off side is."""
    partnership = params.get_or_404(permissions.visible_partnerships(request.auth, partnership_queryset()),
                                    partnership_id, PARTNERSHIP_NOT_FOUND)
    governments = [partnership.government_a, partnership.government_b]
    found = LocalGovernment.objects.select_related("place").in_bulk([i for i in also if 0 < i <= MAX_ID])
    missing = [i for i in also if i not in found]
    if missing:
        from django.core.exceptions import ValidationError

        raise ValidationError({"also": [_("No local government with id %(id)s.") % {"id": missing[0]}]})
    governments += [found[i] for i in dict.fromkeys(also) if found[i] not in governments]
    result = services.find_slots_for(governments, start, end, duration, top)
    return {"inside_office_hours": result.inside_office_hours, "notice": result.notice(_),
            "slots": [services.slot_dict(s) for s in result.slots]}


@router.get("", response={200: list[MeetingOut], 422: ValidationErrors}, summary="List meetings")
@paginate(Pagination)
def list_meetings(request):
    """Meetings of the caller's partnerships (all of them for oversight and administrators)."""
    return permissions.visible_meetings(request.auth, services.meeting_queryset().prefetch_related(
        "participants", "action_items")).order_by("-start", "-id")


@router.get("/{meeting_id}", response={200: MeetingOut, **ERRORS}, summary="One meeting")
def get_meeting(request, meeting_id: int):
    return _meeting(request.auth, meeting_id)


@router.post("", auth=WRITE, response={201: MeetingOut, **WRITE_ERRORS}, summary="Schedule a meeting")
def create_meeting(request, payload: MeetingIn):
    """Editors of either partner's office schedule meetings of their partnership."""
    partnership = params.get_or_404(permissions.visible_partnerships(request.auth, partnership_queryset()),
                                    payload.partnership_id, PARTNERSHIP_NOT_FOUND)
    meeting = services.schedule_meeting(request.auth, partnership, title=payload.title, start=payload.start,
                                        duration=payload.duration, video_link=payload.video_link,
                                        agenda="\n".join(payload.agenda))
    return Reply(201, services.meeting_queryset().get(pk=meeting.pk))


@router.patch("/{meeting_id}", auth=WRITE, response={200: MeetingOut, 409: Error, **WRITE_ERRORS},
              summary="Change a meeting or record its minutes")
def update_meeting(request, meeting_id: int, payload: MeetingPatch):
    meeting = _meeting(request.auth, meeting_id)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version", None)
    if "decisions" in data:
        data["decisions"] = "\n".join(data["decisions"] or [])
    services.update_meeting(request.auth, meeting, expected_version=version, **data)
    return services.meeting_queryset().get(pk=meeting.pk)


@router.post("/{meeting_id}/action-items", auth=WRITE, response={201: ActionItemOut, **WRITE_ERRORS},
             summary="Add an action item")
def add_action_item(request, meeting_id: int, payload: ActionItemIn):
    meeting = _meeting(request.auth, meeting_id)
    government = LocalGovernment.objects.filter(pk=payload.government_id).first()
    if government is None:
        from django.core.exceptions import ValidationError

        raise ValidationError({"government_id": [_("No local government with id %(id)s.")
                                                 % {"id": payload.government_id}]})
    item = services.add_action_item(request.auth, meeting, text=payload.text, owner=payload.owner,
                                    government=government, due=payload.due)
    return Reply(201, item)


@library_router.get("", response={200: list[LibraryItemOut], 422: ValidationErrors}, summary="Search the library")
@paginate(Pagination)
def search_library(request, q: str = Query("", max_length=200, description="Words in Bahasa Indonesia or English."),
                   field: str = Query("", max_length=20), sdg: int | None = Query(None, ge=1, le=17)):
    """Public items for everyone; a partnership's own items for its offices, oversight and administrators."""
    queryset = permissions.visible_library(request.auth, LibraryItem.objects.all())
    queryset = services.search_library(queryset, q, field, sdg)
    return queryset if q.strip() else queryset.order_by("-created", "-id")


@library_router.get("/{item_id}", response={200: LibraryItemOut, **ERRORS}, summary="One library item")
def get_library_item(request, item_id: int):
    return params.get_or_404(permissions.visible_library(request.auth, LibraryItem.objects.all()), item_id,
                             ITEM_NOT_FOUND)
