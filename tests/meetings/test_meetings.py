"""Meetings (slot finder for partners, invitations, minutes, action items) and the library."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from icalendar import Calendar

from kembar.accounts.models import Membership
from kembar.core import reminders
from kembar.core.models import SentReminder
from kembar.core.versioning import ConcurrentEdit
from kembar.meetings import services
from kembar.meetings.models import ActionItem, LibraryItem, Meeting
from kembar.partnerships import services as registry
from tests.support.builders import city, government, make_office, make_user
from tests.support.files import docx_bytes, odt_bytes, upload
from tests.support.queries import assert_constant_queries
from tests.support.worlds.meetings import new_meeting

pytestmark = pytest.mark.django_db
UTC = dt.UTC


@pytest.fixture
def fort_worth(governments):
    return government("Fort Worth", "US")


@pytest.fixture
def bf(governments, fort_worth, users):
    """Bandung–Fort Worth (public) and a Fort Worth office with an editor."""
    partnership = registry.create_partnership(users["platform_admin"], governments["bandung"], fort_worth, public=True)
    office = make_office("City of Fort Worth", fort_worth, email="intl@fortworth.example")
    fw_editor = make_user("fw_editor", office, email="officer@fortworth.example")
    return partnership, office, fw_editor


# --- kembar slots --------------------------------------------------------------------------------


def test_slots_command_prints_the_json_the_issue_describes(capsys):
    call_command(
        "slots",
        "--place",
        "Bandung,ID",
        "--place",
        "Fort Worth,US",
        "--from",
        "2026-11-23",
        "--to",
        "2026-11-29",
        "--duration",
        "60",
        "--json",
    )
    slots = json.loads(capsys.readouterr().out)
    assert len(slots) == 5
    first = slots[0]
    assert first["start"] == "2026-11-23T23:00:00Z" and first["end"] == "2026-11-24T00:00:00Z"
    places = {p["place"]: p for p in first["places"]}
    assert places["Bandung"]["local_start"] == "2026-11-24T06:00:00+07:00"
    assert places["Fort Worth"]["local_start"] == "2026-11-23T17:00:00-06:00"
    assert places["Bandung"]["penalty_reason"] == "2 h before office hours"
    for slot in slots:  # Thanksgiving and the Friday after (a Texas holiday) are avoided
        local = dt.datetime.fromisoformat({p["place"]: p for p in slot["places"]}["Fort Worth"]["local_start"])
        assert local.date() not in {dt.date(2026, 11, 26), dt.date(2026, 11, 27)}
    call_command(
        "slots",
        "--place",
        "Bandung,ID",
        "--place",
        "Fort Worth,US",
        "--from",
        "2026-11-23",
        "--to",
        "2026-11-29",
        "--duration",
        "30",
        "--top",
        "2",
        "--json",
    )
    assert len(json.loads(capsys.readouterr().out)) == 2


@pytest.mark.parametrize(
    "name, country, subdivision",
    [
        ("Munich", "DE", "BY"),
        ("Berlin", "DE", "BE"),
        ("Fort Worth", "US", "TX"),
        ("Liverpool", "GB", "ENG"),
    ],
)
def test_a_city_keeps_its_provinces_holidays(db, name, country, subdivision):
    """GeoNames files Munich under "02"; `holidays` knows Bavaria as BY, its ISO 3166-2 suffix."""
    import holidays

    side = services.side_for_place(city(name, country))
    assert side.subdivision == subdivision
    if country == "DE":  # Epiphany is a holiday in Bavaria, not in Berlin
        assert (dt.date(2026, 1, 6) in holidays.country_holidays("DE", subdiv=side.subdivision)) == (
            subdivision == "BY"
        )


def test_slots_command_names_close_places_for_an_unknown_one():
    with pytest.raises(CommandError) as error:
        call_command(
            "slots",
            "--place",
            "Bandunk,ID",
            "--place",
            "Fort Worth,US",
            "--from",
            "2026-11-23",
            "--to",
            "2026-11-29",
            "--duration",
            "60",
        )
    assert "no place called “Bandunk”" in str(error.value) and "Bandung,ID" in str(error.value)


def test_slots_command_refuses_a_reversed_range():
    with pytest.raises(CommandError, match="before it starts"):
        call_command(
            "slots",
            "--place",
            "Bandung,ID",
            "--place",
            "Kyoto,JP",
            "--from",
            "2026-11-29",
            "--to",
            "2026-11-23",
            "--duration",
            "60",
        )


def test_office_hours_of_the_organisation_are_used(bf, users, orgs):
    partnership, office, _editor = bf
    services.set_office_hours(users["bandung_editor"], orgs["bandung"], dt.time(9, 0), dt.time(21, 0))
    services.set_office_hours(users["platform_admin"], office, dt.time(6, 0), dt.time(14, 0))
    result = services.find_slots_for(
        [partnership.government_a, partnership.government_b], dt.date(2026, 11, 23), dt.date(2026, 11, 25), 60
    )
    assert result.inside_office_hours
    with pytest.raises(PermissionDenied):
        services.set_office_hours(users["surabaya_editor"], orgs["bandung"], dt.time(9, 0), dt.time(17, 0))


# --- meetings, invitations, minutes --------------------------------------------------------------


def test_invitation_ics_has_each_sides_time_zone(bf, users):
    partnership, _office, fw_editor = bf
    meeting = new_meeting(fw_editor, partnership)
    fw = services.add_participant(
        fw_editor,
        meeting,
        partnership.government_b if partnership.government_b.place.country_code == "US" else partnership.government_a,
        "Jane Officer",
        "jane@fortworth.example",
    )
    bandung = users["bandung_editor"]
    bdg = services.add_participant(
        bandung,
        meeting,
        users["bandung_editor"].memberships.get().organisation.local_government,
        "Ibu Sari",
        "sari@bandung.example",
    )
    for participant, zone, local in [
        (fw, "America/Chicago", dt.datetime(2026, 11, 24, 17, 0)),
        (bdg, "Asia/Jakarta", dt.datetime(2026, 11, 25, 6, 0)),
    ]:
        cal = Calendar.from_ical(services.invitation_ics(meeting, participant))
        event = next(iter(cal.walk("VEVENT")))
        start = event.decoded("dtstart")
        assert str(start.tzinfo) == zone or getattr(start.tzinfo, "key", None) == zone
        assert start.replace(tzinfo=None) == local
        assert start.astimezone(UTC) == meeting.start
        assert event.decoded("dtend").astimezone(UTC) == meeting.end
        assert str(event["summary"]) == "Smart city exchange"
        assert str(event["attendee"]).lower() == f"mailto:{participant.email}"
        assert [tz["tzid"] for tz in cal.walk("VTIMEZONE")] == [zone]
    assert services.send_invitations(fw_editor, meeting) == 2
    assert {m.to[0] for m in mail.outbox} == {"jane@fortworth.example", "sari@bandung.example"}
    sari = next(m for m in mail.outbox if m.to == ["sari@bandung.example"])
    assert "2026-11-25 06:00" in sari.body and sari.attachments[0][0] == "invitation.ics"
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.INVITED


def test_minutes_are_refused_when_someone_saved_in_between(bf, users):
    partnership, _office, fw_editor = bf
    meeting = new_meeting(fw_editor, partnership)
    services.record_minutes(
        users["bandung_editor"],
        meeting,
        minutes="Agreed on data sharing.",
        decisions="Share traffic data\nMeet again in March",
        expected_version=meeting.version,
    )
    with pytest.raises(ConcurrentEdit):
        services.record_minutes(fw_editor, meeting, minutes="Other text", expected_version=meeting.version)
    meeting.refresh_from_db()
    assert meeting.minutes == "Agreed on data sharing." and meeting.status == Meeting.Status.HELD
    assert meeting.decision_items == ["Share traffic data", "Meet again in March"]


def test_action_item_must_belong_to_a_side_of_the_meeting(bf, users, governments):
    partnership, _office, fw_editor = bf
    meeting = new_meeting(fw_editor, partnership)
    with pytest.raises(ValidationError, match="not a side of this meeting"):
        services.add_action_item(
            fw_editor, meeting, text="x", owner="y", government=governments["kyoto"], due=dt.date(2026, 12, 1)
        )
    assert not ActionItem.objects.exists()


def test_overdue_action_item_reminded_once_with_a_frozen_clock(bf, users, governments, monkeypatch, settings):
    partnership, _office, fw_editor = bf
    settings.KEMBAR_SITE_URL = "https://kerjasama.example.go.id"
    users["bandung_editor"].email = "editor@bandung.example"
    users["bandung_editor"].save()
    meeting = new_meeting(fw_editor, partnership)
    services.add_action_item(
        fw_editor,
        meeting,
        text="Send the traffic dataset",
        owner="Pak Budi",
        government=governments["bandung"],
        due=dt.date(2026, 12, 1),
    )
    now = dt.datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    monkeypatch.setattr("django.utils.timezone.now", lambda: now)
    call_command("remind")
    assert not mail.outbox  # due today: not overdue yet
    now = dt.datetime(2026, 12, 2, 1, 0, tzinfo=UTC)
    call_command("remind")
    call_command("remind")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["editor@bandung.example"]
    assert "Send the traffic dataset" in mail.outbox[0].subject
    # The mail links the meeting, with the site's address, so the office can close the item.
    assert mail.outbox[0].body.endswith("\n\nhttps://kerjasama.example.go.id" + meeting.get_absolute_url())
    assert SentReminder.objects.filter(key__startswith="meetings:action:").count() == 1
    assert "kembar.meetings.reminders.overdue_action_items" in reminders.SOURCES


# --- pages ---------------------------------------------------------------------------------------

MEETING_ROLES = ["anonymous", "bandung_editor", "bandung_viewer", "surabaya_editor", "oversight", "platform_admin"]


@pytest.mark.parametrize("role", MEETING_ROLES)
def test_meeting_permission_matrix(client, bf, users, role):
    partnership, _office, fw_editor = bf
    meeting = new_meeting(fw_editor, partnership, title="Private planning")
    if role != "anonymous":
        client.force_login(users[role])
    page = client.get(reverse("meetings:detail", args=[meeting.pk]))
    reads = role in {"bandung_editor", "bandung_viewer", "oversight", "platform_admin"}
    edits = role in {"bandung_editor", "platform_admin"}
    if role == "anonymous":
        assert page.status_code == 302
    else:
        assert page.status_code == (200 if reads else 404)
        assert ("Record minutes" in page.content.decode()) == edits
    response = client.post(
        reverse("meetings:minutes", args=[meeting.pk]), {"version": meeting.version, "minutes": "Changed by " + role}
    )
    meeting.refresh_from_db()
    assert (meeting.minutes == "Changed by " + role) == edits
    if not edits:
        assert response.status_code in (302, 403, 404)


def test_slot_finder_page_says_when_nothing_fits_and_links_to_scheduling(client, bf, users):
    partnership, _office, _fw = bf
    client.force_login(users["bandung_editor"])
    page = client.get(
        reverse("meetings:slots"),
        {"partnership": partnership.pk, "start": "2026-11-23", "end": "2026-11-29", "duration": 60},
    ).content.decode()
    assert "No slot fits inside everyone&#x27;s office hours" in page
    assert "06:00 in" in page and "avoids Thanksgiving Day" in page
    assert "start=2026-11-23T23:00" in page, page[page.find("<tbody>") : page.find("<tbody>") + 1500]
    # Each side's start with its date and zone (Bandung is a day ahead of Fort Worth).
    assert "Mon 23 Nov 2026 23:00 UTC" in page
    assert "Tue 24 Nov 2026 06:00 WIB" in page and "Mon 23 Nov 2026 17:00 CST" in page
    page = client.get(
        reverse("meetings:slots"),
        {"partnership": partnership.pk, "start": "2026-11-29", "end": "2026-11-23", "duration": 60},
    ).content.decode()
    assert "The range ends (2026-11-23) before it starts (2026-11-29)." in page


def test_schedule_record_minutes_and_action_items_through_the_pages(client, bf, users, governments):
    partnership, _office, _fw = bf
    client.force_login(users["bandung_editor"])
    response = client.post(
        reverse("meetings:create") + f"?partnership={partnership.pk}",
        {
            "partnership": partnership.pk,
            "title": "Smart city exchange",
            "start": "2026-11-25T06:00",  # Bandung's time (the organising office's zone)
            "duration": 60,
            "video_link": "https://meet.example.org/x",
            "agenda": "Welcome\nData",
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and meeting.start == dt.datetime(2026, 11, 24, 23, 0, tzinfo=UTC)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "Wed 25 Nov 2026 06:00–07:00 WIB" in page and "Tue 24 Nov 2026 17:00–18:00 CST" in page  # each side's
    client.post(
        reverse("meetings:action_add", args=[meeting.pk]),
        {"text": "Send the dataset", "owner": "Pak Budi", "government": governments["bandung"].pk, "due": "2026-12-01"},
    )
    assert ActionItem.objects.get().owner == "Pak Budi"
    dashboard = client.get("/").content.decode()
    # Due 1 December: overdue after that day in Bandung, waiting for the office before it.
    assert "Send the dataset" in dashboard[dashboard.index("data-overdue") : dashboard.index("data-slipping")]
    # On the meeting's page too: its due date as every date reads, and marked overdue.
    row = re.search(
        r"<tr><td>Send the dataset</td>.*?</tr>", client.get(meeting.get_absolute_url()).content.decode(), re.S
    )
    assert '<td data-label="Due date">1 Dec 2026 <span class="badge mark-overdue">Overdue</span></td>' in row.group(0)
    response = client.post(
        reverse("meetings:attachment_add", args=[meeting.pk]),
        {"file": upload("notulen.exe.pdf", b"MZ\x90\x00 not a pdf")},
    )
    assert meeting.attachments.count() == 0
    response = client.post(
        reverse("meetings:attachment_add", args=[meeting.pk]),
        {"file": upload("notulen.docx", docx_bytes("Notulen rapat"))},
    )
    attachment = meeting.attachments.get()
    assert client.get(reverse("meetings:attachment", args=[attachment.pk])).status_code == 200
    client.force_login(users["surabaya_editor"])
    assert client.get(reverse("meetings:attachment", args=[attachment.pk])).status_code == 404


def test_meeting_list_query_count_is_constant(client, bf, users):
    partnership, _office, fw_editor = bf
    client.force_login(users["bandung_editor"])
    new_meeting(fw_editor, partnership)
    client.get(reverse("meetings:list"))
    with assert_constant_queries() as queries:
        with queries.few():
            assert client.get(reverse("meetings:list")).status_code == 200
        for n in range(15):
            new_meeting(fw_editor, partnership, title=f"Meeting {n}")
        with queries.many():
            assert client.get(reverse("meetings:list")).status_code == 200


# --- library -------------------------------------------------------------------------------------


def test_library_finds_a_document_by_an_indonesian_word_in_its_body(bf, users, client):
    partnership, _office, fw_editor = bf
    editor = users["bandung_editor"]
    services.share_item(
        editor,
        government=partnership.government_a
        if partnership.government_a.country_code == "ID"
        else partnership.government_b,
        partnership=partnership,
        title="Protocol (attached)",
        public=True,
        upload=upload("protokol.docx", docx_bytes("Protokol penanganan pandemi di puskesmas")),
    )
    services.share_item(
        fw_editor,
        government=bf[1].local_government,
        partnership=partnership,
        public=True,
        title="Smart city traffic lights",
        summary="Adaptive signals in Fort Worth",
    )
    services.share_item(
        fw_editor,
        government=bf[1].local_government,
        partnership=partnership,
        public=False,
        title="Internal draft",
        upload=upload("draf.odt", odt_bytes("penanganan rahasia")),
    )
    visible = services.search_library(LibraryItem.objects.filter(public=True), "puskesmas")
    assert [i.title for i in visible] == ["Protocol (attached)"]
    both = services.search_library(LibraryItem.objects.all(), "Penanganan")
    assert {i.title for i in both} == {"Protocol (attached)", "Internal draft"}
    assert [i.title for i in services.search_library(LibraryItem.objects.all(), "traffic signals")] == [
        "Smart city traffic lights"
    ]
    assert not services.search_library(LibraryItem.objects.all(), "pandemic").exists()  # whole words only
    page = client.get(reverse("meetings:library"), {"q": "penanganan"}).content.decode()
    assert "Protocol (attached)" in page and "Internal draft" not in page  # anonymous: public only
    client.force_login(users["surabaya_editor"])
    item = LibraryItem.objects.get(title="Internal draft")
    assert client.get(reverse("meetings:library_item", args=[item.pk])).status_code == 404
    client.force_login(users["bandung_viewer"])
    assert client.get(reverse("meetings:library_download", args=[item.pk])).status_code == 200


def test_library_refuses_a_file_that_is_not_what_its_name_says(users, governments):
    with pytest.raises(ValidationError) as error:
        services.share_item(
            users["bandung_editor"],
            government=governments["bandung"],
            title="x",
            public=True,
            upload=upload("protokol.pdf", docx_bytes("x")),
        )
    assert "content is Word (DOCX)" in str(error.value)
    assert not LibraryItem.objects.exists()


def test_library_list_query_count_is_constant(client, users, governments):
    def share(n):
        for i in range(n):
            services.share_item(
                users["bandung_editor"],
                government=governments["bandung"],
                title=f"Item {i}",
                summary="Catatan praktik kota cerdas",
                public=True,
            )

    share(2)
    client.get(reverse("meetings:library"))
    with assert_constant_queries() as queries:
        with queries.few():
            client.get(reverse("meetings:library"), {"q": "kota"})
        share(20)
        with queries.many():
            client.get(reverse("meetings:library"), {"q": "kota"})


# --- API -----------------------------------------------------------------------------------------


def test_api_slots_meeting_and_minutes(client, bf, users):
    partnership, _office, fw_editor = bf
    answer = client.get(
        "/api/meetings/slots",
        {"partnership_id": partnership.pk, "start": "2026-11-23", "end": "2026-11-29", "duration": 60},
    ).json()
    assert answer["inside_office_hours"] is False and answer["slots"][0]["start"] == "2026-11-23T23:00:00Z"
    bad = client.get(
        "/api/meetings/slots",
        {"partnership_id": partnership.pk, "start": "2026-11-29", "end": "2026-11-23", "duration": 60},
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "end"
    client.force_login(fw_editor)
    from django.middleware.csrf import get_token  # noqa: F401

    created = client.post(
        "/api/meetings",
        {
            "partnership_id": partnership.pk,
            "title": "API meeting",
            "start": "2026-11-24T23:00:00Z",
            "agenda": ["Welcome"],
        },
        content_type="application/json",
        HTTP_X_CSRFTOKEN=_csrf(client),
    )
    assert created.status_code == 201, created.content
    ancient = client.post(
        "/api/meetings",
        {"partnership_id": partnership.pk, "title": "Too old", "start": "0244-12-01T16:00:00Z"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=_csrf(client),
    )
    assert ancient.status_code == 422 and ancient.json()["detail"][0]["field"] == "start"
    body = created.json()
    sides = {s["name"]: s for s in body["sides"]}
    assert sides["Kota Bandung" if "Kota Bandung" in sides else partnership.government_a.name]
    meeting_id, version = body["id"], body["version"]
    ok = client.patch(
        f"/api/meetings/{meeting_id}",
        {"version": version, "minutes": "Done."},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=_csrf(client),
    )
    assert ok.status_code == 200 and ok.json()["minutes"] == "Done."
    stale = client.patch(
        f"/api/meetings/{meeting_id}",
        {"version": version, "minutes": "Again"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=_csrf(client),
    )
    assert stale.status_code == 409
    client.logout()
    assert client.get(f"/api/meetings/{meeting_id}").status_code == 404


def _csrf(client) -> str:
    client.get(reverse("meetings:list"))
    return client.cookies["csrftoken"].value if "csrftoken" in client.cookies else ""


def test_demo_has_a_bandung_fort_worth_meeting_and_library_items():
    from kembar.dashboard.demo import load_demo

    load_demo()
    load_demo()  # idempotent
    meeting = Meeting.objects.get(title="Bandung–Fort Worth smart city exchange")
    # Three decided at the meeting, and one overdue from the day the demo is loaded.
    assert meeting.minutes and meeting.action_items.count() == 4 and meeting.participants.count() == 2
    found = services.search_library(LibraryItem.objects.filter(public=True), "penanganan pandemi")
    assert [i.title for i in found] == ["Protokol penanganan pandemi COVID-19 Kota Bandung"]
    assert services.search_library(LibraryItem.objects.all(), "adaptive signals").count() == 1


def test_multilateral_meeting_with_a_further_partner_city(client, bf, users, governments):
    partnership, _office, _fw = bf
    kyoto = governments["kyoto"]
    registry.create_partnership(users["platform_admin"], governments["bandung"], kyoto, public=True)
    client.force_login(users["bandung_editor"])
    page = client.get(
        reverse("meetings:slots"),
        {"partnership": partnership.pk, "start": "2026-11-23", "end": "2026-11-29", "duration": 60, "also": [kyoto.pk]},
    ).content.decode()
    assert " in Kyoto" in page and f"also={kyoto.pk}" in page
    client.post(
        reverse("meetings:create"),
        {
            "partnership": partnership.pk,
            "title": "Three cities",
            "start": "2026-11-24T23:00",
            "duration": 60,
            "extra_governments": [kyoto.pk],
        },
    )
    meeting = Meeting.objects.get()
    assert [g.pk for g in meeting.extra_governments.all()] == [kyoto.pk]
    kyoto_office = make_office("Kyoto City International", kyoto)
    kyoto_viewer = make_user("kyoto_viewer", kyoto_office, Membership.Role.VIEWER)
    client.force_login(kyoto_viewer)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "Three cities" in page and "Kyoto" in page


def test_further_partner_cities_are_the_offices_other_partners_only(client, bf, users, governments):
    """A meeting's "further partner cities" offer the office's other partners: not its own
    government, nor the meeting's partner (already in the meeting)."""
    partnership, _office, _fw = bf
    kyoto = governments["kyoto"]
    registry.create_partnership(users["platform_admin"], governments["bandung"], kyoto, public=True)
    client.force_login(users["bandung_editor"])
    for url, field in (
        (reverse("meetings:create") + f"?partnership={partnership.pk}", "extra_governments"),
        (reverse("meetings:slots") + f"?partnership={partnership.pk}", "also"),
    ):
        form = client.get(url).context["form"]
        offered = {g.pk for g in form.fields[field].queryset}
        assert kyoto.pk in offered and governments["bandung"].pk not in offered, url
    form = client.get(reverse("meetings:create") + f"?partnership={partnership.pk}").context["form"]
    assert partnership.government_b_id not in {g.pk for g in form.fields["extra_governments"].queryset}
    page = client.get(reverse("meetings:slots"), HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert re.search(r'<option value=""[^>]*>Pilih kemitraan</option>', page) and "---------" not in page


def test_partnership_page_links_to_its_library_shelf_and_the_slot_finder(client, bf, users, governments):
    partnership, _office, fw_editor = bf
    services.share_item(
        fw_editor, government=bf[1].local_government, partnership=partnership, public=True, title="Ours", summary="x"
    )
    services.share_item(
        users["bandung_editor"], government=governments["bandung"], public=True, title="Other", summary="y"
    )
    client.force_login(users["bandung_editor"])
    page = client.get(partnership.get_absolute_url()).content.decode()
    assert f"/meetings/library/?partnership={partnership.pk}" in page
    assert f"/meetings/slots/?partnership={partnership.pk}" in page
    shelf = client.get(reverse("meetings:library"), {"partnership": partnership.pk}).content.decode()
    assert "Ours" in shelf and "Other" not in shelf


def test_edit_meeting_page_moves_the_slot_and_refuses_a_stale_form(client, bf, users):
    partnership, _office, fw_editor = bf
    meeting = new_meeting(fw_editor, partnership)
    client.force_login(users["bandung_editor"])
    form = {
        "version": meeting.version,
        "title": "Moved",
        "start": "2026-11-25T20:00",  # WIB
        "duration": 45,
        "status": "planned",
        "agenda": "Welcome",
    }
    assert client.post(reverse("meetings:edit", args=[meeting.pk]), form).status_code == 302
    meeting.refresh_from_db()
    assert (meeting.title, meeting.start, meeting.duration) == (
        "Moved",
        dt.datetime(2026, 11, 25, 13, 0, tzinfo=UTC),
        45,
    )
    stale = client.post(reverse("meetings:edit", args=[meeting.pk]), {**form, "title": "Stale"})
    assert "Someone else changed this meeting" in stale.content.decode()
    meeting.refresh_from_db()
    assert meeting.title == "Moved"


def test_api_slots_for_a_multilateral_meeting(client, bf, governments):
    partnership, _office, _fw = bf
    answer = client.get(
        "/api/meetings/slots",
        {
            "partnership_id": partnership.pk,
            "start": "2026-11-23",
            "end": "2026-11-29",
            "duration": 60,
            "also": [governments["braunschweig"].pk],
        },
    )
    assert answer.status_code == 200, answer.content
    assert [p["place"] for p in answer.json()["slots"][0]["places"]][2] == "Braunschweig"
    bad = client.get(
        "/api/meetings/slots",
        {"partnership_id": partnership.pk, "start": "2026-11-23", "end": "2026-11-29", "also": [999999]},
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "also"


def test_library_filters_by_field_and_sdg(users, governments):
    editor, bandung = users["bandung_editor"], governments["bandung"]
    services.share_item(
        editor, government=bandung, title="Health", summary="a", public=True, fields=["health"], sdgs=[3, 11]
    )
    services.share_item(
        editor, government=bandung, title="City", summary="b", public=True, fields=["smart_city"], sdgs=[1, 9]
    )
    items = LibraryItem.objects.all()
    assert [i.title for i in services.search_library(items, field="health")] == ["Health"]
    assert [i.title for i in services.search_library(items, sdg=1)] == ["City"]
    assert [i.title for i in services.search_library(items, sdg=11)] == ["Health"]
    assert not services.search_library(items, sdg=13).exists()
    with pytest.raises(ValidationError, match="SDGs are numbered 1 to 17"):
        services.share_item(editor, government=bandung, title="Bad", summary="c", public=True, sdgs=[18])


def test_admin_pages_of_meetings_and_library_open_for_a_platform_administrator(client, bf, users):
    partnership, _office, fw_editor = bf
    meeting = new_meeting(fw_editor, partnership)
    item = services.share_item(fw_editor, government=bf[1].local_government, title="x", summary="y", public=True)
    client.force_login(users["platform_admin"])
    for url in [
        "/admin/meetings/meeting/",
        f"/admin/meetings/meeting/{meeting.pk}/change/",
        "/admin/meetings/libraryitem/",
        f"/admin/meetings/libraryitem/{item.pk}/change/",
        "/admin/meetings/officehours/",
    ]:
        assert client.get(url).status_code == 200, url


def test_library_items_are_in_any_language_of_the_list_and_say_which(users, governments, client):
    item = services.share_item(
        users["bandung_editor"],
        government=governments["bandung"],
        title="Leitfaden Stadtwerke",
        summary="Ein Leitfaden der Braunschweiger Stadtwerke.",
        language="de",
        public=True,
    )
    client.cookies["django_language"] = "en"
    assert "German" in client.get(reverse("meetings:library_item", args=[item.pk])).content.decode()
    with pytest.raises(ValidationError) as error:
        services.share_item(
            users["bandung_editor"],
            government=governments["bandung"],
            title="x",
            summary="x",
            language="xx",
            public=True,
        )
    assert "language" in error.value.message_dict
