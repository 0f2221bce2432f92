"""The office's day: what the dashboard answers for a cooperation office, in a constant number of
queries whatever the number of partnerships, items or meetings.

- **Overdue**: open action items past their due date, procedure stages waiting longer than
  their expected duration (a reporting or evaluation stage counts as a report), and held
  activities whose outcomes were not recorded within `REPORT_DAYS` of their end.
- **This week and next**: the meetings and activities of the next `WINDOW_DAYS` days, with
  both partners' local times.
- **Waiting for us**: open action items of the office not yet due, held meetings without
  minutes, agreements ending soon.
- **Slipping**: the office's partnerships with a record whose health is dormant, struggling or
  slowing, worst first, with the number of their overdue items listed above. Those with no
  record yet (links imported from a twinning list that nobody has touched: the health state
  "no_record" of `kembar.insights.health.score`) stay out: they are invitations, not problems.

Every date is a date in the office's own time zone (its first government's).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db.models import BooleanField, ExpressionWrapper, OuterRef, Q, Subquery
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kembar.accounts import permissions
from kembar.activities.models import Activity
from kembar.activities.queries import dashboard_events
from kembar.activities.vocab import ActivityStatus
from kembar.agreements import services as agreement_services
from kembar.agreements.models import AgreementStage
from kembar.agreements.reminders import THRESHOLDS
from kembar.core import stamps
from kembar.core.caching import cache_seconds
from kembar.grants.services import dashboard_assessments, dashboard_fits
from kembar.insights.health.score import LEVEL_LABELS, LEVELS, Context, Health, HealthReport
from kembar.matching.services import dashboard_requests
from kembar.meetings.models import ActionItem, Meeting
from kembar.meetings.services import local_times, meeting_queryset
from kembar.meetings.vocab import ActionStatus, MeetingStatus
from kembar.partnerships import claims
from kembar.partnerships import services as partnership_services
from kembar.partnerships.models import LocalGovernment, Partnership
from kembar.partnerships.vocab import Status
from kembar.solutions.services import dashboard_summary

WINDOW_DAYS = 14  # "this week and next"
REPORT_DAYS = 30  # a held activity's outcomes are due this many days after it ended
REPORT_LOOKBACK_DAYS = 365  # older unreported activities are history, not today's work
MINUTES_LOOKBACK_DAYS = 90  # held meetings without minutes, within this many days
SHOWN = 10  # of each kind of item
SLIPPING_SHOWN = 5
PARTNERSHIPS_SHOWN = 50
REPORT_STAGES = ("reporting", "evaluation")  # procedure stages whose evidence is a report

KIND_LABELS = {
    "action": gettext_lazy("Action item"),
    "stage": gettext_lazy("Procedure stage"),
    "report": gettext_lazy("Report"),
    "meeting": gettext_lazy("Meeting"),
    "activity": gettext_lazy("Activity"),
    "minutes": gettext_lazy("Minutes"),
    "agreement": gettext_lazy("Agreement"),
}


@dataclass
class Item:
    """One line of a section: what, of which partnership, since or by when."""

    kind: str
    text: str
    url: str
    partners: str
    day: dt.date  # overdue since / due on / took place on / ends on
    days: int  # days overdue, or days left
    detail: str = ""
    partnership_id: int | None = None

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])


@dataclass
class Upcoming:
    """A meeting or an activity of the coming days, with each side's local times."""

    kind: str
    title: str
    url: str
    partners: str
    start: dt.datetime  # UTC
    times: list[tuple[str, dt.datetime, dt.datetime]]  # (government, local start, local end)
    status: str = ""
    occurrence: object = None

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])


@dataclass
class Slipping:
    health: Health
    overdue: int  # overdue items of this partnership listed above


@dataclass
class OfficeDay:
    zone: ZoneInfo
    today: dt.date
    overdue: list[Item] = field(default_factory=list)
    coming: list[Upcoming] = field(default_factory=list)
    waiting: list[Item] = field(default_factory=list)
    slipping: list[Slipping] = field(default_factory=list)
    partnerships: list[Partnership] = field(default_factory=list)
    window_days: int = WINDOW_DAYS
    report_days: int = REPORT_DAYS

    @property
    def more_partnerships(self) -> bool:
        return len(self.partnerships) == PARTNERSHIPS_SHOWN

    @property
    def levels(self) -> list[tuple[int, int, str, str]]:
        """(lowest score, highest score, name, label) of each health level, for the legend."""
        out, top = [], 100
        for least, name in LEVELS:  # best first
            out.append((least, top, name, str(LEVEL_LABELS[name])))
            top = least - 1
        return out


def _pair(p: Partnership) -> str:
    return f"{p.government_a.name} – {p.government_b.name}"


def office_zone(governments: list[LocalGovernment]) -> ZoneInfo:
    return ZoneInfo((governments[0].place.timezone if governments else "") or "UTC")


def _since(day: dt.date, today: dt.date) -> int:
    return (today - day).days


