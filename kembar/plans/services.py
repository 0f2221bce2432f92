"""Plans of action and money: every rule lives here once, for the pages, the API and the CLI.

Permissions (kembar.accounts.permissions): the partnership's two offices, oversight bodies and
platform administrators read; each office edits its own side (`plan_sides`). Writes run in a
transaction and name the field of bad input.

**Progress** of a target is computed from the records linked to it (`progress`), by its
indicator: activities held (status held), their participants (both sides' counts), held
activities with recorded outcomes, aid shipments received, pilots adopted. Nobody types it.

**Money**: a line's amount is in its own currency; totals convert each line with the rate in
force on the line's date (`Rates`): the pair's latest rate dated on or before that day, its
inverse, or a cross rate through a third currency. A line without a rate is left out of the
converted totals and listed as such.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import pycountry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import formats
from django.utils.translation import gettext as _

from kembar.accounts import permissions
from kembar.activities.models import Activity, AidShipment
from kembar.activities.vocab import ActivityStatus, AidStatus
from kembar.core.versioning import locked, record_author, save_version
from kembar.partnerships.models import LocalGovernment, Partnership
from kembar.solutions.models import Pilot
from kembar.solutions.vocab import PilotStatus

from .models import ExchangeRate, MoneyLine, Objective, Plan, PlannedActivity, Target, TargetLink
from .vocab import SDG_TARGET_CODES, Funder, Indicator, LineKind

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("99999999999999.99")
YEARS = (1950, 2100)


# --- whose is what ---------------------------------------------------------------------------


def sides(record) -> tuple[int, int]:
    """The two governments of a plan, objective, target, activity, aid shipment or pilot."""
    if isinstance(record, Pilot):
        return (record.solution.government_id, record.government_id)
    if isinstance(record, Partnership):
        return (record.government_a_id, record.government_b_id)
    if isinstance(record, Objective):
        record = record.plan
    elif isinstance(record, Target):
        record = record.objective.plan
    p = record.partnership
    return (p.government_a_id, p.government_b_id)


def can_read(user, record) -> bool:
    return permissions.can_read_plans(user, sides(record))


def pilot_partnership(pilot: Pilot) -> Partnership | None:
    """The partnership between a pilot's offering and adopting governments, if they are partners."""
    a, b = pilot.solution.government_id, pilot.government_id
    return (
        Partnership.objects.filter(Q(government_a=a, government_b=b) | Q(government_a=b, government_b=a))
        .order_by("id")
        .first()
    )


def _side(user, record, side: LocalGovernment | int | None, name: str = "side") -> int:
    """The side the user writes for: the one given (one of the record's two governments) or the
    user's own; PermissionDenied when the user does not edit for it."""
    both = sides(record)
    allowed = permissions.plan_sides(user, both)
    if not allowed:
        raise PermissionDenied(_("Only editors of the two partners' offices may change this."))
    side_id = getattr(side, "pk", side)
    if side_id is None:
        return min(allowed) if len(allowed) > 1 else next(iter(allowed))
    if side_id not in both:
        raise ValidationError({name: [_("Choose one of the two partners.")]})
    if side_id not in allowed:
        raise PermissionDenied(_("Each office edits its own side: this side is the partner's."))
    return side_id


def _require_side(user, record, side_id: int) -> None:
    if not permissions.can_edit_plan_side(user, sides(record), side_id):
        raise PermissionDenied(_("Each office edits its own side: this side is the partner's."))


def editable_sides(user, record) -> list[LocalGovernment]:
    """The governments of the record the user may write for (for a form's choice)."""
    ids = permissions.plan_sides(user, sides(record))
    return list(LocalGovernment.objects.filter(pk__in=ids).order_by("name"))


# --- checks ----------------------------------------------------------------------------------


def check_currency(code: str, name: str = "currency") -> str:
    code = (code or "").strip().upper()
    if len(code) != 3 or pycountry.currencies.get(alpha_3=code) is None:
        raise ValidationError(
            {name: [_("“%(code)s” is not an ISO 4217 currency code (IDR, JPY, USD, EUR...).") % {"code": code}]}
        )
    return code


