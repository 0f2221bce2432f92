"""/api/activities and /api/partnerships/{id}/activities: views only translate HTTP to
`activities.services` (writes), `activities.queries` (reads) and `accounts.permissions`.

No `from __future__ import annotations` (see kembar/api/partnerships.py).
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, File, Router, Schema, UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status as Reply

from kembar.accounts import permissions
from kembar.api import params, uploads
from kembar.api.auth import READ, WRITE
from kembar.api.errors import ERRORS, WRITE_ERRORS, Error
from kembar.api.pagination import Pagination
from kembar.api.schemas import MAX_ID, DateTime, DateTimeOrNull, InputSchema, omitted, version_read
from kembar.api.uploads import FileOut, download_resolver
from kembar.partnerships.api import visible_partnership
from kembar.partnerships.vocab import Field as CooperationField

from . import queries, services
from .models import Activity, ActivityAttachment, AidDocument, AidShipment, government_zone
from .vocab import ActivityStatus, ActivityType, Modality

router = Router(tags=["activities"], auth=READ)
NOT_FOUND = gettext_lazy("No activity with id %(id)s.")
NO_SHIPMENT = gettext_lazy("No aid shipment with id %(id)s.")
NO_FILE = gettext_lazy("No document with id %(id)s.")
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Count = Annotated[int, Field(description="At least 0.")]
LOCAL = (
    "An ISO 8601 date and time. With an offset (or Z) it is taken as it is; without one it is the host's local time."
)


class ChangeOut(Schema):
    kind: str
    occurrence: dt.datetime | None
    reason: str
    old_start: dt.datetime | None
    new_start: dt.datetime | None = Field(description="null: the new date is to be decided.")
    old_modality: str
    new_modality: str
    created: dt.datetime


class ActivityOut(Schema):
    id: int
    partnership_id: int
    title: str
    type: ActivityType
    field: str
    modality: Modality
    status: ActivityStatus
    host_id: int
    start: dt.datetime = Field(description="UTC.")
    end: dt.datetime
    timezone: str = Field(description="The host place's time zone, in which the activity is shown.")
    start_local: str = Field(description="The start in the host's time zone, with its offset.")
    end_local: str = Field(description="The end in the host's time zone, with its own offset (daylight saving).")
    date_tbd: bool = Field(description="Postponed, the new date still to be decided.")
    recurrence: str
    exceptions: list[str]
    location: str
    description: str
    participants_a: int | None
    participants_b: int | None
    breakdown: dict
    budget: Decimal | None
    currency: str
    outcomes: str
    sdg_targets: list[str]
    public: bool
    planned_start: dt.datetime | None
    planned_modality: str
    version: int
    changes: list[ChangeOut]

    @staticmethod
    def resolve_timezone(obj) -> str:
        return obj.host.place.timezone or "UTC"

    @staticmethod
    def resolve_start_local(obj) -> str:
        return obj.start.astimezone(obj.zone).isoformat()

    @staticmethod
    def resolve_end_local(obj) -> str:
        return obj.end.astimezone(obj.zone).isoformat()

    @staticmethod
    def resolve_changes(obj) -> list:
        return list(obj.changes.all())


class ActivityIn(InputSchema):
    title: str = Field(max_length=200)
    type: ActivityType
    field: CooperationField | None = None
    modality: Modality = Modality.IN_PERSON
    status: ActivityStatus = ActivityStatus.PLANNED
    host_id: Id = Field(description="One of the two partner governments.")
    start: DateTime = Field(description=LOCAL)
    end: DateTime = Field(description=LOCAL)
    recurrence: str = Field("", max_length=300, description="An RFC 5545 RRULE, e.g. FREQ=YEARLY;INTERVAL=2.")
    exceptions: list[DateTime] = Field([], description="Starts of occurrences that do not take place.")
    location: str = Field("", max_length=200)
    description: str = ""
    participants_a: int | None = None
    participants_b: int | None = None
    breakdown: dict[str, dict[str, int]] = Field({}, description='{"a": {"female": 12, "18_29": 20}, "b": {...}}')
    budget: Decimal | None = Field(None, max_digits=16, decimal_places=2)
    currency: str = Field("", max_length=3, description="ISO 4217: IDR, JPY, USD, EUR...")
    outcomes: str = ""
    sdg_targets: list[str] = Field([], description="Goals 1–17 and SDG 11 targets 11.1–11.7, 11.a–11.c.")
    public: bool = Field(False, description="Shown on the public portal and feeds; private unless sent as true.")


class ActivityPatch(InputSchema):
    title: str = omitted(max_length=200)
    type: ActivityType = omitted()
    field: CooperationField = omitted()
    modality: Modality = omitted()
    status: ActivityStatus = omitted()
    host_id: Id = omitted()
    start: DateTime = omitted(LOCAL)
    end: DateTime = omitted(LOCAL)
    recurrence: str = omitted(max_length=300)
    location: str = omitted(max_length=200)
    description: str = omitted()
    participants_a: int = omitted()
    participants_b: int = omitted()
    budget: Decimal = omitted(max_digits=16, decimal_places=2)
    currency: str = omitted(max_length=3)
    outcomes: str = omitted()
    sdg_targets: list[str] = omitted()
    public: bool = omitted()
    version: int = version_read()


class PostponeIn(InputSchema):
    reason: str = Field(min_length=1)
    new_start: DateTimeOrNull = Field(None, description="null: the new date is to be decided. " + LOCAL)
    new_end: DateTimeOrNull = None
    occurrence: DateTimeOrNull = Field(
        None, description="Postpone only this occurrence of a series (its planned start)."
    )
    version: int = version_read()


class ConvertIn(InputSchema):
    modality: Modality
    reason: str = ""
    version: int = version_read()


def _visible(user):
    return permissions.visible_under_partnership(user, queries.activity_queryset().prefetch_related("changes"))


def _get(user, activity_id: int) -> Activity:
    return params.get_or_404(_visible(user), activity_id, NOT_FOUND)


def _moment(value, zone, field: str = "start"):
    if value is None:
        return None
    try:
        return value.astimezone(dt.UTC) if timezone.is_aware(value) else value.replace(tzinfo=zone).astimezone(dt.UTC)
    except OverflowError:  # year 1 or 9999 in a zone east or west of Greenwich
        raise ValidationError(
            {
                field: [
                    _("Give a date between %(first)s and %(last)s.")
                    % {"first": services.EARLIEST, "last": services.LATEST}
                ]
            }
        )


def _data(partnership, data: dict, current: Activity | None = None) -> dict:
    if "host_id" in data:
        host_id = data.pop("host_id")
        host = next((g for g in partnership.governments if g.pk == host_id), None)
        if host is None:
            raise ValidationError({"host_id": [_("The host must be one of the two partners.")]})
        data["host"] = host
    zone = government_zone(data.get("host") or current.host)
    for name in ("start", "end"):
        if name in data:
            data[name] = _moment(data[name], zone, name)
    if "exceptions" in data:
        data["exceptions"] = [_moment(e, zone, "exceptions") for e in data["exceptions"]]
    if data.get("field") is None and "field" in data:
        data["field"] = ""
    if "currency" in data:
        data["currency"] = (data["currency"] or "").upper()
    return data


@router.get(
    "/partnerships/{partnership_id}/activities",
    response={200: list[ActivityOut], **ERRORS},
    summary="Activities of a partnership",
)
@paginate(Pagination)
def list_activities(request, partnership_id: int):
    """Public activities of a partnership the caller may read; its partners, oversight bodies
    and platform administrators also see the ones not public."""
    partnership = visible_partnership(request.auth, partnership_id)
    return _visible(request.auth).filter(partnership=partnership).order_by("start", "id")


@router.post(
    "/partnerships/{partnership_id}/activities",
    auth=WRITE,
    response={201: ActivityOut, **WRITE_ERRORS},
    summary="Record an activity",
)
def create_activity(request, partnership_id: int, payload: ActivityIn):
    """Editors of either partner's office (and platform administrators) may."""
    partnership = visible_partnership(request.auth, partnership_id)
    activity = services.create_activity(request.auth, partnership, **_data(partnership, payload.dict()))
    return Reply(201, _visible(request.auth).get(pk=activity.pk))


