"""The student exchange from 1 to 14 March 2027 hosted in Fort Worth reads "1–14 Mar 2027" with
the zone of each end (1 March is CST, 14 March CDT: daylight saving starts that day) on every
line — the host's and the Bandung office's — everywhere it appears: its page, the partnership's
list, the dashboard, the public portal, the iCalendar feed and the CSV/XLSX export, in English
and in Indonesian."""

from __future__ import annotations

import csv
import datetime as dt
import zoneinfo

import icalendar
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from kembar.activities import services
from kembar.partnerships import services as partnership_services
from tests.support.builders import government

pytestmark = pytest.mark.django_db
CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
NOW = dt.datetime(2026, 12, 6, 9, 0, tzinfo=dt.UTC)

HOST = {
    "en": "1–14 Mar 2027 (starts 09:00 CST, ends 17:00 CDT)",
    "id": "1–14 Mar 2027 (mulai 09:00 CST, selesai 17:00 CDT)",
}
BANDUNG = {
    "en": "1–15 Mar 2027 (starts 22:00, ends 05:00 WIB)",
    "id": "1–15 Mar 2027 (mulai 22:00, selesai 05:00 WIB)",
}
# What the pages used to say: the end date lost, the end's zone label given to the start.
WRONG = ("09:00–17:00 CDT", "22:00–05:00 WIB")


@pytest.fixture
def exchange(users, governments, monkeypatch):
    """The exchange, public, seen from 6 December 2026 (the dashboard and the portal look ahead)."""
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    fort_worth = government("Fort Worth", "US")
    p = partnership_services.create_partnership(
        users["platform_admin"], governments["bandung"], fort_worth, public=True
    )
    return services.create_activity(
        users["platform_admin"],
        p,
        title="Student exchange",
        type="student_exchange",
        host=fort_worth,
        start=dt.datetime(2027, 3, 1, 9, 0, tzinfo=CHICAGO),
        end=dt.datetime(2027, 3, 14, 17, 0, tzinfo=CHICAGO),
        public=True,
    )


def page(client, url, language) -> str:
    text = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    for wrong in WRONG:
        assert wrong not in text
    return text


LANGUAGES = pytest.mark.parametrize("language", ["en", "id"])


@LANGUAGES
def test_its_page_shows_the_span_in_fort_worth_and_in_bandung(client, users, exchange, language):
    client.force_login(users["bandung_editor"])
    text = page(client, exchange.get_absolute_url(), language)
    assert f'{HOST[language]}</time> <span class="muted">(Fort Worth, America/Chicago)' in text
    assert f'{BANDUNG[language]}</time> <span class="muted">(' in text and "Asia/Jakarta)" in text


@LANGUAGES
def test_the_partnership_list_shows_the_hosts_span_and_the_offices(client, users, exchange, language):
    client.force_login(users["bandung_editor"])
    text = page(client, reverse("activities:partnership", args=[exchange.partnership_id]), language)
    assert f">{HOST[language]}</time>" in text
    label = "Your office's time" if language == "en" else "Waktu kantor Anda"
    assert f"{label}: {BANDUNG[language]}" in text


@LANGUAGES
def test_the_partnership_list_names_type_field_and_status_as_the_activity_page_does(client, users, exchange, language):
    """The list takes the words from one dict per field (not get_…_display() per row): the same
    words, in the reader's language."""
    client.force_login(users["bandung_editor"])
    text = page(client, reverse("activities:partnership", args=[exchange.partnership_id]), language)
    with translation.override(language):
        type_word, status_word = exchange.get_type_display(), exchange.get_status_display()
    assert f"<td>{type_word}</td>" in text
    assert f'<span class="badge status-{exchange.status}">{status_word}</span>' in text


@LANGUAGES
def test_the_dashboard_shows_it_coming_up_with_both_lines(client, users, exchange, language, monkeypatch):
    # The office's dashboard looks two weeks ahead: seen from 24 February 2027.
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2027, 2, 24, 9, 0, tzinfo=dt.UTC))
    client.force_login(users["bandung_editor"])
    text = page(client, reverse("dashboard:dashboard"), language)
    assert "Student exchange" in text and f">{HOST[language]}</time>" in text
    assert BANDUNG[language] in text


@LANGUAGES
def test_the_public_portal_shows_the_hosts_span_to_a_visitor(client, exchange, language):
    text = page(client, reverse("activities:portal"), language)
    assert f">{HOST[language]}</time>" in text
    assert BANDUNG[language] not in text  # a visitor has no office: only the host's line
    text = page(client, reverse("activities:portal_partnership", args=[exchange.partnership_id]), language)
    assert f">{HOST[language]}</time>" in text


@LANGUAGES
def test_the_calendar_feed_has_each_end_in_its_own_offset_and_both_partners_spans(client, exchange, language):
    response = client.get(
        reverse("activities:feed_partnership", args=[exchange.partnership_id]), HTTP_ACCEPT_LANGUAGE=language
    )
    cal = icalendar.Calendar.from_ical(response.content)
    (event,) = cal.walk("VEVENT")
    assert event["dtstart"].params["TZID"] == event["dtend"].params["TZID"] == "America/Chicago"
    start, end = event.decoded("dtstart"), event.decoded("dtend")
    assert (start.isoformat(), end.isoformat()) == ("2027-03-01T09:00:00-06:00", "2027-03-14T17:00:00-05:00")
    (zone,) = cal.walk("VTIMEZONE")
    assert {str(part["tzname"]) for part in zone.subcomponents} >= {"CST", "CDT"}
    description = str(event["description"])
    assert f"Fort Worth: {HOST[language]}" in description
    assert f": {BANDUNG[language]}" in description


@LANGUAGES
def test_the_export_has_each_ends_local_time_and_the_span(tmp_path, exchange, language):
    path, xlsx = tmp_path / "bandung.csv", tmp_path / "bandung.xlsx"
    with translation.override(language):
        call_command("export_activities", "--government", "Bandung,ID", "--format", "csv", "--output", str(path))
        call_command("export_activities", "--government", "Bandung,ID", "--format", "xlsx", "--output", str(xlsx))
    with open(path, newline="", encoding="utf-8") as f:
        (row,) = list(csv.DictReader(f))
    assert (row["start"], row["end"]) == ("2027-03-01T15:00:00Z", "2027-03-14T22:00:00Z")
    assert (row["start_local"], row["end_local"]) == ("2027-03-01 09:00 CST", "2027-03-14 17:00 CDT")
    assert row["timezone"] == "America/Chicago" and row["when_local"] == HOST[language]
    sheet = load_workbook(xlsx, read_only=True).worksheets[0]
    header, values = list(sheet.iter_rows(values_only=True))
    assert dict(zip(header, values))["when_local"] == HOST[language]


def test_the_api_gives_each_ends_own_offset(client, users, exchange, tokens):
    response = client.get(f"/api/activities/{exchange.pk}", HTTP_AUTHORIZATION=f"Bearer {tokens['bandung_editor']}")
    body = response.json()
    assert (body["start_local"], body["end_local"]) == ("2027-03-01T09:00:00-06:00", "2027-03-14T17:00:00-05:00")