def _text(errors: dict, data: dict, name: str, max_length: int, required: bool = False) -> None:
    value = (data.get(name) or "").strip()
    if required and not value:
        errors.setdefault(name, []).append(_("This field is required."))
    if len(value) > max_length:
        errors.setdefault(name, []).append(_("At most %(n)d characters.") % {"n": max_length})
    data[name] = value


def _year(errors: dict, data: dict, name: str) -> None:
    value = data.get(name)
    if not isinstance(value, int) or not YEARS[0] <= value <= YEARS[1]:
        errors.setdefault(name, []).append(
            _("Give a year from %(first)d to %(last)d.") % {"first": YEARS[0], "last": YEARS[1]}
        )


def _positive(errors: dict, data: dict, name: str) -> None:
    value = data.get(name)
    if isinstance(value, int) and not isinstance(value, bool):
        value = Decimal(value)
    if not isinstance(value, Decimal) or not value.is_finite() or value <= 0 or value > MAX_AMOUNT:
        errors.setdefault(name, []).append(_("Give a number above zero."))
    else:
        data[name] = value.quantize(CENT, rounding=ROUND_HALF_UP)
        if data[name] <= 0:
            errors.setdefault(name, []).append(_("Give a number above zero."))


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


# --- plans -----------------------------------------------------------------------------------

PLAN_FIELDS = ("title", "first_year", "last_year", "summary", "currency", "agreement")


def _clean_plan(partnership: Partnership, data: dict) -> dict:
    errors: dict[str, list[str]] = {}
    _text(errors, data, "title", 200, required=True)
    _text(errors, data, "summary", 4000)
    _year(errors, data, "first_year")
    _year(errors, data, "last_year")
    if not errors and data["last_year"] < data["first_year"]:
        errors["last_year"] = [_("The last year cannot come before the first.")]
    try:
        data["currency"] = check_currency(data.get("currency") or "IDR")
    except ValidationError as error:
        errors.update(error.message_dict)
    agreement = data.get("agreement")
    if agreement is not None and agreement.partnership_id != partnership.pk:
        errors["agreement"] = [_("Choose an agreement of this partnership.")]
    _raise(errors)
    return data


def create_plan(user, partnership: Partnership, **data) -> Plan:
    if not permissions.plan_sides(user, (partnership.government_a_id, partnership.government_b_id)):
        raise PermissionDenied(_("Only editors of the two partners' offices may change this."))
    data = {"summary": "", "currency": "IDR", "agreement": None, **{k: v for k, v in data.items() if k in PLAN_FIELDS}}
    data = _clean_plan(partnership, data)
    with transaction.atomic():
        plan = Plan(partnership=partnership, **data)
        record_author(plan, user)
        plan.save()
    return plan


def update_plan(user, plan: Plan, *, expected_version: int | None = None, **changes) -> Plan:
    """Either office edits the plan's own fields (its title, years, summary, agreement)."""
    if not permissions.plan_sides(user, sides(plan)):
        raise PermissionDenied(_("Only editors of the two partners' offices may change this."))
    with transaction.atomic():
        current = locked(Plan, plan.pk, expected_version)
        data = {name: getattr(current, name) for name in PLAN_FIELDS}
        data.update({k: v for k, v in changes.items() if k in PLAN_FIELDS})
        data = _clean_plan(current.partnership, data)
        for key, value in data.items():
            setattr(current, key, value)
        return save_version(current, user)


OBJECTIVE_FIELDS = ("title", "description", "unit_a", "unit_b")


def _clean_objective(data: dict) -> dict:
    errors: dict[str, list[str]] = {}
    _text(errors, data, "title", 200, required=True)
    _text(errors, data, "description", 4000)
    _text(errors, data, "unit_a", 200)
    _text(errors, data, "unit_b", 200)
    _raise(errors)
    return data


def add_objective(user, plan: Plan, *, side: LocalGovernment | int | None = None, **data) -> Objective:
    side_id = _side(user, plan, side)
    data = _clean_objective({name: data.get(name, "") for name in OBJECTIVE_FIELDS})
    with transaction.atomic():
        objective = Objective(plan=plan, side_id=side_id, **data)
        record_author(objective, user)
        objective.save()
    return objective


