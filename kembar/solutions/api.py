"""/api/solutions: solutions, needs, matches and pilots. Views translate HTTP to
`solutions.services` and `accounts.permissions`, where the rules live.

No `from __future__ import annotations`: ninja evaluates the annotations of paginated views.
"""

import datetime as dt
from typing import Annotated, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, File, Query, Router, Schema, UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status as Reply
from pydantic import StrictBool

from kembar.accounts import permissions
from kembar.api import params, uploads
from kembar.api.auth import READ, WRITE
from kembar.api.errors import ERRORS, WRITE_ERRORS, Error, ValidationErrors
from kembar.api.pagination import Pagination
from kembar.api.schemas import MAX_ID, DateOrNull, Id, InputSchema, omitted, version_read
from kembar.api.uploads import FileOut, download_resolver
from kembar.core.languages import Language
from kembar.partnerships.models import LocalGovernment
from kembar.partnerships.vocab import Field as CooperationField

from . import services
from .models import Need, SolutionAttachment
from .vocab import CostRange, Maturity, MilestoneStatus, PilotStatus, ProviderKind

router = Router(tags=["solutions"], auth=READ)

SOLUTION_NOT_FOUND = gettext_lazy("No solution with id %(id)s.")
NEED_NOT_FOUND = gettext_lazy("No need with id %(id)s.")
PILOT_NOT_FOUND = gettext_lazy("No pilot with id %(id)s.")
ATTACHMENT_NOT_FOUND = gettext_lazy("No attachment with id %(id)s.")
GOVERNMENT_NOT_FOUND = gettext_lazy("No local government with id %(id)s.")

Text = Annotated[str, Field(description="Plain text; leading and trailing spaces are removed.")]


class SolutionGovernmentRef(Schema):
    id: int
    name: str
    country_code: str


class SolutionOut(Schema):
    id: int
    government: SolutionGovernmentRef
    title: str
    summary: str
    problem: str
    provider_kind: ProviderKind
    provider_name: str
    provider_contact: str
    provider_website: str
    fields: list[CooperationField]
    sdg_targets: list[str]
    maturity: Maturity
    evidence: str
    languages: list[str]
    cost_range: CostRange
    adoption_needs: str
    public: bool
    version: int
    updated: dt.datetime

    @staticmethod
    def resolve_fields(obj) -> list[str]:
        return [f.code for f in obj.fields.all()]


class SolutionIn(InputSchema):
    government_id: Id
    title: Text
    summary: Text
    problem: Text
    provider_kind: ProviderKind = ProviderKind.GOVERNMENT
    provider_name: str = ""
    provider_contact: str = ""
    provider_website: str = ""
    fields: list[CooperationField] = []
    sdg_targets: list[str] = Field([], description='Goals 1–17 and SDG 11 targets: "11", "11.5", "11.a".')
    maturity: Maturity = Maturity.IN_USE
    evidence: str = ""
    languages: list[Language] = Field([], max_length=len(Language.values))
    cost_range: CostRange = CostRange.UNKNOWN
    adoption_needs: str = ""
    public: StrictBool = True


class SolutionPatch(InputSchema):
    version: int = version_read()
    title: str = omitted()
    summary: str = omitted()
    problem: str = omitted()
    provider_kind: ProviderKind = omitted()
    provider_name: str = omitted()
    provider_contact: str = omitted()
    provider_website: str = omitted()
    fields: list[CooperationField] = omitted()
    sdg_targets: list[str] = omitted()
    maturity: Maturity = omitted()
    evidence: str = omitted()
    languages: list[Language] = omitted(max_length=len(Language.values))
    cost_range: CostRange = omitted()
    adoption_needs: str = omitted()
    public: StrictBool = omitted()


