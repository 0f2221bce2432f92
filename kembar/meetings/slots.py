"""Meeting slot finder across time zones, weekends and public holidays.

Plain Python (zoneinfo + the `holidays` package), no Django: the slot finder page, the API and
`kembar slots` all call `find_slots`.

A *cost* is how far, in minutes, a meeting lies outside a side's office hours: the smallest
shift that would move it inside one of that side's office days (0 when it is inside already).
Slots are ranked by the worst-off side's cost, then the sum over all sides, then the earliest
start; so a fair slot where both sides stretch a little beats one where one side carries
everything, and the early-morning burden is not always left to the same side.

Nothing is ever proposed on a date that is a weekend day or public holiday for any side (the
weekend follows the country: Friday–Saturday in Saudi Arabia, for example); `holidays` knows
regional holidays (a US state, a German Land) when the side names its subdivision.

Error messages and explanations are English with %-placeholders; callers pass a translation
function (`explain(slot, gettext)`, `error.message(gettext)`) so Django can translate them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_lib

UTC = dt.UTC
GRANULARITY = 15  # minutes between candidate starts
DEFAULT_OFFICE_START = dt.time(8, 0)
DEFAULT_OFFICE_END = dt.time(16, 0)
MAX_RANGE_DAYS = 366
NEAR_HOLIDAY_DAYS = 2  # a holiday this close to a slot is named in its explanation

# Countries whose weekend is not Saturday–Sunday, for when `holidays` does not say.
WEEKENDS: dict[str, frozenset[int]] = {
    **{
        cc: frozenset({4, 5})
        for cc in ("SA", "BH", "KW", "OM", "QA", "EG", "IQ", "JO", "SY", "YE", "DZ", "LY", "SD", "IL", "BD", "MV", "AF")
    },
    "IR": frozenset({4}),
    "NP": frozenset({5}),
    "BN": frozenset({4, 6}),
}
SAT_SUN = frozenset({5, 6})


def _identity(text: str) -> str:
    return text


class SlotError(ValueError):
    """Bad input to the slot finder. `code` names the problem; `params` fill the message."""

    MESSAGES = {
        "no_sides": "Give at least two places to meet.",
        "unknown_timezone": "%(place)s has an unknown time zone: %(timezone)s.",
        "unknown_country": "%(place)s has an unknown country code: %(country)s.",
        "reversed_range": "The range ends (%(end)s) before it starts (%(start)s).",
        "empty_range": "Give both the first and the last day of the range.",
        "range_too_long": "The range is %(days)d days long; search at most %(max)d days at once.",
        "bad_duration": "The duration must be a positive number of minutes.",
        "office_hours_reversed": "The office hours of %(place)s end (%(end)s) before they start (%(start)s).",
        "duration_too_long": (
            "A %(duration)d-minute meeting is longer than the office hours of %(place)s "
            "(%(window)d minutes); no day can hold it."
        ),
        "no_common_day": (
            "Every day from %(start)s to %(end)s is a weekend day or a public holiday "
            "for at least one side; widen the range."
        ),
    }

    def __init__(self, code: str, **params):
        self.code = code
        self.params = params
        super().__init__(self.message())

    def message(self, gettext: Callable[[str], str] = _identity) -> str:
        return gettext(self.MESSAGES[self.code]) % self.params


def _messages_for_extraction(_):  # pragma: no cover - only for makemessages
    """Marks the messages above for translation (makemessages reads `_()` calls)."""
    return [
        _("Give at least two places to meet."),
        _("%(place)s has an unknown time zone: %(timezone)s."),
        _("%(place)s has an unknown country code: %(country)s."),
        _("The range ends (%(end)s) before it starts (%(start)s)."),
        _("Give both the first and the last day of the range."),
        _("The range is %(days)d days long; search at most %(max)d days at once."),
        _("The duration must be a positive number of minutes."),
        _("The office hours of %(place)s end (%(end)s) before they start (%(start)s)."),
        _(
            "A %(duration)d-minute meeting is longer than the office hours of %(place)s "
            "(%(window)d minutes); no day can hold it."
        ),
        _(
            "Every day from %(start)s to %(end)s is a weekend day or a public holiday "
            "for at least one side; widen the range."
        ),
    ]


@dataclass(frozen=True)
class Side:
    """One party to the meeting: a place with its time zone, country and office hours."""

    name: str
    timezone: str
    country: str
    subdivision: str | None = None
    office_start: dt.time = DEFAULT_OFFICE_START
    office_end: dt.time = DEFAULT_OFFICE_END
    weekend: frozenset[int] | None = None  # Monday = 0; None: the country's own


@dataclass
class _Calendar:
    side: Side
    tz: ZoneInfo
    weekend: frozenset[int]
    holidays: dict[dt.date, str]
    start_min: int
    end_min: int

    def day_off(self, day: dt.date) -> str | None:
        """Why `day` is not a working day here ('weekend' or the holiday's name), or None."""
        if day in self.holidays:
            return self.holidays[day]
        if day.weekday() in self.weekend:
            return "weekend"
        return None

    def cost(self, local_start: dt.datetime, local_end: dt.datetime) -> tuple[int, bool]:
        """Minutes the meeting would have to move to fit inside this side's office hours, and
        whether it is early (before the nearest office day) rather than late."""
        s = local_start.hour * 60 + local_start.minute
        e = s + (local_end.replace(tzinfo=None) - local_start.replace(tzinfo=None)).total_seconds() / 60
        best, early = None, False
        for offset in (-1440, 0, 1440):
            ws, we = self.start_min + offset, self.end_min + offset
            shift = max(ws - s, e - we, 0)
            if best is None or shift < best:
                best, early = shift, ws - s > 0
        return int(best), early


@dataclass(frozen=True)
class SideTime:
    side: Side
    local_start: dt.datetime
    local_end: dt.datetime
    cost: int  # minutes outside office hours
    early: bool  # before office hours (else after, when cost > 0)
    near_holidays: tuple[tuple[dt.date, str], ...] = ()

    def reason(self, gettext: Callable[[str], str] = _identity) -> str:
        """Why this side pays a penalty ('' when the slot is inside its office hours)."""
        if not self.cost:
            return ""
        amount = duration_text(self.cost, gettext)
        if self.early:
            return gettext("%(amount)s before office hours") % {"amount": amount}
        return gettext("%(amount)s after office hours") % {"amount": amount}


@dataclass(frozen=True)
class Slot:
    start: dt.datetime  # UTC
    end: dt.datetime  # UTC
    sides: tuple[SideTime, ...]  # in the order the sides were given

    @property
    def worst(self) -> int:
        return max(s.cost for s in self.sides)

    @property
    def total(self) -> int:
        return sum(s.cost for s in self.sides)

    @property
    def inside_office_hours(self) -> bool:
        return self.worst == 0

    @property
    def rank_key(self) -> tuple:
        return (self.worst, self.total, self.start)

    def cost_by_name(self) -> dict[str, int]:
        return {s.side.name: s.cost for s in self.sides}

    def as_dict(self, gettext: Callable[[str], str] = _identity) -> dict:
        return {
            "start": iso_utc(self.start),
            "end": iso_utc(self.end),
            "inside_office_hours": self.inside_office_hours,
            "worst_penalty_minutes": self.worst,
            "total_penalty_minutes": self.total,
            "explanation": explain(self, gettext),
            "places": [
                {
                    "place": s.side.name,
                    "timezone": s.side.timezone,
                    "local_start": s.local_start.isoformat(),
                    "local_end": s.local_end.isoformat(),
                    "penalty_minutes": s.cost,
                    "penalty_reason": s.reason(gettext),
                }
                for s in self.sides
            ],
        }


@dataclass
class SlotSearch:
    slots: list[Slot]
    sides: tuple[Side, ...]
    start: dt.date
    end: dt.date
    duration: int
    candidates: int = 0
    skipped_days: dict[str, list[tuple[dt.date, str]]] = field(default_factory=dict)

    @property
    def inside_office_hours(self) -> bool:
        """True when the best slot fits inside every side's office hours."""
        return bool(self.slots) and self.slots[0].inside_office_hours

    def notice(self, gettext: Callable[[str], str] = _identity) -> str:
        if self.inside_office_hours:
            return ""
        return gettext(
            "No slot fits inside everyone's office hours in this range. These are the "
            "least-bad slots, with how far each side is outside its office hours."
        )


def iso_utc(moment: dt.datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def duration_text(minutes: int, gettext: Callable[[str], str] = _identity) -> str:
    hours, rest = divmod(int(minutes), 60)
    if hours and rest:
        return gettext("%(h)d h %(m)d min") % {"h": hours, "m": rest}
    if hours:
        return gettext("%(h)d h") % {"h": hours}
    return gettext("%(m)d min") % {"m": rest}


def explain(slot: Slot, gettext: Callable[[str], str] = _identity) -> str:
    """'07:30 in Fort Worth, 19:30 in Bandung; avoids Thanksgiving' (and the cost, if any)."""
    times = ", ".join(
        gettext("%(time)s in %(place)s") % {"time": s.local_start.strftime("%H:%M"), "place": s.side.name}
        for s in slot.sides
    )
    parts = [times]
    costs = [
        gettext("%(place)s %(reason)s") % {"place": s.side.name, "reason": s.reason(gettext)}
        for s in slot.sides
        if s.cost
    ]
    if costs:
        parts.append("; ".join(costs))
    else:
        parts.append(gettext("inside everyone's office hours"))
    names = []
    for s in slot.sides:
        for _day, name in s.near_holidays:
            if name not in names:
                names.append(name)
    if names:
        parts.append(gettext("avoids %(holidays)s") % {"holidays": ", ".join(names)})
    return "; ".join(parts)


def _calendar(side: Side, years: range, language: str | None = None) -> _Calendar:
    try:
        tz = ZoneInfo(side.timezone)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise SlotError("unknown_timezone", place=side.name, timezone=side.timezone or "–") from None
    if side.office_end <= side.office_start:
        raise SlotError(
            "office_hours_reversed",
            place=side.name,
            start=side.office_start.strftime("%H:%M"),
            end=side.office_end.strftime("%H:%M"),
        )
    country = (side.country or "").upper()
    try:
        subdivisions = holidays_lib.list_supported_countries().get(country)
    except Exception:  # pragma: no cover - very old `holidays`
        subdivisions = None
    if country and subdivisions is None and len(country) == 2 and country.isalpha():
        days: dict[dt.date, str] = {}
        weekend = SAT_SUN
    elif subdivisions is None:
        raise SlotError("unknown_country", place=side.name, country=side.country or "–")
    else:
        subdiv = side.subdivision if side.subdivision in subdivisions else None
        table = holidays_lib.country_holidays(country, subdiv=subdiv, years=list(years))
        if language:
            wanted = [code for code in getattr(table, "supported_languages", ()) if code.split("_")[0] == language]
            if wanted:  # holiday names in the reader's language where `holidays` has them
                table = holidays_lib.country_holidays(country, subdiv=subdiv, years=list(years), language=wanted[0])
        days = dict(table.items())
        weekend = frozenset(getattr(table, "weekend", None) or WEEKENDS.get(country, SAT_SUN))
    if side.weekend is not None:
        weekend = frozenset(side.weekend)
    elif country in WEEKENDS and not days:
        weekend = WEEKENDS[country]
    start_min = side.office_start.hour * 60 + side.office_start.minute
    end_min = side.office_end.hour * 60 + side.office_end.minute
    return _Calendar(side, tz, weekend, days, start_min, end_min)


def find_slots(
    sides: Sequence[Side],
    start: dt.date | None,
    end: dt.date | None,
    duration: int,
    top: int = 5,
    language: str | None = None,
) -> SlotSearch:
    """The best `top` non-overlapping slots of `duration` minutes starting between `start`
    00:00 UTC and the end of `end` (UTC), best first; see the module docstring for the order.
    Different days are offered before a second slot on the same day.

    Raises SlotError for bad input. When no slot fits inside everyone's office hours the
    least-bad slots are still returned (`SlotSearch.inside_office_hours` is False).
    """
    if len(sides) < 2:
        raise SlotError("no_sides")
    if start is None or end is None:
        raise SlotError("empty_range")
    if end < start:
        raise SlotError("reversed_range", start=start.isoformat(), end=end.isoformat())
    days = (end - start).days + 1
    if days > MAX_RANGE_DAYS:
        raise SlotError("range_too_long", days=days, max=MAX_RANGE_DAYS)
    if not isinstance(duration, int) or isinstance(duration, bool) or duration <= 0:
        raise SlotError("bad_duration")
    years = range(start.year - 1, end.year + 2)
    calendars = [_calendar(side, years, language) for side in sides]
    for cal in calendars:
        window = cal.end_min - cal.start_min
        if duration > window:
            raise SlotError("duration_too_long", duration=duration, place=cal.side.name, window=window)

    length = dt.timedelta(minutes=duration)
    first = dt.datetime.combine(start, dt.time(), tzinfo=UTC)
    last = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=UTC) - length
    step = dt.timedelta(minutes=GRANULARITY)
    candidates: list[tuple[tuple, dt.datetime, list]] = []
    count = 0
    moment = first
    # The cost depends only on the local start minute (the duration is fixed): one table per side.
    tables: list[dict[int, tuple[int, bool]]] = [{} for _ in calendars]
    almost = length - dt.timedelta(microseconds=1)
    off_days: list[dict[dt.date, bool]] = [{} for _ in calendars]
    while moment <= last:
        count += 1
        finish = moment + length
        local = []
        for cal, table, offs in zip(calendars, tables, off_days):
            ls = moment.astimezone(cal.tz)
            first_day = ls.date()
            # A meeting ending exactly at local midnight does not touch the next day.
            last_day = (ls + almost).date()
            off = offs.get(first_day)
            if off is None:
                off = offs[first_day] = cal.day_off(first_day) is not None
            if off:
                break
            if last_day != first_day:
                off = offs.get(last_day)
                if off is None:
                    off = offs[last_day] = cal.day_off(last_day) is not None
                if off:
                    break
            minute = ls.hour * 60 + ls.minute
            cost = table.get(minute)
            if cost is None:
                cost = table[minute] = cal.cost(ls, ls + length)
            local.append((cal, ls, None, *cost))
        else:
            costs = [c for _c, _s, _e, c, _early in local]
            candidates.append(((max(costs), sum(costs), moment), moment, local))
        moment += step

    if not candidates:
        raise SlotError("no_common_day", start=start.isoformat(), end=end.isoformat())
    candidates.sort(key=lambda item: item[0])
    # Offer different days first (one slot per UTC day), then fill up with the next best
    # slots that do not overlap the ones already chosen; best first either way.
    picked: list[tuple[tuple, dt.datetime, list]] = []
    days_used: set[dt.date] = set()
    for one_per_day in (True, False):
        for item in candidates:
            if len(picked) >= top:
                break
            moment = item[1]
            finish = moment + length
            if one_per_day and moment.date() in days_used:
                continue
            if any(moment < other + length and other < finish for _k, other, _l in picked):
                continue
            picked.append(item)
            days_used.add(moment.date())
    picked.sort(key=lambda item: item[0])
    chosen = [
        Slot(
            moment,
            moment + length,
            tuple(
                SideTime(
                    cal.side,
                    ls,
                    (moment + length).astimezone(cal.tz),
                    cost,
                    early=early,
                    near_holidays=_near(cal, ls.date(), start, end),
                )
                for cal, ls, _le, cost, early in local
            ),
        )
        for _key, moment, local in picked
    ]
    skipped = {cal.side.name: sorted((d, n) for d, n in cal.holidays.items() if start <= d <= end) for cal in calendars}
    return SlotSearch(chosen, tuple(sides), start, end, duration, count, skipped)


def _near(cal: _Calendar, day: dt.date, start: dt.date, end: dt.date) -> tuple[tuple[dt.date, str], ...]:
    """Holidays of this side within NEAR_HOLIDAY_DAYS of the slot's local date, inside the range."""
    found = []
    for delta in range(-NEAR_HOLIDAY_DAYS, NEAR_HOLIDAY_DAYS + 1):
        other = day + dt.timedelta(days=delta)
        if other in cal.holidays and start - dt.timedelta(days=1) <= other <= end + dt.timedelta(days=1):
            found.append((other, cal.holidays[other]))
    return tuple(found)
