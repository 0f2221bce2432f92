"""/api/plans: plans of action (objectives, targets with computed progress, planned activities,
budget lines), the money of activities, aid shipments and pilots, totals by funder and year, and
the exchange rates. Views translate HTTP to `plans.services` and `accounts.permissions`.

No `from __future__ import annotations`: ninja evaluates the annotations of paginated views.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status as Reply

from kembar.accounts import permissions
from kembar.activities.models import Activity, AidShipment
from kembar.agreements.models import Agreement
from kembar.api import params
from kembar.api.auth import READ, WRITE
from kembar.api.errors import ERRORS, WRITE_ERRORS, Error, ValidationErrors
from kembar.api.pagination import Pagination
from kembar.api.schemas import MAX_ID, Date, Id, InputSchema, omitted, version_read
from kembar.partnerships.models import LocalGovernment, Partnership
from kembar.solutions.models import Pilot

from . import services
from .models import ExchangeRate, Objective, Plan, Target
from .vocab import Funder, Indicator, LineKind

router = Router(tags=["plans"], auth=READ)

PLAN_NOT_FOUND = gettext_lazy("No plan of action with id %(id)s.")
OBJECTIVE_NOT_FOUND = gettext_lazy("No objective with id %(id)s.")
TARGET_NOT_FOUND = gettext_lazy("No target with id %(id)s.")
PARTNERSHIP_NOT_FOUND = gettext_lazy("No partnership with id %(id)s.")
GOVERNMENT_NOT_FOUND = gettext_lazy("No local government with id %(id)s.")
RECORD_NOT_FOUND = gettext_lazy("No record with id %(id)s.")

Text = Annotated[str, Field(max_length=4000, description="Plain text; leading and trailing spaces are removed.")]
Title = Annotated[str, Field(max_length=200)]
Year = Annotated[int, Field(ge=1950, le=2100)]
Amount = Annotated[Decimal, Field(gt=0, max_digits=16, decimal_places=2)]
Currency = Annotated[str, Field(min_length=3, max_length=3, description="ISO 4217: IDR, USD, EUR...")]


def _check(user, partnership: Partnership, message=PARTNERSHIP_NOT_FOUND) -> None:
    """404 for a partnership the caller does not read; 403 when it is public but its plans are
    internal to its two offices."""
    if permissions.can_read_plans(user, (partnership.government_a_id, partnership.government_b_id)):
        return
    if permissions.can_view_partnership(user, partnership):
        raise PermissionDenied(_("Plans and money are read by the two partners' offices and oversight bodies."))
    raise Http404(message % {"id": partnership.pk})


def _plan(user, pk: int) -> Plan:
    plan = params.get_or_404(Plan.objects.select_related("partnership"), pk, PLAN_NOT_FOUND)
    _check(user, plan.partnership, PLAN_NOT_FOUND)
    return plan


def _objective(user, pk: int) -> Objective:
    objective = params.get_or_404(Objective.objects.select_related("plan__partnership"), pk, OBJECTIVE_NOT_FOUND)
    _check(user, objective.plan.partnership, OBJECTIVE_NOT_FOUND)
    return objective


def _target(user, pk: int) -> Target:
    target = params.get_or_404(Target.objects.select_related("objective__plan__partnership"), pk, TARGET_NOT_FOUND)
    _check(user, target.objective.plan.partnership, TARGET_NOT_FOUND)
    return target


class PlanSummary(Schema):
    id: int
    partnership: int = Field(alias="partnership_id")
    agreement: int | None = Field(alias="agreement_id")
    title: str
    first_year: int
    last_year: int
    summary: str
    currency: str
    version: int
    updated: dt.datetime


class PlanIn(InputSchema):
    partnership_id: Id
    title: Title
    first_year: Year
    last_year: Year
    agreement_id: Id | None = None
    summary: Text = ""
    currency: Currency = "IDR"


class PlanPatch(InputSchema):
    title: Title = omitted()
    first_year: Year = omitted()
    last_year: Year = omitted()
    agreement_id: Id | None = omitted("The agreement's id; null for none.")
    summary: Text = omitted()
    currency: Currency = omitted()
    version: int = version_read()


class TargetOut(Schema):
    id: int
    objective: str
    side: str
    title: str
    indicator: str
    target: str
    unit: str
    sdg_target: str
    achieved: str
    percent: int
    linked: int


class PlanOut(Schema):
    plan: dict
    version: int
    targets: list[TargetOut]
    planned_activities: list[dict]
    budget: dict
    funding: list[dict]
    funding_totals: list[dict]


class ObjectiveIn(InputSchema):
    side_id: Id | None = Field(None, description="The government that leads it (default: the caller's side).")
    title: Title
    description: Text = ""
    unit_a: Title = ""
    unit_b: Title = ""


class ObjectiveOut(Schema):
    id: int
    plan: int = Field(alias="plan_id")
    side: int = Field(alias="side_id")
    title: str
    description: str
    unit_a: str
    unit_b: str
    version: int


class TargetIn(InputSchema):
    title: Title
    indicator: Indicator
    target_value: Amount
    unit: Annotated[str, Field(max_length=40)] = ""
    sdg_target: Annotated[str, Field(max_length=5)] = ""


class TargetPatch(InputSchema):
    title: Title = omitted()
    indicator: Indicator = omitted()
    target_value: Amount = omitted()
    unit: Annotated[str, Field(max_length=40)] = omitted()
    sdg_target: Annotated[str, Field(max_length=5)] = omitted()
    version: int = version_read()


class TargetRecord(Schema):
    id: int
    objective: int = Field(alias="objective_id")
    title: str
    indicator: str
    target_value: Decimal
    unit: str
    sdg_target: str
    achieved: Decimal
    percent: int
    version: int


class LinkIn(InputSchema):
    activity_id: Id | None = None
    aid_id: Id | None = None
    pilot_id: Id | None = None


class LinkOut(Schema):
    id: int
    target: int = Field(alias="target_id")
    activity: int | None = Field(alias="activity_id")
    aid: int | None = Field(alias="aid_id")
    pilot: int | None = Field(alias="pilot_id")


class LineIn(InputSchema):
    side_id: Id | None = Field(None, description="The side entering it (default: the caller's).")
    kind: LineKind = LineKind.BUDGET
    funder: Funder
    funder_name: Title = ""
    amount: Amount
    currency: Currency
    on: Date
    note: Title = ""


class RecordLineIn(LineIn):
    activity_id: Id | None = None
    aid_id: Id | None = None
    pilot_id: Id | None = None


class LineOut(Schema):
    id: int
    kind: str
    funder: str
    funder_name: str
    amount: Decimal
    currency: str
    on: dt.date
    note: str
    side: int = Field(alias="side_id")
    plan: int | None = Field(alias="plan_id")
    activity: int | None = Field(alias="activity_id")
    aid: int | None = Field(alias="aid_id")
    pilot: int | None = Field(alias="pilot_id")


class ConvertedLineOut(Schema):
    line: LineOut
    converted: Decimal | None
    currency: str
    rate: str | None


class TotalRow(Schema):
    year: int
    funder: str
    budget: Decimal | None
    spent: Decimal | None


class TotalsOut(Schema):
    currency: str
    rows: list[TotalRow]
    lines: list[ConvertedLineOut]
    unconverted: int


class RateOut(Schema):
    currency: str
    quote: str
    rate: Decimal
    valid_from: dt.date
    source: str


def _plan_out(plan: Plan) -> dict:
    return {**services.plan_json(services.plan_view(plan)), "version": plan.version}


def _target_record(target: Target) -> dict:
    progress = services.progress([target])[target.pk]
    return {
        **{name: getattr(target, name) for name in ("id", "objective_id", "title", "indicator", "unit", "sdg_target")},
        "target_value": target.target_value,
        "achieved": progress.achieved,
        "percent": progress.percent,
        "version": target.version,
    }


def _totals_out(found: services.Totals) -> dict:
    return {
        "currency": found.currency,
        "rows": found.table(),
        "lines": [
            {
                "line": x.line,
                "converted": x.converted,
                "currency": found.currency,
                "rate": x.rate.describe() if x.rate else None,
            }
            for x in found.lines
        ],
        "unconverted": len(found.unconverted),
    }


def _agreement(data: dict, partnership: Partnership) -> None:
    if "agreement_id" in data:
        pk = data.pop("agreement_id")
        data["agreement"] = (
            None
            if pk is None
            else params.get_or_invalid(
                Agreement.objects.filter(partnership=partnership),
                pk,
                "agreement_id",
                gettext_lazy("No agreement with id %(id)s in this partnership."),
            )
        )


@router.get("", response={200: list[PlanSummary], 422: ValidationErrors}, summary="List plans of action")
@paginate(Pagination)
def list_plans(request, partnership: int | None = Query(None, ge=1, le=MAX_ID, description="Of this partnership.")):
    """Plans of the partnerships whose plans the caller reads (the two offices, oversight bodies,
    platform administrators), latest first."""
    readable = permissions.visible_plan_partnerships(request.auth, Partnership.objects.all())
    qs = Plan.objects.filter(partnership__in=readable.values("pk"))
    if partnership is not None:
        qs = qs.filter(partnership_id=partnership)
    return qs.order_by("-first_year", "-id")


@router.post("", auth=WRITE, response={201: PlanSummary, **WRITE_ERRORS}, summary="Make a plan of action")
def create_plan(request, payload: PlanIn):
    data = payload.dict()
    partnership = params.get_or_invalid(
        Partnership.objects.all(), data.pop("partnership_id"), "partnership_id", PARTNERSHIP_NOT_FOUND
    )
    if not permissions.plan_sides(request.auth, (partnership.government_a_id, partnership.government_b_id)):
        raise PermissionDenied(_("Only editors of the two partners' offices may make its plans."))
    _agreement(data, partnership)
    return Reply(201, services.create_plan(request.auth, partnership, **data))


@router.get("/money/lines", response={200: list[ConvertedLineOut], **ERRORS}, summary="Money lines of a record")
def record_lines(
    request,
    activity: int | None = Query(None, ge=1, le=MAX_ID),
    aid: int | None = Query(None, ge=1, le=MAX_ID),
    pilot: int | None = Query(None, ge=1, le=MAX_ID),
    currency: str = Query("IDR", min_length=3, max_length=3),
):
    """The budget and spent lines of one activity, aid shipment or pilot, each converted to
    `currency` at the rate in force on its date (the rate used beside it)."""
    record = _record(request.auth, activity, aid, pilot)
    return _totals_out(services.totals(services.lines_of(record), services.check_currency(currency)))["lines"]


def _record(user, activity, aid, pilot):
    given = [(m, pk) for m, pk in ((Activity, activity), (AidShipment, aid), (Pilot, pilot)) if pk is not None]
    if len(given) != 1:
        raise ValidationError({"activity": [_("Give one of activity, aid or pilot.")]})
    model, pk = given[0]
    record = model.objects.filter(pk=pk).first()
    if record is None or not services.can_read(user, record):
        raise Http404(RECORD_NOT_FOUND % {"id": pk})
    return record


@router.post("/money/lines", auth=WRITE, response={201: LineOut, **WRITE_ERRORS}, summary="Add a money line")
def add_record_line(request, payload: RecordLineIn):
    """A budget or spent line of an activity, aid shipment or pilot (exactly one of the three ids),
    in the name of the caller's side."""
    data = payload.dict()
    record = _record(request.auth, data.pop("activity_id"), data.pop("aid_id"), data.pop("pilot_id"))
    return Reply(201, services.add_line(request.auth, record, side=data.pop("side_id"), **data))


