"""Read queries of activities and calls: the queryset lists start from, the public events
portal (upcoming occurrences, open calls) and the dashboard's next events, each in a constant
number of SQL queries.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Callable
from dataclasses import astuple, dataclass

from django.core.cache import cache
from django.db.models import Q, QuerySet, prefetch_related_objects
from django.utils import timezone

from kembar.accounts import permissions
from kembar.core.caching import remembered
from kembar.core.versioning import as_stored
from kembar.partnerships.models import Partnership

from .models import Activity, Call
from .recurrence import UTC, Occurrence, earliest, occurrences
from .vocab import ActivityStatus, CallStatus


def activity_queryset() -> QuerySet[Activity]:
    return Activity.objects.select_related(
        "partnership__government_a__place", "partnership__government_b__place", "host__place"
    )


def partnership_activities(user, partnership) -> list[Activity]:
    """The partnership's activities the user may read, latest first, with their changes: the
    partnership is the one already loaded, not joined again on every row (its two governments
    and places were five of a row's seven objects, most of the list's ORM time)."""
    rows = list(
        permissions.visible_under_partnership(
            user, Activity.objects.select_related("host__place").filter(partnership=partnership)
        )
        .prefetch_related("changes")
        .order_by("-start", "-id")
    )
    for activity in rows:
        activity.partnership = partnership
    return rows


# --- the public portal ---------------------------------------------------------------------------


@dataclass
class PortalFilter:
    city: int | None = None  # a government id
    country: str = ""
    field: str = ""
    month: str = ""  # YYYY-MM


EXPANSION_FIELDS = ("start", "end", "recurrence", "exceptions", "status", "date_tbd", "host__place__timezone")


def public_activities() -> QuerySet[Activity]:
    return activity_queryset().filter(public=True, partnership__public=True).prefetch_related("changes")


def _month_bounds(month: str) -> tuple[dt.datetime, dt.datetime] | None:
    try:
        first = dt.datetime.strptime(month, "%Y-%m").replace(tzinfo=UTC)
    except ValueError:
        return None
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following


def _filter_partnership_side(qs: QuerySet, f: PortalFilter, prefix: str = "partnership__") -> QuerySet:
    if f.city:
        qs = qs.filter(Q(**{prefix + "government_a": f.city}) | Q(**{prefix + "government_b": f.city}))
    if f.country:
        cc = f.country.upper()
        qs = qs.filter(
            Q(**{prefix + "government_a__country_code": cc}) | Q(**{prefix + "government_b__country_code": cc})
        )
    if f.field:
        qs = qs.filter(field=f.field)
    return qs


# The portal's events (and the public dashboard's), worked out at most once a minute per filter
# and kept in the cache until a public activity ahead (or a change of one) or a partnership's
# `public` is saved or deleted (`portal_changed`): expanding every public series is the page's whole cost (seconds with
# thousands of series). What ended in the meantime is left out when read.
# Past that minute, one process works them out again while the others keep showing the list they
# have (what ended left out): without it, every process that read the page in those seconds
# expanded every series at once (a landing page of 2 s at the 95th percentile under load).
PORTAL_VERSION_KEY = "kembar:activities:portal:version"
PORTAL_CACHE_SECONDS = 60
PORTAL_KEEP_SECONDS = 15 * 60  # how long a list may be shown while another process renews it


def portal_changed(**kwargs) -> None:
    cache.set(PORTAL_VERSION_KEY, uuid.uuid4().hex, None)


def _may_be_upcoming(public: bool, recurrence: str, end: dt.datetime | None, date_tbd: bool) -> bool:
    """Whether an activity with these values can be among the portal's events (a day's margin)."""
    recent = end is None or end >= timezone.now() - dt.timedelta(days=1)
    return bool(public) and (bool(recurrence) or bool(date_tbd) or recent)


PORTAL_FIELDS = ("public", "recurrence", "end", "date_tbd")


def note_portal_change(sender, instance, **kwargs) -> None:
    """pre_save of an activity or a partnership: whether saving it can change the portal's events
    (`portal_saved` acts on it). An activity that neither was nor is public and ahead (a report
    of a past event), or a partnership whose `public` stays, leaves them as they are: the events
    kept are ids and times, and the rows shown are read afresh."""
    if sender is Partnership:
        if instance.pk is None:
            instance._portal_changed = False  # no activities yet
        else:
            before = _stored(instance, ("public",))
            instance._portal_changed = before is None or before[0] != instance.public
        return
    now = [getattr(instance, name) for name in PORTAL_FIELDS]
    if _may_be_upcoming(*now) or instance.pk is None:
        instance._portal_changed = _may_be_upcoming(*now)
        return
    before = _stored(instance, PORTAL_FIELDS)
    instance._portal_changed = before is not None and _may_be_upcoming(*before)


def _stored(instance, names: tuple[str, ...]) -> tuple | None:
    """The values `names` of the saved row as the database has them: as read under the saver's
    lock (`as_stored`), else read (None for a row that is gone)."""
    stored = as_stored(instance)
    if stored is not None and all(name in stored for name in names):
        return tuple(stored[name] for name in names)
    return type(instance).objects.filter(pk=instance.pk).values_list(*names).first()


def portal_saved(sender, instance, **kwargs) -> None:
    if getattr(instance, "_portal_changed", True):
        portal_changed()


def portal_deleted(sender, instance, **kwargs) -> None:
    if sender is not Activity or _may_be_upcoming(*(getattr(instance, name) for name in PORTAL_FIELDS)):
        portal_changed()


def upcoming_events(f: PortalFilter, now: dt.datetime | None = None, limit: int = 100) -> list[Occurrence]:
    """Public occurrences from now on (or within the month), postponed ones included and marked.
    Without `now` (the page): from the cache when it has them (`_kept`)."""
    if now is not None:
        return _upcoming_events(f, now, limit)
    return _kept(f"portal|{astuple(f)}|{limit}", lambda now: _upcoming_events(f, now, limit), not f.month)


def kept_key(what: str) -> str:
    """The cache key of these events as of the last change of an activity."""
    version = cache.get(PORTAL_VERSION_KEY) or ""
    return "kembar:activities:portal:2:" + hashlib.sha256(f"{version}|{what}".encode()).hexdigest()


def portal_key(f: PortalFilter, limit: int = 100) -> str:
    return kept_key(f"portal|{astuple(f)}|{limit}")


def _kept(what: str, compute, drop_over: bool = True) -> list[Occurrence]:
    """`compute(now)`'s occurrences, from the cache when it has them (computed a minute ago at
    most, or being renewed by another process); the activities shown are read whole each time
    (one query)."""
    return _occurrences(_kept_rows(what, compute, drop_over))


def _occurrences(rows: list[tuple]) -> list[Occurrence]:
    """The kept rows' occurrences with their activities read whole (one query, also for none)."""
    shown = activity_queryset().in_bulk({row[0] for row in rows} or {0})
    return [Occurrence(shown[pk], *rest[:6]) for pk, *rest in rows if pk in shown]


