"""A partnership's conversation: who reads and writes it, what a message may hold, read state,
mentions, search, e-mail in each reader's language, the API, and the backup."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from kembar.accounts.models import Membership, Profile
from kembar.conversations import services
from kembar.conversations.models import Message, MessageAttachment, NotificationChoice, ReadMark
from kembar.core.models import SentReminder
from kembar.dashboard.backup import backup, restore
from kembar.meetings import services as meetings
from kembar.partnerships.services import government_for_place
from tests.support.backup import as_json, fingerprint
from tests.support.builders import (
    cities_without_government,
    imported_link,
    make_office,
    make_user,
    private_friendship,
    sister_cities,
)
from tests.support.clients import errors_by_field, logged_in
from tests.support.files import pdf_bytes, upload
from tests.support.queries import assert_constant_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def talk(users, governments):
    """Bandung–Braunschweig (both offices on the platform), with addresses for everyone."""
    for name, user in users.items():
        user.email = f"{name}@example.org"
        user.save()
    return sister_cities(governments)


def thread_url(p) -> str:
    return reverse("conversations:thread", args=[p.pk])


def post(user, p, body="Guten Tag from Bandung", files=()):
    return services.post_message(user, p, body, files)


# --- who reads, who writes --------------------------------------------------------------------


@pytest.mark.parametrize(
    "role, status",
    [
        ("anonymous", 302),
        ("bandung_editor", 200),
        ("bandung_viewer", 200),
        ("braunschweig_editor", 200),
        ("surabaya_editor", 404),
        ("oversight", 404),
        ("platform_admin", 200),
    ],
)
def test_only_the_two_offices_read_the_conversation(client, users, talk, role, status):
    post(users["bandung_editor"], talk, "Only between us")
    response = logged_in(client, users, role).get(thread_url(talk))
    assert response.status_code == status
    assert ("Only between us" in response.content.decode()) == (status == 200)


def test_oversight_reads_it_only_while_an_office_shares_it(client, users, talk):
    post(users["bandung_editor"], talk, "Report for the ministry")
    client.force_login(users["oversight"])
    assert client.get(thread_url(talk)).status_code == 404
    editor = logged_in(type(client)(), users, "braunschweig_editor")
    assert editor.post(reverse("conversations:sharing", args=[talk.pk]), {"shared": "on"}).status_code == 302
    page = client.get(thread_url(talk))
    assert page.status_code == 200 and "Report for the ministry" in page.content.decode()
    assert "Send" not in page.content.decode()  # oversight reads, never writes
    assert client.post(thread_url(talk), {"body": "from oversight"}).status_code == 403
    editor.post(reverse("conversations:sharing", args=[talk.pk]), {})
    assert client.get(thread_url(talk)).status_code == 404


def test_a_public_partnership_does_not_make_its_conversation_public(client, users, talk):
    assert talk.public
    post(users["bandung_editor"], talk)
    assert client.get(thread_url(talk)).status_code == 302  # to the login
    assert client.get(f"/api/conversations/{talk.pk}/messages").status_code == 404


@pytest.mark.parametrize(
    "role, allowed",
    [("bandung_editor", True), ("braunschweig_editor", True), ("platform_admin", True), ("bandung_viewer", False)],
)
def test_editors_of_either_office_write_viewers_read(client, users, talk, governments, role, allowed):
    response = logged_in(client, users, role).post(thread_url(talk), {"body": "Hello partners"})
    assert response.status_code == (302 if allowed else 403)
    assert Message.objects.filter(body="Hello partners").exists() == allowed
    if allowed:
        message = Message.objects.get()
        assert response["Location"] == f"{thread_url(talk)}#message-{message.pk}"
        # The side written for; none for a platform administrator.
        side = {"bandung_editor": "bandung", "braunschweig_editor": "braunschweig"}.get(role)
        assert message.government == (governments[side] if side else None)


def test_the_permission_rules_say_the_matrix(users, talk):
    from kembar.accounts import permissions

    rules = {
        name: (permissions.can_read_conversation(u, talk), permissions.can_write_in_conversation(u, talk))
        for name, u in users.items()
    }
    assert rules == {
        "bandung_editor": (True, True),
        "bandung_viewer": (True, False),
        "braunschweig_editor": (True, True),
        "surabaya_editor": (False, False),
        "oversight": (False, False),
        "platform_admin": (True, True),
    }
    services.set_sharing(users["bandung_editor"], talk, True)
    talk = type(talk).objects.select_related("conversation").get(pk=talk.pk)
    assert permissions.can_read_conversation(users["oversight"], talk)
    assert not permissions.can_write_in_conversation(users["oversight"], talk)
    visible = permissions.visible_conversations(users["oversight"], type(talk).objects.all())
    assert list(visible) == [talk]
    assert not permissions.visible_conversations(users["surabaya_editor"], type(talk).objects.all()).exists()


# --- what a message may hold ----------------------------------------------------------------


def test_text_is_escaped_and_only_http_links_are_clickable(client, users, talk):
    post(
        users["bandung_editor"],
        talk,
        "<script>alert(1)</script> see https://example.org/agenda?a=1&b=2. and javascript:alert(2)\nsecond line",
    )
    client.force_login(users["braunschweig_editor"])
    html = client.get(thread_url(talk)).content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<a href="https://example.org/agenda?a=1&amp;b=2" rel="noopener noreferrer nofollow">' in html
    assert 'href="javascript' not in html
    assert "second line" in html


@pytest.mark.parametrize(
    "body, error",
    [
        ("   ", "This field is required."),
        ("bell \x07 rings", "control character"),
        ("x" * 10_001, "at most 10000 characters"),
    ],
)
def test_a_bad_message_is_refused_with_its_reason_and_nothing_is_written(client, users, talk, body, error):
    client.force_login(users["bandung_editor"])
    response = client.post(thread_url(talk), {"body": body, "files": upload("a.pdf", pdf_bytes())})
    assert response.status_code == 200 and error in response.content.decode()
    assert not Message.objects.exists() and not MessageAttachment.objects.exists()


def test_documents_go_through_the_upload_check_and_a_refused_one_writes_nothing(
    client, users, talk, settings, tmp_path
):
    client.force_login(users["bandung_editor"])
    response = client.post(
        thread_url(talk),
        {"body": "Two files", "files": [upload("mou.pdf", pdf_bytes()), upload("virus.pdf", b"MZ\x90\x00 not a pdf")]},
    )
    assert response.status_code == 200
    assert "virus.pdf is not a valid PDF file" in response.content.decode()
    assert not Message.objects.exists() and not MessageAttachment.objects.exists()
    response = client.post(thread_url(talk), {"body": "One file", "files": [upload("MoU draft.pdf", pdf_bytes())]})
    assert response.status_code == 302
    stored = MessageAttachment.objects.get()
    assert (stored.name, stored.content_type) == ("MoU_draft.pdf", "application/pdf")
    partner = logged_in(type(client)(), users, "braunschweig_editor")
    download = partner.get(reverse("conversations:attachment", args=[stored.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    outsider = logged_in(type(client)(), users, "surabaya_editor")
    assert outsider.get(reverse("conversations:attachment", args=[stored.pk])).status_code == 404


def test_posting_with_htmx_answers_the_thread_with_a_fresh_form(client, users, talk):
    client.force_login(users["bandung_editor"])
    response = client.post(thread_url(talk), {"body": "Via htmx"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<div id="thread"') and "Via htmx" in html and "<textarea" in html
    assert "<html" not in html
    refused = client.post(thread_url(talk), {"body": ""}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 200 and "This field is required." in refused.content.decode()


# --- mentions ---------------------------------------------------------------------------------


def test_a_pasted_link_to_a_record_of_the_partnership_shows_its_title(client, users, talk, governments, settings):
    settings.KEMBAR_SITE_URL = "https://kembar.example.org"
    editor = users["bandung_editor"]
    meeting = meetings.schedule_meeting(
        editor, talk, title="Kick-off call", start=dt.datetime(2027, 1, 5, 8, tzinfo=dt.UTC), duration=60
    )
    action = meetings.add_action_item(
        editor,
        meeting,
        text="Send the MoU draft",
        owner="Siti",
        government=governments["bandung"],
        due=dt.date(2027, 2, 1),
    )
    other = private_friendship(governments)
    elsewhere = meetings.schedule_meeting(
        editor, other, title="Kyoto secret", start=dt.datetime(2027, 1, 6, 8, tzinfo=dt.UTC), duration=60
    )
    post(
        editor,
        talk,
        f"See https://kembar.example.org/meetings/{meeting.pk}/ and "
        f"https://kembar.example.org/meetings/{meeting.pk}/#action-{action.pk}, "
        f"not https://kembar.example.org/meetings/{elsewhere.pk}/ nor https://other.example.org/meetings/{meeting.pk}/",
    )
    client.force_login(users["braunschweig_editor"])
    html = client.get(thread_url(talk)).content.decode()
    assert (
        f'<a class="mention" href="https://kembar.example.org/meetings/{meeting.pk}/">meeting: Kick-off call</a>'
        in html
    )
    assert "action item: Send the MoU draft</a>" in html
    assert "Kyoto secret" not in html  # another partnership's meeting stays a plain link
    assert f">https://kembar.example.org/meetings/{elsewhere.pk}/</a>" in html
    assert f">https://other.example.org/meetings/{meeting.pk}/</a>" in html


# --- read state, unread counts ----------------------------------------------------------------


def test_unread_counts_follow_each_readers_own_read_state(client, users, talk):
    for n in range(3):
        post(users["bandung_editor"], talk, f"Message {n}")
    partner, viewer = users["braunschweig_editor"], users["bandung_viewer"]
    assert services.unread_counts(partner, [talk.pk]) == {talk.pk: 3}
    assert services.unread_counts(users["bandung_editor"], [talk.pk]) == {}  # one's own messages are read
    client.force_login(partner)
    page = client.get(reverse("partnerships:detail", args=[talk.pk])).content.decode()
    assert 'data-unread="3"' in page and "3 unread" in page
    assert 'data-unread="3"' in client.get("/").content.decode()
    assert client.post(reverse("conversations:read", args=[talk.pk])).status_code == 302
    assert services.unread_counts(partner, [talk.pk]) == {}
    assert services.unread_counts(viewer, [talk.pk]) == {talk.pk: 3}  # the viewer's state is their own
    post(users["bandung_editor"], talk, "One more")
    assert services.unread_counts(partner, [talk.pk]) == {talk.pk: 1}
    assert ReadMark.objects.filter(user=partner).count() == 1


def test_the_conversation_page_marks_read_with_htmx_and_by_button(client, users, talk):
    post(users["bandung_editor"], talk)
    client.force_login(users["bandung_viewer"])
    html = client.get(thread_url(talk)).content.decode()
    assert 'hx-trigger="load"' in html and "Mark all as read" in html and "unread" in html
    assert client.post(reverse("conversations:read", args=[talk.pk]), HTTP_HX_REQUEST="true").status_code == 204
    assert "Mark all as read" not in client.get(thread_url(talk)).content.decode()


def test_outsiders_cannot_mark_read(client, users, talk):
    post(users["bandung_editor"], talk)
    client.force_login(users["surabaya_editor"])
    assert client.post(reverse("conversations:read", args=[talk.pk])).status_code == 404
    assert not ReadMark.objects.exists()


def test_the_pages_query_counts_do_not_grow_with_messages(client, users, talk, governments, settings):
    settings.KEMBAR_SITE_URL = "https://kembar.example.org"
    editor = users["bandung_editor"]
    meeting = meetings.schedule_meeting(
        editor, talk, title="Call", start=dt.datetime(2027, 1, 5, 8, tzinfo=dt.UTC), duration=60
    )

    def add(n):
        """n messages with a mention and a document here, and n more partnerships of Braunschweig's
        with a message each (for the list of conversations)."""
        for i in range(n):
            post(
                editor,
                talk,
                f"Msg {i} https://kembar.example.org/meetings/{meeting.pk}/",
                [upload("a.pdf", pdf_bytes())],
            )
        for place in cities_without_government("DE", n):
            other = imported_link(governments["braunschweig"], government_for_place(place))
            post(users["braunschweig_editor"], other, "Msg elsewhere")
        post(users["braunschweig_editor"], talk, "Msg from Braunschweig")

    client.force_login(users["braunschweig_editor"])
    pages = [
        thread_url(talk),
        reverse("conversations:inbox"),
        "/",
        reverse("conversations:inbox") + "?q=Msg",
        f"/api/conversations/{talk.pk}/messages",
        "/api/conversations",
    ]
    add(2)
    with assert_constant_queries() as queries:
        for url in pages:
            client.get(url)
            with queries.few(url):
                assert client.get(url).status_code == 200
        add(12)
        for url in pages:
            with queries.many(url):
                assert client.get(url).status_code == 200


# --- search -----------------------------------------------------------------------------------


def test_search_finds_words_in_this_conversation_and_across_ones_own(client, users, talk, governments):
    editor = users["bandung_editor"]
    post(editor, talk, "The Wayang festival in July")
    post(editor, talk, "Budget for the student exchange", [upload("wayang-programme.pdf", pdf_bytes())])
    private = private_friendship(governments)
    post(editor, private, "Wayang in Kyoto too")
    client.force_login(users["braunschweig_editor"])
    html = client.get(thread_url(talk) + "?q=wayang").content.decode()
    assert "2 messages found." in html and "Budget for the student exchange" in html
    html = client.get(reverse("conversations:inbox") + "?q=WAYANG").content.decode()
    assert "2 messages found." in html and "Kyoto" not in html  # not Braunschweig's conversation
    client.force_login(editor)
    assert "3 messages found." in client.get(reverse("conversations:inbox") + "?q=wayang").content.decode()


# --- e-mail -------------------------------------------------------------------------------------


def test_a_new_message_is_mailed_to_both_offices_members_each_in_their_language(users, talk):
    post(users["bandung_editor"], talk, "Selamat pagi, Braunschweig!")
    by_address = {m.to[0]: m for m in mail.outbox}
    # Both offices' members, any role; never the author, nor oversight or outsiders.
    assert set(by_address) == {"braunschweig_editor@example.org", "bandung_viewer@example.org"}
    assert by_address["braunschweig_editor@example.org"].subject.startswith("New message:")
    assert "Selamat pagi, Braunschweig!" in by_address["braunschweig_editor@example.org"].body
    assert by_address["bandung_viewer@example.org"].subject.startswith("Pesan baru:")
    assert "/conversation/#message-" in by_address["bandung_viewer@example.org"].body


def test_who_chose_no_mail_or_a_digest_gets_none_per_message(users, talk):
    services.set_delivery(users["braunschweig_editor"], "none")
    services.set_delivery(users["bandung_viewer"], "digest")
    post(users["bandung_editor"], talk)
    assert mail.outbox == []


def test_the_daily_digest_holds_yesterdays_unread_messages_once(users, talk, monkeypatch):
    partner = users["braunschweig_editor"]
    services.set_delivery(partner, "digest")
    yesterday = dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)
    monkeypatch.setattr("django.utils.timezone.now", lambda: yesterday)
    first = post(users["bandung_editor"], talk, "Read already")
    post(users["bandung_editor"], talk, "Still unread")
    services.mark_read(partner, talk, up_to=first.pk)
    monkeypatch.setattr("django.utils.timezone.now", lambda: yesterday + dt.timedelta(days=1))
    mail.outbox.clear()
    call_command("remind")
    digests = [m for m in mail.outbox if m.to == [partner.email]]
    assert len(digests) == 1
    assert digests[0].subject == "Unread messages: 1"
    assert "Still unread" in digests[0].body and "Read already" not in digests[0].body
    call_command("remind")
    assert len([m for m in mail.outbox if m.to == [partner.email]]) == 1
    assert SentReminder.objects.filter(key__startswith=f"conversations:digest:{partner.pk}:2026-12-01").exists()


def test_the_digest_day_is_the_readers_own_from_midnight_to_midnight(users, talk, monkeypatch):
    """Bandung's viewer reads in Asia/Jakarta (the office's place), Braunschweig's editor chose
    America/Chicago: each digest holds the messages of the reader's previous day, compared in
    UTC, and goes out after the reader's own midnight."""
    jakarta, chicago = users["bandung_viewer"], users["braunschweig_editor"]
    Profile.objects.create(user=chicago, time_zone="America/Chicago")
    for reader in (jakarta, chicago):
        services.set_delivery(reader, "digest")
    clock = {"now": dt.datetime(2026, 12, 1, 16, 30, tzinfo=dt.UTC)}
    monkeypatch.setattr("django.utils.timezone.now", lambda: clock["now"])
    post(users["bandung_editor"], talk, "Before Jakarta's midnight")  # 23:30 WIB, 10:30 CST on 1 Dec
    clock["now"] = dt.datetime(2026, 12, 1, 17, 30, tzinfo=dt.UTC)
    post(users["bandung_editor"], talk, "After Jakarta's midnight")  # 00:30 WIB on 2 Dec, 11:30 CST on 1 Dec

    def digests(reader):
        return [m for m in mail.outbox if m.to == [reader.email]]

    # 18:05 UTC on 1 Dec: past midnight in Jakarta (01:05 on 2 Dec), noon in Chicago.
    clock["now"] = dt.datetime(2026, 12, 1, 18, 5, tzinfo=dt.UTC)
    call_command("remind")
    [first] = digests(jakarta)
    assert "Before Jakarta's midnight" in first.body and "After Jakarta's midnight" not in first.body
    assert "1 Des 2026 23:30 WIB" in first.body  # the reader's time, zone named, in Indonesian
    assert digests(chicago) == []  # Chicago's 1 December is not over
    # 06:05 UTC on 2 Dec: just past midnight in Chicago; Jakarta's 1 December was mailed already.
    clock["now"] = dt.datetime(2026, 12, 2, 6, 5, tzinfo=dt.UTC)
    call_command("remind")
    [chicago_digest] = digests(chicago)
    assert chicago_digest.subject == "Unread messages: 2"
    assert "1 Dec 2026 10:30 CST" in chicago_digest.body and "1 Dec 2026 11:30 CST" in chicago_digest.body
    assert len(digests(jakarta)) == 1
    # 17:05 UTC on 2 Dec: Jakarta's 2 December is over, with the message after its midnight.
    clock["now"] = dt.datetime(2026, 12, 2, 17, 5, tzinfo=dt.UTC)
    call_command("remind")
    second = digests(jakarta)[1]
    assert "After Jakarta's midnight" in second.body and "Before Jakarta's midnight" not in second.body
    assert len(digests(chicago)) == 1
    keys = set(SentReminder.objects.filter(key__startswith="conversations:digest:").values_list("key", flat=True))
    assert keys == {
        f"conversations:digest:{jakarta.pk}:2026-12-01",
        f"conversations:digest:{jakarta.pk}:2026-12-02",
        f"conversations:digest:{chicago.pk}:2026-12-01",
    }


