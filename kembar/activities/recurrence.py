"""Recurrence: a series' RFC 5545 rule, its occurrences (exceptions left out, single
occurrences postponed) and the earliest occurrences of many activities together.

Times are aware datetimes in UTC; a recurring series is expanded in the host place's own time
zone (an event at 19:00 every other October stays at 19:00 local across daylight saving),
then converted back to UTC.
"""

from __future__ import annotations

import datetime as dt
import functools
import heapq
from collections.abc import Iterable
from dataclasses import dataclass

from dateutil import rrule as du_rrule
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .models import Activity, ActivityChange
from .vocab import ActivityStatus, Modality

UTC = dt.UTC
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
MAX_OCCURRENCES = 500  # a rule such as FREQ=SECONDLY must not expand forever
HORIZON = dt.timedelta(days=10 * 366)  # how far ahead an open-ended series is looked at


def _local_naive(moment: dt.datetime, zone) -> dt.datetime:
    return moment.astimezone(zone).replace(tzinfo=None)


def parse_rule(rule: str, start: dt.datetime, zone) -> du_rrule.rrule:
    """The dateutil rule for an RFC 5545 RRULE value, anchored at the local start.

    Raises ValidationError on `recurrence` when the rule does not parse or yields no date.
    """
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    if any(c in text for c in ":\r\n"):  # a DTSTART or a second rule would override the activity's start
        raise ValidationError({"recurrence": [_("Give one recurrence rule, e.g. FREQ=YEARLY;INTERVAL=2.")]})
    try:
        parsed = du_rrule.rrulestr(text, dtstart=_local_naive(start, zone), forceset=False)
    except Exception as exc:  # dateutil raises ValueError, but also TypeError, IndexError... on odd input
        raise ValidationError(
            {
                "recurrence": [
                    _("The recurrence rule “%(rule)s” is not a valid RFC 5545 rule: %(reason)s")
                    % {"rule": rule, "reason": exc}
                ]
            }
        )
    if not isinstance(parsed, du_rrule.rrule):
        raise ValidationError({"recurrence": [_("Give one recurrence rule, e.g. FREQ=YEARLY;INTERVAL=2.")]})
    if parsed._freq not in (du_rrule.YEARLY, du_rrule.MONTHLY, du_rrule.WEEKLY, du_rrule.DAILY):
        raise ValidationError(
            {
                "recurrence": [
                    _("An activity repeats yearly, monthly, weekly or daily (FREQ=YEARLY, MONTHLY, WEEKLY or DAILY).")
                ]
            }
        )
    if parsed._interval < 1:
        raise ValidationError({"recurrence": [_("The interval of a recurrence rule is at least 1.")]})
    # dateutil walks a rule step by step, and a rule that never matches (30 February) to the
    # year 9999, which takes minutes: such rules are refused before they are walked.
    keys = {part.split("=", 1)[0].strip().upper() for part in text.split(";") if part.strip()}
    unsupported = sorted(keys & UNSUPPORTED_RULE_PARTS)
    if unsupported:
        raise ValidationError(
            {
                "recurrence": [
                    _(
                        "Activities do not recur by %(parts)s; use FREQ, INTERVAL, COUNT, "
                        "UNTIL, BYMONTH, BYMONTHDAY, BYDAY or BYSETPOS."
                    )
                    % {"parts": ", ".join(unsupported)}
                ]
            }
        )
    if not _month_days_possible(parsed):
        raise ValidationError(
            {"recurrence": [_("The recurrence rule “%(rule)s” yields no date from the start on.") % {"rule": rule}]}
        )
    if parsed.after(_local_naive(start, zone), inc=True) is None:
        raise ValidationError(
            {"recurrence": [_("The recurrence rule “%(rule)s” yields no date from the start on.") % {"rule": rule}]}
        )
    return parsed


# --- the rule as a person gives and reads it ---------------------------------------------------

# What the activity form offers: repeat every N years, months or weeks, until a date or N times.
SIMPLE_FREQUENCIES = ("YEARLY", "MONTHLY", "WEEKLY")
_SIMPLE_PARTS = {"FREQ", "INTERVAL", "UNTIL", "COUNT"}


@dataclass(frozen=True)
class Repeat:
    """A rule the activity form can show: `frequency` YEARLY, MONTHLY or WEEKLY (DAILY is read,
    for the words, but not offered), every `interval`, ending on `until` (a local date) or after
    `count` occurrences, or never."""

    frequency: str
    interval: int = 1
    until: dt.date | None = None
    count: int | None = None


