"""Partnership health: a score from 0 to 100 from the evidence the platform holds, the factors
that make it up (in words and points), the dormancy flag and the concrete next step.

The score is computed **in the database** for a whole list at once (one query, whatever the
number of rows): each factor is a SQL expression over a correlated subquery, so the database
scores and orders the scope worst first. The shown rows are then scored again in Python, under the
same rules, from a few aggregate queries, and put into words (`add_evidence`).
A recurring series' occurrences cannot be SQL (dateutil rules): they are expanded in Python
(one query over the scope's held series, remembered per day) and folded into the SQL as a few
sets of ids. Stuck procedure stages are the agreements' own rule
(`agreements.services.stuck_stage_queryset`, SQL), as the reminders and the dashboard use it.

The weights and thresholds are in WEIGHTS below, the only place they live; `explanation()`
puts them into words for the pages, docs/insights.md documents them.

**States.** Every partnership in the scope has exactly one health state, one vocabulary for the
dashboard, the lists, the map, the reports, the API and `kembar health`:

- **no_record** ("no record yet"): no cooperation has been recorded for it by anyone. Precisely:
  it came from an imported twinning list (`source` "import") and has no activity (of any
  status), no agreement (of any status) and no meeting (action items hang under meetings). An
  office confirming or correcting the link (kembar.partnerships.claims) says it exists, not that
  anything happened, so it stays no_record. An imported link is a fact about the world, not a record of cooperation:
  such a partnership is never dormant, never on a map or list of those needing attention, and is
  shown as an invitation to record its first activity or agreement. A partnership an office
  entered itself is a record (of its existence) from the start.
- **dormant**: a partnership with a record but no held activity within `KEMBAR_DORMANT_MONTHS`
  (default 24) months, counting an activity held exactly that many months ago as within.
- **thriving**, **slowing**, **struggling**: the band of the score (70 or more, 40 to 69, below
  40) of a partnership with a record that is not dormant.

What counts is what the reader may see: public activities for visitors and other offices; all of
a partnership's activities and its (internal) meetings and their action items for its own
offices, oversight bodies and administrators. Agreements count for every reader, as in the score.
The recorded status (proposed, active, suspended, ended) is what an office says; it never uses
these words.

**In SQL.** The ranking selects one integer per partnership, `h_rank` (see `annotate`): twice the
score, plus one when an activity was held in the period (not dormant), plus NO_RECORD_RANK for
no record. Ordering by it puts the partnerships with a record first, worst first (dormant before
not dormant at the same score), then those with no record; `decode` turns it back into the score
and the state without another query.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import os
import uuid
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TypeVar

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.cache import cache
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Least
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from kembar.accounts import permissions
from kembar.activities.models import Activity, ActivityChange
from kembar.activities.recurrence import occurrences
from kembar.activities.vocab import ActivityStatus
from kembar.agreements import services as agreement_services
from kembar.agreements.models import Agreement, AgreementStage, AgreementStatus, TemplateStage
from kembar.agreements.reminders import THRESHOLDS
from kembar.core import stamps
from kembar.core.caching import kept_each
from kembar.gazetteer.services import admin1_of
from kembar.meetings.models import ActionItem, Meeting
from kembar.partnerships.models import Partnership
from kembar.partnerships.vocab import Status as PartnershipStatus
from kembar.plans import services as plan_services
from kembar.plans.models import Plan, Target, TargetLink

from ..changes import ChangeLog, cache_seconds, kept_up_to_date

T = TypeVar("T")
DEFAULT_DORMANT_MONTHS = 24
ENDING_SOON_DAYS = max(THRESHOLDS)  # the agreement reminders' horizon: 180 days

# Every weight and threshold of the score. Bands are (at least, points), checked in order.
WEIGHTS = {
    "recency": {"max": 35, "within_months": ((6, 35), (12, 25)), "within_period": 12},
    "frequency": {"max": 15, "held": ((4, 15), (2, 10), (1, 5))},
    "agreement": {"max": 20, "in_force": 20, "ending_soon": 12, "pending": 8, "none": 5, "expired": 0},
    "procedure": {"max": 10, "clear": 10, "stuck": 0},
    "actions": {"max": 10, "overdue": ((3, 0), (1, 5)), "clear": 10},
    "two_sided": {"max": 10, "both": 10, "one": 4, "none": 0},
}
assert sum(w["max"] for w in WEIGHTS.values()) == 100
# A plan of action in force adds points by its progress (kembar.plans: computed from what its
# targets' linked activities, aid and pilots achieved), the score staying at most 100: a plan
# being met lifts a partnership, having none costs nothing. Bands are (at least %, points).
PLAN_BONUS = {"max": 5, "progress": ((75, 5), (50, 3), (25, 1))}

FACTOR_LABELS = {
    "recency": gettext_lazy("Recent activity"),
    "frequency": gettext_lazy("Frequency"),
    "agreement": gettext_lazy("Agreement"),
    "procedure": gettext_lazy("Procedure"),
    "actions": gettext_lazy("Action items"),
    "two_sided": gettext_lazy("Both sides host"),
    "plan": gettext_lazy("Plan of action"),
}
SIGNED = [AgreementStatus.SIGNED, AgreementStatus.IN_FORCE, AgreementStatus.EXPIRED]
EPOCH = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)


def explanation() -> list[str]:
    """How the score is made, in words, from WEIGHTS (shown under the health list)."""
    w = WEIGHTS
    (m1, r1), (m2, r2) = w["recency"]["within_months"]
    (n1, f1), (n2, f2), (n3, f3) = w["frequency"]["held"]
    (o1, a1), (o2, a2) = w["actions"]["overdue"]
    return [
        _(
            "Recent activity, up to %(max)d points: the last held activity within %(m1)d months %(p1)d, within "
            "%(m2)d months %(p2)d, within the dormancy period %(p3)d."
        )
        % {"max": w["recency"]["max"], "m1": m1, "p1": r1, "m2": m2, "p2": r2, "p3": w["recency"]["within_period"]},
        _(
            "Frequency, up to %(max)d points: activities held within the dormancy period, %(n1)d or more %(p1)d, "
            "%(n2)d or more %(p2)d, %(n3)d or more %(p3)d."
        )
        % {"max": w["frequency"]["max"], "n1": n1, "p1": f1, "n2": n2, "p2": f2, "n3": n3, "p3": f3},
        _(
            "Agreement, up to %(max)d points: in force %(in_force)d, in force but ending within %(days)d days "
            "%(ending_soon)d, one in preparation %(pending)d, none %(none)d, expired %(expired)d."
        )
        % {**w["agreement"], "days": ENDING_SOON_DAYS},
        _("Procedure, %(max)d points: no procedure stage waiting longer than its expected duration.")
        % {"max": w["procedure"]["max"]},
        _(
            "Action items, up to %(max)d points: none overdue %(clear)d, %(n2)d or more overdue %(p2)d, "
            "%(n1)d or more %(p1)d."
        )
        % {"max": w["actions"]["max"], "clear": w["actions"]["clear"], "n1": o1, "p1": a1, "n2": o2, "p2": a2},
        _(
            "Both sides host, up to %(max)d points: both partners hosted an activity within the dormancy period "
            "%(both)d, one of them %(one)d."
        )
        % w["two_sided"],
        _(
            "Plan of action, up to %(max)d extra points (the score stays at most 100): the plan in force has met "
            "%(n1)d%% of its targets %(p1)d, %(n2)d%% %(p2)d, %(n3)d%% %(p3)d. Its progress is computed from the "
            "activities, aid and pilots linked to its targets; only readers of the plan see it counted."
        )
        % {
            "max": PLAN_BONUS["max"],
            **{f"n{i}": t for i, (t, _p) in enumerate(PLAN_BONUS["progress"], 1)},
            **{f"p{i}": p for i, (_t, p) in enumerate(PLAN_BONUS["progress"], 1)},
        },
    ]


def dormant_months() -> int:
    """The dormancy period: setting (or environment) KEMBAR_DORMANT_MONTHS, default 24."""
    value = getattr(settings, "KEMBAR_DORMANT_MONTHS", None) or os.environ.get("KEMBAR_DORMANT_MONTHS")
    return int(value) if value else DEFAULT_DORMANT_MONTHS


@dataclass
class Factor:
    code: str
    points: int
    max: int
    text: str

    @property
    def label(self) -> str:
        return str(FACTOR_LABELS[self.code])


@dataclass
class Step:
    text: str
    url: str = ""


@dataclass
class Health:
    partnership: Partnership
    score: int
    dormant: bool  # a partnership with a record and no held activity in the period (never no_record)
    last_held: dt.datetime | None
    factors: list[Factor] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    no_record: bool = False

    @property
    def next_step(self) -> Step:
        return self.steps[0]

    @property
    def level(self) -> str:
        """good / fair / poor: the colour of the score."""
        return level(self.score)

    @property
    def level_label(self) -> str:
        """The band's word: thriving, slowing or struggling."""
        return str(LEVEL_LABELS[self.level])

    @property
    def state(self) -> str:
        """thriving, slowing, struggling, dormant or no_record (see the module's docstring)."""
        return state_of(self.score, self.dormant, self.no_record)

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def dormant_months(self) -> int:
        return dormant_months()