@router.get("/activities/{activity_id}", response={200: ActivityOut, **ERRORS}, summary="One activity")
def get_activity(request, activity_id: int):
    return _get(request.auth, activity_id)


@router.patch(
    "/activities/{activity_id}",
    auth=WRITE,
    response={200: ActivityOut, 409: Error, **WRITE_ERRORS},
    summary="Change an activity",
)
def update_activity(request, activity_id: int, payload: ActivityPatch):
    """Leave out what stays. Postponing and changing the modality have their own operations,
    which keep the original plan on record."""
    activity = _get(request.auth, activity_id)
    data, version = params.sent_changes(payload)
    services.update_activity(
        request.auth, activity, expected_version=version, **_data(activity.partnership, data, activity)
    )
    return _visible(request.auth).get(pk=activity.pk)


@router.post(
    "/activities/{activity_id}/postpone",
    auth=WRITE,
    response={200: ActivityOut, 409: Error, **WRITE_ERRORS},
    summary="Postpone an activity",
)
def postpone_activity(request, activity_id: int, payload: PostponeIn):
    """To a new date or to one still to be decided; with `occurrence`, only that occurrence of a series."""
    activity = _get(request.auth, activity_id)
    zone = activity.zone
    services.postpone(
        request.auth,
        activity,
        reason=payload.reason,
        new_start=_moment(payload.new_start, zone, "new_start"),
        new_end=_moment(payload.new_end, zone, "new_end"),
        occurrence=_moment(payload.occurrence, zone, "occurrence"),
        expected_version=payload.version,
    )
    return _visible(request.auth).get(pk=activity.pk)