class NeedOut(Schema):
    id: int
    government: SolutionGovernmentRef
    title: str
    description: str
    fields: list[CooperationField]
    sdg_targets: list[str]
    constraints: str
    budget_range: CostRange
    languages: list[str]
    public: bool
    version: int
    updated: dt.datetime

    @staticmethod
    def resolve_fields(obj) -> list[str]:
        return [f.code for f in obj.fields.all()]


class NeedIn(InputSchema):
    government_id: Id
    title: Text
    description: Text
    fields: list[CooperationField] = []
    sdg_targets: list[str] = []
    constraints: str = ""
    budget_range: CostRange = CostRange.UNKNOWN
    languages: list[Language] = Field([], max_length=len(Language.values))
    public: StrictBool = True


class NeedPatch(InputSchema):
    version: int = version_read()
    title: str = omitted()
    description: str = omitted()
    fields: list[CooperationField] = omitted()
    sdg_targets: list[str] = omitted()
    constraints: str = omitted()
    budget_range: CostRange = omitted()
    languages: list[Language] = omitted(max_length=len(Language.values))
    public: StrictBool = omitted()


class FitOut(Schema):
    id: int
    title: str
    government: SolutionGovernmentRef
    score: float = Field(description="0–1: text 45%, field 25%, SDG 15%, maturity 10%, language 5%.")
    reasons: list[str]


class MilestoneOut(Schema):
    id: int
    title: str
    due: dt.date
    status: MilestoneStatus


class PilotOut(Schema):
    id: int
    solution_id: int
    need_id: int | None
    government: SolutionGovernmentRef
    status: PilotStatus
    outcome: str
    public: bool
    version: int
    milestones: list[MilestoneOut]

    @staticmethod
    def resolve_milestones(obj) -> list:
        return list(obj.milestones.all())


class SolutionInterestIn(InputSchema):
    government_id: Id = Field(description="The adopting government; the caller edits for its office.")
    need_id: Id | None = None


class PilotPatch(InputSchema):
    version: int = version_read()
    status: PilotStatus = omitted()
    outcome: str = omitted()
    public: StrictBool = omitted()


class MilestoneIn(InputSchema):
    title: Text
    due: DateOrNull
    status: MilestoneStatus = MilestoneStatus.PLANNED


def _fits(fits) -> list[dict]:
    return [
        {
            "id": f.item.pk,
            "title": f.item.title,
            "government": f.item.government,
            "score": f.score,
            "reasons": f.reasons,
        }
        for f in fits
    ]


def _government(pk: int) -> LocalGovernment:
    return params.get_or_invalid(LocalGovernment.objects.all(), pk, "government_id", GOVERNMENT_NOT_FOUND)


def _solution(user, pk: int):
    return params.get_or_404(permissions.visible_offers(user, services.solution_queryset()), pk, SOLUTION_NOT_FOUND)


def _need(user, pk: int):
    return params.get_or_404(permissions.visible_offers(user, services.need_queryset()), pk, NEED_NOT_FOUND)


def _pilot(user, pk: int):
    return params.get_or_404(permissions.visible_pilots(user, services.pilot_queryset()), pk, PILOT_NOT_FOUND)


Filters = dict(
    q=Query("", description="Words in the title or texts."),
    field=Query(None, description="A field of cooperation."),
    sdg=Query("", description='An SDG code: "11" or "11.5".'),
    government=Query(None, ge=1, le=MAX_ID, description="Offered or needed by this government."),
)


def _found(user, queryset, text_fields: tuple[str, ...], q: str, field, sdg: str, government: int | None):
    """The offers (solutions or needs) the caller may read that match the Filters, last updated first."""
    f = services.OfferFilter(q=q, field=field or "", sdg=sdg.strip(), government=government)
    visible = permissions.visible_offers(user, queryset)
    return services.filter_offers(visible, f, text_fields).order_by("-updated", "-id")


