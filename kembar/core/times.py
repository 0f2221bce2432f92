"""How a moment or a span of time reads in one place's time zone: the one formatter of every
page, list, feed and export that shows when something happens (month names in the active
language, the zone abbreviation of each end: 1 March 2027 in Fort Worth is CST, 14 March CDT).

    1 Mar 2027 09:00–17:00 CST                        the same day
    8 Mar 2026 01:00 CST – 04:00 CDT                  the same day, across a clock change
    1–14 Mar 2027 (starts 09:00 CST, ends 17:00 CDT)  several days
    23 Nov 2026 23:00 – 24 Nov 00:00 UTC              less than a day, across midnight
    28 Okt – 10 Nov 2027                              whole days (00:00 to 00:00 or 23:59)

With `weekday=True` (meetings, where the day differs between partners) each date starts with
its day of the week: "Sen 23 Nov 2026 17:00–18:00 CST". The patterns are the active language's
(`kembar.core.formats`): in Japanese "2027年3月1日 09:00 CST", "2027年3月1日～14日".
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from kembar.core.formats import pattern

ZoneLike = zoneinfo.ZoneInfo | dt.tzinfo | str | None


def zone_of(zone: ZoneLike) -> dt.tzinfo:
    """A time zone from a zone or its IANA name (UTC for none or an unknown name)."""
    if isinstance(zone, dt.tzinfo):
        return zone
    try:
        return zoneinfo.ZoneInfo(zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def _f(value: dt.datetime | dt.date, fmt: str) -> str:
    return dateformat.format(value, fmt)


def abbreviation(value: dt.datetime) -> str:
    """The zone's abbreviation at that moment (WIB, CST, CDT, JST; +07 where tzdata has none)."""
    return value.tzname() or "UTC"


def stamp(value: dt.datetime) -> str:
    """'1 Mar 2027 09:00 WIB' ('2027年3月1日 09:00 JST'): the active language's short date and
    time in the active zone, with the zone's abbreviation (a message's, a change's moment)."""
    return _f(timezone.localtime(value), pattern("SHORT_DATETIME_FORMAT") + " T")


def moment(value: dt.datetime, zone: ZoneLike, *, weekday: bool = False) -> str:
    """'1 Mar 2027 09:00 CST' ('Mon 1 Mar 2027 09:00 CST' with the weekday)."""
    local = value.astimezone(zone_of(zone))
    return f"{_f(local, _moment(weekday))} {abbreviation(local)}"


def _moment(weekday: bool) -> str:
    """The language's date and time, with the day of the week or not ('Sen 1 Mar 2027 09:00')."""
    return pattern("MOMENT_WEEKDAY_FORMAT" if weekday else "MOMENT_FORMAT")


def _month_day_time(weekday: bool) -> str:
    """The same without the year ('Sen 1 Mar 09:00'): the second end of a span."""
    return pattern("MONTH_DAY_TIME_WEEKDAY_FORMAT" if weekday else "MONTH_DAY_TIME_FORMAT")


def date_range(first: dt.date, last: dt.date) -> str:
    """'1 Mar 2027', '1–14 Mar 2027', '28 Oct – 10 Nov 2027', '28 Dec 2027 – 3 Jan 2028'."""
    if first == last:
        return _f(first, pattern("SHORT_DATE_FORMAT"))
    if (first.year, first.month) == (last.year, last.month):
        one, between, other = pattern("RANGE_SAME_MONTH")
    elif first.year == last.year:
        one, between, other = pattern("RANGE_SAME_YEAR")
    else:
        one, between, other = pattern("RANGE_OTHER_YEAR")
    return f"{_f(first, one)}{between}{_f(last, other)}"


def days(start: dt.datetime, end: dt.datetime | None, zone: ZoneLike) -> str:
    """The days the span covers in `zone`, without times: '1–14 Mar 2027' (a mail's subject)."""
    tz = zone_of(zone)
    s = start.astimezone(tz)
    e = s if end is None or end <= start else end.astimezone(tz)
    return date_range(*(_whole_days(s, e) or (s.date(), e.date())))


def _whole_days(start: dt.datetime, end: dt.datetime) -> tuple[dt.date, dt.date] | None:
    """The first and last day when the span covers whole days in its zone, else None."""
    if start.time() != dt.time(0, 0) or end <= start:
        return None
    if end.time() == dt.time(0, 0):
        return start.date(), end.date() - dt.timedelta(days=1)
    if end.time().replace(second=0, microsecond=0) == dt.time(23, 59):
        return start.date(), end.date()
    return None


def span(start: dt.datetime, end: dt.datetime | None, zone: ZoneLike, *, weekday: bool = False) -> str:
    """The span from start to end as it reads in `zone`, each end with its own abbreviation."""
    tz = zone_of(zone)
    s = start.astimezone(tz)
    if end is None or end <= start:
        return moment(s, tz, weekday=weekday)
    e = end.astimezone(tz)
    days = _whole_days(s, e)
    if days and not weekday:
        return date_range(*days)
    a, b = abbreviation(s), abbreviation(e)
    between = pattern("RANGE_SEPARATOR")
    if s.date() == e.date():
        if a == b:
            return f"{_f(s, _moment(weekday))}–{_f(e, 'H:i')} {a}"
        return f"{_f(s, _moment(weekday))} {a}{between}{_f(e, 'H:i')} {b}"
    if e - s < dt.timedelta(days=1) or weekday:
        first = _f(s, _moment(weekday)) + ("" if a == b else f" {a}")
        return f"{first}{between}{_f(e, _month_day_time(weekday))} {b}"
    starts, ends = _f(s, "H:i"), _f(e, "H:i")
    if a != b:
        starts, ends = f"{starts} {a}", f"{ends} {b}"
    else:
        ends = f"{ends} {b}"
    # Translators: a span of several days: "1–14 Mar 2027 (starts 09:00 CST, ends 17:00 CDT)".
    times = _("starts %(start)s, ends %(end)s") % {"start": starts, "end": ends}
    return f"{date_range(s.date(), e.date())} ({times})"
