"""Reminder source for `kembar remind`: the daily digest of unread messages, for the members who
chose one (kembar/core/reminders.py). A digest holds the messages of the previous day (UTC) that
the member has still not read when it is sent; it goes out at the first run after midnight UTC,
once per member and day (the key names both), in the member's language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.contrib.auth import get_user_model
from django.utils import translation

from kembar.core.reminders import Reminder

from . import services
from .models import NotificationChoice
from .vocab import Delivery


def daily_digests(now: dt.datetime) -> Iterator[Reminder]:
    day_end = now.astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    day_start = day_end - dt.timedelta(days=1)
    chosen = NotificationChoice.objects.filter(delivery=Delivery.DIGEST).values("user")
    users = get_user_model().objects.filter(pk__in=chosen, is_active=True).exclude(email="").order_by("pk")
    for user in users:
        messages = list(
            services.unread_messages(user, services.conversation_partnerships(user).values("pk"))
            .filter(created__gte=day_start, created__lt=day_end)
            .select_related("author", "government", "partnership__government_a", "partnership__government_b")
            .prefetch_related("attachments")
            .order_by("partnership__government_a__name", "partnership_id", "created", "id")
        )
        if not messages:
            continue
        with translation.override(services.mail_language(user)):
            subject, body = services.digest_mail(user, messages)
        yield Reminder(
            key=f"conversations:digest:{user.pk}:{day_start.date().isoformat()}",
            recipients=(user.email,),
            subject=subject,
            body=body,
        )
