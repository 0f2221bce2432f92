"""Reminder source for `kembar remind`: a pilot milestone due within a week (or overdue) and
still planned is mailed once to both offices of the pilot (listed in kembar.core.reminders)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils.translation import gettext as _

from kembar.accounts.services import editors_by_language
from kembar.core.reminders import Reminder, mail_url, translated

from .models import Milestone
from .vocab import MilestoneStatus, PilotStatus

AHEAD = dt.timedelta(days=7)


def milestones_due(now: dt.datetime) -> Iterable[Reminder]:
    # The latest date on Earth at `now` (UTC+14): a milestone due "today" somewhere is due.
    today = (now + dt.timedelta(hours=14)).date()
    due = (
        Milestone.objects.filter(status=MilestoneStatus.PLANNED, due__lte=today + AHEAD)
        .exclude(pilot__status__in=[PilotStatus.STOPPED, PilotStatus.ADOPTED])
        .select_related("pilot__solution", "pilot__government")
        .order_by("due", "id")
    )
    for m in due:
        yield translated(
            f"pilot-milestone:{m.pk}:due:{m.due.isoformat()}",
            editors_by_language([m.pilot.government_id, m.pilot.solution.government_id]),
            lambda m=m: _mail(m),
        )


def _mail(m: Milestone) -> tuple[str, str]:
    pilot = m.pilot
    subject = _("Pilot milestone due %(date)s: %(title)s") % {"date": m.due.isoformat(), "title": m.title}
    body = _(
        "The milestone “%(title)s” of the pilot of “%(solution)s” in %(government)s is due on %(date)s "
        "and still planned.\n\n%(url)s\n"
    ) % {
        "title": m.title,
        "solution": pilot.solution.title,
        "government": pilot.government.name,
        "date": m.due.isoformat(),
        "url": mail_url(pilot),
    }
    return subject, body