LEVELS = ((70, "good"), (40, "fair"), (0, "poor"))  # a score of at least … is …
# The health's own words, which no recorded status uses (proposed, active, suspended, ended), in
# either language: the bands of the score, "dormant" (no activity held in the period) and "no
# record yet" (nothing recorded by anyone).
LEVEL_LABELS = {
    "good": gettext_lazy("thriving"),
    "fair": gettext_lazy("slowing"),
    "poor": gettext_lazy("struggling"),
}
DORMANT_LABEL = gettext_lazy("dormant")
NO_RECORD_LABEL = gettext_lazy("no record yet")
BAND_STATES = {"good": "thriving", "fair": "slowing", "poor": "struggling"}
# The states, best first (as lists and reports show them).
STATES = ("thriving", "slowing", "struggling", "dormant", "no_record")
STATE_LABELS = {
    **{BAND_STATES[name]: label for name, label in LEVEL_LABELS.items()},
    "dormant": DORMANT_LABEL,
    "no_record": NO_RECORD_LABEL,
}
# The map's index of each state: the lines are drawn in this order, the healthiest on top.
MAP_STATES = ("no_record", "dormant", "struggling", "slowing", "thriving")
NO_RECORD_RANK = 1000  # above twice any score plus one (see `annotate`)


def level(score: int) -> str:
    return next(name for least, name in LEVELS if score >= least)


def state_of(score: int, dormant: bool, no_record: bool) -> str:
    if no_record:
        return "no_record"
    if dormant:
        return "dormant"
    return BAND_STATES[level(score)]


def decode(rank: int) -> tuple[int, str]:
    """(score, state) from a ranking's `h_rank`."""
    no_record = rank >= NO_RECORD_RANK
    rest = rank - NO_RECORD_RANK if no_record else rank
    return rest // 2, state_of(rest // 2, rest % 2 == 0, no_record)


def plan_points(percent: int) -> int:
    return next((p for t, p in PLAN_BONUS["progress"] if percent >= t), 0)


# --- the evidence, as SQL -----------------------------------------------------------------------


@dataclass
class Context:
    """What one health computation needs: the clock, the period, the reader's evidence filter."""

    now: dt.datetime
    period_start: dt.datetime
    activity_filter: Q
    reads_actions: Q | None  # None: every partnership's action items; else for these partnerships only
    user: object = None  # whose plans of action count (those the user reads)
    own: frozenset[int] | None = None  # the reader's governments (None: reads everything)

    @classmethod
    def for_user(cls, user, now: dt.datetime | None = None) -> Context:
        now = now or timezone.now()
        if permissions.reads_everything(user):
            activity_filter, actions = Q(), None
        else:
            own = list(permissions.readable_government_ids(user))
            partner = Q(partnership__government_a__in=own) | Q(partnership__government_b__in=own)
            activity_filter = Q(public=True) | partner
            actions = Q(government_a__in=own) | Q(government_b__in=own)
        own_ids = None if actions is None else frozenset(own)
        return cls(now, now - relativedelta(months=dormant_months()), activity_filter, actions, user, own_ids)

    @cached_property
    def plan_progress(self) -> dict[int, int]:
        """{partnership id: progress %} of the plans in force that the reader reads (two queries,
        whatever the number of partnerships)."""
        readable = permissions.visible_plan_partnerships(self.user, Partnership.objects.all())
        return plan_services.progress_by_partnership(readable.values_list("pk", flat=True), self.now.date())

    def plan_progress_of(self, ids: list[int]) -> dict[int, int]:
        """`plan_progress` of the partnerships `ids` only (two queries, unless already read)."""
        if self.own is not None and not self.own:
            return {}  # a visitor reads no plan
        if "plan_progress" in self.__dict__:
            keep = set(ids)
            return {pk: v for pk, v in self.plan_progress.items() if pk in keep}
        readable = permissions.visible_plan_partnerships(self.user, Partnership.objects.filter(pk__in=ids))
        return plan_services.progress_by_partnership(readable.values_list("pk", flat=True), self.now.date())

    @cached_property
    def plan_points(self) -> dict[int, int]:
        return {pk: plan_points(percent) for pk, percent in self.plan_progress.items()}

    def reads_actions_of(self, p: Partnership) -> bool:
        """Whether the reader sees `p`'s meetings and action items (`reads_actions` in Python)."""
        return self.own is None or p.government_a_id in self.own or p.government_b_id in self.own

    @cached_property
    def recency_bands(self) -> list[tuple[dt.datetime, int]]:
        """(since, points), most recent first: the recency factor's bands on this clock."""
        w = WEIGHTS["recency"]
        bands = [(self.now - relativedelta(months=m), p) for m, p in w["within_months"] if m < dormant_months()]
        return bands + [(self.period_start, w["within_period"])]

    def held(self) -> QuerySet[Activity]:
        return Activity.objects.filter(
            self.activity_filter, partnership=OuterRef("pk"), status=ActivityStatus.HELD, start__lte=self.now
        ).order_by()

    def no_record(self) -> Q:
        """The partnerships (outer rows) with no record yet for this reader: imported or still a
        proposal, with no activity the reader may see, no agreement, no meeting the reader may see.
        The cheap conditions come first, so a partnership an office entered costs no subquery."""
        pk = OuterRef("pk")
        meetings = Exists(Meeting.objects.filter(partnership=pk))
        if self.reads_actions is not None:  # meetings are internal to the partnership's offices
            meetings = self.reads_actions & Q(meetings)
        return (
            (Q(source=Partnership.Source.IMPORT) | Q(status=PartnershipStatus.PROPOSED))
            & ~Exists(Activity.objects.filter(self.activity_filter, partnership=pk))
            & ~Exists(Agreement.objects.filter(partnership=pk))
            & ~Q(meetings)
        )