def update_objective(user, objective: Objective, *, expected_version: int | None = None, **changes) -> Objective:
    _require_side(user, objective, objective.side_id)
    with transaction.atomic():
        current = locked(Objective, objective.pk, expected_version)
        data = {name: getattr(current, name) for name in OBJECTIVE_FIELDS}
        data.update({k: v for k, v in changes.items() if k in OBJECTIVE_FIELDS})
        for key, value in _clean_objective(data).items():
            setattr(current, key, value)
        return save_version(current, user)


TARGET_FIELDS = ("title", "indicator", "target_value", "unit", "sdg_target")


def _clean_target(data: dict) -> dict:
    errors: dict[str, list[str]] = {}
    _text(errors, data, "title", 200, required=True)
    _text(errors, data, "unit", 40)
    if data.get("indicator") not in Indicator.values:
        errors["indicator"] = [_("Choose one of the indicators.")]
    _positive(errors, data, "target_value")
    data["sdg_target"] = (data.get("sdg_target") or "").strip()
    if data["sdg_target"] and data["sdg_target"] not in SDG_TARGET_CODES:
        errors["sdg_target"] = [_("Choose an SDG or one of SDG 11's targets.")]
    _raise(errors)
    return data


def add_target(user, objective: Objective, **data) -> Target:
    _require_side(user, objective, objective.side_id)
    data = _clean_target({"unit": "", "sdg_target": "", **{k: v for k, v in data.items() if k in TARGET_FIELDS}})
    with transaction.atomic():
        target = Target(objective=objective, **data)
        record_author(target, user)
        target.save()
    return target


def update_target(user, target: Target, *, expected_version: int | None = None, **changes) -> Target:
    _require_side(user, target, target.objective.side_id)
    with transaction.atomic():
        current = locked(Target, target.pk, expected_version)
        data = {name: getattr(current, name) for name in TARGET_FIELDS}
        data.update({k: v for k, v in changes.items() if k in TARGET_FIELDS})
        for key, value in _clean_target(data).items():
            setattr(current, key, value)
        return save_version(current, user)


def linkable(target: Target) -> dict[str, QuerySet]:
    """What may serve a target: the partnership's activities and aid shipments, and the pilots
    between its two governments."""
    p = target.objective.plan.partnership
    a, b = p.government_a_id, p.government_b_id
    return {
        "activity": Activity.objects.filter(partnership=p).order_by("-start", "-id"),
        "aid": AidShipment.objects.filter(partnership=p).order_by("-id"),
        "pilot": Pilot.objects.filter(
            Q(solution__government=a, government=b) | Q(solution__government=b, government=a)
        ).select_related("solution", "government"),
    }


def link(user, target: Target, *, activity=None, aid=None, pilot=None) -> TargetLink:
    """Say that an activity, aid shipment or pilot of the partnership serves the target: the
    office that leads the target's objective links its records."""
    _require_side(user, target, target.objective.side_id)
    given = {k: v for k, v in {"activity": activity, "aid": aid, "pilot": pilot}.items() if v is not None}
    if len(given) != 1:
        raise ValidationError({"activity": [_("Choose one activity, aid shipment or pilot.")]})
    ((name, record),) = given.items()
    if not linkable(target)[name].filter(pk=record.pk).exists():
        raise ValidationError({name: [_("Choose a record of this partnership.")]})
    try:
        with transaction.atomic():
            found = TargetLink(target=target, **given)
            record_author(found, user)
            found.save()
    except IntegrityError:
        raise ValidationError({name: [_("This record already serves the target.")]}) from None
    return found


def unlink(user, found: TargetLink) -> None:
    _require_side(user, found.target, found.target.objective.side_id)
    with transaction.atomic():
        record_author(found, user)
        found.delete()


def add_planned(user, objective: Objective, *, year: int, title: str, side=None, unit: str = "") -> PlannedActivity:
    """A planned activity of a year, carried by the user's side (either office adds its own
    under any objective)."""
    plan = objective.plan
    side_id = _side(user, objective, side)
    data = {"year": year, "title": title, "unit": unit}
    errors: dict[str, list[str]] = {}
    _text(errors, data, "title", 200, required=True)
    _text(errors, data, "unit", 200)
    _year(errors, data, "year")
    if "year" not in errors and not plan.first_year <= data["year"] <= plan.last_year:
        errors["year"] = [
            _("Give a year of the plan: %(first)d to %(last)d.") % {"first": plan.first_year, "last": plan.last_year}
        ]
    _raise(errors)
    with transaction.atomic():
        planned = PlannedActivity(objective=objective, side_id=side_id, **data)
        record_author(planned, user)
        planned.save()
    return planned


