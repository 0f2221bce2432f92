"""Reminder source for `kembar remind`: overdue open action items, mailed once per item to the
responsible government's office (see kembar/core/reminders.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.utils.translation import gettext as _

from kembar.accounts.services import editors_by_language
from kembar.core.reminders import Reminder, mail_url, translated

from .models import ActionItem


def overdue_action_items(now: dt.datetime) -> Iterator[Reminder]:
    today = now.date()
    items = (
        ActionItem.objects.filter(status=ActionItem.Status.OPEN, due__lt=today)
        .select_related("meeting", "government")
        .order_by("due", "id")
    )
    for item in items:
        yield translated(
            f"meetings:action:{item.pk}:overdue",
            editors_by_language([item.government_id]),
            lambda item=item: _mail(item),
        )


def _mail(item: ActionItem) -> tuple[str, str]:
    subject = _("Overdue action item: %(text)s") % {"text": item.text[:150]}
    body = _(
        "The action item “%(text)s” from the meeting “%(meeting)s” was due on %(due)s and is still "
        "open. Owner: %(owner)s (%(side)s).\n\n%(url)s"
    ) % {
        "text": item.text,
        "meeting": item.meeting.title,
        "due": item.due.isoformat(),
        "owner": item.owner,
        "side": item.government.name,
        "url": mail_url(item.meeting),
    }
    return subject, body