@dataclass
class SeriesEvidence:
    """What the recurring held series add, per partnership id (expanded in Python)."""

    last: dict[int, dt.datetime] = field(default_factory=dict)
    in_period: dict[int, int] = field(default_factory=dict)
    hosted_a: set[int] = field(default_factory=set)  # partnerships whose first partner hosted one
    hosted_b: set[int] = field(default_factory=set)

    def only(self, ids) -> SeriesEvidence:
        keep = set(ids)
        return SeriesEvidence(
            {k: v for k, v in self.last.items() if k in keep},
            {k: v for k, v in self.in_period.items() if k in keep},
            self.hosted_a & keep,
            self.hosted_b & keep,
        )


# Expanding a series is the slow part (dateutil walks the rule): each process remembers, per
# series version and day, the held occurrences up to that day, and shares them through Django's
# cache (with CACHE_URL, Redis: every app server process expands a series once a day at most).
_EXPANDED: dict[tuple, list[dt.datetime]] = {}
_EXPANDED_MAX = 50_000


def _held_occurrences(activity: Activity, now: dt.datetime) -> list[dt.datetime]:
    return [o.start for o in occurrences(activity, before=now) if o.start <= now]


def _series(ctx: Context, scope: QuerySet[Partnership] | list[int] | None) -> SeriesEvidence:
    """The held recurring series of the scope (partnerships, or their ids; None: the whole
    platform) and their occurrences up to now: one query, and one more (with their
    postponements) for the series this process has not expanded today. Series outside the
    scope do no harm: they only name other ids."""
    found = SeriesEvidence()
    series = Activity.objects.filter(
        ctx.activity_filter, status=ActivityStatus.HELD, start__lte=ctx.now, recurrence__gt=""
    )  # not "<> ''": lets the (status, recurrence) index serve
    if scope is not None:
        series = series.filter(partnership__in=scope if isinstance(scope, list) else scope.values("pk"))
    rows = list(
        series.order_by().values_list(
            "pk", "partnership_id", "host_id", "partnership__government_a_id", "start", "updated"
        )
    )
    day = ctx.now.date()
    key = {pk: (pk, updated, day) for pk, _, _, _, _, updated in rows}
    missing = [pk for pk, k in key.items() if k not in _EXPANDED]
    if missing:
        if len(_EXPANDED) > _EXPANDED_MAX:
            _EXPANDED.clear()
        # Another process may have expanded them today: the shared cache (Redis with CACHE_URL) has
        # the day's expansions under one key (one entry, whatever the number of series).
        shared_key = f"kembar:insights:series:{day.isoformat()}"
        shared = cache.get(shared_key) or {}
        for pk in missing:
            if key[pk] in shared:
                _EXPANDED[key[pk]] = shared[key[pk]]
        missing = [pk for pk in missing if key[pk] not in shared]
        if missing:
            for activity in (
                Activity.objects.filter(pk__in=missing).select_related("host__place").prefetch_related("changes")
            ):
                _EXPANDED[key[activity.pk]] = shared[key[activity.pk]] = _held_occurrences(activity, ctx.now)
            cache.set(shared_key, shared, 36 * 3600)
    for pk, pid, host, government_a, start, _updated in rows:
        held = _EXPANDED[key[pk]]
        recent = [moment for moment in held if ctx.period_start <= moment <= ctx.now]
        if recent:
            found.in_period[pid] = found.in_period.get(pid, 0) + len(recent)
            (found.hosted_a if host == government_a else found.hosted_b).add(pid)
        last = held[-1] if held else start
        if last > found.last.get(pid, EPOCH):
            found.last[pid] = last
    return found


def _by_value(mapping: dict[int, object], default, output_field=None):
    """A CASE giving each partnership id its value (ids grouped by value: few WHENs)."""
    groups: dict[object, list[int]] = defaultdict(list)
    for pk, value in mapping.items():
        groups[value].append(pk)
    if not groups:
        return Value(default, output_field=output_field)
    return Case(
        *[When(pk__in=ids, then=Value(v)) for v, ids in groups.items()],
        default=Value(default),
        output_field=output_field,
    )


class CaseMap(Func):
    """`CASE expr WHEN k THEN v ... ELSE default END`: maps a small integer to points while the
    database evaluates `expr` (a subquery) once, where a searched CASE would repeat it."""

    def __init__(self, expression, mapping: dict[int, int], default: int):
        super().__init__(expression, output_field=IntegerField())
        self.mapping, self.default = mapping, default

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        whens = " ".join(f"WHEN {int(k)} THEN {int(v)}" for k, v in self.mapping.items())
        return f"(CASE {sql} {whens} ELSE {int(self.default)} END)", params


def _subquery_value(qs: QuerySet, expression, default: int = 0, by: str = "partnership"):
    """One value per outer partnership from an aggregate over `qs` (correlated on partnership)."""
    return Coalesce(
        Subquery(qs.values(by).annotate(v=expression).values("v")), Value(default), output_field=IntegerField()
    )


def _overdue_count(today: dt.date):
    """The partnership's open action items due before today, counted from its meetings: the
    outer join makes the database walk the partnership's meetings and their items (two index
    lookups), where a filter on the items let SQLite start from every open item of the platform."""
    open_overdue = Q(action_items__status=ActionItem.Status.OPEN, action_items__due__lt=today)
    meetings = Meeting.objects.filter(partnership=OuterRef("pk")).order_by()
    return _subquery_value(meetings, Count("action_items", filter=open_overdue))


def _band_points(bands, default: int) -> dict[int, int]:
    """Points for a count capped at the highest band: {0: default, 1: …, …, cap: …}."""
    cap = max(t for t, _ in bands)
    return {n: next((p for t, p in bands if n >= t), default) for n in range(cap + 1)}


# Who hosted in the period, as bits (first partner 2, second 1), to points.
TWO_SIDED_POINTS = {3: WEIGHTS["two_sided"]["both"], 2: WEIGHTS["two_sided"]["one"], 1: WEIGHTS["two_sided"]["one"]}