@router.get("", response={200: list[SolutionOut], 422: ValidationErrors}, summary="List solutions")
@paginate(Pagination)
def list_solutions(
    request,
    q: str = Filters["q"],
    field: CooperationField | None = Filters["field"],
    sdg: str = Filters["sdg"],
    government: int | None = Filters["government"],
):
    """Solutions the caller may read: public ones; for members also those of their government and
    its partners; for oversight bodies and platform administrators all."""
    texts = ("title", "summary", "problem")
    return _found(request.auth, services.solution_queryset(), texts, q, field, sdg, government)


@router.post("", auth=WRITE, response={201: SolutionOut, **WRITE_ERRORS}, summary="Offer a solution")
def create_solution(request, payload: SolutionIn):
    """Editors of the offering government's office (and platform administrators) publish solutions.
    Attachments are uploaded on the page."""
    data = payload.dict()
    government = _government(data.pop("government_id"))
    solution = services.create_solution(request.auth, government, **data)
    return Reply(201, services.solution_queryset().get(pk=solution.pk))


@router.get("/needs", response={200: list[NeedOut], 422: ValidationErrors}, summary="List needs")
@paginate(Pagination)
def list_needs(
    request,
    q: str = Filters["q"],
    field: CooperationField | None = Filters["field"],
    sdg: str = Filters["sdg"],
    government: int | None = Filters["government"],
):
    return _found(request.auth, services.need_queryset(), ("title", "description"), q, field, sdg, government)


@router.post("/needs", auth=WRITE, response={201: NeedOut, **WRITE_ERRORS}, summary="State a need")
def create_need(request, payload: NeedIn):
    data = payload.dict()
    government = _government(data.pop("government_id"))
    need = services.create_need(request.auth, government, **data)
    return Reply(201, services.need_queryset().get(pk=need.pk))


@router.get("/needs/{need_id}", response={200: NeedOut, **ERRORS}, summary="One need")
def get_need(request, need_id: int):
    return _need(request.auth, need_id)


@router.patch(
    "/needs/{need_id}", auth=WRITE, response={200: NeedOut, 409: Error, **WRITE_ERRORS}, summary="Change a need"
)
def update_need(request, need_id: int, payload: NeedPatch):
    need = _need(request.auth, need_id)
    data, version = params.sent_changes(payload)
    services.update_need(request.auth, need, expected_version=version, **data)
    return services.need_queryset().get(pk=need.pk)


@router.get("/needs/{need_id}/matches", response={200: list[FitOut], **ERRORS}, summary="Solutions for a need")
def need_matches(
    request,
    need_id: int,
    scope: Literal["partners", "platform"] = Query(
        "partners",
        description=("partners: solutions offered by the need's government's partners; platform: by anyone."),
    ),
    limit: int = Query(5, ge=1, le=20),
):
    """The best-fitting solutions the caller may read, best first, each with its reasons."""
    need = _need(request.auth, need_id)
    return _fits(services.matches_for_need(request.auth, need, scope, limit))


@router.get("/pilots/{pilot_id}", response={200: PilotOut, **ERRORS}, summary="One pilot")
def get_pilot(request, pilot_id: int):
    return _pilot(request.auth, pilot_id)


@router.patch(
    "/pilots/{pilot_id}",
    auth=WRITE,
    response={200: PilotOut, 409: Error, **WRITE_ERRORS},
    summary="Change a pilot's status or outcome",
)
def update_pilot(request, pilot_id: int, payload: PilotPatch):
    pilot = _pilot(request.auth, pilot_id)
    data, version = params.sent_changes(payload)
    services.update_pilot(request.auth, pilot, expected_version=version, **data)
    return services.pilot_queryset().get(pk=pilot.pk)


@router.post(
    "/pilots/{pilot_id}/milestones",
    auth=WRITE,
    response={201: PilotOut, **WRITE_ERRORS},
    summary="Add a milestone to a pilot",
)
def add_milestone(request, pilot_id: int, payload: MilestoneIn):
    pilot = _pilot(request.auth, pilot_id)
    data = payload.dict()
    if data["due"] is None:
        raise ValidationError({"due": [_("Give the date as YYYY-MM-DD.")]})
    services.add_milestone(request.auth, pilot, **data)
    return Reply(201, services.pilot_queryset().get(pk=pilot.pk))


