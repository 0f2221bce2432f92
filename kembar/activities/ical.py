"""The iCalendar feed (RFC 5545): one VEVENT per activity, a series as RRULE with EXDATE, each
postponed occurrence as its own VEVENT with RECURRENCE-ID, times in the host's zone with VTIMEZONE."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import icalendar
from django.utils import timezone
from django.utils.translation import gettext as _

from kembar.core import times

from . import recurrence
from .models import Activity
from .vocab import ActivityStatus, Modality

PRODID = "-//kembar//sister-city activities//EN"
UTC = dt.UTC

STATUS = {
    ActivityStatus.PLANNED: "TENTATIVE",
    ActivityStatus.CONFIRMED: "CONFIRMED",
    ActivityStatus.HELD: "CONFIRMED",
    ActivityStatus.POSTPONED: "TENTATIVE",
    ActivityStatus.CANCELLED: "CANCELLED",
}


def _rule(activity: Activity) -> icalendar.vRecur:
    """The activity's RRULE for a DTSTART with its zone: RFC 5545 wants UNTIL in UTC then, and
    the stored rule's UNTIL is the host's local time (as `recurrence.compose_rule` writes it)."""
    rule = icalendar.vRecur.from_ical(activity.recurrence)
    if rule.get("UNTIL"):
        rule["UNTIL"] = [
            u.replace(tzinfo=activity.zone).astimezone(UTC) if isinstance(u, dt.datetime) and u.tzinfo is None else u
            for u in rule["UNTIL"]
        ]
    return rule


def uid(activity: Activity) -> str:
    return f"activity-{activity.pk}@kembar"


def summary(activity: Activity, postponed: bool, tbd: bool) -> str:
    marks = []
    if postponed:
        marks.append(_("Postponed, new date to be decided") if tbd else _("Postponed"))
    if activity.modality == Modality.VIRTUAL:
        marks.append(_("Virtual"))
    elif activity.modality == Modality.HYBRID:
        marks.append(_("Hybrid"))
    return f"{activity.title} ({', '.join(marks)})" if marks else activity.title


def _event(
    activity: Activity,
    start: dt.datetime,
    end: dt.datetime,
    *,
    base_url: str,
    stamp: dt.datetime,
    postponed: bool,
    tbd: bool,
) -> icalendar.Event:
    zone = activity.zone
    event = icalendar.Event()
    event.add("uid", uid(activity))
    event.add("dtstamp", stamp)
    event.add("last-modified", activity.updated.astimezone(UTC))
    event.add("dtstart", start.astimezone(zone))
    event.add("dtend", end.astimezone(zone))
    event.add("summary", summary(activity, postponed, tbd))
    p = activity.partnership
    lines = [
        f"{p.government_a.name} – {p.government_b.name}",
        activity.get_type_display(),
        activity.get_modality_display(),
    ]
    if not activity.recurrence or postponed:  # one span (a series' rule says when the rest are)
        # When it is in each partner's own zone, the host first: calendars show only the reader's.
        for g in sorted(p.governments, key=lambda g: g.pk != activity.host_id):
            lines.append(f"{g.name}: {times.span(start, end, g.place.timezone)}")
    if activity.description:
        lines.append(activity.description)
    event.add("description", "\n".join(str(x) for x in lines))
    location = activity.location or activity.host.name
    if activity.modality == Modality.VIRTUAL:
        location = _("Online") + (f" ({activity.location})" if activity.location else "")
    event.add("location", location)
    event.add("status", "TENTATIVE" if postponed else STATUS[activity.status])
    event.add("categories", [str(activity.get_type_display())])
    event.add("url", base_url.rstrip("/") + activity.get_absolute_url())
    return event


def calendar(
    activities: Iterable[Activity], *, name: str, base_url: str, now: dt.datetime | None = None
) -> icalendar.Calendar:
    """A calendar of these activities; they should come from `queries.public_activities()`
    (host places and changes prefetched)."""
    stamp = (now or timezone.now()).astimezone(UTC).replace(microsecond=0)
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    for activity in activities:
        postponed = activity.status == ActivityStatus.POSTPONED
        event = _event(
            activity,
            activity.start,
            activity.end,
            base_url=base_url,
            stamp=stamp,
            postponed=postponed,
            tbd=activity.date_tbd,
        )
        if activity.recurrence:
            event.add("rrule", _rule(activity))
            if activity.exceptions:
                event.add("exdate", [recurrence.parse_moment(e).astimezone(activity.zone) for e in activity.exceptions])
        cal.add_component(event)
        if not activity.recurrence:
            continue
        duration = activity.end - activity.start
        for planned, change in sorted(recurrence.occurrence_changes(activity).items()):
            start = change.new_start or planned
            end = change.new_end or start + duration
            moved = _event(
                activity, start, end, base_url=base_url, stamp=stamp, postponed=True, tbd=change.new_start is None
            )
            moved.add("recurrence-id", planned.astimezone(activity.zone))
            cal.add_component(moved)
    cal.add_missing_timezones()
    return cal
