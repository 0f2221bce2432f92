"""Reminder e-mails: every app says what is due, `kembar remind` (run from cron) queues it once.

A source is a callable `source(now) -> Iterable[Reminder]` that an app registers by dotted path
with `register` in its AppConfig.ready(), so sources are listed in the order of INSTALLED_APPS. A
source returns every reminder whose moment has come (it need not know what was already sent);
the key names the event ("agreement:12:ends:90") so the same event is mailed at most once,
however often cron runs, and a missed run catches up the next time. Who receives an office's
reminders is the accounts app's rule (`kembar.accounts.services.editor_emails`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.module_loading import import_string

from .mail import queue_mail
from .models import SentReminder

# Dotted paths of the registered reminder sources, in the order their reminders are listed.
SOURCES: list[str] = []


def register(path: str) -> None:
    """Add a reminder source by dotted path (once, however often ready() runs)."""
    if path not in SOURCES:
        SOURCES.append(path)


def mail_url(obj) -> str:
    """The address of `obj` in an e-mail: the site's address (KEMBAR_SITE_URL) and its path."""
    return settings.KEMBAR_SITE_URL + obj.get_absolute_url()


@dataclass(frozen=True)
class Reminder:
    key: str  # unique per event; at most 200 characters
    recipients: tuple[str, ...]  # e-mail addresses, sorted
    subject: str
    body: str

    def line(self) -> str:
        """One line for `kembar remind --dry-run`."""
        return f"{self.key}\t{', '.join(self.recipients) or '-'}\t{self.subject}"


def collect(now: dt.datetime, sources: Iterable[str] | None = None) -> list[Reminder]:
    """Every reminder due at `now` that has not been sent yet, in source order."""
    due: list[Reminder] = []
    for path in SOURCES if sources is None else sources:
        due.extend(import_string(path)(now))
    sent = set(SentReminder.objects.filter(key__in=[r.key for r in due]).values_list("key", flat=True))
    seen: set[str] = set()
    pending = []
    for reminder in due:
        if reminder.key in sent or reminder.key in seen:
            continue
        seen.add(reminder.key)
        pending.append(reminder)
    return pending


def send(reminders: Iterable[Reminder], now: dt.datetime) -> int:
    """Queue each reminder's mail and record it; returns how many were queued.

    The record and the queued mail share a transaction, so a reminder is queued exactly once:
    a second run racing this one hits the unique key and skips it. The mail queue (kembar.core.mail)
    delivers it, retrying while the mail server cannot be reached.
    """
    count = 0
    for reminder in reminders:
        if not reminder.recipients:
            continue
        try:
            with transaction.atomic():
                SentReminder.objects.create(
                    key=reminder.key,
                    sent_at=now,
                    subject=reminder.subject[:300],
                    recipients=", ".join(reminder.recipients),
                )
                queue_mail(reminder.subject, reminder.body, reminder.recipients)
        except IntegrityError:
            continue
        count += 1
    return count