@router.get("/money/totals", response={200: TotalsOut, **ERRORS}, summary="Money by funder and year")
def money_totals(
    request,
    partnership: int | None = Query(None, ge=1, le=MAX_ID),
    government: int | None = Query(None, ge=1, le=MAX_ID, description="An office's government: all its partnerships."),
    currency: str = Query("IDR", min_length=3, max_length=3),
    year: int | None = Query(None, ge=1950, le=2100),
):
    """A partnership's or an office's money by funder and year, converted to `currency` at the
    rate in force on each line's date, and every line with the rate used."""
    if (partnership is None) == (government is None):
        raise ValidationError({"partnership": [_("Give a partnership or a government.")]})
    if partnership is not None:
        found = params.get_or_404(Partnership.objects.all(), partnership, PARTNERSHIP_NOT_FOUND)
        _check(request.auth, found)
        lines = services.partnership_lines(found)
    else:
        gov = params.get_or_404(LocalGovernment.objects.all(), government, GOVERNMENT_NOT_FOUND)
        if not permissions.can_read_office_money(request.auth, gov):
            raise PermissionDenied(_("An office's money is read by its members and oversight bodies."))
        lines = services.office_lines(gov)
    if year is not None:
        lines = lines.filter(on__year=year)
    return _totals_out(services.totals(lines, services.check_currency(currency)))


