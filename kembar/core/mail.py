"""Outgoing e-mail that is never lost and never turns a request into an error.

`queue_mail` writes the mail as a row (`OutgoingMail`) in the caller's transaction: if what the
mail tells about is rolled back, so is the mail. The job queue is asked to deliver it
(`kembar.core.tasks.deliver_mail`) in the same transaction when the queue lives in the database,
after the commit when it lives in Redis. A delivery that fails (no mail server, a refusal)
leaves the mail waiting and tries again after a growing pause (BACKOFF); after MAX_ATTEMPTS it
is marked failed, shown to the platform admin (the dashboard notice and the admin list), and can
be sent again from the admin. `sweep` re-enqueues what is due but has no job (the queue was
unreachable at commit time, a worker died while sending); `kembar remind` and `kembar worker`
run it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Mapping

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Count, Q
from django.utils import timezone, translation

from .models import OutgoingMail
from .queue import enqueue_with_commit

log = logging.getLogger(__name__)

# The pause after the n-th failed attempt: about 18 hours of trying in all.
BACKOFF = [
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=15),
    dt.timedelta(hours=1),
    dt.timedelta(hours=2),
    dt.timedelta(hours=4),
    dt.timedelta(hours=10),
]
MAX_ATTEMPTS = len(BACKOFF) + 1
# A mail claimed by a worker that did not finish within this time is handed out again.
SENDING_LEASE = dt.timedelta(minutes=15)
# A fresh mail whose job has not run after this time is enqueued again by the sweep.
ENQUEUE_GRACE = dt.timedelta(minutes=5)

Status = OutgoingMail.Status


def queue_mail(
    subject: str,
    body: str,
    to: Iterable[str],
    *,
    reply_to: Iterable[str] = (),
    attachments: Iterable[tuple[str, str, str]] = (),
) -> OutgoingMail | None:
    """Queue a mail to `to` (empty addresses dropped; None when no one is left).

    `attachments` are small text files as (name, content, mimetype), e.g. an .ics invitation."""
    recipients = sorted({address for address in to if address})
    if not recipients:
        return None
    mail = OutgoingMail.objects.create(
        subject=subject[:300],
        body=body,
        to=recipients,
        reply_to=[address for address in reply_to if address],
        attachments=[{"name": n, "content": c, "mimetype": m} for n, c, m in attachments],
    )
    _enqueue_with_transaction(mail.pk)
    return mail


def _enqueue_with_transaction(mail_id: int) -> None:
    from .tasks import deliver_mail

    enqueue_with_commit(deliver_mail, mail_id, enqueue=enqueue)


def enqueue(mail_id: int, run_after: dt.datetime | None = None) -> bool:
    """Ask the job queue to deliver a mail; False (the mail waits for the sweep) when the
    queue cannot be reached."""
    from .tasks import deliver_mail

    task = deliver_mail if run_after is None else deliver_mail.using(run_after=run_after)
    try:
        task.enqueue(mail_id)
    except Exception:  # Redis down, a database error: the row is safe, the sweep will retry.
        log.warning("mail %s could not be queued; it waits for the next sweep", mail_id, exc_info=True)
        return False
    return True


def deliver(mail_id: int) -> str:
    """Send one queued mail; returns "sent", "waiting" (to be tried again), "failed" or
    "skipped" (already sent, or being sent by another worker)."""
    now = timezone.now()
    # Claiming the row first means two jobs for the same mail never both send it.
    claimed = OutgoingMail.objects.filter(pk=mail_id, status=Status.QUEUED).update(
        status=Status.SENDING, next_attempt_at=now + SENDING_LEASE
    )
    if not claimed:
        return "skipped"
    mail = OutgoingMail.objects.get(pk=mail_id)
    message = EmailMessage(
        mail.subject, mail.body, settings.DEFAULT_FROM_EMAIL, mail.to, reply_to=mail.reply_to or None
    )
    for attachment in mail.attachments:
        message.attach(attachment["name"], attachment["content"], attachment["mimetype"])
    attempts = mail.attempts + 1
    try:
        message.send()
    except Exception as error:  # any refusal or outage: keep the mail, say why
        reason = f"{error.__class__.__name__}: {error}"[:1000]
        if attempts >= MAX_ATTEMPTS:
            OutgoingMail.objects.filter(pk=mail_id).update(
                status=Status.FAILED, attempts=attempts, last_error=reason, next_attempt_at=None
            )
            log.error("mail %s failed after %d attempts: %s", mail_id, attempts, reason)
            return "failed"
        retry_at = now + BACKOFF[attempts - 1]
        OutgoingMail.objects.filter(pk=mail_id).update(
            status=Status.QUEUED, attempts=attempts, last_error=reason, next_attempt_at=retry_at
        )
        log.warning("mail %s not sent (attempt %d): %s; next attempt at %s", mail_id, attempts, reason, retry_at)
        from .tasks import deliver_mail

        if deliver_mail.get_backend().supports_defer:
            enqueue(mail_id, run_after=retry_at)
        return "waiting"
    OutgoingMail.objects.filter(pk=mail_id).update(
        status=Status.SENT, attempts=attempts, last_error="", next_attempt_at=None, sent_at=timezone.now()
    )
    return "sent"


def sweep(now: dt.datetime | None = None) -> int:
    """Hand out again what is due and has no job: mails whose worker died while sending, and
    mails waiting past their next attempt (or, never tried, past ENQUEUE_GRACE). Returns how
    many were enqueued. A mail that also still has a job is sent once: `deliver` claims it."""
    now = now or timezone.now()
    OutgoingMail.objects.filter(status=Status.SENDING, next_attempt_at__lte=now).update(status=Status.QUEUED)
    due = OutgoingMail.objects.filter(status=Status.QUEUED).filter(
        Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True, created__lte=now - ENQUEUE_GRACE)
    )
    return sum(enqueue(pk) for pk in due.values_list("pk", flat=True))


def send_again(mail_ids: Iterable[int]) -> int:
    """Put failed mails back in the queue with a fresh count of attempts (the admin's action)."""
    ids = list(OutgoingMail.objects.filter(pk__in=list(mail_ids), status=Status.FAILED).values_list("pk", flat=True))
    OutgoingMail.objects.filter(pk__in=ids).update(status=Status.QUEUED, attempts=0, next_attempt_at=None)
    for pk in ids:
        _enqueue_with_transaction(pk)
    return len(ids)


def backlog() -> dict[str, int]:
    """For the platform admin: mails waiting after at least one failed attempt, and mails that
    failed for good (one query)."""
    return OutgoingMail.objects.aggregate(
        waiting=Count("pk", filter=Q(status=Status.QUEUED, attempts__gt=0)),
        failed=Count("pk", filter=Q(status=Status.FAILED)),
    )


def interface_languages() -> list[str]:
    """The codes of the languages the interface (and so every mail) is written in."""
    return [code for code, _name in settings.LANGUAGES]


# The interface language of a country's offices, where the interface has it (settings.LANGUAGES):
# a language added there reaches its countries' offices with no change here.
COUNTRY_LANGUAGES = {"ID": "id", "JP": "ja", "KR": "ko", "DE": "de", "AT": "de", "CN": "zh-hans", "TW": "zh-hant"}


def recipient_language(country_code: str, working_languages: Iterable[str] = ()) -> str:
    """The language of a mail to an office (or to someone who has chosen none): the first of the
    office's working languages the interface speaks; else its country's own when the interface
    has it (Bahasa Indonesia for Indonesian offices, Japanese for Japanese ones); else English."""
    spoken = interface_languages()
    for code in working_languages or ():
        if code in spoken:
            return code
    language = COUNTRY_LANGUAGES.get((country_code or "").upper(), "en")
    return language if language in spoken else "en"


def queue_translated(
    groups: Mapping[str, Iterable[str]],
    render: Callable[[], tuple[str, str]],
    **options,
) -> list[OutgoingMail]:
    """Queue one mail per language: `groups` maps a language code to the addresses that read it,
    `render()` returns (subject, body) and is called with that language active. Each recipient
    gets the mail once, in their own language; `options` go to `queue_mail`."""
    queued = []
    for language in sorted(groups):
        addresses = sorted({a for a in groups[language] if a})
        if not addresses:
            continue
        with translation.override(language):
            subject, body = render()
        mail = queue_mail(subject, body, addresses, **options)
        if mail is not None:
            queued.append(mail)
    return queued