def compose_rule(
    frequency: str, interval: int | None = 1, until: dt.date | None = None, count: int | None = None
) -> str:
    """The RFC 5545 rule of a repeat the form gives ("" for none): YEARLY every 2, until 2030-10-31
    -> "FREQ=YEARLY;INTERVAL=2;UNTIL=20301031T235959". UNTIL is the end of that day in the host's
    own time, as the series is walked (`parse_rule` anchors the rule at the local start)."""
    if not frequency:
        return ""
    parts = [f"FREQ={frequency}"]
    if interval and interval != 1:
        parts.append(f"INTERVAL={interval}")
    if until is not None:
        parts.append(f"UNTIL={until:%Y%m%d}T235959")
    if count is not None:
        parts.append(f"COUNT={count}")
    return ";".join(parts)


def _parts(rule: str) -> dict[str, str]:
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    out = {}
    for part in text.split(";"):
        key, _sep, value = part.partition("=")
        if key.strip():
            out[key.strip().upper()] = value.strip().upper()
    return out


def _until_date(value: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(value[:8], "%Y%m%d").date()
    except ValueError:
        return None


def simple_repeat(rule: str) -> Repeat | None:
    """The rule as the form's repeat controls, or None when it says more than they can (BYDAY,
    BYMONTH… given through the API or an import): the form then keeps it as it is."""
    parts = _parts(rule)
    if not parts or set(parts) - _SIMPLE_PARTS or parts.get("FREQ") not in (*SIMPLE_FREQUENCIES, "DAILY"):
        return None
    try:
        interval = int(parts.get("INTERVAL", "1"))
        count = int(parts["COUNT"]) if "COUNT" in parts else None
    except ValueError:
        return None
    until = _until_date(parts["UNTIL"]) if "UNTIL" in parts else None
    if "UNTIL" in parts and until is None:
        return None
    return Repeat(parts["FREQ"], interval, until, count)


def _every(frequency: str, n: int) -> str:
    if n == 1:
        return {
            "YEARLY": _("Every year"),
            "MONTHLY": _("Every month"),
            "WEEKLY": _("Every week"),
            "DAILY": _("Every day"),
        }[frequency]
    return {
        "YEARLY": _("Every %(n)s years"),
        "MONTHLY": _("Every %(n)s months"),
        "WEEKLY": _("Every %(n)s weeks"),
        "DAILY": _("Every %(n)s days"),
    }[frequency] % {"n": n}


def describe(rule: str) -> str:
    """The rule in words, in the active language: "Every 2 years until 31 Oct 2030", "Setiap
    bulan, 6 kali". A rule the words do not cover is named as it is, after "Custom rule"."""
    if not rule:
        return ""
    repeat = simple_repeat(rule)
    if repeat is None:
        return _("Custom rule (RFC 5545): %(rule)s") % {"rule": rule}
    words = _every(repeat.frequency, repeat.interval)
    if repeat.until is not None:
        words = _("%(repeat)s until %(date)s") % {
            "repeat": words,
            "date": date_format(repeat.until, "SHORT_DATE_FORMAT"),
        }
    if repeat.count is not None:
        words = _("%(repeat)s, %(count)s times in all") % {"repeat": words, "count": repeat.count}
    return words


UNSUPPORTED_RULE_PARTS = {"BYYEARDAY", "BYWEEKNO", "BYHOUR", "BYMINUTE", "BYSECOND", "BYEASTER"}
DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]


def _month_days_possible(parsed: du_rrule.rrule) -> bool:
    """Whether the rule's months have its days of the month at all (no 30 February)."""
    days = list(parsed._bymonthday or ()) + list(parsed._bynmonthday or ())
    if not days:
        return True
    months = parsed._bymonth or range(1, 13)
    return any(abs(d) <= DAYS_IN_MONTH[m - 1] for m in months for d in days)


def _aware(local: dt.datetime, zone) -> dt.datetime:
    return local.replace(tzinfo=zone).astimezone(UTC)


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_moment(value) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if timezone.is_aware(value) else value.replace(tzinfo=UTC)
    text = str(value).strip().replace("Z", "+00:00")
    moment = dt.datetime.fromisoformat(text)
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=UTC)


@dataclass
class Occurrence:
    activity: Activity
    planned_start: dt.datetime  # identifies the occurrence within its series (UTC)
    start: dt.datetime
    end: dt.datetime
    postponed: bool = False
    date_tbd: bool = False
    reason: str = ""

    @property
    def local_start(self) -> dt.datetime:
        return self.start.astimezone(self.activity.zone)

    @property
    def local_end(self) -> dt.datetime:
        return self.end.astimezone(self.activity.zone)

    @property
    def virtual(self) -> bool:
        return self.activity.modality in (Modality.VIRTUAL, Modality.HYBRID)

    @property
    def cancelled(self) -> bool:
        return self.activity.status == ActivityStatus.CANCELLED

    @property
    def under_way(self) -> bool:
        """Started and not over yet (a two-week festival listed among the coming events)."""
        return not self.date_tbd and self.start <= timezone.now() < self.end


