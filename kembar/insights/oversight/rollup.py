"""The roll-up of an oversight body's scope: one function (`build`) that the page, its exports,
the API (`GET /api/oversight/summary`) and `kembar oversight-summary` share.

**Scope.** The governments of the body's country (Kemendagri, Kemlu) or of its province (a
provincial bureau), from `permissions.rollup_scope`; the partnerships involving one of them.
A platform administrator's scope is the whole platform, or a country they pick.

**Queries.** Every section is aggregated by the database (values/annotate/Count/Sum), so the
roll-up costs the same number of queries for a province with ten partnerships as for a country
with thousands (tests/insights/test_oversight.py measures it). Health states come from the health
ranking (`insights.health.score.HealthReport`, one query, cached like the health pages').
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db.models import Count, F, IntegerField, Min, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from kembar.accounts import permissions
from kembar.activities.models import Activity, AidShipment
from kembar.activities.vocab import ActivityStatus, AidStatus
from kembar.agreements import services as agreement_services
from kembar.agreements.models import Agreement, AgreementStage, TemplateStage
from kembar.agreements.vocab import AgreementStatus, StageOwner, StageStatus
from kembar.gazetteer.countries import country_name
from kembar.gazetteer.models import Place
from kembar.grants import services as grant_services
from kembar.grants.models import SelfAssessment
from kembar.insights.health import score
from kembar.partnerships.models import LocalGovernment, Partnership
from kembar.partnerships.vocab import Kind, Level, Status
from kembar.plans import rollup as plan_rollup

CURRENCY = "IDR"
EXPIRING_MONTHS = 6
LIST_LIMIT = 50  # agreements listed by name in a section (the counts are of all of them)
YEARS = 10  # activities and aid: this year and the nine before it


@dataclass(frozen=True)
class Scope:
    """What a roll-up covers: ((country, admin1 or ""), …), () for the whole platform."""

    places: tuple[tuple[str, str], ...]
    label: str

    def governments(self, prefix: str = "") -> Q:
        return permissions.scope_rule(self.places, prefix)

    def government_ids(self) -> QuerySet[LocalGovernment]:
        """The scope's governments as a subquery (the database uses the partnerships' indexes on
        their two sides, rather than joining every partnership to its places)."""
        return LocalGovernment.objects.filter(self.governments()).values("pk")

    def partnerships(self) -> QuerySet[Partnership]:
        if not self.places:
            return Partnership.objects.all()
        ids = self.government_ids()
        return Partnership.objects.filter(Q(government_a__in=ids) | Q(government_b__in=ids))

    @property
    def single(self) -> tuple[str, str] | None:
        return self.places[0] if len(self.places) == 1 else None


def scope_label(places: tuple[tuple[str, str], ...]) -> str:
    """Words for a scope: "Indonesia", "Jawa Barat, Indonesia", "the whole platform" (one query
    for a province's name)."""
    if not places:
        return _("the whole platform")
    parts = []
    for country, admin1 in places:
        if admin1:
            province = (
                Place.objects.filter(kind=Place.Kind.SUBDIVISION, country_code=country, admin1_code=admin1)
                .exclude(subdivision_code__isnull=True)
                .values_list("name", flat=True)
                .first()
            )
            parts.append(f"{province or f'{country}.{admin1}'}, {country_name(country)}")
        else:
            parts.append(country_name(country))
    return "; ".join(parts)


def scope_for(user, country: str = "") -> Scope | None:
    """The user's roll-up scope (None: the user has none, a 404); a platform administrator may
    narrow the whole platform to one `country`."""
    places = permissions.rollup_scope(user)
    if places is None:
        return None
    if not places and country:
        places = ((country.upper(), ""),)
    return Scope(places, scope_label(places))


# --- the sections --------------------------------------------------------------------------------


@dataclass
class Row:
    """One line of a totals table: what it counts (code and words) and how many."""

    code: str
    label: str
    count: int


@dataclass
class Totals:
    partnerships: int
    by_province: list[Row]
    by_level: list[Row]
    by_country: list[Row]
    by_kind: list[Row]
    by_status: list[Row]


@dataclass
class StageRow:
    code: str
    name: str
    owner: str
    owner_label: str
    agreements: int
    longest_days: int


@dataclass
class WaitingAgreement:
    agreement_id: int
    title: str
    partners: str
    stage: str
    owner: str
    since: dt.datetime
    days_waiting: int
    overdue: bool
    url: str


@dataclass
class Expiring:
    agreement_id: int
    title: str
    partners: str
    ends_on: dt.date
    days_left: int
    url: str


@dataclass
class YearRow:
    year: int
    activities: int = 0
    held: int = 0
    participants: int = 0
    aid_shipments: int = 0
    aid_received: int = 0
    aid_value: Decimal | None = None


@dataclass
class AssessmentFigures:
    year: int | None
    answered: int  # sides that answered that year
    partnerships: int
    averages: list[tuple[str, str, float | None]]  # (dimension, label, mean score 1–5)


@dataclass
class Rollup:
    scope: Scope
    today: dt.date
    totals: Totals
    health: list[tuple[str, str, int]]  # (state, label, partnerships) from the health ranking
    stages: list[StageRow]
    waiting: list[WaitingAgreement]
    waiting_count: int
    expiring: list[Expiring]
    expiring_count: int
    years: list[YearRow]
    plans: plan_rollup.PlanFigures
    money: plan_rollup.MoneyRollup
    aid_money: plan_rollup.MoneyRollup
    assessment: AssessmentFigures
    currency: str = CURRENCY
    notes: list[str] = field(default_factory=list)

    def health_count(self, state: str) -> int:
        return next((n for code, _label, n in self.health if code == state), 0)

    @property
    def dormant(self) -> int:
        return self.health_count("dormant")

    @property
    def no_record(self) -> int:
        return self.health_count("no_record")


def _labelled(counts: Counter, labels: dict[str, str], *, by_count: bool = True) -> list[Row]:
    rows = [Row(code, labels.get(code) or code or _("not recorded"), n) for code, n in counts.items()]
    return sorted(rows, key=lambda r: (-r.count, r.label) if by_count else r.label)


def totals(scope: Scope) -> Totals:
    """The scope's partnerships (ended ones left out) counted by province, level and partner
    country of their government(s) in the scope, by kind and by recorded status. Two grouped
    queries (one per side) and one for the provinces' names.

    A partnership between two governments of the scope counts once in the total and by kind,
    and for each of its two governments in the tables by province, level and partner country."""
    base = scope.partnerships().exclude(status=Status.ENDED).order_by()
    by_province: Counter = Counter()
    by_level: Counter = Counter()
    by_country: Counter = Counter()
    seen: dict[int, tuple[str, str]] = {}
    for own, other in (("government_a", "government_b"), ("government_b", "government_a")):
        rows = (
            base.filter(**({f"{own}__in": scope.government_ids()} if scope.places else {}))
            .values_list(
                "pk",
                f"{own}__country_code",
                f"{own}__place__admin1_code",
                f"{own}__level",
                f"{other}__country_code",
                "kind",
                "status",
            )
            .iterator()
        )
        for pk, cc, admin1, level, partner_cc, kind, status in rows:
            by_province[(cc, admin1 or "")] += 1
            by_level[level] += 1
            by_country[partner_cc] += 1
            seen[pk] = (kind, status)
    kinds = Counter(kind for kind, _status in seen.values())
    statuses = Counter(status for _kind, status in seen.values())
    countries = sorted({cc for cc, _a in by_province})
    names = {
        (p.country_code, p.admin1_code): p.name
        for p in Place.objects.filter(
            kind=Place.Kind.SUBDIVISION, subdivision_code__isnull=False, country_code__in=countries
        )
        .exclude(admin1_code="")
        .order_by("-subdivision_code")
        .only("name", "country_code", "admin1_code")
    }
    several = len(countries) > 1
    province_rows = [
        Row(
            f"{cc}.{admin1}" if admin1 else cc,
            (names.get((cc, admin1)) or (f"{cc}.{admin1}" if admin1 else _("province not recorded")))
            + (f" ({cc})" if several else ""),
            n,
        )
        for (cc, admin1), n in by_province.items()
    ]
    province_rows.sort(key=lambda r: (-r.count, r.label))
    return Totals(
        partnerships=len(seen),
        by_province=province_rows,
        by_level=_labelled(by_level, {k: str(v) for k, v in Level.choices}),
        by_country=_labelled(by_country, {cc: country_name(cc) for cc in by_country}),
        by_kind=_labelled(kinds, {k: str(v) for k, v in Kind.choices}),
        by_status=_labelled(statuses, {k: str(v) for k, v in Status.choices}),
    )


def health_report(user, scope: Scope, now: dt.datetime | None = None) -> score.HealthReport:
    """The health ranking of the scope's partnerships, as the health pages rank them: through
    their filters (and cache) for one country or province, else on the scope's queryset."""
    single = scope.single
    if not scope.places:
        return score.HealthReport(user, score.Filters(), now=now)
    if single is not None:
        country, admin1 = single
        filters = score.Filters(country=country, province=f"{country}.{admin1}" if admin1 else "")
        return score.HealthReport(user, filters, now=now)
    return score.HealthReport(user, now=now, queryset=scope.partnerships().exclude(status=Status.ENDED))


def _partners(p: Partnership) -> str:
    return f"{p.government_a.name} – {p.government_b.name}"


def stages(scope: Scope, now: dt.datetime) -> tuple[list[StageRow], list[WaitingAgreement], int]:
    """Agreements of the scope in procedure, by the stage they wait at (how many, the longest
    wait), and the longest waiting ones by name. Two queries."""
    active = AgreementStage.objects.filter(
        status=StageStatus.ACTIVE, started_at__isnull=False, agreement__partnership__in=scope.partnerships()
    ).filter(agreement__status=AgreementStatus.IN_PROCEDURE)
    grouped = (
        active.order_by()
        .values(
            "template_stage__code",
            "template_stage__name_en",
            "template_stage__name_id",
            "template_stage__owner",
            "template_stage__position",
        )
        .annotate(n=Count("id"), oldest=Min("started_at"))
        .values_list(
            "template_stage__code",
            "template_stage__name_en",
            "template_stage__name_id",
            "template_stage__owner",
            "template_stage__position",
            "n",
            "oldest",
        )
    )
    owners = dict(StageOwner.choices)
    by_stage: dict[tuple[str, str, str], list] = {}
    for code, name_en, name_id, owner, position, n, oldest in grouped:
        # The stage's name in the reader's language, as TemplateStage.name gives it.
        key = (code, TemplateStage(name_en=name_en, name_id=name_id).name, owner)
        entry = by_stage.setdefault(key, [0, oldest, position])
        entry[0] += n
        entry[1] = min(entry[1], oldest)
        entry[2] = min(entry[2], position)
    rows = [
        StageRow(
            code,
            name,
            owner,
            str(owners.get(owner, owner)),
            n,
            max(0, (now - oldest).days),
        )
        for (code, name, owner), (n, oldest, _position) in sorted(by_stage.items(), key=lambda kv: (kv[1][2], kv[0]))
    ]
    longest = active.select_related(
        "template_stage", "agreement__partnership__government_a", "agreement__partnership__government_b"
    ).order_by("started_at", "pk")[:LIST_LIMIT]
    waiting = [
        WaitingAgreement(
            s.agreement_id,
            s.agreement.title,
            _partners(s.agreement.partnership),
            s.name,
            str(owners.get(s.template_stage.owner, s.template_stage.owner)),
            s.started_at,
            agreement_services.days_waiting(s, now),
            agreement_services.is_overdue(s, now),
            s.agreement.get_absolute_url(),
        )
        for s in longest
    ]
    return rows, waiting, sum(r.agreements for r in rows)


def expiring(scope: Scope, today: dt.date) -> tuple[list[Expiring], int]:
    """Signed agreements of the scope ending within six months (not yet ended), soonest first
    (agreements.services.ending_soon), and how many. Two queries."""
    days = (today + relativedelta(months=EXPIRING_MONTHS) - today).days
    agreements = Agreement.objects.filter(partnership__in=scope.partnerships())
    shown = agreement_services.ending_soon(today, days, agreements, limit=LIST_LIMIT)
    count = agreements.filter(
        status__in=[AgreementStatus.SIGNED, AgreementStatus.IN_FORCE],
        ends_on__gte=today,
        ends_on__lte=today + dt.timedelta(days=days),
    ).count()
    rows = [
        Expiring(a.pk, a.title, _partners(a.partnership), a.ends_on, (a.ends_on - today).days, a.get_absolute_url())
        for a in shown
    ]
    return rows, count


def years(scope: Scope, today: dt.date, aid_money: plan_rollup.MoneyRollup) -> list[YearRow]:
    """Activities (all, held, participants of held ones) and aid shipments (all, received) by
    year, this year and the nine before; the aid's value from the money lines of the shipments.
    Two queries."""
    first = today.year - YEARS + 1
    out = {y: YearRow(y) for y in range(today.year, first - 1, -1)}
    partnerships = scope.partnerships()
    for year, total, held, participants in (
        Activity.objects.filter(partnership__in=partnerships, start__year__gte=first, start__year__lte=today.year)
        .order_by()
        .annotate(y=ExtractYear("start"))
        .values("y")
        .annotate(
            total=Count("id"),
            held=Count("id", filter=Q(status=ActivityStatus.HELD)),
            people=Sum(
                Coalesce(F("participants_a"), Value(0)) + Coalesce(F("participants_b"), Value(0)),
                filter=Q(status=ActivityStatus.HELD),
                output_field=IntegerField(),
            ),
        )
        .values_list("y", "total", "held", "people")
    ):
        if year in out:
            out[year].activities, out[year].held, out[year].participants = total, held, participants or 0
    for year, total, received in (
        AidShipment.objects.filter(partnership__in=partnerships)
        .order_by()
        .annotate(y=ExtractYear(Coalesce("received_on", "shipped_on", "pledged_on")))
        .filter(y__gte=first, y__lte=today.year)
        .values("y")
        .annotate(total=Count("id"), received=Count("id", filter=Q(status=AidStatus.RECEIVED)))
        .values_list("y", "total", "received")
    ):
        out[year].aid_shipments, out[year].aid_received = total, received
    values: dict[int, Decimal] = defaultdict(Decimal)
    for r in aid_money.rows:
        values[r.year] += r.spent or r.budget
    for year, value in values.items():
        if year in out:
            out[year].aid_value = value
    return list(out.values())


def assessment(scope: Scope) -> AssessmentFigures:
    """The self-assessments of the scope's partnerships for the latest year any was answered:
    the mean score of each dimension over every side that answered (1 to 5). Two queries."""
    answered = SelfAssessment.objects.filter(partnership__in=scope.partnerships())
    year = answered.order_by("-year").values_list("year", flat=True).first()
    labels = grant_services.dimension_labels()
    if year is None:
        return AssessmentFigures(None, 0, 0, [(code, label, None) for code, label in labels])
    scores: dict[str, list[float]] = defaultdict(list)
    sides = 0
    partnerships = set()
    for partnership_id, answers in answered.filter(year=year).values_list("partnership", "answers"):
        sides += 1
        partnerships.add(partnership_id)
        for dim, value in grant_services.dimension_scores(answers or {}).items():
            if dim != "overall" and value:
                scores[dim].append(value)
    averages = [
        (code, label, round(sum(scores[code]) / len(scores[code]), 1) if scores[code] else None)
        for code, label in labels
    ]
    return AssessmentFigures(year, sides, len(partnerships), averages)


def build(user, scope: Scope, now: dt.datetime | None = None) -> Rollup:
    """The roll-up of `scope` as `user` reads it (an oversight body reads everything under its
    scope's partnerships; see the module's docstring for the queries)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    partnerships = scope.partnerships()
    report = health_report(user, scope, now=None)
    stage_rows, waiting, waiting_count = stages(scope, now)
    soon, soon_count = expiring(scope, today)
    from kembar.plans.services import Rates

    rates = Rates.load()
    aid_money = plan_rollup.money(partnerships, CURRENCY, rates, aid_only=True)
    return Rollup(
        scope=scope,
        today=today,
        totals=totals(scope),
        health=score.state_counts(report),
        stages=stage_rows,
        waiting=waiting,
        waiting_count=waiting_count,
        expiring=soon,
        expiring_count=soon_count,
        years=years(scope, today, aid_money),
        plans=plan_rollup.plan_figures(partnerships, today),
        money=plan_rollup.money(partnerships, CURRENCY, rates),
        aid_money=aid_money,
        assessment=assessment(scope),
    )


# --- tables for the exports ----------------------------------------------------------------------


def _amount(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def tables(r: Rollup) -> list[tuple[str, list[str], list[list]]]:
    """The roll-up as (heading, header, rows) tables: what the CSV, XLSX and PDF files hold."""
    t = r.totals
    out: list[tuple[str, list[str], list[list]]] = [
        (
            _("Summary"),
            [_("What"), _("Number")],
            [
                [_("Partnerships (not ended)"), t.partnerships],
                [_("Agreements waiting at a stage"), r.waiting_count],
                [_("Agreements ending within six months"), r.expiring_count],
                [_("Dormant partnerships (had activity, went quiet)"), r.dormant],
                [_("Partnerships with no record yet (listed, nothing recorded)"), r.no_record],
                [_("Partnerships with a plan for this year"), r.plans.with_plan],
                [
                    _("Average progress of their targets (%)"),
                    "" if r.plans.average_progress is None else r.plans.average_progress,
                ],
            ],
        ),
        (_("By province"), [_("Province"), _("Partnerships")], [[x.label, x.count] for x in t.by_province]),
        (_("By level"), [_("Level"), _("Partnerships")], [[x.label, x.count] for x in t.by_level]),
        (_("By partner country"), [_("Country"), _("Partnerships")], [[x.label, x.count] for x in t.by_country]),
        (_("By kind"), [_("Kind"), _("Partnerships")], [[x.label, x.count] for x in t.by_kind]),
        (_("Health"), [_("Health"), _("Partnerships")], [[label, n] for _code, label, n in r.health]),
        (
            _("Agreements at each stage"),
            [_("Stage"), _("Acted on by"), _("Agreements"), _("Longest wait (days)")],
            [[s.name, s.owner_label, s.agreements, s.longest_days] for s in r.stages],
        ),
        (
            _("Agreements waiting longest"),
            [_("Agreement"), _("Partners"), _("Stage"), _("Days waiting")],
            [[w.title, w.partners, w.stage, w.days_waiting] for w in r.waiting],
        ),
        (
            _("Agreements ending within six months"),
            [_("Agreement"), _("Partners"), _("Ends on"), _("Days left")],
            [[e.title, e.partners, e.ends_on.isoformat(), e.days_left] for e in r.expiring],
        ),
        (
            _("Activities and aid by year"),
            [
                _("Year"),
                _("Activities"),
                _("Held"),
                _("Participants"),
                _("Aid shipments"),
                _("Received"),
                _("Aid value (%(currency)s)") % {"currency": r.currency},
            ],
            [
                [y.year, y.activities, y.held, y.participants, y.aid_shipments, y.aid_received, _amount(y.aid_value)]
                for y in r.years
            ],
        ),
        (
            _("Money by funder and year (%(currency)s)") % {"currency": r.currency},
            [_("Year"), _("Funder"), _("Budget"), _("Spent")],
            [[m.year, m.funder_label, _amount(m.budget), _amount(m.spent)] for m in r.money.rows],
        ),
        (_("Exchange rates used"), [_("Rate")], [[name] for name in r.money.rate_names()]),
        (
            _("Self-assessment, %(year)s") % {"year": r.assessment.year or "–"},
            [_("Dimension"), _("Average score (1–5)")],
            [[label, "" if value is None else value] for _code, label, value in r.assessment.averages],
        ),
    ]
    return out


def as_json(r: Rollup) -> dict:
    """The roll-up for the API and `kembar oversight-summary --json`: codes beside words."""

    def rows(items: list[Row]) -> list[dict]:
        return [{"code": x.code, "label": x.label, "partnerships": x.count} for x in items]

    t = r.totals
    return {
        "scope": {"label": r.scope.label, "places": [{"country": c, "province": a} for c, a in r.scope.places]},
        "today": r.today,
        "currency": r.currency,
        "partnerships": t.partnerships,
        "by_province": rows(t.by_province),
        "by_level": rows(t.by_level),
        "by_partner_country": rows(t.by_country),
        "by_kind": rows(t.by_kind),
        "by_status": rows(t.by_status),
        "health": [{"state": code, "label": label, "partnerships": n} for code, label, n in r.health],
        "dormant": r.dormant,
        "no_record": r.no_record,
        "stages": [
            {
                "stage": s.code,
                "name": s.name,
                "owner": s.owner,
                "agreements": s.agreements,
                "longest_days": s.longest_days,
            }
            for s in r.stages
        ],
        "waiting_count": r.waiting_count,
        "waiting": [
            {
                "agreement_id": w.agreement_id,
                "title": w.title,
                "partners": w.partners,
                "stage": w.stage,
                "since": w.since,
                "days_waiting": w.days_waiting,
                "overdue": w.overdue,
                "url": w.url,
            }
            for w in r.waiting
        ],
        "expiring_count": r.expiring_count,
        "expiring": [
            {
                "agreement_id": e.agreement_id,
                "title": e.title,
                "partners": e.partners,
                "ends_on": e.ends_on,
                "days_left": e.days_left,
                "url": e.url,
            }
            for e in r.expiring
        ],
        "years": [
            {
                "year": y.year,
                "activities": y.activities,
                "held": y.held,
                "participants": y.participants,
                "aid_shipments": y.aid_shipments,
                "aid_received": y.aid_received,
                "aid_value": y.aid_value,
            }
            for y in r.years
        ],
        "plans": {
            "with_plan": r.plans.with_plan,
            "with_targets": r.plans.with_targets,
            "average_progress": r.plans.average_progress,
        },
        "money": [{"year": m.year, "funder": m.funder, "budget": m.budget, "spent": m.spent} for m in r.money.rows],
        "rates": r.money.rate_names(),
        "unconverted": {c: v for c, v in r.money.unconverted.items()},
        "assessment": {
            "year": r.assessment.year,
            "sides": r.assessment.answered,
            "partnerships": r.assessment.partnerships,
            "averages": {code: value for code, _label, value in r.assessment.averages},
        },
    }
