"""/api/oversight/summary: the oversight roll-up of the caller's scope, the same figures as the
page /oversight/ (`rollup.build`). Mounted beside the agreements' oversight queue.

No `from __future__ import annotations`: ninja reads the annotations at import.
"""

import datetime as dt
from decimal import Decimal

from django.http import Http404
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema

from kembar.api.auth import READ
from kembar.api.errors import ERRORS
from kembar.gazetteer.services import country_param

from . import rollup

router = Router(tags=["oversight"], auth=READ)
NO_ROLLUP = gettext_lazy("Only oversight bodies and platform administrators have a roll-up.")


class RollupPlaceOut(Schema):
    country: str
    province: str = Field(description="The province's GeoNames admin1 code; empty for a whole country.")


class RollupScopeOut(Schema):
    label: str
    places: list[RollupPlaceOut] = Field(description="Empty: the whole platform (a platform administrator).")


class CountOut(Schema):
    code: str
    label: str
    partnerships: int


class HealthCountOut(Schema):
    state: str = Field(description="thriving, slowing, struggling, dormant or no_record (never counted as dormant).")
    label: str
    partnerships: int


class StageOut(Schema):
    stage: str
    name: str
    owner: str
    agreements: int
    longest_days: int


class WaitingOut(Schema):
    agreement_id: int
    title: str
    partners: str
    stage: str
    since: dt.datetime
    days_waiting: int
    overdue: bool
    url: str


class ExpiringOut(Schema):
    agreement_id: int
    title: str
    partners: str
    ends_on: dt.date
    days_left: int
    url: str


class YearOut(Schema):
    year: int
    activities: int
    held: int
    participants: int
    aid_shipments: int
    aid_received: int
    aid_value: Decimal | None = Field(description="The aid shipments' money lines (spent, else budget), converted.")


class PlansOut(Schema):
    with_plan: int = Field(description="Partnerships with a plan of action covering this year.")
    with_targets: int
    average_progress: int | None = Field(description="Mean progress (0–100) of those plans' targets.")


class MoneyOut(Schema):
    year: int
    funder: str
    budget: Decimal
    spent: Decimal


class RollupAssessmentOut(Schema):
    year: int | None
    sides: int
    partnerships: int
    averages: dict[str, float | None] = Field(description="Mean score (1–5) of each dimension.")


class SummaryOut(Schema):
    scope: RollupScopeOut
    today: dt.date
    currency: str = Field(description="Money is converted to it at the rates listed in `rates`.")
    partnerships: int = Field(description="Partnerships of the scope that are not ended.")
    by_province: list[CountOut]
    by_level: list[CountOut]
    by_partner_country: list[CountOut]
    by_kind: list[CountOut]
    by_status: list[CountOut]
    health: list[HealthCountOut]
    dormant: int
    no_record: int
    stages: list[StageOut]
    waiting_count: int
    waiting: list[WaitingOut] = Field(description=f"The {rollup.LIST_LIMIT} waiting longest.")
    expiring_count: int
    expiring: list[ExpiringOut] = Field(description=f"The {rollup.LIST_LIMIT} ending soonest, within six months.")
    years: list[YearOut]
    plans: PlansOut
    money: list[MoneyOut]
    rates: list[str]
    unconverted: dict[str, Decimal] = Field(description="Sums in currencies no rate converts, left out of `money`.")
    assessment: RollupAssessmentOut


@router.get("/summary", response={200: SummaryOut, **ERRORS}, summary="The roll-up of the caller's scope")
def summary(
    request,
    country: str = Query("", description="A platform administrator's choice of one country (ISO code or name)."),
):
    """Totals of the caller's oversight scope (a national body its country, a provincial bureau its
    province) by province, level, partner country and kind; agreements at each stage with days
    waiting; those ending within six months; health (dormant and no record counted apart);
    activities and aid by year; plans, money by funder converted to IDR with the rates named;
    the latest self-assessment's averages. 404 for anyone who is not a member of an oversight
    body or a platform administrator."""
    scope = rollup.scope_for(request.auth, country_param(country))
    if scope is None:
        raise Http404(str(NO_ROLLUP))
    return rollup.as_json(rollup.build(request.auth, scope))