def delete_planned(user, planned: PlannedActivity) -> None:
    _require_side(user, planned.objective, planned.side_id)
    with transaction.atomic():
        record_author(planned, user)
        planned.delete()


# --- progress --------------------------------------------------------------------------------


@dataclass
class Progress:
    achieved: Decimal
    target: Decimal

    @property
    def percent(self) -> int:
        """Share of the target achieved, 0 to 100 (beyond the target counts as 100)."""
        if self.target <= 0:
            return 0
        return int(min(Decimal(100), self.achieved * 100 / self.target).to_integral_value(ROUND_HALF_UP))


def _achieved(indicator: str, links: list[TargetLink]) -> Decimal:
    held = [x.activity for x in links if x.activity is not None and x.activity.status == ActivityStatus.HELD]
    if indicator == Indicator.ACTIVITIES_HELD:
        return Decimal(len(held))
    if indicator == Indicator.PARTICIPANTS:
        return Decimal(sum((a.participants_a or 0) + (a.participants_b or 0) for a in held))
    if indicator == Indicator.OUTCOMES:
        return Decimal(sum(1 for a in held if a.outcomes.strip()))
    if indicator == Indicator.AID_RECEIVED:
        return Decimal(sum(1 for x in links if x.aid is not None and x.aid.status == AidStatus.RECEIVED))
    if indicator == Indicator.PILOTS_ADOPTED:
        return Decimal(sum(1 for x in links if x.pilot is not None and x.pilot.status == PilotStatus.ADOPTED))
    return Decimal(0)


def _links_by_target(target_ids) -> dict[int, list[TargetLink]]:
    by_target: dict[int, list[TargetLink]] = defaultdict(list)
    links = TargetLink.objects.filter(target__in=list(target_ids)).select_related(
        "activity", "aid", "pilot__solution", "pilot__government"
    )
    for x in links:
        by_target[x.target_id].append(x)
    return by_target


def progress(targets: list[Target]) -> dict[int, Progress]:
    """Each target's progress from its linked records (one query for all targets)."""
    links = _links_by_target(t.pk for t in targets)
    return {t.pk: Progress(_achieved(t.indicator, links[t.pk]), t.target_value) for t in targets}


def plan_progress(plan: Plan) -> int | None:
    """A plan's progress, 0 to 100: the mean of its targets' progress; None without targets."""
    targets = list(Target.objects.filter(objective__plan=plan))
    if not targets:
        return None
    values = progress(targets).values()
    return round(sum(p.percent for p in values) / len(values))


def current_plan(partnership: Partnership, today: dt.date | None = None) -> Plan | None:
    """The plan covering this year; else the latest one."""
    year = (today or dt.date.today()).year
    plans = Plan.objects.filter(partnership=partnership)
    return (
        plans.filter(first_year__lte=year, last_year__gte=year).order_by("-first_year", "-id").first()
        or plans.order_by("-last_year", "-id").first()
    )


def progress_by_partnership(partnership_ids, today: dt.date | None = None) -> dict[int, int]:
    """The progress of each partnership's plan in force this year (for health): two queries."""
    year = (today or dt.date.today()).year
    targets = list(
        Target.objects.filter(
            objective__plan__partnership__in=(
                partnership_ids if isinstance(partnership_ids, QuerySet) else list(partnership_ids)
            ),
            objective__plan__first_year__lte=year,
            objective__plan__last_year__gte=year,
        ).select_related("objective__plan")
    )
    found = progress(targets)
    percents: dict[int, list[int]] = defaultdict(list)
    for t in targets:
        percents[t.objective.plan.partnership_id].append(found[t.pk].percent)
    return {pk: round(sum(v) / len(v)) for pk, v in percents.items()}


@dataclass
class TargetView:
    target: Target
    progress: Progress
    links: list[TargetLink]


@dataclass
class ObjectiveView:
    objective: Objective
    targets: list[TargetView]
    planned: list[PlannedActivity]


