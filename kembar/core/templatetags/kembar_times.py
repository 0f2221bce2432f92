"""`{% load kembar_times %}`: moments and spans in a place's time zone (`kembar.core.times`), and
dates in the active language's patterns (`kembar.core.formats`)."""

from django import template
from django.utils import dateformat, timezone

from kembar.core import times
from kembar.core.formats import pattern

register = template.Library()


@register.simple_tag
def span(start, end, zone, weekday=False):
    """`{% span activity.start activity.end activity.zone %}` → '1–14 Mar 2027 (starts 09:00 CST,
    ends 17:00 CDT)'; with `weekday=True` each date has its day of the week (meetings)."""
    return times.span(start, end, zone, weekday=weekday) if start else ""


@register.simple_tag
def moment(value, zone, weekday=False):
    """`{% moment meeting.start zone %}` → '1 Mar 2027 09:00 CST'."""
    return times.moment(value, zone, weekday=weekday) if value else ""


@register.simple_tag
def office_span(start, end, zone):
    """The span in the viewer's office's zone (the active zone, see
    `kembar.accounts.middleware`), or "" when that is the zone already shown or the viewer has no
    office (visitors see UTC)."""
    office = timezone.get_current_timezone()
    if not start or str(office) in ("UTC", str(times.zone_of(zone))):
        return ""
    return times.span(start, end, office)


@register.simple_tag
def other_span(start, end, zone, other):
    """The span in the zone named `other` (a remote partner's place's), or "" without one, or
    when it reads the same as in the host's `zone` or the viewer's own (shown already)."""
    if not start or not other:
        return ""
    shown = {times.span(start, end, zone), times.span(start, end, timezone.get_current_timezone())}
    text = times.span(start, end, other)
    return "" if text in shown else text


@register.filter(expects_localtime=True)
def stamp(value):
    """`{{ message.created|stamp }}` → '1 Mar 2027 09:00 WIB' ('2027年3月1日 09:00 JST'): the
    active language's short date and time, and the zone's abbreviation, in the active zone."""
    return times.stamp(value) if value else ""


@register.filter(expects_localtime=True)
def datepattern(value, name):
    """`{{ today|datepattern:"WEEKDAY_DATE_FORMAT" }}`: one of kembar's own named patterns of the
    active language (`kembar.core.formats`), which the date filter cannot look up."""
    return dateformat.format(value, pattern(name)) if value else ""