# Agreement state as a rank, best first: the best agreement of a partnership decides.
AGREEMENT_RANK = {"in_force": 5, "ending_soon": 4, "pending": 3, "none": 2, "expired": 1}
AGREEMENT_STATE = {WEIGHTS["agreement"][state]: state for state in AGREEMENT_RANK}
assert len(AGREEMENT_STATE) == len(AGREEMENT_RANK), "agreement points must differ per state"


def annotate(queryset: QuerySet[Partnership], ctx: Context, series: SeriesEvidence) -> QuerySet[Partnership]:
    """Every factor's points as annotations (each one subquery at most) and `h_score`, their
    sum. A page's few rows are scored and put into words by `add_evidence` instead."""
    w = WEIGHTS
    today = ctx.now.date()
    held = ctx.held()
    recent = held.filter(start__gte=ctx.period_start)
    recency = Max(Case(*[When(start__gte=t, then=Value(p)) for t, p in ctx.recency_bands], default=Value(0)))
    series_points = {pk: _recency_points_py(last, ctx) for pk, last in series.last.items()}
    frequency_cap = max(t for t, _ in w["frequency"]["held"])
    sides = Max(Case(When(host=OuterRef("government_a"), then=Value(2)), default=Value(0))) + Max(
        Case(When(host=OuterRef("government_b"), then=Value(1)), default=Value(0))
    )
    series_sides = {
        pk: (2 if pk in series.hosted_a else 0) | (1 if pk in series.hosted_b else 0)
        for pk in series.hosted_a | series.hosted_b
    }
    r = AGREEMENT_RANK
    started = Q(effective_on__lte=today) | Q(effective_on__isnull=True, signed_on__lte=today)
    agreements = Agreement.objects.filter(partnership=OuterRef("pk")).exclude(status=AgreementStatus.TERMINATED)
    agreement_rank = Max(
        Case(
            When(
                Q(status__in=SIGNED)
                & started
                & (Q(ends_on__isnull=True) | Q(ends_on__gt=today + dt.timedelta(days=ENDING_SOON_DAYS))),
                then=Value(r["in_force"]),
            ),
            When(Q(status__in=SIGNED) & started & Q(ends_on__gte=today), then=Value(r["ending_soon"])),
            When(
                Q(status__in=[AgreementStatus.DRAFT, AgreementStatus.IN_PROCEDURE])
                | Q(status__in=SIGNED) & (Q(ends_on__isnull=True) | Q(ends_on__gte=today)),
                then=Value(r["pending"]),
            ),
            default=Value(r["expired"]),
        )
    )
    overdue_count = _overdue_count(today)
    if ctx.reads_actions is not None:  # action items belong to meetings, which are internal
        overdue_count = Case(When(ctx.reads_actions, then=overdue_count), default=Value(0))
    actions_cap = max(t for t, _ in w["actions"]["overdue"])
    held_in_period = Least(
        _subquery_value(recent, Count("pk")) + _by_value(series.in_period, 0, IntegerField()), Value(frequency_cap)
    )
    frequency_points = _band_points(w["frequency"]["held"], 0)
    qs = queryset.annotate(
        h_recency=Greatest(_subquery_value(held, recency), _by_value(series_points, 0, IntegerField())),
        h_frequency=CaseMap(held_in_period, frequency_points, 0),
        # Twice the frequency's points, plus one when an activity was held in the period: the
        # ranking learns dormancy from the same subquery (see h_rank).
        h_frequency_rank=CaseMap(
            held_in_period, {n: 2 * points + (1 if n else 0) for n, points in frequency_points.items()}, 0
        ),
        h_no_record=Case(When(ctx.no_record(), then=Value(NO_RECORD_RANK)), default=Value(0)),
        h_agreement=CaseMap(
            _subquery_value(agreements.order_by(), agreement_rank, r["none"]),
            {rank: w["agreement"][state] for state, rank in r.items()},
            w["agreement"]["none"],
        ),
        h_procedure=Case(
            When(
                Exists(agreement_services.stuck_stage_queryset(ctx.now).filter(agreement__partnership=OuterRef("pk"))),
                then=Value(w["procedure"]["stuck"]),
            ),
            default=Value(w["procedure"]["clear"]),
            output_field=IntegerField(),
        ),
        h_actions=CaseMap(
            Least(overdue_count, Value(actions_cap)),
            _band_points(w["actions"]["overdue"], w["actions"]["clear"]),
            w["actions"]["clear"],
        ),
        h_two_sided=CaseMap(
            _subquery_value(recent, sides).bitor(_by_value(series_sides, 0, IntegerField())),
            TWO_SIDED_POINTS,
            w["two_sided"]["none"],
        ),
    )
    qs = qs.annotate(h_plan=_by_value(ctx.plan_points, 0, IntegerField()))
    others = Least(
        F("h_recency") + F("h_agreement") + F("h_procedure") + F("h_actions") + F("h_two_sided") + F("h_plan"),
        Value(100) - F("h_frequency"),
    )
    return qs.annotate(
        h_score=others + F("h_frequency"),
        # One integer the ranking orders by and `decode` reads: the score, dormancy, no record.
        h_rank=F("h_no_record") + Value(2) * others + F("h_frequency_rank"),
    )


# --- one list's rows, in Python --------------------------------------------------------------------


def _started(agreement: dict, today: dt.date) -> bool:
    """In effect by `today`: from its effective date, else from its signature (`annotate`'s
    `started`)."""
    if agreement["effective_on"]:
        return agreement["effective_on"] <= today
    return bool(agreement["signed_on"] and agreement["signed_on"] <= today)


def _agreement_state(agreements: list[dict], today: dt.date) -> str:
    """The best state of a partnership's agreements (`annotate`'s agreement rank, in Python):
    "none" without one (an expired agreement ranks below none)."""
    states = []
    for a in agreements:
        if a["status"] == AgreementStatus.TERMINATED:
            continue
        signed = a["status"] in SIGNED
        started = _started(a, today)
        ends = a["ends_on"]
        if signed and started and (ends is None or ends > today + dt.timedelta(days=ENDING_SOON_DAYS)):
            state = "in_force"
        elif signed and started and ends >= today:
            state = "ending_soon"
        elif a["status"] in (AgreementStatus.DRAFT, AgreementStatus.IN_PROCEDURE) or (
            signed and (ends is None or ends >= today)
        ):
            state = "pending"
        else:
            state = "expired"
        states.append(state)
    return max(states, key=AGREEMENT_RANK.__getitem__, default="none")


@dataclass
class RecordEvidence:
    """The partnerships' own activities (aggregated) and agreements, as `add_evidence` scores
    them: read first, so that the series and the stuck stages are read only for the
    partnerships that have any."""

    activities: dict[int, dict]
    agreements: dict[int, list[dict]]

    def with_series(self) -> list[int]:
        """The partnerships with a held recurring series (`_series` finds its occurrences)."""
        return [pk for pk, r in self.activities.items() if r["series"]]

    def with_live_agreement(self) -> list[int]:
        """The partnerships with an agreement not terminated (only those have a stage waiting)."""
        return [
            pk for pk, mine in self.agreements.items() if any(a["status"] != AgreementStatus.TERMINATED for a in mine)
        ]