@router.get("/{solution_id}", response={200: SolutionOut, **ERRORS}, summary="One solution")
def get_solution(request, solution_id: int):
    return _solution(request.auth, solution_id)


@router.patch(
    "/{solution_id}", auth=WRITE, response={200: SolutionOut, 409: Error, **WRITE_ERRORS}, summary="Change a solution"
)
def update_solution(request, solution_id: int, payload: SolutionPatch):
    solution = _solution(request.auth, solution_id)
    data, version = params.sent_changes(payload)
    services.update_solution(request.auth, solution, expected_version=version, **data)
    return services.solution_queryset().get(pk=solution.pk)


@router.get(
    "/{solution_id}/needs", response={200: list[FitOut], **ERRORS}, summary="Partner needs a solution could serve"
)
def solution_needs(request, solution_id: int):
    solution = _solution(request.auth, solution_id)
    return _fits(services.needs_for_solution(request.auth, solution))


@router.post(
    "/{solution_id}/interest",
    auth=WRITE,
    response={201: PilotOut, **WRITE_ERRORS},
    summary="Express interest: start a pilot",
)
def express_interest(request, solution_id: int, payload: SolutionInterestIn):
    """Opens a pilot (status "interest") of the solution in the caller's government and mails the
    offering office. A solution the caller may not see is a 404."""
    solution = _solution(request.auth, solution_id)
    government = _government(payload.government_id)
    if government.pk != solution.government_id and not permissions.can_express_interest(
        request.auth, solution, government.pk
    ):
        raise PermissionDenied(_("Only editors of the adopting government's office may express interest."))
    need = None
    if payload.need_id is not None:
        needs = permissions.visible_offers(request.auth, Need.objects.all())
        need = params.get_or_invalid(needs, payload.need_id, "need_id", NEED_NOT_FOUND)
    pilot = services.express_interest(request.auth, solution, government, need)
    return Reply(201, services.pilot_queryset().get(pk=pilot.pk))


class SolutionAttachmentOut(FileOut):
    sha256: str

    resolve_download = download_resolver("download_solution_attachment")


@uploads.list_operation(router, "/{solution_id}/attachments", SolutionAttachmentOut, "Attachments of a solution")
def list_attachments(request, solution_id: int):
    """Whoever reads the solution, oldest first."""
    return _solution(request.auth, solution_id).attachments.order_by("uploaded", "id")


@uploads.upload_operation(
    router,
    "/{solution_id}/attachments",
    SolutionAttachmentOut,
    auth=WRITE,
    summary="Upload a solution attachment",
    what=(
        "A brochure, evaluation or manual of the solution, as on its edit page: editors of the "
        "government's own office; the solution's version moves on."
    ),
)
def upload_attachment(request, solution_id: int, file: File[UploadedFile]):
    solution = _solution(request.auth, solution_id)
    allowed = permissions.can_edit_offer(request.auth, solution)
    refusal = _("Only editors of the office of %(government)s may change this.") % {
        "government": solution.government.name
    }
    uploads.checked_upload(file, allowed=allowed, refusal=refusal)
    services.update_solution(request.auth, solution, attachments=[file])
    return Reply(201, solution.attachments.order_by("-uploaded", "-id").first())


@uploads.download_operation(
    router,
    "/attachments/{attachment_id}",
    url_name="download_solution_attachment",
    summary="Download a solution attachment",
    what="attachment",
)
def download_attachment(request, attachment_id: int):
    """Whoever reads the solution downloads its attachments."""
    solutions = permissions.visible_offers(request.auth, services.solution_queryset())
    return uploads.stored_file_response(
        SolutionAttachment.objects.filter(solution__in=solutions), attachment_id, ATTACHMENT_NOT_FOUND
    )
