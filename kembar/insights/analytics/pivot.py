"""Pivot analytics: activities per quarter by modality, field and status, and the pandemic pivot.

Everything is counted by the database (one GROUP BY query, quarters found by comparing with
their first moments in the scope's time zone), never by looping over activities in Python: the
loops here run over the grouped rows, one per quarter and period, whatever the number of
activities.

Decisions (docs/insights.md, *pivot analytics*):

* **Scope**: one partnership, one government (its partnerships), a province (every
  government in it, see `province_government_ids`) or the whole platform; always only the
  activities the reader may see (`permissions.visible_under_partnership`).
* **Whose quarter**: the quarter is read in the time zone of the government the figures are
  for (a partnership: its first partner; a province: the province's place; the platform:
  `KEMBAR_INSIGHTS_TIME_ZONE`, default Asia/Jakarta). An activity starting 31 March 20:00 in
  Fort Worth is in Q2 for Bandung, because it is already 1 April 08:00 there.
* **Which date**: an activity counts in the quarter of its current start. A postponed one
  counts as postponed where its last planned date is (its new date, once given, moves it).
* **Series**: a recurring activity is one record with one status; it counts once, in the
  quarter of its first start, not once per occurrence.
* **Modality** counts the activities that took place or are to take place (planned,
  confirmed, held); postponed and cancelled ones are counted by status. *Pivoted* counts the
  activities planned in person and now virtual or hybrid (the change is an ActivityChange; the
  first plan is kept in `planned_modality`).

The grouped query returns one row per quarter and period with a conditional count per status,
modality and field: the pivot table is made by the database.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import operator
import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Subquery, Value, When
from django.db.models.signals import post_delete, post_init, post_save
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kembar.accounts import permissions
from kembar.activities.models import Activity, government_zone
from kembar.activities.vocab import ActivityStatus, Modality
from kembar.gazetteer.models import Place
from kembar.gazetteer.services import ProvinceLookupError, find_province
from kembar.partnerships.models import LocalGovernment, Partnership
from kembar.partnerships.vocab import Field

from ..changes import ChangeLog, cache_seconds, kept_up_to_date

DEFAULT_PANDEMIC = ("2020-03-01", "2022-12-31")  # WHO's pandemic declaration month; Indonesia ended PPKM 30 Dec 2022
TAKING_PLACE = (ActivityStatus.PLANNED, ActivityStatus.CONFIRMED, ActivityStatus.HELD)
PIVOTED = Q(planned_modality=Modality.IN_PERSON, modality__in=[Modality.VIRTUAL, Modality.HYBRID])
PERIODS = (
    ("before", gettext_lazy("Before the pandemic")),
    ("during", gettext_lazy("During the pandemic")),
    ("after", gettext_lazy("After the pandemic")),
)
MIN_YEAR, MAX_YEAR = 1900, 2200
FIELD_CODES = [*Field.values, ""]  # "": no field given


class ScopeError(ValueError):
    """A scope that cannot be read: unknown government or province, bad year."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


# --- scope ------------------------------------------------------------------------------------


@dataclass
class Scope:
    kind: str  # "platform", "province", "government" or "partnership"
    label: str
    zone: zoneinfo.ZoneInfo
    partnership: Partnership | None = None
    government: LocalGovernment | None = None
    province: Place | None = None
    government_ids: list[int] | None = None  # the province's governments

    def activities(self, user) -> QuerySet[Activity]:
        """The scope's activities that the user may read."""
        qs = permissions.visible_under_partnership(user, Activity.objects.all())
        if self.partnership is not None:
            return qs.filter(partnership=self.partnership)
        if self.government is not None:
            return qs.filter(
                Q(partnership__government_a=self.government) | Q(partnership__government_b=self.government)
            )
        if self.government_ids is not None:
            return qs.filter(
                Q(partnership__government_a__in=self.government_ids)
                | Q(partnership__government_b__in=self.government_ids)
            )
        return qs

    def query(self) -> dict:
        """The scope as query parameters (links, download buttons)."""
        if self.partnership is not None:
            return {"partnership": self.partnership.pk}
        if self.government is not None:
            return {"government": self.government.pk}
        if self.province is not None:
            return {"province": self.province.subdivision_code}
        return {}


