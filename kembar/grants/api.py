"""/api/grants: grant calls, their fits, and partnerships' yearly self-assessments. Views translate
HTTP to `grants.services` and `accounts.permissions`, where the rules live.

No `from __future__ import annotations`: ninja evaluates the annotations of paginated views.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status as Reply

from kembar.accounts import permissions
from kembar.accounts.models import Organisation
from kembar.api import params
from kembar.api.auth import READ, WRITE
from kembar.api.errors import ERRORS, WRITE_ERRORS, Error
from kembar.api.pagination import Pagination
from kembar.api.schemas import Date, Id, InputSchema, omitted, version_read
from kembar.gazetteer.countries import country_code
from kembar.partnerships.models import Partnership
from kembar.partnerships.vocab import Field as CooperationField

from . import services
from .vocab import ActivityType, FunderType, Kind, Level

# Signed-in callers only (a session or a token), reads too: the catalogue is for users of the platform.
router = Router(tags=["grants"], auth=WRITE)

CALL_NOT_FOUND = gettext_lazy("No grant call with id %(id)s.")
PARTNERSHIP_NOT_FOUND = gettext_lazy("No partnership with id %(id)s.")
ASSESSMENT_NOT_FOUND = gettext_lazy("No self-assessment with id %(id)s.")
OFFICE_NOT_FOUND = gettext_lazy("No office with id %(id)s.")

Text = Annotated[str, Field(description="Plain text; leading and trailing spaces are removed.")]
Amount = Annotated[Decimal | None, Field(ge=0, le=services.MAX_AMOUNT, decimal_places=2)]


class OfficeRef(Schema):
    id: int
    name: str


class CallOut(Schema):
    id: int
    title: str
    funder_name: str
    funder_type: FunderType
    partnership_kinds: list[str]
    levels: list[str]
    countries: list[str]
    activity_types: list[str]
    fields: list[CooperationField]
    amount_min: Decimal | None
    amount_max: Decimal | None
    currency: str
    deadline: dt.date
    deadline_time: str | None = Field(
        pattern=r"^\d{2}:\d{2}$", description="The time of day in the funder's zone, HH:MM; null: the end of the day."
    )
    deadline_zone: str
    closes_at: dt.datetime = Field(description="The moment the call closes, in UTC.")
    link: str
    description: str
    office: OfficeRef | None = Field(description="The office that entered it; null: the platform.")
    version: int
    updated: dt.datetime

    @staticmethod
    def resolve_fields(obj) -> list[str]:
        return [f.code for f in obj.fields.all()]

    @staticmethod
    def resolve_deadline_time(obj) -> str | None:
        return obj.deadline_time.strftime("%H:%M") if obj.deadline_time else None


class CallIn(InputSchema):
    office_id: Id | None = Field(
        None, description="The office entering the call; null: the platform (administrators), or your only office."
    )
    title: Text
    funder_name: Text
    funder_type: FunderType
    description: Text
    link: str = Field(description="http or https")
    deadline: Date
    deadline_time: dt.time | None = None
    deadline_zone: str = Field("UTC", description="IANA time zone of the deadline, such as Europe/Brussels.")
    amount_min: Amount = None
    amount_max: Amount = None
    currency: str = ""
    partnership_kinds: list[Kind] = Field([], max_length=len(Kind.values))
    levels: list[Level] = Field([], max_length=len(Level.values))
    countries: list[str] = Field([], max_length=250, description="ISO 3166 alpha-2 codes or names; empty: any.")
    fields: list[CooperationField] = Field([], max_length=len(CooperationField.values))
    activity_types: list[ActivityType] = Field([], max_length=len(ActivityType.values))


class CallPatch(InputSchema):
    version: int = version_read()
    title: str = omitted()
    funder_name: str = omitted()
    funder_type: FunderType = omitted()
    description: str = omitted()
    link: str = omitted()
    deadline: Date = omitted()
    deadline_time: dt.time | None = omitted()
    deadline_zone: str = omitted()
    amount_min: Amount = omitted()
    amount_max: Amount = omitted()
    currency: str = omitted()
    partnership_kinds: list[Kind] = omitted(max_length=len(Kind.values))
    levels: list[Level] = omitted(max_length=len(Level.values))
    countries: list[str] = omitted(max_length=250)
    fields: list[CooperationField] = omitted(max_length=len(CooperationField.values))
    activity_types: list[ActivityType] = omitted(max_length=len(ActivityType.values))


class PartnershipRef(Schema):
    id: int
    name: str


class PartnershipFitOut(Schema):
    partnership: PartnershipRef
    score: float = Field(description="0–1: eligibility 30%, shared fields 45%, shared kinds of activity 25%.")
    reasons: list[str]


class CallFitOut(Schema):
    call: CallOut
    score: float
    reasons: list[str]


class Answer(Schema):
    score: int = Field(ge=1, le=5)
    comment: str = Field("", max_length=services.COMMENT_MAX)


class AssessmentOut(Schema):
    id: int
    partnership_id: int
    government_id: int
    year: int
    answers: dict[str, Answer]
    scores: dict[str, float] = Field(description="Mean score of each dimension, and overall.")
    version: int
    updated: dt.datetime

    @staticmethod
    def resolve_scores(obj) -> dict[str, float]:
        return services.dimension_scores(obj.answers)


class AssessmentIn(InputSchema):
    government_id: Id = Field(description="The side answering: one of the partnership's two governments.")
    answers: dict[str, Answer] = Field(description="One answer per question code (see the docs).", max_length=50)


class AssessmentPatch(InputSchema):
    version: int = version_read()
    answers: dict[str, Answer] = Field(max_length=50)


def _partnership(user, pk: int) -> Partnership:
    return params.get_or_404(
        permissions.visible_partnerships(
            user, Partnership.objects.select_related("government_a__place", "government_b__place")
        ),
        pk,
        PARTNERSHIP_NOT_FOUND,
    )


def _signed_in(user) -> None:
    if not permissions.can_read_grant_calls(user):
        raise PermissionDenied(gettext_lazy("Sign in to read grant calls."))


@router.get("/calls", response={200: list[CallOut], **ERRORS}, summary="List grant calls")
@paginate(Pagination)
def list_calls(
    request,
    q: str = Query("", max_length=200, description="Words in the title, funder or description."),
    funder_type: FunderType | None = Query(None),
    field: CooperationField | None = Query(None, description="Calls for this field (or for any)."),
    country: str = Query("", max_length=60, description="Calls open to this country (a name or code)."),
    closed: bool = Query(False, description="Include calls past their deadline."),
):
    """Open grant calls (soonest deadline first), for signed-in callers."""
    _signed_in(request.auth)
    code = (country_code(country) or "??") if country.strip() else ""
    f = services.CallFilter(q=q, funder_type=funder_type or "", field=field or "", country=code, closed=closed)
    return services.filter_calls(services.call_queryset(), f).order_by("closes_at", "id")


@router.post("/calls", auth=WRITE, response={201: CallOut, **WRITE_ERRORS}, summary="Enter a grant call")
def create_call(request, payload: CallIn):
    """Platform administrators (for the platform or an office) and editors of an office (for it)."""
    data = payload.dict()
    office_id = data.pop("office_id")
    office = None
    if office_id is not None:
        office = params.get_or_invalid(Organisation.objects.all(), office_id, "office_id", OFFICE_NOT_FOUND)
    call = services.create_call(request.auth, office=office, **data)
    return Reply(201, services.call_queryset().get(pk=call.pk))


@router.get("/calls/{call_id}", response={200: CallOut, **ERRORS}, summary="One grant call")
def get_call(request, call_id: int):
    _signed_in(request.auth)
    return params.get_or_404(services.call_queryset(), call_id, CALL_NOT_FOUND)


@router.patch(
    "/calls/{call_id}", auth=WRITE, response={200: CallOut, 409: Error, **WRITE_ERRORS}, summary="Change a grant call"
)
def update_call(request, call_id: int, payload: CallPatch):
    call = params.get_or_404(services.call_queryset(), call_id, CALL_NOT_FOUND)
    data, version = params.sent_changes(payload)
    services.update_call(request.auth, call, expected_version=version, **data)
    return services.call_queryset().get(pk=call.pk)


@router.get(
    "/calls/{call_id}/partnerships", response={200: list[PartnershipFitOut], **ERRORS}, summary="Partnerships that fit"
)
def call_partnerships(request, call_id: int):
    """The caller's offices' partnerships (for oversight and administrators, the platform's) that
    fit the call, best first, with reasons."""
    _signed_in(request.auth)
    call = params.get_or_404(services.call_queryset(), call_id, CALL_NOT_FOUND)
    return [
        {"partnership": {"id": f.item.pk, "name": str(f.item)}, "score": f.score, "reasons": f.reasons}
        for f in services.partnerships_for_call(request.auth, call)
    ]


# A partnership's routes answer anonymous callers too: 404 for what they may not read, as everywhere.
@router.get(
    "/partnerships/{partnership_id}/calls",
    auth=READ,
    response={200: list[CallFitOut], **ERRORS},
    summary="Grant calls that fit",
)
def partnership_calls(request, partnership_id: int):
    """The open grant calls a partnership fits, best first, with reasons (none for anonymous callers)."""
    partnership = _partnership(request.auth, partnership_id)
    return [
        {"call": f.item, "score": f.score, "reasons": f.reasons}
        for f in services.calls_for_partnership(request.auth, partnership)
    ]


@router.get(
    "/partnerships/{partnership_id}/assessments",
    auth=READ,
    response={200: list[AssessmentOut], **ERRORS},
    summary="A partnership's self-assessments",
)
def list_assessments(request, partnership_id: int):
    """Both sides' answers, newest year first: for members of the two offices, oversight bodies
    and platform administrators (404 for everyone else)."""
    partnership = _partnership(request.auth, partnership_id)
    if not permissions.can_view_assessments(request.auth, partnership):
        raise Http404(PARTNERSHIP_NOT_FOUND % {"id": partnership_id})
    return list(services.assessment_queryset().filter(partnership=partnership).order_by("-year", "government_id"))


@router.post(
    "/partnerships/{partnership_id}/assessments",
    auth=WRITE,
    response={201: AssessmentOut, 409: Error, **WRITE_ERRORS},
    summary="Answer this year's self-assessment",
)
def create_assessment(request, partnership_id: int, payload: AssessmentIn):
    """One side's answers for the current year (at its place). A second answer for the same side
    and year is refused (422): change it with PATCH."""
    partnership = _partnership(request.auth, partnership_id)
    data = payload.dict()
    government_id = data["government_id"]
    if not permissions.can_answer_assessment(request.auth, partnership, government_id):
        raise PermissionDenied(gettext_lazy("Only editors of a side's office answer its self-assessment."))
    year = services.local_year(partnership, government_id)
    if services.SelfAssessment.objects.filter(partnership=partnership, government_id=government_id, year=year).exists():
        raise ValidationError(
            {"government_id": [gettext_lazy("This side has answered this year: change it with PATCH.")]}
        )
    saved = services.answer_assessment(request.auth, partnership, government_id, data["answers"], year=year)
    return Reply(201, services.assessment_queryset().get(pk=saved.pk))


@router.get(
    "/assessments/{assessment_id}", auth=READ, response={200: AssessmentOut, **ERRORS}, summary="One self-assessment"
)
def get_assessment(request, assessment_id: int):
    """For members of the two offices, oversight bodies and platform administrators (404 otherwise)."""
    return params.get_or_404(
        permissions.visible_assessments(request.auth, services.assessment_queryset()),
        assessment_id,
        ASSESSMENT_NOT_FOUND,
    )


@router.patch(
    "/assessments/{assessment_id}",
    auth=WRITE,
    response={200: AssessmentOut, 409: Error, **WRITE_ERRORS},
    summary="Change a self-assessment",
)
def update_assessment(request, assessment_id: int, payload: AssessmentPatch):
    assessment = params.get_or_404(
        permissions.visible_assessments(request.auth, services.assessment_queryset()),
        assessment_id,
        ASSESSMENT_NOT_FOUND,
    )
    data, version = params.sent_changes(payload)
    services.update_assessment(request.auth, assessment, data.get("answers", {}), expected_version=version)
    return services.assessment_queryset().get(pk=assessment.pk)