def test_the_previous_day_spans_a_clock_change_in_the_readers_zone():
    from kembar.conversations.reminders import previous_day

    # Chicago leaves daylight time on 1 November 2026: that day lasts 25 hours.
    day, start, end = previous_day(dt.datetime(2026, 11, 2, 12, tzinfo=dt.UTC), "America/Chicago")
    assert day == dt.date(2026, 11, 1)
    assert start == dt.datetime(2026, 11, 1, 5, tzinfo=dt.UTC) and end == dt.datetime(2026, 11, 2, 6, tzinfo=dt.UTC)
    day, start, end = previous_day(dt.datetime(2026, 12, 1, 17, 0, tzinfo=dt.UTC), "Asia/Jakarta")
    assert (day, start, end) == (
        dt.date(2026, 12, 1),
        dt.datetime(2026, 11, 30, 17, tzinfo=dt.UTC),
        dt.datetime(2026, 12, 1, 17, tzinfo=dt.UTC),
    )
    assert previous_day(dt.datetime(2026, 12, 1, 17, 0, tzinfo=dt.UTC), "Nowhere/Atlantis")[0] == dt.date(2026, 11, 30)


def test_the_notification_choice_page_saves_ones_own_choice(client, users):
    client.force_login(users["bandung_viewer"])
    url = reverse("conversations:notifications")
    assert client.get(url).status_code == 200
    assert client.post(url, {"delivery": "weekly"}).status_code == 200  # not a choice: the form says so
    assert client.post(url, {"delivery": "digest"}).status_code == 302
    assert NotificationChoice.objects.get(user=users["bandung_viewer"]).delivery == "digest"
    oversight = logged_in(type(client)(), users, "oversight")
    assert oversight.post(url, {"delivery": "digest"}).status_code == 403


