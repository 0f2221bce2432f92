"""`kembar remind`: each due event mailed once, dry runs send and record nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command

from kembar.accounts.models import Membership
from kembar.accounts.services import editor_emails
from kembar.core import reminders
from kembar.core.models import OutgoingMail, SentReminder
from tests.support.builders import make_office, make_user

NOW = dt.datetime(2026, 11, 27, 1, 0, tzinfo=dt.UTC)
EVENTS: list[reminders.Reminder] = []


def fake_source(now):
    return [r for r in EVENTS if now >= NOW]


@pytest.fixture
def source(monkeypatch):
    monkeypatch.setattr(reminders, "SOURCES", [f"{__name__}.fake_source"])
    EVENTS[:] = [
        reminders.Reminder("agreement:1:ends:90", ("a@example.org",), "MoU ends in 90 days", "body"),
        reminders.Reminder("agreement:1:ends:90", ("a@example.org",), "duplicate", "body"),
        reminders.Reminder("stage:7:stuck", ("b@example.org", "c@example.org"), "Stage waiting", "body"),
        reminders.Reminder("stage:8:stuck", (), "Nobody to tell", "body"),
    ]
    yield
    EVENTS.clear()


def test_dry_run_lists_and_sends_nothing(db, source, capsys, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)
    call_command("remind", "--dry-run")
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "agreement:1:ends:90\ta@example.org\tMoU ends in 90 days",
        "stage:7:stuck\tb@example.org, c@example.org\tStage waiting",
        "stage:8:stuck\t-\tNobody to tell",
    ]
    assert not mail.outbox and not SentReminder.objects.exists()


def test_each_event_is_sent_once(db, source, capsys, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)
    call_command("remind")
    assert [m.subject for m in mail.outbox] == ["MoU ends in 90 days", "Stage waiting"]
    assert mail.outbox[1].to == ["b@example.org", "c@example.org"]
    assert set(SentReminder.objects.values_list("key", flat=True)) == {"agreement:1:ends:90", "stage:7:stuck"}
    call_command("remind")
    call_command("remind", "--dry-run")
    assert len(mail.outbox) == 2
    assert capsys.readouterr().out.splitlines()[-1] == "stage:8:stuck\t-\tNobody to tell"


def test_a_reminder_the_mail_server_refuses_waits_in_the_queue(db, source, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    assert reminders.send(reminders.collect(NOW), NOW) == 2
    # Recorded once (never queued twice), and the mails wait for the server instead of being lost.
    assert SentReminder.objects.count() == 2
    assert [r.key for r in reminders.collect(NOW)] == ["stage:8:stuck"]  # the one without a recipient
    waiting = OutgoingMail.objects.filter(status="queued", attempts=1)
    assert sorted(waiting.values_list("subject", flat=True)) == ["MoU ends in 90 days", "Stage waiting"]


def test_editor_emails_are_the_offices_editors(governments):
    office = make_office("Pemkot Bandung", governments["bandung"], email="ksdpl@bandung.go.id")
    make_user("editor", office, email="editor@bandung.go.id")
    make_user("viewer", office, Membership.Role.VIEWER, email="viewer@bandung.go.id")
    make_user("gone", office, email="gone@bandung.go.id", is_active=False)
    make_user("nomail", office)
    other = make_office("Surabaya", governments["surabaya"])
    make_user("other", other, email="x@surabaya.go.id")
    assert editor_emails([governments["bandung"].id]) == ("editor@bandung.go.id", "ksdpl@bandung.go.id")
