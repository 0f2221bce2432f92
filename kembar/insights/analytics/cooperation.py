"""The report's plan versus actual, money by funder and self-assessment sections (issue 25): what a
government's (or one partnership's) plans of action promised and achieved, who paid for its
cooperation in the year, and how both sides judged the partnership that year.

Nothing is computed twice: a target's figures are `plans.services.plan_json`'s (the plan's page,
its API and `kembar plan` print the same), money is `plans.services.totals` with the rate used
named, scores are `grants.services.dimension_scores`. Roll-ups of a province or the platform do
not carry these sections (the ministry's roll-up of plans is its own page).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from kembar.accounts import permissions
from kembar.grants.models import SelfAssessment
from kembar.grants.services import dimension_labels, dimension_scores
from kembar.partnerships.models import Partnership
from kembar.plans import services as plans
from kembar.plans.models import MoneyLine, Plan
from kembar.plans.vocab import Funder, Indicator, LineKind

MAX_PLANS = 50  # plans in force listed in one report (an office has a few dozen partnerships at most)
DEFAULT_CURRENCY = "IDR"
ZERO = Decimal("0.00")


@dataclass
class TargetRow:
    partnership: str
    plan: str
    objective: str
    target: str
    indicator: str
    unit: str
    target_value: Decimal
    achieved: Decimal
    percent: int


@dataclass
class FunderRow:
    funder: str
    plan_budget: Decimal
    budget: Decimal
    spent: Decimal


@dataclass
class LineRow:
    partnership: str
    what: str
    funder: str
    kind: str
    amount: Decimal
    currency: str
    converted: Decimal | None
    rate: str  # the rate used, named ("1 USD = 16,700 IDR (rate of 1/1/2026)"), or why none


@dataclass
class AssessmentRow:
    partnership: str
    side: str
    scores: list[float | None]  # per dimension (dimension_labels order), then overall


@dataclass
class CooperationSection:
    year: int
    currency: str
    targets: list[TargetRow] = field(default_factory=list)
    plans: list[tuple[Plan, dict]] = field(default_factory=list)  # (plan, plan_json) of each plan in force
    funders: list[FunderRow] = field(default_factory=list)
    lines: list[LineRow] = field(default_factory=list)
    assessments: list[AssessmentRow] = field(default_factory=list)
    dimensions: list[tuple[str, str]] = field(default_factory=list)

    @property
    def unconverted(self) -> int:
        return sum(1 for line in self.lines if line.converted is None)

    @property
    def progress(self) -> int | None:
        values = [j["plan"]["progress"] for _p, j in self.plans if j["plan"]["progress"] is not None]
        return round(sum(values) / len(values)) if values else None


def _pair(p: Partnership) -> str:
    return f"{p.government_a.name} – {p.government_b.name}"


def plans_in_force(partnerships: QuerySet[Partnership], year: int) -> list[Plan]:
    """Each partnership's plan covering `year` (the latest starting, when several do): one query."""
    rows = (
        Plan.objects.filter(partnership__in=partnerships, first_year__lte=year, last_year__gte=year)
        .select_related("partnership__government_a", "partnership__government_b")
        .order_by("partnership_id", "-first_year", "-id")
    )
    found: dict[int, Plan] = {}
    for plan in rows:
        found.setdefault(plan.partnership_id, plan)
        if len(found) > MAX_PLANS:
            break
    return sorted(found.values(), key=lambda p: _pair(p.partnership))[:MAX_PLANS]


def report_currency(plans_: list[Plan]) -> str:
    """The currency money is converted to: the one most of the plans in force are kept in (their
    partners chose it), else IDR."""
    counts = Counter(p.currency for p in plans_)
    return counts.most_common(1)[0][0] if counts else DEFAULT_CURRENCY