@router.get("/rates", response={200: list[RateOut], 422: ValidationErrors}, summary="Exchange rates")
@paginate(Pagination)
def list_rates(request):
    """The rate table the platform administrator keeps (admin, `kembar rates`)."""
    return ExchangeRate.objects.all()


@router.get("/objectives/{objective_id}", response={200: ObjectiveOut, **ERRORS}, summary="One objective")
def get_objective(request, objective_id: int):
    return _objective(request.auth, objective_id)


@router.post(
    "/objectives/{objective_id}/targets",
    auth=WRITE,
    response={201: TargetRecord, **WRITE_ERRORS},
    summary="Add a target",
)
def add_target(request, objective_id: int, payload: TargetIn):
    """The office that leads the objective adds its targets."""
    target = services.add_target(request.auth, _objective(request.auth, objective_id), **payload.dict())
    return Reply(201, _target_record(target))


@router.get("/targets/{target_id}", response={200: TargetRecord, **ERRORS}, summary="One target, with its progress")
def get_target(request, target_id: int):
    return _target_record(_target(request.auth, target_id))


@router.patch(
    "/targets/{target_id}",
    auth=WRITE,
    response={200: TargetRecord, 409: Error, **WRITE_ERRORS},
    summary="Change a target",
)
def update_target(request, target_id: int, payload: TargetPatch):
    target = _target(request.auth, target_id)
    data, version = params.sent_changes(payload)
    return _target_record(services.update_target(request.auth, target, expected_version=version, **data))


