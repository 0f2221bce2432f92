"""Meeting times are typed as a local time with its zone named (the organising office's unless
the officer picks the partner's) and stored in UTC; the form, the list and the page show each
side's local time; minutes are recorded, and a meeting is held, only once it has begun."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from kembar.meetings import services
from kembar.meetings.models import Meeting
from kembar.partnerships import services as registry
from tests.support.builders import government, make_office, make_user
from tests.support.worlds.meetings import new_meeting

pytestmark = pytest.mark.django_db
UTC = dt.UTC


@pytest.fixture
def bf(governments, users):
    """Bandung–Fort Worth and a Fort Worth office with an editor."""
    fort_worth = government("Fort Worth", "US")
    partnership = registry.create_partnership(users["platform_admin"], governments["bandung"], fort_worth, public=True)
    fw_editor = make_user("fw_editor", make_office("City of Fort Worth", fort_worth))
    return partnership, fw_editor


def schedule(client, partnership, **fields):
    data = {"partnership": partnership.pk, "title": "Smart city exchange", "duration": 60, **fields}
    return client.post(reverse("meetings:create") + f"?partnership={partnership.pk}", data)


# --- typing the time ---------------------------------------------------------------------------


def test_bandung_types_its_own_time_and_fort_worth_its_own(client, bf, users):
    partnership, fw_editor = bf
    client.force_login(users["bandung_editor"])
    form = client.get(reverse("meetings:create"), {"partnership": partnership.pk}).content.decode()
    assert '<label for="id_start">Start:</label>' in form and "Start (UTC)" not in form
    assert '<option value="Asia/Jakarta" selected>Asia/Jakarta — Bandung</option>' in form
    assert '<option value="America/Chicago">America/Chicago — Fort Worth</option>' in form
    assert schedule(client, partnership, start="2026-11-24T06:00").status_code == 302
    assert Meeting.objects.get().start == dt.datetime(2026, 11, 23, 23, 0, tzinfo=UTC)  # 06:00 WIB

    client.force_login(fw_editor)
    form = client.get(reverse("meetings:create"), {"partnership": partnership.pk}).content.decode()
    assert '<option value="America/Chicago" selected>' in form
    assert schedule(client, partnership, title="Follow-up", start="2026-11-23T17:00").status_code == 302
    assert Meeting.objects.get(title="Follow-up").start == dt.datetime(2026, 11, 23, 23, 0, tzinfo=UTC)  # 17:00 CST


def test_the_partners_zone_may_be_chosen_across_daylight_saving(client, bf, users):
    partnership, _fw = bf
    client.force_login(users["bandung_editor"])
    # 09:00 in Fort Worth: CST (UTC-6) on 12 March 2027, CDT (UTC-5) on 15 March.
    for day, utc_hour in ((12, 15), (15, 14)):
        response = schedule(
            client, partnership, title=f"Call {day}", start=f"2027-03-{day}T09:00", zone="America/Chicago"
        )
        assert response.status_code == 302
        assert Meeting.objects.get(title=f"Call {day}").start == dt.datetime(2027, 3, day, utc_hour, 0, tzinfo=UTC)


def test_a_time_the_clocks_skip_or_a_zone_of_neither_side_is_refused_naming_the_field(client, bf, users):
    partnership, _fw = bf
    client.force_login(users["bandung_editor"])
    skipped = schedule(client, partnership, start="2027-03-14T02:30", zone="America/Chicago")
    assert skipped.status_code == 200
    assert "2027-03-14 02:30 does not exist in America/Chicago" in skipped.content.decode()
    other = schedule(client, partnership, start="2027-03-15T09:00", zone="Europe/Berlin")
    assert other.status_code == 200 and "Select a valid choice" in other.content.decode()
    assert not Meeting.objects.exists()


def test_the_slot_finders_utc_slot_opens_the_form_in_the_offices_time(client, bf, users):
    partnership, _fw = bf
    client.force_login(users["bandung_editor"])
    page = client.get(reverse("meetings:create"), {"partnership": partnership.pk, "start": "2026-11-23T23:00Z"})
    text = page.content.decode()
    assert 'value="2026-11-24T06:00"' in text  # WIB
    assert "<strong>Bandung</strong>: Tue 24 Nov 2026 06:00–07:00 WIB" in text
    assert "<strong>Fort Worth</strong>: Mon 23 Nov 2026 17:00–18:00 CST" in text


def test_the_form_shows_each_sides_time_of_what_is_typed(client, bf, users):
    partnership, _fw = bf
    client.force_login(users["bandung_editor"])
    url = reverse("meetings:times")
    query = {"partnership": partnership.pk, "start": "2027-03-15T20:00", "zone": "Asia/Jakarta", "duration": "90"}
    text = client.get(url, query).content.decode()
    assert "<strong>Bandung</strong>: Mon 15 Mar 2027 20:00–21:30 WIB" in text
    assert "<strong>Fort Worth</strong>: Mon 15 Mar 2027 08:00–09:30 CDT" in text
    assert "<strong>UTC</strong>: Mon 15 Mar 2027 13:00–14:30 UTC" in text
    indonesian = client.get(url, query, HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "<strong>Bandung</strong>: Sen 15 Mar 2027 20:00–21:30 WIB" in indonesian
    assert "side-times" not in client.get(url, {**query, "start": "15/03/2027"}).content.decode()
    client.force_login(users["bandung_viewer"])  # reads the partnership, schedules nothing
    assert client.get(url, query).status_code == 404
    client.force_login(users["surabaya_editor"])
    assert client.get(url, query).status_code == 404


def test_the_edit_form_shows_the_stored_start_in_the_offices_time(client, bf, users):
    partnership, fw_editor = bf
    meeting = new_meeting(fw_editor, partnership)  # 24 Nov 2026 23:00 UTC
    client.force_login(users["bandung_editor"])
    text = client.get(reverse("meetings:edit", args=[meeting.pk])).content.decode()
    assert 'value="2026-11-25T06:00"' in text and '<option value="Asia/Jakarta" selected>' in text
    assert "<strong>Fort Worth</strong>: Tue 24 Nov 2026 17:00–18:00 CST" in text


# --- showing it ---------------------------------------------------------------------------------


@pytest.mark.parametrize("language, header", [("en", "Start (Asia/Jakarta)"), ("id", "Mulai (Asia/Jakarta)")])
def test_the_list_names_the_offices_zone_and_shows_the_partners_time(client, bf, users, language, header):
    partnership, fw_editor = bf
    new_meeting(fw_editor, partnership)
    client.force_login(users["bandung_editor"])
    text = client.get(reverse("meetings:list"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f"<th>{header}</th>" in text and "(UTC)" not in text
    wednesday, tuesday = ("Wed", "Tue") if language == "en" else ("Rab", "Sel")
    assert f"{wednesday} 25 Nov 2026 06:00 WIB</time>" in text
    assert f"Fort Worth: {tuesday} 24 Nov 2026 17:00 CST" in text
    assert "Bandung: " not in text  # the office's own time is the column's


def test_the_meeting_page_shows_each_side_and_utc(client, bf, users):
    partnership, fw_editor = bf
    meeting = new_meeting(fw_editor, partnership)
    client.force_login(users["bandung_editor"])
    text = client.get(meeting.get_absolute_url()).content.decode()
    assert "Wed 25 Nov 2026 06:00–07:00 WIB" in text and "Tue 24 Nov 2026 17:00–18:00 CST" in text
    assert "Tue 24 Nov 2026 23:00 – Wed 25 Nov 00:00 UTC" in text


# --- minutes and "held" -------------------------------------------------------------------------


def test_minutes_of_a_meeting_three_weeks_ahead_are_refused_and_it_stays_planned(client, bf, users):
    partnership, fw_editor = bf
    ahead = timezone.now().replace(microsecond=0) + dt.timedelta(weeks=3)
    meeting = new_meeting(fw_editor, partnership, start=ahead)
    client.force_login(users["bandung_editor"])
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert reverse("meetings:minutes", args=[meeting.pk]) not in page
    assert "Minutes are recorded once the meeting has begun." in page
    response = client.post(
        reverse("meetings:minutes", args=[meeting.pk]), {"version": meeting.version, "minutes": "We agreed."}
    )
    assert response.status_code == 200
    assert "minutes are recorded once it has begun" in response.content.decode()
    meeting.refresh_from_db()
    assert (meeting.status, meeting.minutes, meeting.version) == (Meeting.Status.PLANNED, "", 1)
    with pytest.raises(ValidationError) as refused:
        services.update_meeting(fw_editor, meeting, status=Meeting.Status.HELD)
    assert "cannot be held before it has begun" in refused.value.message_dict["status"][0]


def test_minutes_after_the_start_mark_the_meeting_held(client, bf, users):
    partnership, fw_editor = bf
    meeting = new_meeting(fw_editor, partnership, start=timezone.now() - dt.timedelta(minutes=5))
    client.force_login(users["bandung_editor"])
    response = client.post(
        reverse("meetings:minutes", args=[meeting.pk]), {"version": meeting.version, "minutes": "We agreed."}
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.status, meeting.minutes) == (Meeting.Status.HELD, "We agreed.")


def test_the_api_refuses_to_mark_a_future_meeting_held(bf, api):
    partnership, fw_editor = bf
    meeting = new_meeting(fw_editor, partnership, start=timezone.now() + dt.timedelta(days=21))
    response = api("patch", f"/api/meetings/{meeting.pk}", as_="platform_admin", body={"status": "held", "version": 1})
    assert response.status_code == 422 and "status" in response.content.decode()
    assert Meeting.objects.get().status == Meeting.Status.PLANNED