def build(user, scope, year: int) -> CooperationSection | None:
    """The sections of a government's or a partnership's report for `year`; None for roll-ups or a
    reader who may not read the scope's plans and money."""
    if scope.kind not in ("government", "partnership"):
        return None
    if scope.government is not None and not permissions.can_read_office_money(user, scope.government):
        return None
    partnerships = permissions.visible_plan_partnerships(user, Partnership.objects.all())
    if scope.partnership is not None:
        partnerships = partnerships.filter(pk=scope.partnership.pk)
    else:
        g = scope.government
        partnerships = partnerships.filter(Q(government_a=g) | Q(government_b=g))
    in_force = plans_in_force(partnerships, year)
    section = CooperationSection(year=year, currency=report_currency(in_force), dimensions=dimension_labels())
    indicators = dict(Indicator.choices)
    for plan in in_force:
        found = plans.plan_json(plans.plan_view(plan))
        section.plans.append((plan, found))
        for t in found["targets"]:
            section.targets.append(
                TargetRow(
                    partnership=_pair(plan.partnership),
                    plan=plan.title,
                    objective=t["objective"],
                    target=t["title"],
                    indicator=str(indicators.get(t["indicator"], t["indicator"])),
                    unit=t["unit"],
                    target_value=Decimal(t["target"]),
                    achieved=Decimal(t["achieved"]),
                    percent=t["percent"],
                )
            )
    _money(section, user, scope, partnerships, in_force, year)
    _assessments(section, partnerships, year)
    return section


def _money(section: CooperationSection, user, scope, partnerships, in_force: list[Plan], year: int) -> None:
    plan_lines = MoneyLine.objects.filter(plan__in=[p.pk for p in in_force], on__year=year)
    if scope.partnership is not None:
        records = plans.partnership_lines(scope.partnership, year, year)
    else:
        records = plans.office_lines(scope.government, year).filter(
            Q(partnership__in=partnerships) | Q(partnership__isnull=True)
        )
    rates = plans.Rates.load()
    budget = plans.totals(
        plan_lines.select_related("side", "plan", "partnership__government_a", "partnership__government_b").order_by(
            "on", "id"
        ),
        section.currency,
        rates,
    )
    money = plans.totals(
        records.select_related("partnership__government_a", "partnership__government_b"), section.currency, rates
    )
    funders = dict(Funder.choices)
    by_funder: dict[str, FunderRow] = {}
    for total, column in ((budget, "plan_budget"), (money, None)):
        for (_year, funder, kind), amount in total.rows.items():
            row = by_funder.setdefault(funder, FunderRow(str(funders.get(funder, funder)), ZERO, ZERO, ZERO))
            name = column or ("budget" if kind == LineKind.BUDGET else "spent")
            setattr(row, name, getattr(row, name) + amount)
    order = list(Funder.values)
    section.funders = [by_funder[f] for f in sorted(by_funder, key=order.index)]
    kinds = dict(LineKind.choices)
    for total, is_plan in ((budget, True), (money, False)):
        for c in total.lines:
            line = c.line
            what = _("Plan budget: %(plan)s") % {"plan": line.plan.title} if is_plan else c.what
            funder = str(funders.get(line.funder, line.funder))
            if line.funder_name:
                funder = f"{funder} ({line.funder_name})"
            section.lines.append(
                LineRow(
                    partnership=_pair(line.partnership) if line.partnership_id else "—",
                    what=what,
                    funder=funder,
                    kind=str(kinds.get(line.kind, line.kind)),
                    amount=line.amount,
                    currency=line.currency,
                    converted=c.converted,
                    rate=_rate_text(c.rate),
                )
            )


def _rate_text(rate: plans.Rate | None) -> str:
    if rate is None:
        return _("no rate for this day: left out of the totals")
    return rate.describe() if rate.dates else "—"  # in the report's own currency


def _assessments(section: CooperationSection, partnerships, year: int) -> None:
    rows = (
        SelfAssessment.objects.filter(partnership__in=partnerships, year=year)
        .select_related("partnership__government_a", "partnership__government_b", "government")
        .order_by("partnership_id", "government_id")
    )
    codes = [code for code, _label in section.dimensions]
    found = sorted(rows, key=lambda a: (_pair(a.partnership), a.government_id != a.partnership.government_a_id))
    for a in found:
        scores = dimension_scores(a.answers)
        section.assessments.append(
            AssessmentRow(
                partnership=_pair(a.partnership),
                side=a.government.name,
                scores=[scores.get(code) for code in codes] + [scores.get("overall")],
            )
        )