@router.post(
    "/targets/{target_id}/links",
    auth=WRITE,
    response={201: LinkOut, **WRITE_ERRORS},
    summary="Link an activity, aid shipment or pilot to a target",
)
def add_link(request, target_id: int, payload: LinkIn):
    target = _target(request.auth, target_id)
    records = services.linkable(target)
    data = {k[:-3]: v for k, v in payload.dict().items() if v is not None}
    found = {}
    for name, pk in data.items():
        record = records[name].filter(pk=pk).first()
        if record is None:
            raise ValidationError({f"{name}_id": [_("Choose a record of this partnership.")]})
        found[name] = record
    return Reply(201, services.link(request.auth, target, **found))


@router.get("/{plan_id}", response={200: PlanOut, **ERRORS}, summary="One plan of action, with progress and money")
def get_plan(request, plan_id: int):
    """Objectives' targets with what they achieved (computed from the linked activities, aid and
    pilots), planned activities, the plan's budget and the funding of the partnership's records in
    the plan's years, converted to the plan's currency with the rate used beside each line."""
    return _plan_out(_plan(request.auth, plan_id))


@router.patch(
    "/{plan_id}", auth=WRITE, response={200: PlanOut, 409: Error, **WRITE_ERRORS}, summary="Change a plan of action"
)
def update_plan(request, plan_id: int, payload: PlanPatch):
    plan = _plan(request.auth, plan_id)
    data, version = params.sent_changes(payload)
    _agreement(data, plan.partnership)
    return _plan_out(services.update_plan(request.auth, plan, expected_version=version, **data))


@router.post(
    "/{plan_id}/objectives", auth=WRITE, response={201: ObjectiveOut, **WRITE_ERRORS}, summary="Add an objective"
)
def add_objective(request, plan_id: int, payload: ObjectiveIn):
    data = payload.dict()
    plan = _plan(request.auth, plan_id)
    return Reply(201, services.add_objective(request.auth, plan, side=data.pop("side_id"), **data))


@router.post("/{plan_id}/lines", auth=WRITE, response={201: LineOut, **WRITE_ERRORS}, summary="Add a budget line")
def add_plan_line(request, plan_id: int, payload: LineIn):
    data = payload.dict()
    plan = _plan(request.auth, plan_id)
    return Reply(201, services.add_line(request.auth, plan, side=data.pop("side_id"), **data))