@dataclass
class PlanView:
    plan: Plan
    objectives: list[ObjectiveView]
    budget: Totals
    funding: Totals

    @property
    def progress(self) -> int | None:
        values = [t.progress.percent for o in self.objectives for t in o.targets]
        return round(sum(values) / len(values)) if values else None


def plan_view(plan: Plan) -> PlanView:
    """Everything the plan's page, its API and `kembar plan` show, in a fixed number of queries."""
    objectives = list(plan.objectives.select_related("side").order_by("id"))
    targets = list(Target.objects.filter(objective__plan=plan).order_by("id"))
    planned = list(PlannedActivity.objects.filter(objective__plan=plan).select_related("side"))
    links = _links_by_target(t.pk for t in targets)
    rows = []
    for o in objectives:
        ts = [
            TargetView(t, Progress(_achieved(t.indicator, links[t.pk]), t.target_value), links[t.pk])
            for t in targets
            if t.objective_id == o.pk
        ]
        rows.append(ObjectiveView(o, ts, [p for p in planned if p.objective_id == o.pk]))
    rates = Rates.load()
    budget = totals(plan_lines(plan), plan.currency, rates)
    funding = totals(partnership_lines(plan.partnership, plan.first_year, plan.last_year), plan.currency, rates)
    return PlanView(plan, rows, budget, funding)


def plan_json(view: PlanView) -> dict:
    """The plan as `kembar plan --json` and the API print it."""
    plan = view.plan

    def converted(total: Totals) -> dict:
        return {
            "currency": total.currency,
            "planned": str(total.sum(LineKind.BUDGET)),
            "spent": str(total.sum(LineKind.SPENT)),
            "unconverted": len(total.unconverted),
        }

    return {
        "plan": {
            "id": plan.pk,
            "title": plan.title,
            "first_year": plan.first_year,
            "last_year": plan.last_year,
            "partnership": plan.partnership_id,
            "agreement": plan.agreement_id,
            "progress": view.progress,
        },
        "targets": [
            {
                "id": t.target.pk,
                "objective": o.objective.title,
                "side": o.objective.side.name,
                "title": t.target.title,
                "indicator": t.target.indicator,
                "target": str(t.target.target_value.normalize()),
                "unit": t.target.unit,
                "sdg_target": t.target.sdg_target,
                "achieved": str(t.progress.achieved.normalize()),
                "percent": t.progress.percent,
                "linked": len(t.links),
            }
            for o in view.objectives
            for t in o.targets
        ],
        "planned_activities": [
            {"year": p.year, "title": p.title, "side": p.side.name, "unit": p.unit}
            for o in view.objectives
            for p in o.planned
        ],
        "budget": {
            **converted(view.budget),
            "by_year": {str(y): str(v) for y, v in view.budget.by_year(LineKind.BUDGET).items()},
        },
        "funding": [
            {
                "funder": line.line.funder,
                "funder_name": line.line.funder_name,
                "kind": line.line.kind,
                "for": line.what,
                "amount": str(line.line.amount),
                "currency": line.line.currency,
                "converted": str(line.converted) if line.converted is not None else None,
                "converted_currency": view.funding.currency,
                "rate": line.rate.describe() if line.rate else None,
                "on": line.line.on.isoformat(),
            }
            for line in view.funding.lines
        ],
        "funding_totals": [
            {"year": year, "funder": funder, "kind": kind, "amount": str(amount), "currency": view.funding.currency}
            for (year, funder, kind), amount in sorted(view.funding.rows.items())
        ],
    }


# --- money -----------------------------------------------------------------------------------

LINE_FIELDS = ("kind", "funder", "funder_name", "amount", "currency", "on", "note")


def _partnership_of(record) -> Partnership | None:
    if isinstance(record, Pilot):
        return pilot_partnership(record)
    return record.partnership


def _record_name(record) -> str:
    return {Plan: "plan", Activity: "activity", AidShipment: "aid", Pilot: "pilot"}[type(record)]