@router.post(
    "/activities/{activity_id}/convert",
    auth=WRITE,
    response={200: ActivityOut, 409: Error, **WRITE_ERRORS},
    summary="Change an activity's modality",
)
def convert_activity(request, activity_id: int, payload: ConvertIn):
    activity = _get(request.auth, activity_id)
    services.convert(
        request.auth, activity, modality=payload.modality, reason=payload.reason, expected_version=payload.version
    )
    return _visible(request.auth).get(pk=activity.pk)


@router.delete("/activities/{activity_id}", auth=WRITE, response={204: None, **ERRORS}, summary="Delete an activity")
def delete_activity(request, activity_id: int):
    services.delete_activity(request.auth, _get(request.auth, activity_id))
    return Reply(204, None)


# --- documents: activity attachments and aid documents ----------------------------------------


class AttachmentOut(FileOut):
    resolve_download = download_resolver("download_activity_file")


class AidDocumentOut(FileOut):
    resolve_download = download_resolver("download_aid_document")


def _shipment(user, shipment_id: int) -> AidShipment:
    return params.get_or_404(
        permissions.visible_under_partnership(user, AidShipment.objects.select_related("partnership")),
        shipment_id,
        NO_SHIPMENT,
    )


EDIT_REFUSED = gettext_lazy("You may not change the activities of this partnership.")


@uploads.list_operation(router, "/activities/{activity_id}/attachments", AttachmentOut, "Attachments of an activity")
def list_activity_files(request, activity_id: int):
    """Whoever reads the activity, oldest first."""
    return _get(request.auth, activity_id).attachments.order_by("uploaded", "id")


@uploads.upload_operation(
    router,
    "/activities/{activity_id}/attachments",
    AttachmentOut,
    auth=WRITE,
    summary="Upload an activity attachment",
    what="A programme, photo or report of the activity; editors of either partner's office.",
)
def upload_activity_file(request, activity_id: int, file: File[UploadedFile]):
    activity = _get(request.auth, activity_id)
    allowed = permissions.can_edit_under_partnership(request.auth, activity)
    checked = uploads.checked_upload(file, allowed=allowed, refusal=EDIT_REFUSED)
    return Reply(201, services.attach(request.auth, activity, file, checked))


@uploads.download_operation(
    router,
    "/activity-files/{file_id}",
    url_name="download_activity_file",
    summary="Download an activity attachment",
    what="attachment",
)
def download_activity_file(request, file_id: int):
    """Whoever reads the activity downloads its attachments."""
    return uploads.stored_file_response(
        ActivityAttachment.objects.filter(activity__in=_visible(request.auth)), file_id, NO_FILE
    )


@uploads.list_operation(router, "/aid/{shipment_id}/documents", AidDocumentOut, "Documents of an aid shipment")
def list_aid_documents(request, shipment_id: int):
    """Whoever reads the shipment, oldest first."""
    return _shipment(request.auth, shipment_id).documents.order_by("uploaded", "id")


@uploads.upload_operation(
    router,
    "/aid/{shipment_id}/documents",
    AidDocumentOut,
    auth=WRITE,
    summary="Upload an aid document",
    what="A packing list, receipt or handover record; editors of either partner's office.",
)
def upload_aid_document(request, shipment_id: int, file: File[UploadedFile]):
    shipment = _shipment(request.auth, shipment_id)
    allowed = permissions.can_edit_under_partnership(request.auth, shipment)
    checked = uploads.checked_upload(file, allowed=allowed, refusal=EDIT_REFUSED)
    return Reply(201, services.attach_aid_document(request.auth, shipment, file, checked))


@uploads.download_operation(
    router,
    "/aid-documents/{document_id}",
    url_name="download_aid_document",
    summary="Download an aid document",
    what="document",
)
def download_aid_document(request, document_id: int):
    """Whoever reads the shipment downloads its documents."""
    shipments = permissions.visible_under_partnership(request.auth, AidShipment.objects.all())
    return uploads.stored_file_response(AidDocument.objects.filter(shipment__in=shipments), document_id, NO_FILE)
