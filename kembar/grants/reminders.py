"""Reminder source for `kembar remind` (kembar/core/reminders.py): a grant call's deadline.

30 days and again 7 days before an open call closes, every office whose partnerships fit the call
(`services.matching_government_ids`) hears of it: each editor and the office's own address, one
mail per address in its reader's language (`accounts.services.editors_by_language`). The key names
the call, the stage and the address, so each is mailed once; a call that comes within 7 days
before the 30-day reminder went out gets only the 7-day one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator

from django.utils import translation
from django.utils.translation import gettext as _

from kembar.accounts.services import editors_by_language
from kembar.core.reminders import Reminder, mail_url

from . import services
from .models import GrantCall

STAGES = (7, 30)  # days before the deadline, nearest first


def _body(call: GrantCall, days: int) -> tuple[str, str]:
    closes = call.closes_at.astimezone(dt.UTC)
    subject = _("Grant call closes in %(days)d days: %(title)s") % {"days": days, "title": call.title}
    body = _(
        "The grant call “%(title)s” of %(funder)s closes on %(when)s. At least one of your office's "
        "partnerships fits it; the call's page shows which and why.\n\n%(url)s\n"
    ) % {
        "title": call.title,
        "funder": call.funder_name,
        "when": closes.strftime("%Y-%m-%d %H:%M UTC"),
        "url": mail_url(call),
    }
    return subject, body


def deadlines(now: dt.datetime) -> Iterator[Reminder]:
    horizon = now + dt.timedelta(days=max(STAGES))
    calls = services.call_queryset().filter(closes_at__gt=now, closes_at__lte=horizon).order_by("closes_at", "id")
    for call in calls:
        left = call.closes_at - now
        days = next(d for d in STAGES if left <= dt.timedelta(days=d))
        governments = services.matching_government_ids(call)
        if not governments:
            continue
        for language, addresses in sorted(editors_by_language(governments).items()):
            with translation.override(language):
                subject, body = _body(call, days)
            for address in addresses:
                digest = hashlib.sha256(address.lower().encode()).hexdigest()[:16]
                yield Reminder(
                    key=f"grant-call:{call.pk}:closes:{days}:{digest}",
                    recipients=(address,),
                    subject=subject,
                    body=body,
                )