def read_records(ids: list[int], ctx: Context) -> RecordEvidence:
    """The partnerships `ids`' activities and agreements for `add_evidence` (two queries)."""
    held = Q(status=ActivityStatus.HELD, start__lte=ctx.now)
    recent = held & Q(start__gte=ctx.period_start)
    activities = {
        r["partnership"]: r
        for r in Activity.objects.filter(ctx.activity_filter, partnership__in=ids)
        .order_by()
        .values("partnership")
        .annotate(
            last=Max("start", filter=held),
            recent=Count("pk", filter=recent),
            host_a=Count("pk", filter=recent & Q(host_id=F("partnership__government_a_id"))),
            host_b=Count("pk", filter=recent & Q(host_id=F("partnership__government_b_id"))),
            series=Count("pk", filter=held & Q(recurrence__gt="")),  # as `_series` reads them
        )
    }
    agreements: dict[int, list[dict]] = defaultdict(list)
    for a in Agreement.objects.filter(partnership__in=ids).values(
        "partnership_id", "status", "effective_on", "signed_on", "ends_on"
    ):
        agreements[a["partnership_id"]].append(a)
    return RecordEvidence(activities, agreements)


def add_evidence(
    rows: list[Partnership], ctx: Context, records: RecordEvidence, series: SeriesEvidence, stuck: set[int]
) -> None:
    """Score the partnerships `rows` (of a list's page, or one partnership's page) and add what
    the words need, as attributes named as `annotate`'s (h_score, h_recency…, plus h_last_single,
    h_held, h_host_a, h_open_ended, h_force_end, h_expired_end, h_overdue, h_plan_progress).

    The same rules as `annotate`, from their `records` (`read_records`), the meetings' and the
    plans' small aggregate queries: the ranking orders the whole scope in SQL, and a page
    describes its few rows without building that query (building and compiling it took longer
    than running it). `stuck`: the ids of the rows with a stuck procedure stage.
    tests/insights/test_health_consistency.py holds the two to the same scores on generated
    volume."""
    if not rows:
        return
    w, ids, today = WEIGHTS, [p.pk for p in rows], ctx.now.date()
    activities, agreements = records.activities, records.agreements
    open_overdue = Q(action_items__status=ActionItem.Status.OPEN, action_items__due__lt=today)
    # Only the meetings whose action items the reader reads count (none for a visitor: no query).
    meetings = {}
    if acting := [p.pk for p in rows if ctx.reads_actions_of(p)]:
        meetings = {
            r["partnership"]: r
            for r in Meeting.objects.filter(partnership__in=acting)
            .order_by()
            .values("partnership")
            .annotate(overdue=Count("action_items", filter=open_overdue))
        }
    progress = ctx.plan_progress_of(ids)
    frequency_cap = max(t for t, _ in w["frequency"]["held"])
    frequency_points = _band_points(w["frequency"]["held"], 0)
    actions_cap = max(t for t, _ in w["actions"]["overdue"])
    actions_points = _band_points(w["actions"]["overdue"], w["actions"]["clear"])
    for p in rows:
        done = activities.get(p.pk, {"last": None, "recent": 0, "host_a": 0, "host_b": 0})
        mine = agreements.get(p.pk, [])
        p.h_last_single, p.h_held = done["last"], done["recent"]
        p.h_host_a = bool(done["host_a"])
        last = max([d for d in (done["last"], series.last.get(p.pk)) if d is not None], default=None)
        p.h_recency = _recency_points_py(last, ctx)
        in_period = min(done["recent"] + series.in_period.get(p.pk, 0), frequency_cap)
        p.h_frequency = frequency_points[in_period]
        state = _agreement_state(mine, today)
        p.h_agreement = w["agreement"][state]
        p.h_procedure = w["procedure"]["stuck" if p.pk in stuck else "clear"]
        p.h_overdue = meetings[p.pk]["overdue"] if p.pk in meetings else 0
        p.h_actions = actions_points[min(p.h_overdue, actions_cap)]
        sides = (2 if p.h_host_a or p.pk in series.hosted_a else 0) | (
            1 if done["host_b"] or p.pk in series.hosted_b else 0
        )
        p.h_two_sided = TWO_SIDED_POINTS.get(sides, w["two_sided"]["none"])
        p.h_plan_progress = progress.get(p.pk)
        p.h_plan = plan_points(p.h_plan_progress) if p.h_plan_progress is not None else 0
        others = min(
            p.h_recency + p.h_agreement + p.h_procedure + p.h_actions + p.h_two_sided + p.h_plan, 100 - p.h_frequency
        )
        p.h_score = others + p.h_frequency
        no_record = (
            (p.source == Partnership.Source.IMPORT or p.status == PartnershipStatus.PROPOSED)
            and p.pk not in activities
            and not mine
            and p.pk not in meetings
        )
        frequency_rank = 2 * p.h_frequency + (1 if in_period else 0)
        p.h_rank = (NO_RECORD_RANK if no_record else 0) + 2 * others + frequency_rank
        in_force = [
            a
            for a in mine
            if a["status"] in SIGNED and _started(a, today) and (a["ends_on"] is None or a["ends_on"] >= today)
        ]
        p.h_open_ended = any(a["ends_on"] is None for a in in_force)
        p.h_force_end = max((a["ends_on"] for a in in_force if a["ends_on"]), default=None)
        p.h_expired_end = max(
            (a["ends_on"] for a in mine if a["status"] in SIGNED and a["ends_on"] and a["ends_on"] < today),
            default=None,
        )


def _recency_points_py(last: dt.datetime | None, ctx: Context) -> int:
    """The SQL's recency bands, for a series' last occurrence."""
    if last is None:
        return 0
    return next((points for since, points in ctx.recency_bands if last >= since), 0)


# --- scope, list and words ----------------------------------------------------------------------


@dataclass
class Filters:
    government: int | None = None
    province: str = ""  # "ID-JB" (ISO 3166-2) or "ID.30" (GeoNames): the province of either partner's place
    country: str = ""  # either partner's country
    dormant_only: bool = False


def scope(user, filters: Filters | None = None) -> QuerySet[Partnership]:
    """The partnerships whose health the user sees: an office its own governments'; oversight
    bodies and administrators all; visitors the public ones. Ended partnerships are left out."""
    f = filters or Filters()
    qs = permissions.visible_partnerships(user, Partnership.objects.exclude(status="ended"))
    if own := list(permissions.office_view_government_ids(user)):
        qs = qs.filter(Q(government_a__in=own) | Q(government_b__in=own))
    if f.government:
        qs = qs.filter(Q(government_a=f.government) | Q(government_b=f.government))
    if f.country:
        qs = qs.filter(Q(government_a__country_code=f.country) | Q(government_b__country_code=f.country))
    if f.province:
        qs = qs.filter(_in_province("government_a", f.province) | _in_province("government_b", f.province))
    return qs


