"""Reminders for `kembar remind`: an activity a week ahead, a call's deadline a week ahead."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q
from django.utils.translation import gettext as _

from kembar.accounts.services import editors_by_language
from kembar.core import times
from kembar.core.reminders import Reminder, mail_url, translated

from . import queries, recurrence
from .models import Call
from .vocab import ActivityStatus, CallStatus

AHEAD = dt.timedelta(days=7)


def due(now: dt.datetime) -> Iterable[Reminder]:
    readers: dict[tuple[int, int], dict[str, tuple[str, ...]]] = {}

    def to(p) -> dict[str, tuple[str, ...]]:
        """The partners' editors, by the language each reads."""
        key = (p.government_a_id, p.government_b_id)
        if key not in readers:
            readers[key] = editors_by_language(key)
        return readers[key]

    activities = (
        queries.activity_queryset()
        .prefetch_related("changes")
        .exclude(status__in=[ActivityStatus.CANCELLED, ActivityStatus.HELD])
        .filter(Q(start__lt=now + AHEAD, end__gte=now) | ~Q(recurrence=""))
    )
    for a in activities:
        for occ in recurrence.occurrences(a, after=now, before=now + AHEAD):
            if occ.date_tbd or occ.start < now:
                continue
            p = a.partnership
            # In the host's time, as the activity's page shows it: the whole span, each end
            # with its zone ("1–14 Mar 2027 (starts 09:00 CST, ends 17:00 CDT)").
            yield translated(
                f"activity:{a.pk}:{occ.planned_start:%Y%m%dT%H%M}:week",
                to(p),
                lambda a=a, occ=occ, p=p: (
                    _("In a week: %(title)s (%(when)s)")
                    % {"title": a.title, "when": times.days(occ.start, occ.end, a.zone)},
                    _("%(title)s of %(partnership)s, %(modality)s: %(when)s.\n\n%(url)s")
                    % {
                        "title": a.title,
                        "partnership": p,
                        "when": times.span(occ.start, occ.end, a.zone),
                        "modality": a.get_modality_display().lower(),
                        "url": mail_url(a),
                    },
                ),
            )
    calls = Call.objects.select_related("partnership").filter(
        status=CallStatus.OPEN, deadline__gte=now.date(), deadline__lte=(now + AHEAD).date()
    )
    for call in calls:
        p = call.partnership
        yield translated(
            f"call:{call.pk}:{call.deadline:%Y%m%d}:deadline",
            to(p),
            lambda call=call: (
                _("Deadline in a week: %(title)s (%(date)s)")
                % {"title": call.title, "date": times.date_range(call.deadline, call.deadline)},
                _("The call %(title)s closes on %(date)s; record the awards once it is decided.\n\n%(url)s")
                % {"title": call.title, "date": times.date_range(call.deadline, call.deadline), "url": mail_url(call)},
            ),
        )