def platform_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(getattr(settings, "KEMBAR_INSIGHTS_TIME_ZONE", "Asia/Jakarta"))


def province_government_ids(province: Place) -> list[int]:
    """The governments in a province (a first-level ISO 3166-2 subdivision): the province's own
    government and those of every place GeoNames files under the same first-level division
    (Jawa Barat: Bandung, Bogor, Bekasi, ...). The gazetteer gives the province its GeoNames
    admin1 code (`gazetteer.services.admin1_codes`); a province without one (GeoNames has no
    such division) holds only its own government."""
    if not province.admin1_code:
        return list(LocalGovernment.objects.filter(place=province).values_list("pk", flat=True))
    return list(
        LocalGovernment.objects.filter(
            Q(place=province) | Q(place__country_code=province.country_code, place__admin1_code=province.admin1_code)
        ).values_list("pk", flat=True)
    )


def resolve_scope(user, *, partnership=None, government=None, province=None) -> Scope:
    """The scope named by the request's parameters (ids as text or int; a province as its
    ISO 3166-2 code, "CC.admin1" or name, a government also as NAME,CC). Unknown or invisible partnership: 404."""
    if partnership not in (None, ""):
        try:
            p = Partnership.objects.select_related("government_a__place", "government_b__place").get(
                pk=int(partnership)
            )
        except (ValueError, Partnership.DoesNotExist):
            raise Http404(_("No such partnership."))
        if not permissions.can_view_partnership(user, p):
            raise Http404(_("No such partnership."))
        return Scope("partnership", str(p), government_zone(p.government_a), partnership=p)
    if government not in (None, ""):
        g = find_government(government)
        return Scope("government", str(g), government_zone(g), government=g)
    if province not in (None, ""):
        try:
            place = find_province(str(province))
        except ProvinceLookupError as error:
            raise ScopeError(str(error), "province") from None
        zone = zoneinfo.ZoneInfo(place.timezone) if place.timezone else platform_zone()
        return Scope("province", str(place), zone, province=place, government_ids=province_government_ids(place))
    return Scope("platform", _("The whole platform"), platform_zone())


def find_government(value) -> LocalGovernment:
    """A government by id, or by its address ("NAME,CC", "NAME (LEVEL),CC", "#ID") as `kembar
    partners` takes it."""
    from kembar.partnerships import services

    text = str(value).strip()
    if text.isdigit():
        found = LocalGovernment.objects.select_related("place").filter(pk=int(text)).first()
        if found is None:
            raise ScopeError(_("No local government with id %(id)s.") % {"id": text}, "government")
        return found
    try:
        return services.resolve_government(text)
    except services.GovernmentLookupError as error:
        raise ScopeError(services.government_lookup_message(error, inline=True), "government") from None


def parse_year(value) -> int | None:
    if value in (None, ""):
        return None
    try:
        year = int(str(value).strip())
    except ValueError:
        year = None
    if year is None or not MIN_YEAR <= year <= MAX_YEAR:
        raise ScopeError(
            _("“%(value)s” is not a year between %(min)s and %(max)s.")
            % {"value": value, "min": MIN_YEAR, "max": MAX_YEAR},
            "year",
        )
    return year