def _in_province(side: str, province: str) -> Q:
    """A partner whose place is in the province: GeoNames files the place (and the province's
    own place) under the province's first-level division; a province GeoNames has no division
    for holds only its own place."""
    cc = province[:2].upper()
    admin1 = admin1_of(cc, province)
    if admin1:
        return Q(**{f"{side}__place__country_code": cc, f"{side}__place__admin1_code": admin1})
    return Q(**{f"{side}__place__subdivision_code": province.strip().upper()})


CACHE_VERSION_KEY = "kembar:insights:health:version"
CHANGES = ChangeLog("health")  # each change of evidence: the partnership ids it concerns
MAX_CHANGED = 2_000  # a ranking whose changes concern more partnerships than this is ranked again


def evidence_changed(sender=None, subjects: Iterable[stamps.Subject] | None = None) -> None:
    """A saved or deleted row (a `kembar.core.stamps` listener, with what the row concerns; None:
    possibly everything): a piece of evidence makes every cached figure stale at once, and is
    noted with its partnerships so that a cached ranking re-scores just those (each partnership's
    kept health has its own stamp, `HealthReport.healths`). Called without a row: everything."""
    if sender is not None and sender not in EVIDENCE:
        return
    concerns = None if subjects is None else [pk for kind, pk in subjects if kind == "partnership"]
    cache.set(CACHE_VERSION_KEY, uuid.uuid4().hex, None)
    CHANGES.note(concerns)


EVIDENCE = (
    Partnership,
    Activity,
    ActivityChange,
    Agreement,
    AgreementStage,
    TemplateStage,
    Meeting,
    ActionItem,
    Plan,
    Target,
    TargetLink,
)


def connect_signals() -> None:
    """Called by InsightsConfig.ready(): in every process, whether or not it ever imports the
    pages (a command or a worker writes evidence too, and the cache may be shared)."""
    stamps.listen(evidence_changed)


class Ranking(Sequence):
    """A ranking's (id, rank) rows as two arrays: the cached ranking of the whole platform
    (24,000 rows) is read on every request of the health list, and a list of tuples takes
    ~4 ms to load from the cache where arrays take a few microseconds."""

    def __init__(self, rows: Iterable[tuple[int, int]]):
        rows = list(rows)
        self.ids = array("q", [pk for pk, _ in rows])
        self.ranks = array("i", [rank for _, rank in rows])

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return list(zip(self.ids[index], self.ranks[index], strict=True))
        return self.ids[index], self.ranks[index]

    def __iter__(self):
        return zip(self.ids, self.ranks, strict=True)

    def __eq__(self, other) -> bool:
        return list(self) == list(other)


def _ranking_order(row: tuple[int, int]) -> tuple[int, int]:
    return row[1], row[0]  # (id, rank) worst first, as the database orders them: rank, then id