def _kept_rows(what: str, compute, drop_over: bool = True) -> list[tuple]:
    """`compute(now)`'s occurrences as kept (`_kept`): (activity id, planned start, start, end,
    postponed, to be decided, reason, partnership id) each; none of the activities read."""
    now = timezone.now()
    key = kept_key(what)
    entry = cache.get(key)
    renewing = entry is not None and (now - entry[0]).total_seconds() > PORTAL_CACHE_SECONDS
    if entry is None or (renewing and cache.add(key + ":renewing", 1, PORTAL_CACHE_SECONDS)):
        rows = [
            (
                o.activity.pk,
                o.planned_start,
                o.start,
                o.end,
                o.postponed,
                o.date_tbd,
                o.reason,
                o.activity.partnership_id,
            )
            for o in compute(now)
        ]
        cache.set(key, entry := (now, rows), PORTAL_KEEP_SECONDS)
        cache.delete(key + ":renewing")
    kept = entry[1]
    if drop_over:  # over since: gone (unless to be decided)
        kept = [row for row in kept if row[3] >= now or row[5]]
    return kept


def _upcoming_events(f: PortalFilter, now: dt.datetime, limit: int) -> list[Occurrence]:
    after, before = now, None
    bounds = _month_bounds(f.month) if f.month else None
    if bounds:
        after, before = bounds
    qs = _filter_partnership_side(public_activities(), f).exclude(status=ActivityStatus.CANCELLED)
    # A series may have occurrences ahead however long ago it began; single events only if not over.
    qs = qs.filter(Q(end__gte=after) | ~Q(recurrence="") | Q(date_tbd=True))
    if before is not None:
        qs = qs.filter(start__lt=before)
    return _first_events(qs, after, before or after + dt.timedelta(days=3 * 366), limit)