def year_range(year: int, zone: zoneinfo.ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    return (dt.datetime(year, 1, 1, tzinfo=zone), dt.datetime(year + 1, 1, 1, tzinfo=zone))


# --- periods ------------------------------------------------------------------------------------


def pandemic_dates() -> tuple[dt.date, dt.date]:
    """First and last day of the pandemic period (settings KEMBAR_PANDEMIC_START / _END)."""
    start = getattr(settings, "KEMBAR_PANDEMIC_START", None) or DEFAULT_PANDEMIC[0]
    end = getattr(settings, "KEMBAR_PANDEMIC_END", None) or DEFAULT_PANDEMIC[1]
    return dt.date.fromisoformat(str(start)), dt.date.fromisoformat(str(end))


def period_case(zone: zoneinfo.ZoneInfo) -> Case:
    first, last = pandemic_dates()
    start = dt.datetime.combine(first, dt.time(), zone)
    after = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), zone)
    return Case(
        When(start__lt=start, then=Value("before")), When(start__lt=after, then=Value("during")), default=Value("after")
    )


# --- the figures --------------------------------------------------------------------------------


@dataclass
class Tally:
    """Counts of one quarter or one period."""

    total: int = 0
    status: dict[str, int] = field(default_factory=lambda: {s: 0 for s in ActivityStatus.values})
    modality: dict[str, int] = field(default_factory=lambda: {m: 0 for m in Modality.values})
    field: dict[str, int] = field(default_factory=dict)
    pivoted: int = 0

    def add(self, row: dict) -> None:
        """Add a row of `grouped_rows` (its conditional counts)."""
        self.total += row["n"]
        self.pivoted += row["pivoted"]
        for code in self.status:
            self.status[code] += row[f"s_{code}"]
        for code in self.modality:
            self.modality[code] += row[f"m_{code}"]
        for code in FIELD_CODES:
            if row[f"f_{code}"]:
                self.field[code] = self.field.get(code, 0) + row[f"f_{code}"]

    @property
    def remote_share(self) -> int | None:
        """Virtual and hybrid, as a percentage of what took place or is to take place."""
        taking_place = sum(self.modality.values())
        if not taking_place:
            return None
        return round(
            100 * (self.modality.get(Modality.VIRTUAL, 0) + self.modality.get(Modality.HYBRID, 0)) / taking_place
        )


@dataclass
class Quarter:
    year: int
    quarter: int
    tally: Tally

    @property
    def label(self) -> str:
        return f"{self.year} Q{self.quarter}"


@dataclass
class Period:
    key: str
    label: str
    first: dt.date | None
    last: dt.date | None
    tally: Tally


@dataclass
class Pivot:
    scope: Scope
    year: int | None
    quarters: list[Quarter]
    periods: list[Period]
    fields: list[tuple[str, str]]  # the fields that occur, (code, label), most frequent first

    @property
    def total(self) -> int:
        return sum(q.tally.total for q in self.quarters)