class HealthReport:
    """The health of the partnerships a user sees, worst first.

    Queries: the reader's access (once per request), the recurring series, the ranking (every partnership's id, worst first, ordered by the database), then
    three for the evidence of the shown rows, one for their stuck stages, two for their plans: the same
    number whatever the data's size. The series are read only when needed (`series`); the
    shown rows' health is kept in the cache per partnership (`healths`), so a page whose
    ranking and rows are kept makes none of these queries. The ranking is the expensive query (every row's score);
    it is kept in Django's cache for `cache_seconds()` under a key made of the reader's scope and
    the filters, so a page that is paged through or reloaded does not rank again (its clock is
    at most that old); a change of evidence (signals above) re-scores only the partnerships it
    concerns, in one more query (see `ranking`).
    """

    def __init__(
        self,
        user,
        filters: Filters | None = None,
        now: dt.datetime | None = None,
        queryset: QuerySet[Partnership] | None = None,
    ):
        self.user = user
        self.filters = filters or Filters()
        self.ctx = Context.for_user(user, now)
        self.clock = now.isoformat() if now else None  # a given clock (a report, a test) is part of the key
        self.cacheable = queryset is None and cache_seconds() > 0
        # One partnership's health is kept on the clock of the moment only: a given clock (a
        # report, the dashboard's request time) would rarely be asked for again.
        self.keeps = now is None and cache_seconds() > 0
        self.scope = queryset if queryset is not None else scope(user, self.filters)
        self.whole_platform = (
            queryset is None
            and permissions.reads_everything(user)
            and self.filters == Filters(dormant_only=self.filters.dormant_only)
        )
        self._ranking: Sequence[tuple[int, int]] | None = None

    @cached_property
    def series(self) -> SeriesEvidence:
        """The scope's recurring series (one query): needed only to rank (or re-score) and to
        describe rows that are not in the cache, so a page served from the cache never reads them."""
        return _series(self.ctx, None if self.whole_platform else self.scope)

    @cached_property
    def base(self) -> QuerySet[Partnership]:
        """The partnerships ranked: the scope, or its dormant ones."""
        return self._base(self.series) if self.filters.dormant_only else self.scope

    def _base(self, series: SeriesEvidence, ids=None) -> QuerySet[Partnership]:
        """The partnerships ranked (of `ids`, with their `series`)."""
        base = self.scope if ids is None else self.scope.filter(pk__in=list(ids))
        if not self.filters.dormant_only:
            return base
        return (
            base.exclude(Exists(self.ctx.held().filter(start__gte=self.ctx.period_start)))
            .exclude(pk__in=list(series.in_period))
            .exclude(self.ctx.no_record())
        )

    @cached_property
    def queryset(self) -> QuerySet[Partnership]:
        """Every partnership of the scope with its score, worst first (built only when a
        ranking is not in the cache: the expressions name many ids)."""
        return annotate(self.base, self.ctx, self.series).order_by("h_rank", "pk")

    def _key(self, name: str, version=None) -> str:
        signature = repr(
            (
                name,
                version,
                *permissions.reader_key(self.user),
                self.filters,
                self.clock,
                dormant_months(),
            )
        )
        return "kembar:insights:health:" + hashlib.sha256(signature.encode()).hexdigest()

    def cached(self, name: str, compute):
        """`compute()`, or its recent result for the same reader, filters and evidence."""
        if not self.cacheable:
            return compute()
        key = self._key(name, cache.get(CACHE_VERSION_KEY))
        value = cache.get(key)
        if value is None:
            value = compute()
            cache.set(key, value, cache_seconds())
        return value

    def ranking(self) -> Sequence[tuple[int, int]]:
        """(id, rank) of every partnership of the scope: those with a record worst first, then
        those with no record yet (`decode(rank)` gives the score and the state).

        Kept in the cache for `cache_seconds()` from the moment it was ranked in full (its clock
        is at most that old), with the number of the last change of evidence it includes. A
        later change re-scores only the partnerships it concerns (one query on their ids) and
        puts them back in their place; a change of unknown reach (a template stage), too many
        changes, or a change no longer in the cache rank everything again."""
        if self._ranking is None:
            self._ranking = self._rank() if self.cacheable else self._rank_all()
        return self._ranking

    def _rank_all(self) -> list[tuple[int, int]]:
        return list(self.queryset.values_list("pk", "h_rank"))

    def _rank(self) -> Ranking:
        return kept_up_to_date(
            self._key("ranking:packed"),
            CHANGES,
            lambda: Ranking(self._rank_all()),
            lambda ranking, ids: None if (kept := self._apply_changes(ranking, ids)) is None else Ranking(kept),
        )

    def _apply_changes(self, ranking: Sequence[tuple[int, int]], ids: list[int | None]) -> list[tuple[int, int]] | None:
        """The ranking with the partnerships `ids` scored again, or None."""
        changed = {pk for pk in ids if pk is not None}
        if len(changed) > MAX_CHANGED:
            return None
        fresh = None
        if changed:  # their series only: reading the whole scope's would cost more than the rest
            series = self._series_of(changed)
            fresh = annotate(self._base(series, changed), self.ctx, series)
        kept = [row for row in ranking if row[0] not in changed]
        for row in fresh.values_list("pk", "h_rank") if fresh is not None else []:
            bisect.insort(kept, tuple(row), key=_ranking_order)
        return kept

    def count(self) -> int:
        return len(self.ranking())

    def states(self) -> dict[int, tuple[int, str]]:
        """{id: (score, state)} of every partnership of the scope, from the ranking."""
        return {pk: decode(rank) for pk, rank in self.ranking()}

    def ids(self, offset: int = 0, limit: int = 50) -> list[int]:
        """The ids of a page of the ranking."""
        return [pk for pk, _ in self.ranking()[offset : offset + limit]]

    def rows(self, offset: int = 0, limit: int = 50) -> list[Health]:
        """The page's rows: their place in the ranking, their evidence read for them only."""
        return self.healths(self.ids(offset, limit))

    def healths(self, ids: list[int], read: Iterable[Partnership] = ()) -> list[Health]:
        """The health of the partnerships `ids` (of the scope), in that order.

        Each one is kept in the cache for `cache_seconds()` (its clock is at most that old) per
        partnership and what decides its words for this reader (what the reader reads and may
        change, the language, the time zone), with the partnership's stamp (`kembar.core.stamps`)
        it was described under: a change of the partnership's evidence gives it a new stamp, a
        change of unknown reach all of them, and a health under an older stamp is described again. One
        cache read for the whole list; the partnerships not found are described in one go (the
        same queries as without the cache, whatever their number). `read`: partnerships of `ids`
        the caller has read (with their governments' places), not read again."""
        return self._kept("health", ids, lambda missing: {h.partnership.pk: h for h in self._describe(missing, read)})

    def rendered(self, ids: list[int], name: str, render: Callable[[Health], str]) -> list[str]:
        """`render(health)` of each of the partnerships `ids` (a list's row), kept in the cache
        as their health is (`healths`) under `name`."""
        return self._kept(name, ids, lambda missing: {h.partnership.pk: render(h) for h in self.healths(missing)})

    def _kept(self, name: str, ids: list[int], compute: Callable[[list[int]], dict[int, T]]) -> list[T]:
        """compute(ids) ({id: value}) in the order of `ids`, each value from the cache while the
        partnership's stamp and that of everything are those it was computed under."""
        return kept_each(
            ids, lambda pk: self._one_key(name, pk), lambda pk: ("partnership", pk), compute, keep=self.keeps
        )

    def _one_key(self, name: str, pk: int) -> str:
        signature = repr(
            (
                name,
                pk,
                *permissions.reader_key(self.user),
                sorted(permissions.edited_government_ids(self.user)),  # the steps' links
                dormant_months(),
                get_language(),
                timezone.get_current_timezone_name(),  # the month of the last held activity
            )
        )
        return "kembar:insights:health:one:" + hashlib.sha256(signature.encode()).hexdigest()

    def _series_of(self, ids) -> SeriesEvidence:
        """The recurring series of the partnerships `ids`: from those of the scope when this
        report has read them, else read for `ids` only (one query, none for no ids)."""
        if "series" in self.__dict__:
            return self.series.only(ids)
        if not ids:
            return SeriesEvidence()
        return _series(self.ctx, list(ids)).only(ids)

    def _describe(self, ids: list[int], read: Iterable[Partnership] = ()) -> list[Health]:
        """The partnerships `ids` described from the database: their evidence read for them only
        (the series of the scope when this report has read them, else those of `ids`); those
        not in `read` read too."""
        shown = [p for p in read if p.pk in ids]
        if unread := set(ids) - {p.pk for p in shown}:
            shown += Partnership.objects.filter(pk__in=unread).select_related(
                "government_a__place", "government_b__place"
            )
        records = read_records(ids, self.ctx)
        series = self._series_of(records.with_series())
        stuck: dict[int, AgreementStage] = {}
        if waiting := records.with_live_agreement():
            stages = agreement_services.stuck_stage_queryset(
                self.ctx.now, AgreementStage.objects.filter(agreement__partnership__in=waiting)
            ).select_related("template_stage", "agreement")
            for stage in stages.order_by("due", *AgreementStage._meta.ordering):  # longest overdue first
                stuck.setdefault(stage.agreement.partnership_id, stage)
        add_evidence(shown, self.ctx, records, series, set(stuck))
        by_id = {p.pk: p for p in shown}
        # A row deleted in this very minute by another process may still be ranked: skip it.
        return [self.describe(by_id[pk], stuck.get(pk), series) for pk in ids if pk in by_id]

    def describe(self, p: Partnership, stage: AgreementStage | None, series: SeriesEvidence) -> Health:
        """Words for one annotated row: each factor, and the steps, most urgent first."""
        ctx, w = self.ctx, WEIGHTS
        months = dormant_months()
        last = max([d for d in (p.h_last_single, series.last.get(p.pk)) if d is not None], default=None)
        held = p.h_held + series.in_period.get(p.pk, 0)
        no_record = p.h_rank >= NO_RECORD_RANK
        dormant = held == 0 and not no_record
        state = AGREEMENT_STATE[p.h_agreement]
        can_act = permissions.can_edit_partnership(self.user, p)

        def link(name: str, *args) -> str:
            return reverse(name, args=args) if can_act else ""

        factors = [
            Factor(
                "recency",
                p.h_recency,
                w["recency"]["max"],
                _("Last held activity: %(date)s") % {"date": _month(last)} if last else _("No held activity recorded"),
            ),
            Factor(
                "frequency",
                p.h_frequency,
                w["frequency"]["max"],
                ngettext(
                    "%(n)d activity held in the last %(months)d months",
                    "%(n)d activities held in the last %(months)d months",
                    held,
                )
                % {"n": held, "months": months},
            ),
            Factor("agreement", p.h_agreement, w["agreement"]["max"], self._agreement_text(p, state)),
            Factor(
                "procedure",
                p.h_procedure,
                w["procedure"]["max"],
                _("“%(stage)s” has waited %(days)d days (usually %(expected)d)")
                % {
                    "stage": stage.name,
                    "days": (ctx.now - stage.started_at).days,
                    "expected": stage.template_stage.expected_days,
                }
                if stage
                else _("No procedure stage waiting too long"),
            ),
            Factor(
                "actions",
                p.h_actions,
                w["actions"]["max"],
                ngettext("%(n)d action item overdue", "%(n)d action items overdue", p.h_overdue) % {"n": p.h_overdue}
                if p.h_overdue
                else _("No overdue action items"),
            ),
            Factor("two_sided", p.h_two_sided, w["two_sided"]["max"], self._sides_text(p, series)),
        ]
        if p.h_plan_progress is not None:
            factors.append(
                Factor(
                    "plan",
                    p.h_plan,
                    PLAN_BONUS["max"],
                    _("The plan of action in force has met %(percent)d%% of its targets")
                    % {"percent": p.h_plan_progress},
                )
            )
        steps = []
        if no_record:
            # Nothing to score yet: an invitation to record, not a list of shortcomings.
            steps.append(
                Step(_("No record yet — record the first activity or agreement"), link("activities:create", p.pk))
            )
            steps.append(Step(_("Record an agreement (Letter of Intent or MoU)"), link("agreements:create", p.pk)))
            return Health(p, p.h_score, False, last, factors, steps, no_record=True)
        if dormant:
            steps.append(
                Step(
                    _("No activity since %(date)s: look for a meeting slot") % {"date": _month(last)}
                    if last
                    else _("No activity held yet: look for a meeting slot"),
                    link("meetings:slots") + f"?partnership={p.pk}" if can_act else "",
                )
            )
        if state == "expired":
            steps.append(
                Step(
                    _("The agreement ended on %(date)s: start the renewal") % {"date": _day(p.h_expired_end)},
                    link("agreements:create", p.pk),
                )
            )
        elif state == "ending_soon":
            steps.append(
                Step(
                    _("The agreement ends on %(date)s: start the renewal") % {"date": _day(p.h_force_end)},
                    link("agreements:create", p.pk),
                )
            )
        if stage:
            steps.append(
                Step(
                    _("Stage “%(stage)s” has waited %(days)d days")
                    % {"stage": stage.name, "days": (ctx.now - stage.started_at).days},
                    reverse("agreements:detail", args=[stage.agreement_id]),
                )
            )
        if p.h_overdue:
            steps.append(
                Step(
                    ngettext("%(n)d action item overdue", "%(n)d action items overdue", p.h_overdue)
                    % {"n": p.h_overdue},
                    reverse("meetings:list"),
                )
            )
        if not dormant and p.h_two_sided < w["two_sided"]["both"]:
            other = p.government_b if _hosted_a(p, series) else p.government_a
            steps.append(
                Step(
                    _("Invite %(other)s to host the next activity") % {"other": other.name},
                    link("activities:create", p.pk),
                )
            )
        if state == "none":
            steps.append(
                Step(_("No agreement recorded: prepare a Letter of Intent or an MoU"), link("agreements:create", p.pk))
            )
        if not steps and p.h_frequency < w["frequency"]["max"]:
            steps.append(Step(_("Plan the next activity"), link("activities:create", p.pk)))
        if not steps:
            steps.append(Step(_("In good health: keep the rhythm")))
        return Health(p, p.h_score, dormant, last, factors, steps)

    @staticmethod
    def _agreement_text(p: Partnership, state: str) -> str:
        if state == "in_force" and p.h_open_ended:
            return _("In force, without an end date")
        if state == "in_force":
            return _("In force until %(date)s") % {"date": _day(p.h_force_end)}
        if state == "ending_soon":
            return _("In force, ends on %(date)s") % {"date": _day(p.h_force_end)}
        if state == "pending":
            return _("An agreement is in preparation")
        if state == "expired":
            return _("Expired on %(date)s") % {"date": _day(p.h_expired_end)}
        return _("No agreement recorded")

    @staticmethod
    def _sides_text(p: Partnership, series: SeriesEvidence) -> str:
        if p.h_two_sided == WEIGHTS["two_sided"]["both"]:
            return _("Both partners hosted activities")
        if p.h_two_sided:
            host = p.government_a if _hosted_a(p, series) else p.government_b
            return _("Only %(host)s hosted activities") % {"host": host.name}
        return _("Neither partner hosted an activity in the period")


