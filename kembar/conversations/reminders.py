"""Reminder source for `kembar remind`: the daily digest of unread messages, for the members who
chose one (kembar/core/reminders.py). A digest holds the messages of the member's previous day
that the member has still not read when it is sent. The day is the member's own: from midnight
to midnight in their time zone (their own choice, else their office's place's, else UTC), turned
into UTC instants to compare with the messages' stored times; the digest goes out at the first
run after their midnight, once per member and day (the key names the member and their local
date), in the member's language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.contrib.auth import get_user_model
from django.utils import translation

from kembar.accounts.services import preferences
from kembar.core import times
from kembar.core.reminders import Reminder

from . import services
from .models import NotificationChoice
from .vocab import Delivery


def previous_day(now: dt.datetime, zone: str) -> tuple[dt.date, dt.datetime, dt.datetime]:
    """The day before `now`'s date in `zone`: (its local date, its start and its end in UTC).
    Midnight is taken in the zone, so a day that changes its UTC offset lasts 23 or 25 hours."""
    tz = times.zone_of(zone)
    today = now.astimezone(tz).date()
    yesterday = today - dt.timedelta(days=1)

    def midnight(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(), tzinfo=tz).astimezone(dt.UTC)

    return yesterday, midnight(yesterday), midnight(today)


def daily_digests(now: dt.datetime) -> Iterator[Reminder]:
    chosen = NotificationChoice.objects.filter(delivery=Delivery.DIGEST).values("user")
    users = get_user_model().objects.filter(pk__in=chosen, is_active=True).exclude(email="").order_by("pk")
    for user in users:
        zone = preferences(user)["zone"]
        day, day_start, day_end = previous_day(now, zone)
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
            subject, body = services.digest_mail(user, messages, zone)
        yield Reminder(
            key=f"conversations:digest:{user.pk}:{day.isoformat()}",
            recipients=(user.email,),
            subject=subject,
            body=body,
        )