# --- API --------------------------------------------------------------------------------------


def test_the_api_lists_posts_and_marks_read(api, client, users, talk, tokens):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {tokens['bandung_editor']}"}
    created = client.post(
        f"/api/conversations/{talk.pk}/messages", {"body": "From the API", "file": upload("a.pdf", pdf_bytes())}, **auth
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["body"] == "From the API" and body["author"] == "bandung_editor"
    assert body["attachments"][0]["name"] == "a.pdf"
    listed = api("get", f"/api/conversations/{talk.pk}/messages", as_="braunschweig_editor").json()
    assert [m["body"] for m in listed["items"]] == ["From the API"]
    mine = api("get", "/api/conversations", as_="braunschweig_editor").json()["items"]
    assert mine[0]["partnership_id"] == talk.pk and mine[0]["unread"] == 1
    read = api("post", f"/api/conversations/{talk.pk}/read", as_="braunschweig_editor", body={})
    assert read.status_code == 200 and read.json()["unread"] == 0
    found = api("get", "/api/conversations/messages", as_="braunschweig_editor", query={"q": "from the api"})
    assert found.json()["count"] == 1
    download = api("get", body["attachments"][0]["download"], as_="braunschweig_editor")
    assert download.status_code == 200
    assert api("get", body["attachments"][0]["download"], as_="surabaya_editor").status_code == 404


def test_the_api_shares_the_conversation_with_oversight_and_stops(api, users, talk):
    post(users["bandung_editor"], talk, "Report for the ministry")
    sharing = f"/api/conversations/{talk.pk}/sharing"
    before = api("get", sharing, as_="bandung_viewer").json()
    assert before == {
        "partnership_id": talk.pk,
        "shared_with_oversight": False,
        "shared_by": None,
        "shared_changed": None,
    }
    shared = api("post", sharing, as_="braunschweig_editor", body={"shared": True})
    assert shared.status_code == 200
    assert shared.json()["shared_with_oversight"] is True and shared.json()["shared_by"] == "braunschweig_editor"
    assert shared.json()["shared_changed"] is not None
    listed = api("get", f"/api/conversations/{talk.pk}/messages", as_="oversight")
    assert listed.status_code == 200 and listed.json()["items"][0]["body"] == "Report for the ministry"
    assert api("get", sharing, as_="oversight").json()["shared_with_oversight"] is True
    stopped = api("post", sharing, as_="bandung_editor", body={"shared": False})
    assert stopped.json()["shared_with_oversight"] is False and stopped.json()["shared_by"] == "bandung_editor"
    assert api("get", f"/api/conversations/{talk.pk}/messages", as_="oversight").status_code == 404


def test_only_the_offices_editors_set_the_sharing_through_the_api(api, users, talk):
    sharing = f"/api/conversations/{talk.pk}/sharing"
    assert api("post", sharing, as_="bandung_viewer", body={"shared": True}).status_code == 403
    assert api("post", sharing, as_="oversight", body={"shared": True}).status_code == 404
    assert api("post", sharing, as_="surabaya_editor", body={"shared": True}).status_code == 404
    assert api("get", sharing, as_="surabaya_editor").status_code == 404
    assert api("post", sharing, body={"shared": True}).status_code == 401
    assert "shared" in errors_by_field(api("post", sharing, as_="bandung_editor", body={"shared": "maybe"}))
    assert "until" in errors_by_field(api("post", sharing, as_="bandung_editor", body={"shared": True, "until": 1}))
    assert not services.is_shared(talk)


def test_the_api_refuses_outsiders_readers_and_bad_files(api, client, users, talk, tokens):
    assert api("get", f"/api/conversations/{talk.pk}/messages", as_="surabaya_editor").status_code == 404
    assert api("get", f"/api/conversations/{talk.pk}/messages", as_="oversight").status_code == 404
    viewer = {"HTTP_AUTHORIZATION": f"Bearer {tokens['bandung_viewer']}"}
    assert client.post(f"/api/conversations/{talk.pk}/messages", {"body": "x"}, **viewer).status_code == 403
    editor = {"HTTP_AUTHORIZATION": f"Bearer {tokens['bandung_editor']}"}
    bad = client.post(
        f"/api/conversations/{talk.pk}/messages", {"body": "x", "file": upload("a.pdf", b"not a pdf")}, **editor
    )
    assert "file" in errors_by_field(bad)
    control = client.post(f"/api/conversations/{talk.pk}/messages", {"body": "bad \x1b text"}, **editor)
    assert "body" in errors_by_field(control)
    # A `file` part sent as text is not "no document" (found by fuzzing).
    text_part = client.post(f"/api/conversations/{talk.pk}/messages", {"body": "x", "file": "{}"}, **editor)
    assert text_part.status_code == 422 and "file" in errors_by_field(text_part)
    assert not Message.objects.exists()
    # The read mark is a query parameter, checked like any other.
    refused = client.post(f"/api/conversations/{talk.pk}/read?up_to=0", **editor)
    assert refused.status_code == 422 and "up_to" in errors_by_field(refused)


# --- backup -------------------------------------------------------------------------------------


def test_a_backup_holds_the_messages_and_their_documents(users, talk, tmp_path, settings):
    post(users["bandung_editor"], talk, "Kept in the backup", [upload("minutes.pdf", pdf_bytes("Minutes"))])
    services.mark_read(users["braunschweig_editor"], talk)
    services.set_sharing(users["bandung_editor"], talk, True)
    services.set_delivery(users["bandung_viewer"], "digest")
    stored = MessageAttachment.objects.get()
    content = stored.file.read()
    before = fingerprint()
    archive = tmp_path / "kembar.tar.gz"
    report = backup(archive)
    assert report.rows["conversations.message"] == 1 and report.rows["conversations.messageattachment"] == 1
    Message.objects.all().delete()
    assert not MessageAttachment.objects.exists()
    restore(archive, force=True)
    assert as_json(fingerprint()) == as_json(before)
    restored = MessageAttachment.objects.get()
    assert restored.file.read() == content and restored.message.body == "Kept in the backup"


def test_a_member_of_two_offices_writes_for_the_side_of_this_partnership(users, orgs, talk, governments):
    user = make_user("both", make_office("Kyoto office", governments["kyoto"]))
    Membership.objects.create(user=user, organisation=orgs["braunschweig"], role=Membership.Role.EDITOR)
    assert post(user, talk, "From Braunschweig's side").government == governments["braunschweig"]