def _hosted_a(p: Partnership, series: SeriesEvidence) -> bool:
    return bool(p.h_host_a or p.pk in series.hosted_a)


def _month(moment: dt.datetime | None) -> str:
    return formats.date_format(timezone.localtime(moment), "YEAR_MONTH_FORMAT") if moment else "—"


def _day(day: dt.date | None) -> str:
    return formats.date_format(day, "DATE_FORMAT") if day else "—"


def health_of(user, partnership: Partnership, now: dt.datetime | None = None) -> Health:
    """One partnership's health (the caller checked that the user may see the partnership), from
    `partnership` as the caller read it (with its governments' places) and its records."""
    report = HealthReport(user, now=now, queryset=Partnership.objects.filter(pk=partnership.pk))
    return report.healths([partnership.pk], read=[partnership])[0]  # no ranking of one partnership


def state_counts(report: HealthReport) -> list[tuple[str, str, int]]:
    """(state, label, partnerships) for the scope, best first, from the ranking: every state,
    each partnership in exactly one."""
    counts = Counter(state for _, state in report.states().values())
    return [(name, str(STATE_LABELS[name]), counts.get(name, 0)) for name in STATES]


def map_lines(report: HealthReport) -> list[list]:
    """Every partnership of the scope with both ends on the map, as compact rows
    [lat_a, lng_a, lat_b, lng_b, level (0 poor, 1 fair, 2 good), id, state (index in
    MAP_STATES)], in the order of MAP_STATES (the healthiest drawn last, on top): one query."""
    return report.cached("map:states", lambda: _map_lines(report))


def _map_lines(report: HealthReport) -> list[list]:
    """The scope's ends on the map (one query, no score: the scores are the ranking's, cached and
    brought up to date by changes, so a change does not score every partnership again)."""
    index = {name: i for i, (_, name) in enumerate(reversed(LEVELS))}
    state_index = {name: i for i, name in enumerate(MAP_STATES)}
    states = report.states()
    rows = (
        report.base.order_by()
        .filter(government_a__place__latitude__isnull=False, government_b__place__latitude__isnull=False)
        .values_list(
            "government_a__place__latitude",
            "government_a__place__longitude",
            "government_b__place__latitude",
            "government_b__place__longitude",
            "pk",
        )
    )
    lines = [
        [round(la, 3), round(lo, 3), round(lb, 3), round(lob, 3), index[level(states[pk][0])], pk]
        + [state_index[states[pk][1]]]
        for la, lo, lb, lob, pk in rows
        if pk in states
    ]
    return sorted(lines, key=lambda line: line[6])
