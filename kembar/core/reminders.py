"""Reminder e-mails: every app says what is due, `kembar remind` (run from cron) queues it once.

A source is a callable `source(now) -> Iterable[Reminder]` that an app registers by dotted path
with `register` in its AppConfig.ready(), so sources are listed in the order of INSTALLED_APPS. A
source returns every reminder whose moment has come (it need not know what was already sent);
the key names the event ("agreement:12:ends:90") so the same event is mailed at most once,
however often cron runs, and a missed run catches up the next time. Who receives an office's
reminders is the accounts app's rule (`kembar.accounts.services.editor_emails`); each recipient
reads it in their own language: a source builds it with `translated`, which renders the text once
per language of its readers (`kembar.accounts.services.editors_by_language`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
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
class Mail:
    """One language's mail of a reminder: its readers, and the text in their language."""

    language: str
    recipients: tuple[str, ...]  # e-mail addresses, sorted
    subject: str
    body: str


@dataclass(frozen=True)
class Reminder:
    key: str  # unique per event; at most 200 characters
    recipients: tuple[str, ...]  # e-mail addresses, sorted (all of them, whatever their language)
    subject: str  # of the first mail: what the record and the dry run show
    body: str
    # One mail per language of the readers (`translated`); empty: one mail, as above.
    mails: tuple[Mail, ...] = ()

    def parts(self) -> tuple[Mail, ...]:
        """The mails to queue: one per language."""
        return self.mails or (Mail("", self.recipients, self.subject, self.body),)

    def line(self) -> str:
        """One line for `kembar remind --dry-run` (one per language when there are several)."""
        return "\n".join(
            f"{self.key}\t{', '.join(m.recipients) or '-'}\t{m.subject}" + (f"\t[{m.language}]" if m.language else "")
            for m in self.parts()
        )


def translated(key: str, groups: Mapping[str, Iterable[str]], render: Callable[[], tuple[str, str]]) -> Reminder:
    """A reminder for readers of several languages: `groups` maps a language code to the
    addresses that read it (`kembar.accounts.services.editors_by_language`), `render()` returns
    (subject, body) and is called once per language, with that language active."""
    mails = []
    for language in sorted(groups):
        recipients = tuple(sorted({a for a in groups[language] if a}))
        if not recipients:
            continue
        with translation.override(language):
            subject, body = render()
        mails.append(Mail(language, recipients, subject, body))
    if not mails:  # nobody to tell: the dry run still names it, in the active language
        subject, body = render()
        return Reminder(key, (), subject, body)
    everyone = tuple(sorted({a for m in mails for a in m.recipients}))
    return Reminder(key, everyone, mails[0].subject, mails[0].body, tuple(mails))


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
                for mail in reminder.parts():
                    queue_mail(mail.subject, mail.body, mail.recipients)
        except IntegrityError:
            continue
        count += 1
    return count
