"""The SDG report: activities and their outcomes per Sustainable Development Goal and per SDG 11
target, next to the goals the governments in scope have set as priorities.

An activity's `sdg_targets` is a JSON list of codes ("4", "11", "11.5"). The database unnests
it (SQLite `json_each`, PostgreSQL `jsonb_array_elements_text`) and counts in one query: per
goal each activity once (so "11" and "11.5" on one activity count once for goal 11), per target
each activity that names the target. Governments' `sdg_priorities` (a list of goal numbers) are
counted the same way in a second query.

The counts are kept in Django's cache for `cache_seconds()` (0: off) under a key made of the
scope's own SQL and parameters (what the reader may see, the year) and the governments whose
priorities are counted. A saved or deleted activity, partnership (visibility, partners) or
government (priorities) changes the SDG version (signals below, connected by
`InsightsConfig.ready()`), so every cached count is dropped at once; writes that bypass signals
(`.update()`) show after at most `cache_seconds()`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce
from django.db.models.signals import post_delete, post_save

from kembar.activities.models import Activity
from kembar.activities.vocab import SDG11_TARGETS, ActivityStatus
from kembar.core import caching
from kembar.partnerships.models import LocalGovernment, Partnership
from kembar.partnerships.vocab import SDG_GOALS

from .pivot import Scope, year_range

VERSION_KEY = "kembar:insights:sdg:version"


@dataclass
class SdgRow:
    code: str  # "11" or "11.5"
    label: str
    activities: int = 0
    held: int = 0
    with_outcomes: int = 0
    participants: int = 0
    priority_of: int = 0  # governments in scope that name the goal a priority

    @property
    def label_with_code(self) -> str:
        return f"{self.code} {self.label}" if "." in self.code else f"{self.code}. {self.label}"


@dataclass
class SdgReport:
    scope: Scope
    year: int | None
    goals: list[SdgRow]
    targets: list[SdgRow]  # SDG 11's targets
    activities: int  # all activities in scope (with or without an SDG)
    with_sdg: int
    governments: int  # governments whose priorities are counted

    @property
    def contributing_goals(self) -> list[SdgRow]:
        return [row for row in self.goals if row.activities]


def _unnest(column: str) -> str:
    """FROM-clause fragment yielding `value` (text) for each element of a JSON list column of `a`."""
    if connection.vendor == "postgresql":
        return (
            f"CROSS JOIN LATERAL jsonb_array_elements_text("
            f"CASE WHEN jsonb_typeof(a.{column}) = 'array' THEN a.{column} ELSE '[]'::jsonb END) AS j(value)"
        )
    return f"JOIN json_each(CASE WHEN json_type(a.{column}) = 'array' THEN a.{column} ELSE '[]' END) AS j"


def _goal_of(expression: str) -> str:
    if connection.vendor == "postgresql":
        return f"split_part({expression}, '.', 1)"
    return (
        f"CASE WHEN instr({expression}, '.') > 0 THEN substr({expression}, 1, instr({expression}, '.') - 1) "
        f"ELSE {expression} END"
    )


def activity_counts(qs) -> dict[tuple[str, str], tuple[int, int, int, int]]:
    """{("goal", "11") or ("target", "11.5"): (activities, held, with outcomes, participants)}: one query."""
    inner = (
        qs.order_by()
        .annotate(
            is_held=Case(
                When(status=ActivityStatus.HELD, then=Value(1)), default=Value(0), output_field=IntegerField()
            ),
            has_outcome=Case(When(~Q(outcomes=""), then=Value(1)), default=Value(0), output_field=IntegerField()),
            people=Coalesce("participants_a", 0) + Coalesce("participants_b", 0),
        )
        .values("id", "sdg_targets", "is_held", "has_outcome", "people")
    )
    try:
        sql, params = inner.query.sql_with_params()
    except EmptyResultSet:  # a scope that cannot hold any activity (a province with no government)
        return {}
    text = "CAST(j.value AS TEXT)"
    query = f"""
        WITH t AS (SELECT a.id, a.is_held, a.has_outcome, a.people, {text} AS code
                   FROM ({sql}) AS a {_unnest("sdg_targets")}),
             g AS (SELECT DISTINCT id, is_held, has_outcome, people, {_goal_of("code")} AS code FROM t),
             s AS (SELECT DISTINCT id, is_held, has_outcome, people, code FROM t WHERE code LIKE '%%.%%')
        SELECT 'goal', code, COUNT(*), SUM(is_held), SUM(has_outcome), SUM(people) FROM g GROUP BY code
        UNION ALL
        SELECT 'target', code, COUNT(*), SUM(is_held), SUM(has_outcome), SUM(people) FROM s GROUP BY code"""
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return {(kind, str(code)): tuple(int(v or 0) for v in values) for kind, code, *values in cursor.fetchall()}


def priority_counts(government_ids: list[int] | None) -> tuple[dict[str, int], int]:
    """How many of the governments (None: all) name each goal a priority, and how many there are."""
    if government_ids is not None and not government_ids:
        return {}, 0
    qs = (
        LocalGovernment.objects.all()
        if government_ids is None
        else LocalGovernment.objects.filter(pk__in=government_ids)
    )
    sql, params = qs.order_by().values("id", "sdg_priorities").query.sql_with_params()
    query = f"""SELECT CAST(j.value AS TEXT), COUNT(DISTINCT a.id) FROM ({sql}) AS a {_unnest("sdg_priorities")}
                GROUP BY CAST(j.value AS TEXT)
                UNION ALL SELECT '*', COUNT(*) FROM ({sql}) AS b"""
    with connection.cursor() as cursor:
        cursor.execute(query, params + params)
        rows = cursor.fetchall()
    counts = {str(code): int(n) for code, n in rows if code != "*"}
    total = next(int(n) for code, n in rows if code == "*")
    return counts, total


def _scope_government_ids(scope: Scope) -> list[int] | None:
    if scope.partnership is not None:
        return [scope.partnership.government_a_id, scope.partnership.government_b_id]
    if scope.government is not None:
        return [scope.government.pk]
    return scope.government_ids


def _bump_version() -> None:
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def figures_changed(sender=None, instance=None, **kwargs) -> None:
    """An activity, partnership or government saved or deleted: every cached SDG count is stale.
    Now (the writer's own next page) and again after the commit (another process may have
    counted in between, before the change was visible to it)."""
    _bump_version()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(_bump_version)


def connect_signals() -> None:
    """Called by InsightsConfig.ready(), in every process (see health.score.connect_signals)."""
    for model in (Activity, Partnership, LocalGovernment):
        post_save.connect(figures_changed, sender=model, dispatch_uid=f"insights-sdg-save-{model._meta.label}")
        post_delete.connect(figures_changed, sender=model, dispatch_uid=f"insights-sdg-delete-{model._meta.label}")


def _figures(qs, government_ids: list[int] | None) -> tuple[dict, dict, tuple[dict[str, int], int]]:
    """(activity_counts, totals, priority_counts): three queries."""
    counts = activity_counts(qs)
    totals = qs.order_by().aggregate(all=Count("id"), with_sdg=Count("id", filter=~Q(sdg_targets=[])))
    return counts, totals, priority_counts(government_ids)


def cached_figures(qs, government_ids: list[int] | None) -> tuple[dict, dict, tuple[dict[str, int], int]]:
    """`_figures`, or its result for the same SQL, parameters and governments since the last
    change of an activity, partnership or government (`caching.remembered`, under the SDG
    version as well: it changes at the save, not only at the commit)."""
    if caching.cache_seconds() <= 0:
        return _figures(qs, government_ids)
    version = cache.get(VERSION_KEY)  # read before the data: a later change bumps it again
    try:
        sql, params = qs.order_by().query.sql_with_params()
    except EmptyResultSet:  # nothing to count, nothing to keep
        return _figures(qs, government_ids)
    ids = sorted(government_ids) if government_ids is not None else None
    signature = (connection.vendor, sql, params, ids, version)
    return caching.remembered("sdg", signature, lambda: _figures(qs, government_ids))


def sdg_report(user, scope: Scope, *, year: int | None = None) -> SdgReport:
    """Three queries whatever the number of activities: the SDG counts, the totals, the priorities
    (none while the counts are in the cache, see `cached_figures`)."""
    qs = scope.activities(user)
    if year is not None:
        start, end = year_range(year, scope.zone)
        qs = qs.filter(start__gte=start, start__lt=end)
    counts, totals, (priorities, governments) = cached_figures(qs, _scope_government_ids(scope))
    goals = []
    for number, label in SDG_GOALS.items():
        row = SdgRow(str(number), str(label), *counts.get(("goal", str(number)), (0, 0, 0, 0)))
        row.priority_of = priorities.get(str(number), 0)
        goals.append(row)
    targets = [
        SdgRow(code, str(label), *counts.get(("target", code), (0, 0, 0, 0))) for code, label in SDG11_TARGETS.items()
    ]
    return SdgReport(
        scope=scope,
        year=year,
        goals=goals,
        targets=targets,
        activities=totals["all"],
        with_sdg=totals["with_sdg"],
        governments=governments,
    )