def _first_events(qs: QuerySet[Activity], after: dt.datetime, before: dt.datetime, limit: int) -> list[Occurrence]:
    """`earliest` over these activities (not cancelled, not over unless a series or to be
    decided). Single events come sorted and limited from the database, series are expanded here;
    the expansion reads the few columns it needs, and the activities shown are then read whole
    (a constant number of queries)."""
    qs = qs.select_related(None).select_related("host__place").only(*EXPANSION_FIELDS).prefetch_related(None)
    # A single event over before `after` but postponed to a date not yet decided is still news,
    # after everything that has a date: the most recently planned first (one postponed sine die
    # years ago must not push out next week's events).
    undecided = Q(recurrence="", date_tbd=True, end__lt=after)
    activities = [
        *qs.filter(recurrence="").exclude(undecided).order_by("start", "id")[:limit],
        *qs.exclude(recurrence=""),
    ]
    waiting = list(qs.filter(undecided).order_by("-start", "-id")[:limit])
    prefetch_related_objects(activities + waiting, "changes")
    out = earliest(activities, after, before, limit)
    out += [o for a in waiting for o in occurrences(a, after=after, before=before, limit=1)][: limit - len(out)]
    # One query even when nothing is shown (an id no row has), so that a page costs the same
    # queries with no event in its window as with some.
    shown = activity_queryset().in_bulk({o.activity.pk for o in out} or {0})
    out = [o for o in out if o.activity.pk in shown]  # not deleted in between
    for occurrence in out:
        occurrence.activity = shown[occurrence.activity.pk]
    return out


def open_calls(f: PortalFilter, today: dt.date | None = None) -> QuerySet[Call]:
    today = today or timezone.now().date()
    qs = Call.objects.select_related(
        "partnership__government_a__place", "partnership__government_b__place", "host"
    ).filter(public=True, partnership__public=True, status=CallStatus.OPEN, deadline__gte=today)
    qs = _filter_partnership_side(qs, f)
    if f.month:
        bounds = _month_bounds(f.month)
        if bounds:
            qs = qs.filter(deadline__gte=bounds[0].date(), deadline__lt=bounds[1].date())
    return qs.order_by("deadline", "id")


DASHBOARD_SHOWN = 5


def public_dashboard_events(render: Callable[[list[Occurrence]], str], signature) -> str:
    """The next public events, `render`ed, kept until one of the shown activities' partnerships
    changes (their stamps: an activity's edit renews its partnership's) or the events shown do,
    per `signature` (what the rendering depends on besides them: the language and time zone).
    The activities are read only to render them anew: the landing page under load no longer
    reads and renders five activities with their partnerships for every visitor."""
    rows = _kept_rows(f"dashboard|{DASHBOARD_SHOWN}", lambda now: dashboard_events(None, [], now, None))
    now = timezone.now()
    under_way = [row[2] <= now and not row[5] for row in rows]  # marked so once begun
    return remembered(
        "dashboard-events",
        (signature, rows, under_way),
        lambda: render(_occurrences(rows)),
        subjects=[("partnership", row[7]) for row in rows],
    )


def dashboard_events(
    user,
    government_ids,
    now: dt.datetime | None = None,
    until: dt.datetime | None = None,
    limit: int = DASHBOARD_SHOWN,
) -> list[Occurrence]:
    """The next few occurrences for the dashboard (until `until`, by default two years ahead):
    of the office's own partnerships (public or not), or the public ones for everyone else
    (those kept a minute at most, as the portal's)."""
    if not government_ids and now is None and until is None:
        return _kept(f"dashboard|{limit}", lambda now: dashboard_events(user, [], now, None, limit))
    now = now or timezone.now()
    if government_ids:
        qs = permissions.visible_under_partnership(
            user,
            activity_queryset()
            .prefetch_related("changes")
            .filter(Q(partnership__government_a__in=government_ids) | Q(partnership__government_b__in=government_ids)),
        )
    else:
        qs = public_activities()
    qs = qs.exclude(status=ActivityStatus.CANCELLED).filter(Q(end__gte=now) | ~Q(recurrence="") | Q(date_tbd=True))
    if until is not None:
        qs = qs.filter(Q(start__lt=until) | ~Q(recurrence="") | Q(date_tbd=True))
    return _first_events(qs, now, until or now + dt.timedelta(days=2 * 366), limit)