def occurrence_changes(activity: Activity) -> dict[dt.datetime, ActivityChange]:
    """The latest postponement of each single occurrence, by its planned start.

    Uses a prefetched `changes` if there is one (lists and feeds stay at a constant query count).
    """
    latest: dict[dt.datetime, ActivityChange] = {}
    for change in activity.changes.all():
        if change.occurrence is not None and change.kind == ActivityChange.Kind.POSTPONED:
            latest[change.occurrence.astimezone(UTC)] = change
    return latest


def occurrences(
    activity: Activity,
    after: dt.datetime | None = None,
    before: dt.datetime | None = None,
    limit: int = MAX_OCCURRENCES,
    *,
    past: dt.datetime | None = None,
) -> list[Occurrence]:
    """The occurrences of an activity overlapping [after, before), exceptions left out, single
    postponed occurrences at their new date (or at the planned one, marked "to be decided").

    A series is walked from its first occurrence and stops at `before` (by default
    HORIZON after `after`, or after the start) or after `limit` occurrences in the window:
    dateutil walks a rule step by step, so an open-ended rule must never be walked far.
    With `past`, the walk also stops where every further occurrence starts after `past`: the
    occurrences starting at `past` or before are exactly those of the walk without it.
    """
    duration = activity.end - activity.start
    excluded = {parse_moment(e) for e in activity.exceptions or []}
    changes = occurrence_changes(activity) if activity.recurrence else {}
    # A postponed occurrence may have moved out of its planned place: look that much wider.
    lead = max([abs(c.new_start - p) for p, c in changes.items() if c.new_start] or [dt.timedelta(0)])
    if activity.recurrence:
        zone = activity.zone
        if before is None:
            before = max(after or activity.start, activity.start) + HORIZON
        rule = _series_rule(activity.recurrence, _local_naive(activity.start, zone), zone)
        planned_iter = (
            _aware(local, zone)
            for local in rule.xafter(
                _local_naive((after - duration - lead) if after else activity.start, zone), inc=True
            )
        )
    else:
        planned_iter = iter([activity.start])
    out: list[Occurrence] = []
    for start in planned_iter:
        if before is not None and start >= before + lead:
            break
        if past is not None and start - lead > past:
            break
        if start in excluded:
            continue
        occ = Occurrence(
            activity,
            start,
            start,
            start + duration,
            postponed=activity.status == ActivityStatus.POSTPONED,
            date_tbd=activity.date_tbd,
        )
        change = changes.get(start)
        if change is not None:
            occ.postponed, occ.reason = True, change.reason
            if change.new_start is None:
                occ.date_tbd = True
            else:
                occ.start, occ.end = change.new_start, change.new_end or change.new_start + duration
        # A single event postponed to a date not yet decided stays "upcoming" until it is decided.
        if after is not None and occ.end < after and not (occ.date_tbd and not activity.recurrence):
            continue
        if before is not None and occ.start >= before:
            continue
        out.append(occ)
        if len(out) >= limit:
            break
    return sorted(out, key=lambda o: o.start)


@functools.lru_cache(maxsize=512)
def _series_rule(recurrence: str, local_start: dt.datetime, zone) -> du_rrule.rrule:
    """The parsed rule of a series, kept per process with the dates it has yielded (dateutil's
    cache), so the pages listing many series do not walk each rule from its start every time."""
    rule = parse_rule(recurrence, local_start.replace(tzinfo=zone), zone)
    return rule.replace(cache=True)


def is_occurrence(activity: Activity, moment: dt.datetime) -> bool:
    """Whether the series has a (not excepted) occurrence planned to start at `moment`."""
    zone = activity.zone
    rule = parse_rule(activity.recurrence, activity.start, zone)
    excluded = {parse_moment(e) for e in activity.exceptions or []}
    return moment not in excluded and _local_naive(moment, zone) in rule


def earliest(activities: Iterable[Activity], after: dt.datetime, before: dt.datetime, limit: int) -> list[Occurrence]:
    """The first `limit` occurrences in [after, before) of all these activities, by start (then
    activity): those of `occurrences(a, after, before, limit)` for each, without walking a series
    further than the occurrences it could still add."""
    out: list[Occurrence] = []
    latest: list[dt.timedelta] = []  # the `limit` earliest starts so far as EPOCH - start: [0] is the latest
    for activity in activities:
        past = EPOCH - latest[0] if len(latest) >= limit else None
        for occurrence in occurrences(activity, after=after, before=before, limit=limit, past=past):
            out.append(occurrence)
            key = EPOCH - occurrence.start
            if len(latest) < limit:
                heapq.heappush(latest, key)
            elif key > latest[0]:
                heapq.heapreplace(latest, key)
    out.sort(key=lambda o: (o.start, o.activity.pk))
    return out[:limit]