def _action_item(action, days: int, detail: str) -> Item:
    """An action item of a meeting as a line of the dashboard."""
    p = action.meeting.partnership
    return Item(
        "action",
        action.text,
        action.meeting.get_absolute_url(),
        _pair(p),
        action.due,
        days,
        detail=detail,
        partnership_id=p.pk,
    )


def _overdue(user, ours: Q, own_ids: list[int], now: dt.datetime, today: dt.date, zone: ZoneInfo) -> list[Item]:
    items = []
    actions = (
        ActionItem.objects.filter(status=ActionStatus.OPEN, due__lt=today)
        .filter(**{"meeting__partnership__in": Partnership.objects.filter(ours).values("pk")})
        .select_related("government", "meeting__partnership__government_a", "meeting__partnership__government_b")
        .order_by("due", "id")[:SHOWN]
    )
    for a in actions:
        detail = _("%(owner)s (%(side)s), from “%(meeting)s”") % {
            "owner": a.owner,
            "side": a.government.name,
            "meeting": a.meeting.title,
        }
        items.append(_action_item(a, _since(a.due, today), detail))
    stages = agreement_services.stuck_stages(
        now,
        AgreementStage.objects.filter(agreement__in=agreement_services.office_agreements(user).values("pk")),
        limit=SHOWN,
    )
    for s in stages:
        due = s.due_at().astimezone(zone).date()
        p = s.agreement.partnership
        items.append(
            Item(
                "report" if s.template_stage.code in REPORT_STAGES else "stage",
                s.name,
                s.agreement.get_absolute_url(),
                _pair(p),
                due,
                _since(due, today),
                detail=_("%(agreement)s; expected within %(days)s days")
                % {"agreement": s.agreement.title, "days": s.template_stage.expected_days},
                partnership_id=p.pk,
            )
        )
    unreported = (
        Activity.objects.filter(ours_under(own_ids), status=ActivityStatus.HELD, recurrence="", outcomes="")
        .filter(end__lt=now - dt.timedelta(days=REPORT_DAYS), end__gte=now - dt.timedelta(days=REPORT_LOOKBACK_DAYS))
        .select_related("partnership__government_a", "partnership__government_b")
        .order_by("end", "id")[:SHOWN]
    )
    for a in unreported:
        due = (a.end + dt.timedelta(days=REPORT_DAYS)).astimezone(zone).date()
        items.append(
            Item(
                "report",
                a.title,
                a.get_absolute_url(),
                _pair(a.partnership),
                due,
                _since(due, today),
                detail=_("Outcomes not recorded (due %(days)s days after the activity)") % {"days": REPORT_DAYS},
                partnership_id=a.partnership_id,
            )
        )
    return sorted(items, key=lambda i: (i.day, i.kind, i.text))


def ours_under(own_ids: list[int]) -> Q:
    return Q(partnership__government_a__in=own_ids) | Q(partnership__government_b__in=own_ids)


def _coming(user, own_ids: list[int], now: dt.datetime) -> list[Upcoming]:
    until = now + dt.timedelta(days=WINDOW_DAYS)
    out = []
    meetings = (
        permissions.visible_meetings(user, meeting_queryset())
        .filter(ours_under(own_ids), start__lt=until, start__gte=now - dt.timedelta(hours=12))
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("start", "id")[:SHOWN]
    )
    for m in meetings:
        if m.end < now:
            continue
        out.append(
            Upcoming(
                "meeting",
                m.title,
                m.get_absolute_url(),
                _pair(m.partnership),
                m.start,
                [(g.name, s, e) for g, s, e in local_times(m)],
                status=m.get_status_display(),
            )
        )
    for o in dashboard_events(user, own_ids, now=now, until=until, limit=SHOWN):
        a = o.activity
        p = a.partnership
        times = []
        for g in (a.host, p.other(a.host)):
            tz = ZoneInfo(g.place.timezone or "UTC")
            times.append((g.name, o.start.astimezone(tz), o.end.astimezone(tz)))
        out.append(
            Upcoming(
                "activity",
                a.title,
                a.get_absolute_url(),
                _pair(p),
                o.start,
                times,
                status=a.get_status_display(),
                occurrence=o,
            )
        )
    return sorted(out, key=lambda u: u.start)


def _waiting(user, ours: Q, own_ids: list[int], now: dt.datetime, today: dt.date, zone: ZoneInfo) -> list[Item]:
    items = []
    actions = (
        ActionItem.objects.filter(status=ActionStatus.OPEN, due__gte=today, government__in=own_ids)
        .select_related("government", "meeting__partnership__government_a", "meeting__partnership__government_b")
        .order_by("due", "id")[:SHOWN]
    )
    for a in actions:
        detail = _("%(owner)s, from “%(meeting)s”") % {"owner": a.owner, "meeting": a.meeting.title}
        items.append(_action_item(a, (a.due - today).days, detail))
    no_minutes = (
        permissions.visible_meetings(user, Meeting.objects.all())
        .filter(
            ours_under(own_ids), minutes="", start__lt=now, start__gte=now - dt.timedelta(days=MINUTES_LOOKBACK_DAYS)
        )
        .exclude(status=MeetingStatus.CANCELLED)
        .select_related("partnership__government_a", "partnership__government_b")
        .order_by("start", "id")[:SHOWN]
    )
    for m in no_minutes:
        if m.end > now:
            continue
        day = m.start.astimezone(zone).date()
        items.append(
            Item(
                "minutes",
                m.title,
                m.get_absolute_url(),
                _pair(m.partnership),
                day,
                _since(day, today),
                detail=_("Record the minutes, decisions and action items."),
                partnership_id=m.partnership_id,
            )
        )
    ending = agreement_services.ending_soon(
        today, max(THRESHOLDS), agreement_services.office_agreements(user), limit=SHOWN
    )
    for a in ending:
        items.append(
            Item(
                "agreement",
                a.title,
                a.get_absolute_url(),
                _pair(a.partnership),
                a.ends_on,
                (a.ends_on - today).days,
                detail=_("Decide on the renewal before it ends."),
                partnership_id=a.partnership_id,
            )
        )
    return items