def add_line(user, record, *, side=None, **data) -> MoneyLine:
    """A budget or spent line of a plan, an activity, an aid shipment or a pilot, in the name of
    the user's side."""
    side_id = _side(user, record, side)
    data = {
        "kind": LineKind.BUDGET,
        "funder_name": "",
        "note": "",
        **{k: v for k, v in data.items() if k in LINE_FIELDS},
    }
    errors: dict[str, list[str]] = {}
    if data.get("kind") not in LineKind.values:
        errors["kind"] = [_("Choose budget or spent.")]
    if isinstance(record, Plan) and data.get("kind") != LineKind.BUDGET:
        errors["kind"] = [_("A plan's lines are its budget.")]
    if data.get("funder") not in Funder.values:
        errors["funder"] = [_("Choose one of the funders.")]
    _text(errors, data, "funder_name", 200, required=data.get("funder") == Funder.OTHER)
    _text(errors, data, "note", 200)
    _positive(errors, data, "amount")
    try:
        data["currency"] = check_currency(data.get("currency", ""))
    except ValidationError as error:
        errors.update(error.message_dict)
    if not isinstance(data.get("on"), dt.date):
        errors["on"] = [_("Give the date as YYYY-MM-DD.")]
    elif not YEARS[0] <= data["on"].year <= YEARS[1]:
        errors["on"] = [_("Give a year from %(first)d to %(last)d.") % {"first": YEARS[0], "last": YEARS[1]}]
    _raise(errors)
    with transaction.atomic():
        line = MoneyLine(**{_record_name(record): record}, partnership=_partnership_of(record), side_id=side_id, **data)
        record_author(line, user)
        line.save()
    return line


def delete_line(user, line: MoneyLine) -> None:
    _require_side(user, line.record, line.side_id)
    with transaction.atomic():
        record_author(line, user)
        line.delete()


def lines_of(record) -> QuerySet[MoneyLine]:
    return MoneyLine.objects.filter(**{_record_name(record): record}).select_related("side").order_by("on", "id")


def _with_records(queryset: QuerySet[MoneyLine]) -> QuerySet[MoneyLine]:
    return queryset.select_related("side", "plan", "activity", "aid", "pilot__solution").order_by("on", "id")


def plan_lines(plan: Plan) -> QuerySet[MoneyLine]:
    return _with_records(MoneyLine.objects.filter(plan=plan))


def partnership_lines(partnership: Partnership, first_year: int | None = None, last_year: int | None = None):
    """The money of the partnership's activities, aid shipments and pilots (not its plans' budgets)."""
    qs = MoneyLine.objects.filter(partnership=partnership, plan__isnull=True)
    if first_year is not None:
        qs = qs.filter(on__year__gte=first_year)
    if last_year is not None:
        qs = qs.filter(on__year__lte=last_year)
    return _with_records(qs)


def office_lines(government: LocalGovernment, year: int | None = None) -> QuerySet[MoneyLine]:
    """The money of every partnership (and pilot) the government is a side of."""
    a, b = Q(partnership__government_a=government), Q(partnership__government_b=government)
    pilots = Q(pilot__government=government) | Q(pilot__solution__government=government)
    qs = MoneyLine.objects.filter(plan__isnull=True).filter(a | b | pilots)
    if year is not None:
        qs = qs.filter(on__year=year)
    return _with_records(qs)


@dataclass(frozen=True)
class Rate:
    """The rate that converted a figure: 1 `source` = `value` `to`, from the rates of `dates`."""

    source: str
    to: str
    value: Decimal
    dates: tuple[dt.date, ...]
    via: str = ""

    def describe(self) -> str:
        days = ", ".join(formats.date_format(d, "SHORT_DATE_FORMAT") for d in self.dates)
        value = formats.number_format(self.value.normalize(), force_grouping=True)
        if self.via:
            return _("1 %(source)s = %(value)s %(to)s (through %(via)s; rates of %(days)s)") % {
                "source": self.source,
                "value": value,
                "to": self.to,
                "via": self.via,
                "days": days,
            }
        return _("1 %(source)s = %(value)s %(to)s (rate of %(days)s)") % {
            "source": self.source,
            "value": value,
            "to": self.to,
            "days": days,
        }