def quarter_case(zone: zoneinfo.ZoneInfo, years: range):
    """The quarter of `start` in `zone` as year * 4 + quarter - 1 (NULL outside `years`).

    Comparisons with the quarters' first moments, computed here in the zone (daylight saving
    included), nested as a binary search (six comparisons a row for a dozen years): plain
    comparisons the database does fast, where converting every row's time to the zone
    (Extract with tzinfo) costs a Python function call per row on SQLite.
    """
    if not years:
        return Value(None, output_field=IntegerField())
    # bounds[i] is the first moment of quarter key keys[i]; bounds[-1] ends the last one.
    keys = [year * 4 + q for year in years for q in range(4)]
    bounds = [dt.datetime(k // 4, k % 4 * 3 + 1, 1, tzinfo=zone) for k in keys]
    bounds.append(dt.datetime(years.stop, 1, 1, tzinfo=zone))

    def search(low: int, high: int):  # the key of a start within [bounds[low], bounds[high])
        if high - low == 1:
            return Value(keys[low], output_field=IntegerField())
        middle = (low + high) // 2
        return Case(
            When(start__lt=bounds[middle], then=search(low, middle)),
            default=search(middle, high),
            output_field=IntegerField(),
        )

    return Case(
        When(Q(start__lt=bounds[0]) | Q(start__gte=bounds[-1]), then=Value(None)),
        default=search(0, len(keys)),
        output_field=IntegerField(),
    )


def data_years(zone: zoneinfo.ZoneInfo) -> range:
    """The years any activity is in, for the quarters' boundaries: one query of two index
    lookups (the first and the last start, each a subquery: SQLite reads MIN and MAX of one
    SELECT by scanning the whole index, ~10 ms at 100,000 activities)."""
    first = Activity.objects.order_by("start").values("start")[:1]
    last = Activity.objects.order_by("-start").values("start")[:1]
    span = Activity.objects.order_by().values(first=Subquery(first), last=Subquery(last))[:1]
    row = next(iter(span), None)
    if row is None:
        return range(0)
    return range(row["first"].astimezone(zone).year, row["last"].astimezone(zone).year + 1)


def grouped_rows(qs: QuerySet[Activity], zone: zoneinfo.ZoneInfo, years: range) -> list[dict]:
    """One query, a pivot table: a row per quarter (see quarter_case) and period, with a count per
    status, per modality (of what takes place), per field, and the pivoted ones."""
    counts = {"n": Count("id"), "pivoted": Count("id", filter=PIVOTED)}
    counts.update({f"s_{code}": Count("id", filter=Q(status=code)) for code in ActivityStatus.values})
    counts.update(
        {f"m_{code}": Count("id", filter=Q(modality=code, status__in=TAKING_PLACE)) for code in Modality.values}
    )
    counts.update({f"f_{code}": Count("id", filter=Q(field=code)) for code in FIELD_CODES})
    return list(
        qs.annotate(k=quarter_case(zone, years), period=period_case(zone))
        .values("k", "period")
        .annotate(**counts)
        .order_by()
    )


# --- the grouped counts, cached and brought up to date quarter by quarter ----------------------

CHANGES = ChangeLog("pivot")  # each change of an activity: the moments (starts) it concerns
MAX_QUARTERS = 40  # a table whose changes touch more quarters than this is counted again


def activity_changed(sender, instance, **kwargs) -> None:
    """An activity saved or deleted: its quarter (and the one it left, when its start moved) must
    be counted again; a partnership saved or deleted (visibility, governments): everything. Noted
    now and again after the commit, as the health ranking's changes are."""
    moments: list[dt.datetime] | None = None
    if sender is Activity and "start" in instance.__dict__:
        moments = [m for m in (instance.__dict__.get("_pivot_start"), instance.start) if m is not None]
        instance._pivot_start = instance.start
    CHANGES.note(moments)


def _remember_start(sender, instance, **kwargs) -> None:
    """The start an activity had when loaded: a save that moves it changes the old quarter too."""
    if "start" in instance.__dict__:
        instance._pivot_start = instance.start


def connect_signals() -> None:
    """Called by InsightsConfig.ready(), in every process (see health.score.connect_signals)."""
    post_init.connect(_remember_start, sender=Activity, dispatch_uid="insights-pivot-init-activity")
    for model in (Activity, Partnership):
        post_save.connect(activity_changed, sender=model, dispatch_uid=f"insights-pivot-save-{model._meta.label}")
        post_delete.connect(activity_changed, sender=model, dispatch_uid=f"insights-pivot-delete-{model._meta.label}")


def _quarter_key(moment: dt.datetime, zone: zoneinfo.ZoneInfo) -> int:
    local = moment.astimezone(zone)
    return local.year * 4 + (local.month - 1) // 3


def _quarter_range(key: int, zone: zoneinfo.ZoneInfo) -> Q:
    year, q = divmod(key, 4)
    start = dt.datetime(year, q * 3 + 1, 1, tzinfo=zone)
    end = dt.datetime(year + (q == 3), (q * 3 + 3) % 12 + 1, 1, tzinfo=zone)
    return Q(start__gte=start, start__lt=end)


def _table_key(user, scope: Scope) -> str:
    signature = repr(
        (
            "pivot",
            *permissions.reader_key(user),
            scope.kind,
            scope.partnership.pk if scope.partnership else None,
            scope.government.pk if scope.government else None,
            sorted(scope.government_ids) if scope.government_ids is not None else None,
            str(scope.zone),
            pandemic_dates(),
        )
    )
    return "kembar:insights:pivot:" + hashlib.sha256(signature.encode()).hexdigest()


def quarter_table(user, scope: Scope) -> list[dict]:
    """`grouped_rows` of every year for the scope as the user sees it (two queries: the years,
    the counts), kept in the cache for KEMBAR_HEALTH_CACHE_SECONDS from when it was counted in
    full. A saved or deleted activity (signals above) makes the next call count again only the
    quarters it was and is in (one query on their time ranges) and put them in the table; a
    changed partnership, too many changes, a change no longer in the cache or a new year of
    data count everything again (`changes.kept_up_to_date`)."""
    qs = scope.activities(user)
    years = data_years(scope.zone)

    def recount(rows: list[dict], moments: list[dt.datetime]) -> list[dict] | None:
        """The table with the quarters of `moments` counted again, or None."""
        quarters = {_quarter_key(moment, scope.zone) for moment in moments}
        if len(quarters) > MAX_QUARTERS or any(k // 4 not in years for k in quarters):
            return None
        if not quarters:
            return rows
        fresh = grouped_rows(
            qs.filter(functools.reduce(operator.or_, [_quarter_range(k, scope.zone) for k in quarters])),
            scope.zone,
            years,
        )
        return [row for row in rows if row["k"] not in quarters] + fresh

    return kept_up_to_date(
        _table_key(user, scope), CHANGES, lambda: grouped_rows(qs, scope.zone, years), recount, tag=years
    )


def pivot(user, scope: Scope, *, year: int | None = None) -> Pivot:
    """The scope's activities per quarter (of `year`, or of all years) and per period: two
    queries (the years of the data, when no year is given, and the grouped counts). With the
    insights' cache on (KEMBAR_HEALTH_CACHE_SECONDS), the counts of every year come from
    `quarter_table` (the years, and the counts only when the cache has none or a change)."""
    if cache_seconds() > 0:
        rows = quarter_table(user, scope)
    else:
        qs = scope.activities(user)
        rows = grouped_rows(qs, scope.zone, range(year, year + 1) if year is not None else data_years(scope.zone))
    quarters: dict[tuple[int, int], Tally] = {}
    periods = {key: Tally() for key, _label in PERIODS}
    field_totals: dict[str, int] = {}
    for row in rows:
        periods[row["period"]].add(row)  # the periods always span every year
        if row["k"] is None or (year is not None and row["k"] // 4 != year):
            continue
        quarters.setdefault(divmod(row["k"], 4), Tally()).add(row)
        for code in FIELD_CODES:
            field_totals[code] = field_totals.get(code, 0) + row[f"f_{code}"]
    if year is not None:
        for q in range(4):
            quarters.setdefault((year, q), Tally())
    first, last = pandemic_dates()
    bounds = {
        "before": (None, first - dt.timedelta(days=1)),
        "during": (first, last),
        "after": (last + dt.timedelta(days=1), None),
    }
    return Pivot(
        scope=scope,
        year=year,
        quarters=[Quarter(y, q + 1, t) for (y, q), t in sorted(quarters.items())],
        periods=[Period(key, str(label), *bounds[key], periods[key]) for key, label in PERIODS],
        fields=[
            (code, field_label(code)) for code, n in sorted(field_totals.items(), key=lambda kv: (-kv[1], kv[0])) if n
        ],
    )


def field_label(code: str) -> str:
    if not code:
        return _("No field given")
    return str(Field(code).label) if code in Field.values else code


def status_label(code: str) -> str:
    return str(ActivityStatus(code).label)


def modality_label(code: str) -> str:
    return str(Modality(code).label)
