"""Every e-mail in its recipient's language: a person's own choice, else their office's working
language when the interface speaks it, else Indonesian for an Indonesian office and English for
any other. Mails that go to several people are split by language: each reads their own."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command

from kembar.accounts.models import Membership, Profile
from kembar.accounts.services import editors_by_language, languages_of, user_language
from kembar.core.models import OutgoingMail
from kembar.meetings import services as meetings
from kembar.offices import services as offices
from kembar.partnerships import services as registry
from tests.support.builders import government, make_office, make_user

pytestmark = pytest.mark.django_db

UTC = dt.UTC


@pytest.fixture
def bandung_readers(users, orgs):
    """Two Bandung editors: one who chose English, one who chose Indonesian."""
    english = users["bandung_editor"]
    english.email = "ayu@bandung.example"
    english.save()
    Profile.objects.create(user=english, language="en")
    indonesian = make_user("budi", orgs["bandung"], email="budi@bandung.example")
    Profile.objects.create(user=indonesian, language="id")
    return english, indonesian


@pytest.fixture
def fort_worth(governments):
    return government("Fort Worth", "US")


@pytest.fixture
def bandung_fort_worth(users, governments, fort_worth):
    return registry.create_partnership(users["platform_admin"], governments["bandung"], fort_worth, public=True)


def by_recipient() -> dict[str, OutgoingMail]:
    return {address: m for m in OutgoingMail.objects.order_by("pk") for address in m.to}


# --- whose language ---------------------------------------------------------------------------------


def test_a_persons_language_is_their_choice_else_their_offices(users, orgs, bandung_readers):
    english, indonesian = bandung_readers
    assert user_language(english) == "en"
    assert user_language(indonesian) == "id"
    assert user_language(make_user("dewi", orgs["bandung"])) == "id"  # no choice: an Indonesian office
    assert user_language(users["braunschweig_editor"]) == "en"  # a German office: English
    assert user_language(users["platform_admin"]) == "en"  # no office: the site's (tests: en)
    # An office's working language counts when the interface speaks it: Surabaya works in English.
    orgs["surabaya"].languages = ["en", "id"]
    orgs["surabaya"].save()
    assert user_language(users["surabaya_editor"]) == "en"
    # ... and not when it does not (German): then its country's rule.
    orgs["braunschweig"].languages = ["de"]
    orgs["braunschweig"].save()
    assert user_language(users["braunschweig_editor"]) == "en"
    assert languages_of([english, indonesian, users["surabaya_editor"]]) == {
        english.pk: "en",
        indonesian.pk: "id",
        users["surabaya_editor"].pk: "en",
    }


def test_an_offices_editors_are_grouped_by_the_language_each_reads(users, orgs, governments, bandung_readers):
    english, indonesian = bandung_readers
    orgs["bandung"].email = "kerjasama@bandung.example"
    orgs["bandung"].save()
    users["bandung_viewer"].email = "viewer@bandung.example"  # a viewer hears no reminders
    users["bandung_viewer"].save()
    assert editors_by_language([governments["bandung"].pk]) == {
        "en": ("ayu@bandung.example",),
        "id": ("budi@bandung.example", "kerjasama@bandung.example"),
    }


# --- reminders ----------------------------------------------------------------------------------------


def test_a_reminder_reaches_each_bandung_editor_in_their_own_language(
    users, governments, bandung_readers, bandung_fort_worth, monkeypatch
):
    fw_office = make_office("City of Fort Worth", bandung_fort_worth.government_b)
    fw_editor = make_user("fw_editor", fw_office, email="officer@fortworth.example")
    meeting = meetings.schedule_meeting(
        fw_editor,
        bandung_fort_worth,
        title="Water utilities exchange",
        start=dt.datetime(2026, 11, 20, 14, tzinfo=UTC),
        duration=60,
    )
    meetings.add_action_item(
        fw_editor,
        meeting,
        text="Send the traffic dataset",
        owner="Pak Budi",
        government=governments["bandung"],
        due=dt.date(2026, 12, 1),
    )
    monkeypatch.setattr("django.utils.timezone.now", lambda: dt.datetime(2026, 12, 3, 1, tzinfo=UTC))
    call_command("remind")
    call_command("remind")
    sent = {m.to[0]: m for m in mail.outbox}
    assert len(mail.outbox) == 2 and set(sent) == {"ayu@bandung.example", "budi@bandung.example"}
    assert sent["ayu@bandung.example"].subject == "Overdue action item: Send the traffic dataset"
    assert sent["budi@bandung.example"].subject.startswith("Tindak lanjut melewati tenggat")
    assert "Send the traffic dataset" in sent["budi@bandung.example"].subject
    assert "was due on 2026-12-01" in sent["ayu@bandung.example"].body
    assert "was due on" not in sent["budi@bandung.example"].body


def test_the_dry_run_lists_each_languages_mail(users, governments, bandung_readers, bandung_fort_worth, monkeypatch):
    fw_office = make_office("City of Fort Worth", bandung_fort_worth.government_b)
    fw_editor = make_user("fw_editor", fw_office, email="officer@fortworth.example")
    meeting = meetings.schedule_meeting(
        fw_editor, bandung_fort_worth, title="Call", start=dt.datetime(2026, 11, 20, 14, tzinfo=UTC), duration=60
    )
    meetings.add_action_item(
        fw_editor, meeting, text="Budget", owner="Ayu", government=governments["bandung"], due=dt.date(2026, 12, 1)
    )
    monkeypatch.setattr("django.utils.timezone.now", lambda: dt.datetime(2026, 12, 3, 1, tzinfo=UTC))
    from io import StringIO

    out = StringIO()
    call_command("remind", "--dry-run", stdout=out)
    lines = out.getvalue().splitlines()
    assert any("ayu@bandung.example" in line and line.endswith("[en]") for line in lines)
    assert any("budi@bandung.example" in line and line.endswith("[id]") for line in lines)
    assert not mail.outbox


# --- mails sent by what people do ------------------------------------------------------------------


def test_the_fort_worth_invitee_reads_english_not_indonesian(users, bandung_fort_worth, fort_worth):
    offices.invite_partner_office(users["bandung_editor"], bandung_fort_worth, email="officer@fortworth.example")
    invitation = OutgoingMail.objects.get()
    assert invitation.to == ["officer@fortworth.example"]
    assert invitation.subject == "Invitation to kembar: Fort Worth"
    assert "You are invited to join the office of Fort Worth" in invitation.body
    assert "Anda diundang" not in invitation.body


def test_an_invitation_defaults_to_the_offices_working_language(users, orgs, governments):
    orgs["surabaya"].languages = ["en"]
    orgs["surabaya"].save()
    admin = make_user("surabaya_admin", orgs["surabaya"], Membership.Role.ADMIN)
    issued = offices.invite(admin, governments["surabaya"], email="rina@surabaya.go.id", role="viewer")
    assert issued.invitation.language == "en"
    assert "You are invited to join the office of Surabaya" in OutgoingMail.objects.get().body


def test_an_invitation_to_someone_with_an_account_is_in_their_own_language(users, orgs, governments, bandung_readers):
    english, _indonesian = bandung_readers
    admin = make_user("surabaya_admin", orgs["surabaya"], Membership.Role.ADMIN)
    # Surabaya's office writes Indonesian by default; Ayu (Bandung) reads English.
    offices.invite(admin, governments["surabaya"], email="ayu@bandung.example", role="viewer")
    body = OutgoingMail.objects.get().body
    assert "You are invited to join the office of Surabaya" in body


def test_a_meeting_invitation_reaches_each_participant_in_their_language(
    users, bandung_readers, bandung_fort_worth, governments
):
    english, indonesian = bandung_readers
    meeting = meetings.schedule_meeting(
        english,
        bandung_fort_worth,
        title="Water utilities exchange",
        start=dt.datetime(2027, 1, 20, 14, tzinfo=UTC),
        duration=60,
    )
    for name, email, side in [
        ("Ayu", english.email, governments["bandung"]),
        ("Budi", indonesian.email, governments["bandung"]),
        ("Sam", "sam@fortworth.example", bandung_fort_worth.government_b),
    ]:
        meetings.add_participant(english, meeting, side, name, email)
    assert meetings.send_invitations(english, meeting) == 3
    sent = by_recipient()
    assert sent["ayu@bandung.example"].subject == "Invitation: Water utilities exchange"
    assert sent["budi@bandung.example"].subject == "Undangan: Water utilities exchange"
    assert sent["sam@fortworth.example"].subject == "Invitation: Water utilities exchange"
    assert "(CST)" in sent["sam@fortworth.example"].body and "(WIB)" in sent["budi@bandung.example"].body


def test_a_new_message_reaches_each_bandung_member_in_their_language(users, orgs, bandung_readers, bandung_fort_worth):
    from kembar.conversations import services as conversations

    english, indonesian = bandung_readers
    fw_office = make_office("City of Fort Worth", bandung_fort_worth.government_b)
    fw_editor = make_user("fw_editor", fw_office, email="officer@fortworth.example")
    conversations.post_message(fw_editor, bandung_fort_worth, "Howdy, Bandung!", ())
    sent = {m.to[0]: m for m in mail.outbox}
    assert sent["ayu@bandung.example"].subject.startswith("New message:")
    assert sent["budi@bandung.example"].subject.startswith("Pesan baru:")
    assert "officer@fortworth.example" not in sent  # never the author


def test_a_participant_address_typed_in_capitals_still_finds_its_account_language(
    users, bandung_readers, bandung_fort_worth, governments
):
    english, indonesian = bandung_readers
    meeting = meetings.schedule_meeting(
        english,
        bandung_fort_worth,
        title="Water utilities exchange",
        start=dt.datetime(2027, 1, 20, 14, tzinfo=UTC),
        duration=60,
    )
    typed = indonesian.email.upper()
    # listed on Fort Worth's side (an English-speaking office): only the account says Indonesian
    meetings.add_participant(english, meeting, bandung_fort_worth.government_b, "Budi", typed)
    assert meetings.send_invitations(english, meeting) == 1
    assert by_recipient()[typed].subject == "Undangan: Water utilities exchange"