SLIPPING_STATES = ("dormant", "struggling", "slowing")


def _slipping(user, ours: Q, now: dt.datetime, overdue: list[Item]) -> list[Slipping]:
    """The worst of the office's partnerships with a record (the ranking puts those with no
    record after them), if they are not thriving."""
    report = HealthReport(user, now=now, queryset=Partnership.objects.filter(ours).exclude(status=Status.ENDED))
    rows = report.rows(limit=SLIPPING_SHOWN)
    counts: dict[int, int] = {}
    for item in overdue:
        if item.partnership_id is not None:
            counts[item.partnership_id] = counts.get(item.partnership_id, 0) + 1
    return [Slipping(h, counts.get(h.partnership.pk, 0)) for h in rows if h.state in SLIPPING_STATES]


def _partnerships(user, ours: Q, now: dt.datetime) -> list[Partnership]:
    """The office's partnerships, those with a record first (`no_record`: the health state), each
    with its next meeting."""
    next_meeting = (
        Meeting.objects.filter(partnership=OuterRef("pk"), start__gte=now)
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("start")
    )
    return list(
        partnership_services.partnership_queryset()
        .filter(ours)
        .annotate(
            no_record=ExpressionWrapper(Context.for_user(user, now).no_record(), output_field=BooleanField()),
            next_meeting_start=Subquery(next_meeting.values("start")[:1]),
            next_meeting_id=Subquery(next_meeting.values("pk")[:1]),
        )
        .order_by("no_record", "status", "-since", "pk")[:PARTNERSHIPS_SHOWN]
    )


def office_day(user, governments: list[LocalGovernment], now: dt.datetime | None = None) -> OfficeDay:
    """Everything the office dashboard shows for the office of `governments` (the user's own)."""
    now = now or timezone.now()
    zone = office_zone(governments)
    today = now.astimezone(zone).date()
    own_ids = [g.pk for g in governments]
    ours = partnership_services.involving_any(own_ids)
    overdue = _overdue(user, ours, own_ids, now, today, zone)
    return OfficeDay(
        zone=zone,
        today=today,
        overdue=overdue,
        coming=_coming(user, own_ids, now),
        waiting=_waiting(user, ours, own_ids, now, today, zone),
        slipping=_slipping(user, ours, now, overdue),
        partnerships=_partnerships(user, ours, now),
    )


def office_key(user, governments: list[LocalGovernment]) -> str | None:
    """The cache key of the office dashboard's blocks (`office_blocks`) for the user, or None when
    the caches are off (`cache_seconds()` 0).

    Made of the reader (what they read and edit), the language, the office's date and the
    stamps of its governments: a change of what the blocks show renews the stamps
    (`kembar.core.stamps`), so the office sees its own change at once; otherwise a value is reused for
    `cache_seconds()` (the clock of "this week and next" and of the days overdue is at most that
    old). The user's unread messages are not among the blocks: reading changes them."""
    if cache_seconds() <= 0:
        return None
    own_ids = [g.pk for g in governments]
    today = timezone.now().astimezone(office_zone(governments)).date()
    signature = (
        permissions.reader_key(user),
        sorted(permissions.edited_government_ids(user)),
        own_ids,
        translation.get_language(),
        today.isoformat(),
        stamps.current(("government", pk) for pk in own_ids),
    )
    return "kembar:dashboard:office-html:" + hashlib.sha256(repr(signature).encode()).hexdigest()


def office_blocks(user, governments: list[LocalGovernment]) -> dict:
    """The office dashboard's blocks for the user of the office of `governments`: its day, the
    partnerships to confirm, its figures by status, its requests, needs and solutions, the grant
    calls that fit and the self-assessments due."""
    own_ids = [g.pk for g in governments]
    counts = partnership_services.status_counts(Partnership.objects.filter(partnership_services.involving_any(own_ids)))
    return {
        "day": office_day(user, governments),
        "to_confirm": claims.unclaimed(user).count(),
        "grant_fits": dashboard_fits(user),
        "assessments_due": dashboard_assessments(user),
        "solution_exchange": dashboard_summary(own_ids),
        "partner_requests": dashboard_requests(own_ids),
        "counts": counts,
        "total": sum(n for _, _, n in counts),
    }