class Rates:
    """The rate table, read once (one query), answering the rate in force on a day."""

    def __init__(self, rows: list[ExchangeRate]):
        self._pairs: dict[tuple[str, str], list[tuple[dt.date, Decimal]]] = defaultdict(list)
        for r in sorted(rows, key=lambda r: r.valid_from):
            self._pairs[(r.currency, r.quote)].append((r.valid_from, r.rate))

    @classmethod
    def load(cls) -> Rates:
        return cls(list(ExchangeRate.objects.all()))

    def _direct(self, source: str, to: str, on: dt.date) -> tuple[Decimal, dt.date] | None:
        found = [(day, rate) for day, rate in self._pairs.get((source, to), []) if day <= on]
        if found:
            day, rate = found[-1]
            return rate, day
        found = [(day, rate) for day, rate in self._pairs.get((to, source), []) if day <= on]
        if found:
            day, rate = found[-1]
            return Decimal(1) / rate, day
        return None

    def rate(self, source: str, to: str, on: dt.date) -> Rate | None:
        if source == to:
            return Rate(source, to, Decimal(1), ())
        direct = self._direct(source, to, on)
        if direct:
            return Rate(source, to, direct[0], (direct[1],))
        currencies = {c for pair in self._pairs for c in pair} - {source, to}
        for via in sorted(currencies):
            first, second = self._direct(source, via, on), self._direct(via, to, on)
            if first and second:
                return Rate(source, to, first[0] * second[0], (first[1], second[1]), via=via)
        return None


@dataclass
class ConvertedLine:
    line: MoneyLine
    converted: Decimal | None
    rate: Rate | None

    @property
    def what(self) -> str:
        record = self.line.record
        return str(record) if record is not None else ""


@dataclass
class Totals:
    """Money lines converted to one currency: each line with the rate used, and the sums by
    (year, funder, kind)."""

    currency: str
    lines: list[ConvertedLine] = field(default_factory=list)
    rows: dict[tuple[int, str, str], Decimal] = field(default_factory=dict)

    @property
    def unconverted(self) -> list[ConvertedLine]:
        return [x for x in self.lines if x.converted is None]

    def sum(self, kind: str) -> Decimal:
        return sum((v for (_y, _f, k), v in self.rows.items() if k == kind), Decimal(0))

    def by_year(self, kind: str) -> dict[int, Decimal]:
        out: dict[int, Decimal] = defaultdict(Decimal)
        for (year, _f, k), v in self.rows.items():
            if k == kind:
                out[year] += v
        return dict(sorted(out.items()))

    def table(self) -> list[dict]:
        """Rows for a page: year, funder, budget and spent."""
        keys = sorted({(y, f) for y, f, _k in self.rows})
        labels = dict(Funder.choices)
        return [
            {
                "year": y,
                "funder": f,
                "funder_label": labels.get(f, f),
                "budget": self.rows.get((y, f, LineKind.BUDGET)),
                "spent": self.rows.get((y, f, LineKind.SPENT)),
            }
            for y, f in keys
        ]


def totals(lines, currency: str, rates: Rates | None = None) -> Totals:
    """`lines` converted to `currency`, each with the rate in force on its date."""
    rates = rates or Rates.load()
    out = Totals(currency)
    rows: dict[tuple[int, str, str], Decimal] = defaultdict(Decimal)
    for line in lines:
        rate = rates.rate(line.currency, currency, line.on)
        converted = (line.amount * rate.value).quantize(CENT, rounding=ROUND_HALF_UP) if rate else None
        out.lines.append(ConvertedLine(line, converted, rate))
        if converted is not None:
            rows[(line.on.year, line.funder, line.kind)] += converted
    out.rows = dict(rows)
    return out


def set_rate(currency: str, quote: str, rate: Decimal, valid_from: dt.date, source: str = "") -> ExchangeRate:
    """Add or correct the rate of a pair from a day on (the platform administrator's: admin, `kembar rates`)."""
    errors: dict[str, list[str]] = {}
    try:
        currency = check_currency(currency)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        quote = check_currency(quote, "quote")
    except ValidationError as error:
        errors.update(error.message_dict)
    if not errors and currency == quote:
        errors["quote"] = [_("Give two different currencies.")]
    if not isinstance(rate, Decimal) or not rate.is_finite() or rate <= 0:
        errors["rate"] = [_("Give a number above zero.")]
    _raise(errors)
    with transaction.atomic():
        found, _created = ExchangeRate.objects.update_or_create(
            currency=currency, quote=quote, valid_from=valid_from, defaults={"rate": rate, "source": source[:200]}
        )
    return found
