"""Plans and money summed over many partnerships at once (the oversight roll-up, /oversight/).

Every figure is aggregated by the database: a fixed number of queries whatever the number of
partnerships. Money is summed per (date, currency, funder, kind) in SQL, then each sum is
converted with the rate in force on its date (`services.Rates`, read once), so a scope of
thousands of lines costs the same queries as one of ten; the rates used are returned, to be
named beside the totals.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, QuerySet, Sum

from .models import MoneyLine, Plan
from .services import Rate, Rates, progress_by_partnership
from .vocab import Funder, LineKind

CENT = Decimal("0.01")


@dataclass
class PlanFigures:
    """How many partnerships have a plan covering the year, and the mean progress of the
    targets of those plans (None without targets)."""

    with_plan: int
    with_targets: int
    average_progress: int | None


def plan_figures(partnerships: QuerySet, today: dt.date) -> PlanFigures:
    """Plans in force in `today`'s year among `partnerships` (three queries)."""
    year = today.year
    with_plan = (
        Plan.objects.filter(partnership__in=partnerships, first_year__lte=year, last_year__gte=year)
        .values("partnership")
        .distinct()
        .count()
    )
    progress = progress_by_partnership(partnerships, today)
    average = round(sum(progress.values()) / len(progress)) if progress else None
    return PlanFigures(with_plan, len(progress), average)


@dataclass
class MoneyRow:
    year: int
    funder: str
    budget: Decimal = Decimal(0)
    spent: Decimal = Decimal(0)

    @property
    def funder_label(self) -> str:
        return str(dict(Funder.choices).get(self.funder, self.funder))


@dataclass
class MoneyRollup:
    """Money lines summed by year and funder, converted to `currency`; `rates` the rates used
    (none for lines already in the currency); `unconverted` the (currency, kind) sums that no
    rate converts, left out of the rows."""

    currency: str
    rows: list[MoneyRow] = field(default_factory=list)
    rates: list[Rate] = field(default_factory=list)
    unconverted: dict[str, Decimal] = field(default_factory=dict)
    lines: int = 0

    def total(self, kind: str) -> Decimal:
        return sum((getattr(r, kind) for r in self.rows), Decimal(0))

    def by_year(self, kind: str) -> dict[int, Decimal]:
        out: dict[int, Decimal] = defaultdict(Decimal)
        for r in self.rows:
            out[r.year] += getattr(r, kind)
        return dict(sorted(out.items()))

    def rate_names(self) -> list[str]:
        return [r.describe() for r in self.rates]


def money(
    partnerships: QuerySet, currency: str = "IDR", rates: Rates | None = None, *, aid_only: bool = False
) -> MoneyRollup:
    """The money lines of `partnerships` (of their plans, activities, aid shipments and pilots;
    only those of aid shipments with `aid_only`), by year and funder, budget and spent,
    converted to `currency` (two queries: the sums, the rates)."""
    lines = MoneyLine.objects.filter(partnership__in=partnerships)
    if aid_only:
        lines = lines.filter(aid__isnull=False)
    sums = (
        lines.order_by()
        .values("on", "currency", "funder", "kind")
        .annotate(total=Sum("amount"), n=Count("id"))
        .values_list("on", "currency", "funder", "kind", "total", "n")
    )
    rates = rates or Rates.load()
    out = MoneyRollup(currency)
    rows: dict[tuple[int, str], MoneyRow] = {}
    used: dict[tuple, Rate] = {}
    unconverted: dict[str, Decimal] = defaultdict(Decimal)
    for on, source, funder, kind, total, n in sums:
        out.lines += n
        rate = rates.rate(source, currency, on)
        if rate is None:
            unconverted[source] += total
            continue
        if rate.source != rate.to:
            used.setdefault((rate.source, rate.to, rate.value, rate.dates, rate.via), rate)
        converted = (total * rate.value).quantize(CENT, rounding=ROUND_HALF_UP)
        row = rows.setdefault((on.year, funder), MoneyRow(on.year, funder))
        if kind == LineKind.SPENT:
            row.spent += converted
        else:
            row.budget += converted
    out.rows = [rows[k] for k in sorted(rows)]
    out.rates = sorted(used.values(), key=lambda r: (r.source, r.dates))
    out.unconverted = dict(sorted(unconverted.items()))
    return out
