"""The mail queue (kembar/core/mail.py): with no mail server, every door that sends mail answers
normally and the mails wait; once a server appears they go out; retries back off and end in a
failure the platform admin sees; a real worker process delivers what a request queued."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from email import message_from_bytes

import pytest
from django.core import mail as django_mail
from django.core.management import call_command
from django.utils import timezone

from kembar.core import mail
from kembar.core.models import OutgoingMail
from kembar.matching.models import PartnerRequest
from kembar.meetings import services as meetings
from kembar.partnerships import services as registry
from tests.support.clients import bearer
from tests.support.paths import PROJECT
from tests.support.worlds.meetings import new_meeting

pytestmark = pytest.mark.django_db


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sink:
    """A local SMTP server that keeps what it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 Message accepted"


@contextlib.contextmanager
def smtp_sink(port: int) -> Iterator[Sink]:
    from aiosmtpd.controller import Controller

    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


@pytest.fixture
def partnership(governments, users):
    return registry.create_partnership(users["platform_admin"], governments["bandung"], governments["braunschweig"])


@pytest.fixture
def smtp(settings):
    """Real SMTP to a port where, for now, nothing listens."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    settings.EMAIL_TIMEOUT = 5
    return settings


def test_with_no_mail_server_every_door_answers_and_the_mails_go_out_later(
    client, smtp, users, governments, orgs, partnership
):
    orgs["bandung"].email = "ks@bandung.go.id"
    orgs["bandung"].save()
    request = PartnerRequest.objects.create(
        government=governments["bandung"], title="Creative city", offers="o", seeks="s", contact_email="a@bandung.go.id"
    )
    client.force_login(users["braunschweig_editor"])
    page = client.post(
        f"/matching/requests/{request.pk}/interest/",
        {"government": governments["braunschweig"].pk, "message": "Gern!"},
        follow=True,
    )
    assert page.status_code == 200 and "Your interest was sent" in page.content.decode()

    meeting = new_meeting(users["platform_admin"], partnership)
    meetings.add_participant(users["platform_admin"], meeting, governments["bandung"], "Ibu Sari", "sari@bandung.go.id")
    meetings.add_participant(users["platform_admin"], meeting, governments["braunschweig"], "Jan", "jan@bs.example")
    answer = client.post(f"/api/meetings/{meeting.pk}/invitations", **bearer(users["bandung_editor"]))
    assert answer.status_code == 200 and answer.json() == {"sent": 2, "status": "invited"}

    waiting = OutgoingMail.objects.order_by("id")
    assert [(m.status, m.attempts) for m in waiting] == [("queued", 1)] * 3
    assert all("ConnectionRefusedError" in m.last_error for m in waiting)
    assert not django_mail.outbox

    # The mail server comes up; the sweep (cron's `kembar remind`, `kembar worker`) sends what is due.
    with smtp_sink(smtp.EMAIL_PORT) as sink:
        assert mail.sweep(timezone.now() + dt.timedelta(minutes=2)) == 3
    assert set(OutgoingMail.objects.values_list("status", flat=True)) == {"sent"}
    by_recipient = {tuple(to): message for to, message in sink.messages}
    assert set(by_recipient) == {("a@bandung.go.id", "ks@bandung.go.id"), ("sari@bandung.go.id",), ("jan@bs.example",)}
    # Each invitation is in its reader's language, with the calendar file attached.
    assert by_recipient[("sari@bandung.go.id",)]["Subject"].startswith("Undangan")
    assert by_recipient[("jan@bs.example",)]["Subject"].startswith("Invitation")
    parts = [part.get_content_type() for part in by_recipient[("jan@bs.example",)].walk()]
    assert "text/calendar" in parts


def test_retries_back_off_then_fail_where_the_admin_sees_them(smtp, admin_client):
    queued = mail.queue_mail("Stage waiting", "The LoI waits.", ["bks@bandung.go.id"])
    now = timezone.now()
    for attempt in range(2, mail.MAX_ATTEMPTS + 1):
        queued.refresh_from_db()
        assert (queued.status, queued.attempts) == ("queued", attempt - 1)
        # Not before the back-off has passed ...
        assert mail.sweep(queued.next_attempt_at - dt.timedelta(seconds=1)) == 0
        # ... then once.
        now = queued.next_attempt_at
        assert mail.sweep(now) == 1
    queued.refresh_from_db()
    assert (queued.status, queued.attempts, queued.next_attempt_at) == ("failed", mail.MAX_ATTEMPTS, None)
    assert mail.backlog() == {"waiting": 0, "failed": 1}
    assert mail.sweep(now + dt.timedelta(days=30)) == 0  # a failed mail waits for a person

    listing = admin_client.get("/admin/core/outgoingmail/?status=failed")
    assert "Stage waiting" in listing.content.decode() and "bks@bandung.go.id" in listing.content.decode()
    with smtp_sink(smtp.EMAIL_PORT) as sink:
        admin_client.post(
            "/admin/core/outgoingmail/", {"action": "send_again", "_selected_action": [queued.pk]}, follow=True
        )
    queued.refresh_from_db()
    assert queued.status == "sent" and len(sink.messages) == 1


def test_a_mail_is_sent_once_however_many_jobs_it_has(settings):
    queued = mail.queue_mail("Hello", "Body", ["a@example.org"])
    assert len(django_mail.outbox) == 1
    assert mail.deliver(queued.pk) == "skipped"
    # A worker that died while sending: the lease runs out and the sweep hands the mail out again.
    OutgoingMail.objects.filter(pk=queued.pk).update(status="sending", next_attempt_at=timezone.now())
    assert mail.sweep(timezone.now() + dt.timedelta(seconds=1)) == 1
    assert len(django_mail.outbox) == 2
    assert mail.queue_mail("Nobody", "Body", ["", ""]) is None


def test_the_dashboard_tells_the_platform_admin_about_mails_that_wait(client, users, smtp):
    mail.queue_mail("Stage waiting", "The LoI waits.", ["bks@bandung.go.id"])
    client.force_login(users["platform_admin"])
    page = client.get("/").content.decode()
    assert "1 e-mail is waiting for the mail server" in page and "/admin/core/outgoingmail/" in page
    client.force_login(users["bandung_editor"])
    assert "waiting for the mail server" not in client.get("/").content.decode()


@pytest.mark.parametrize("backend", ["database", "rq"])
def test_a_real_worker_process_delivers_what_was_queued(tmp_path, backend):
    """Queued by one process, delivered by `kembar worker --batch` in another, to a real SMTP server."""
    if backend == "rq":
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", 6379)) != 0:
                pytest.skip("no Redis on 127.0.0.1:6379 (every CI machine has one)")
        import redis

        redis.Redis.from_url("redis://127.0.0.1:6379/15").flushdb()  # this test's own Redis database
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'worker.sqlite3'}",
        "TASKS_BACKEND": backend,
        "TASKS_REDIS_URL": "redis://127.0.0.1:6379/15",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "DEBUG": "0",
        "SECRET_KEY": "worker-test-" + "x" * 50,
        "LOG_LEVEL": "WARNING",
    }
    kembar = [sys.executable, "-m", "kembar.cli"]
    run = dict(env=env, cwd=PROJECT, capture_output=True, text=True, timeout=120)
    for app in ("core", "django_tasks_database"):  # the queue's tables are all a worker needs
        subprocess.run(kembar + ["migrate", app, "-v0"], check=True, **run)
    queue = "from kembar.core.mail import queue_mail; queue_mail('Undangan', 'Rapat', ['jan@bs.example'])"
    subprocess.run(kembar + ["shell", "--no-imports", "-c", queue], check=True, **run)
    with smtp_sink(port) as sink:
        done = subprocess.run(kembar + ["worker", "--batch"], **run)
    assert done.returncode == 0, done.stderr
    assert [to for to, _message in sink.messages] == [["jan@bs.example"]]
    status = "from kembar.core.models import OutgoingMail as M; print(M.objects.get().status)"
    assert subprocess.run(kembar + ["shell", "--no-imports", "-c", status], check=True, **run).stdout.strip() == "sent"


def test_the_worker_explains_that_immediate_mode_needs_none():
    with pytest.raises(Exception, match="no worker to run"):
        call_command("worker", "--batch")
