"""The office dashboard answers what is overdue, what is this week and next, what waits for the
office and which of its partnerships slip, in a concrete world: Monday 7 December 2026 in
Bandung, an action item overdue since 30 November, the next meeting with Fort Worth on
15 December, and an imported link to Kyoto that nobody has touched."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kembar.activities import services as activities
from kembar.meetings import services as meetings
from kembar.meetings.models import ActionItem
from kembar.partnerships.services import create_partnership
from tests.support.builders import government
from tests.support.builders import imported_link as imported
from tests.support.queries import assert_constant_queries

UTC = dt.UTC
NOW = dt.datetime(2026, 12, 7, 3, 0, tzinfo=UTC)  # Monday 10:00 in Bandung (WIB)


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)
    return NOW


@pytest.fixture
def world(today, governments, users):
    admin = users["platform_admin"]
    g = governments
    fort_worth = government("Fort Worth", "US")
    flagship = create_partnership(admin, g["bandung"], fort_worth)
    held = meetings.schedule_meeting(
        admin, flagship, title="Smart city exchange", start=dt.datetime(2026, 11, 24, 23, 0, tzinfo=UTC), duration=60
    )
    meetings.add_action_item(
        admin,
        held,
        text="Propose dates for the student exchange",
        owner="Dinas Pendidikan",
        government=g["bandung"],
        due=dt.date(2026, 11, 30),
    )
    meetings.add_action_item(
        admin,
        held,
        text="Share the signal retiming method",
        owner="Transportation Dept.",
        government=fort_worth,
        due=dt.date(2026, 12, 4),
    )
    meetings.add_action_item(
        admin,
        held,
        text="Send the traffic dataset",
        owner="Dinas Perhubungan",
        government=g["bandung"],
        due=dt.date(2026, 12, 15),
    )
    meetings.schedule_meeting(
        admin,
        flagship,
        title="Student exchange planning",
        start=dt.datetime(2026, 12, 15, 14, 0, tzinfo=UTC),  # 21:00 in Bandung, 08:00 in Fort Worth
        duration=60,
    )
    braunschweig = create_partnership(admin, g["bandung"], g["braunschweig"])
    activities.create_activity(
        admin,
        braunschweig,
        title="Vocational training visit",
        type="work_visit",
        field="education",
        status="held",
        host=g["braunschweig"],
        start=dt.datetime(2026, 10, 20, 8, 0, tzinfo=UTC),
        end=dt.datetime(2026, 10, 22, 15, 0, tzinfo=UTC),
    )
    activities.create_activity(
        admin,
        braunschweig,
        title="Online German course",
        type="language_training",
        field="education",
        modality="virtual",
        host=g["braunschweig"],
        start=dt.datetime(2026, 12, 10, 8, 0, tzinfo=UTC),  # 09:00 in Braunschweig, 15:00 in Bandung
        end=dt.datetime(2026, 12, 10, 10, 0, tzinfo=UTC),
    )
    kyoto = imported(g["bandung"], g["kyoto"])
    return {"flagship": flagship, "braunschweig": braunschweig, "kyoto": kyoto, "fort_worth": fort_worth}


def section(page: str, name: str) -> str:
    start = page.index(f"data-{name}")
    return page[start : page.index("</section>", start)]


def test_overdue_items_are_flagged_in_words_with_the_local_date(client, users, world):
    client.force_login(users["bandung_editor"])
    page = client.get("/").content.decode()
    overdue = section(page, "overdue")
    assert "Propose dates for the student exchange" in overdue
    assert "Overdue since 30 Nov 2026 (7 days)" in overdue
    # Either side's item of the office's meeting: Fort Worth's is late too.
    assert "Share the signal retiming method" in overdue and "Overdue since 4 Dec 2026 (3 days)" in overdue
    # A held activity without outcomes 30 days after it ended is a report overdue.
    assert "Vocational training visit" in overdue and "Overdue since 21 Nov 2026 (16 days)" in overdue
    assert overdue.index("Vocational training visit") < overdue.index("Propose dates")  # oldest first
    assert "Send the traffic dataset" not in overdue  # due next week
    assert "2026-11-30" not in page  # no ISO date among formatted ones
    assert "Today is Monday, 7 December 2026 (time zone Asia/Jakarta)." in page
    assert '<strong>3</strong><a href="#overdue">items overdue</a>' in page


def test_this_week_and_next_shows_the_meeting_with_fort_worth_in_both_local_times(client, users, world):
    client.force_login(users["bandung_viewer"])
    coming = section(client.get("/").content.decode(), "coming")
    assert "Student exchange planning" in coming and "Bandung – Fort Worth" in coming
    assert "Bandung:</span> <time" in coming
    assert "15 Dec 2026 21:00–22:00 WIB" in coming
    assert "15 Dec 2026 08:00–09:00 CST" in coming
    assert "Smart city exchange" not in coming  # held two weeks ago
    # An activity: its host's time and the partner's, in the order they come.
    assert "Braunschweig:</span> <time" in coming and "10 Dec 2026 09:00–11:00 CET" in coming
    assert "10 Dec 2026 15:00–17:00 WIB" in coming
    assert coming.index("Online German course") < coming.index("Student exchange planning")


def test_waiting_for_us_lists_items_not_yet_due_and_minutes_to_write(client, users, world):
    client.force_login(users["bandung_editor"])
    waiting = section(client.get("/").content.decode(), "waiting")
    assert "Send the traffic dataset" in waiting and "Due 15 Dec 2026 (in 8 days)" in waiting
    assert "Smart city exchange" in waiting and "Held 25 Nov 2026, no minutes yet" in waiting
    assert "Share the signal retiming method" not in waiting  # Fort Worth's, and overdue


def test_slipping_lists_the_partnerships_the_office_runs_not_untouched_imports(client, users, world):
    client.force_login(users["bandung_editor"])
    page = client.get("/").content.decode()
    slipping = section(page, "slipping")
    assert "Bandung – Fort Worth" in slipping
    row = slipping[slipping.index("Bandung – Fort Worth") :]
    assert "2 items overdue" in row[: row.index("</li>")]
    assert "Kyoto" not in slipping
    assert "70–100</span> thriving" in slipping and "0–39</span> struggling" in slipping  # the score's legend
    # The import is still listed among the office's partnerships, marked as such, last.
    partnerships = page[page.index('class="our-partnerships cards"') :]
    assert partnerships.index("Fort Worth") < partnerships.index("Kyoto")
    assert "no record yet" in partnerships[partnerships.index("Kyoto") :]
    assert "15 Dec 2026" in partnerships  # Fort Worth's next meeting


def test_the_dashboard_in_indonesian(client, users, world):
    client.force_login(users["bandung_editor"])
    client.post(reverse("set_language"), {"language": "id", "next": "/"})
    page = client.get("/").content.decode()
    assert "Terlambat sejak 30 Nov 2026 (7 hari)" in section(page, "overdue")
    assert "15 Des 2026 21:00–22:00 WIB" in section(page, "coming")


def test_visitors_and_oversight_see_the_platform_not_an_office_day(client, users, world):
    page = client.get("/").content.decode()
    assert "data-overdue" not in page and "Propose dates" not in page
    client.force_login(users["oversight"])
    page = client.get("/").content.decode()
    assert "data-overdue" not in page and "Sister-city cooperation" in page


def test_the_dashboard_costs_the_same_queries_with_many_rows(client, users, governments, world):
    admin = users["platform_admin"]
    client.force_login(users["bandung_editor"])
    client.get("/")  # warm the caches (country names)
    with assert_constant_queries() as queries:
        with queries.few():
            assert client.get("/").status_code == 200
        others = [governments[k] for k in ("surabaya", "busan", "liverpool")]
        for i, other in enumerate(others):
            p = create_partnership(admin, governments["bandung"], other)
            m = meetings.schedule_meeting(
                admin, p, title=f"Meeting {i}", start=NOW + dt.timedelta(days=2 + i), duration=45
            )
            meetings.add_action_item(
                admin, m, text=f"Late {i}", owner="Staf", government=governments["bandung"], due=dt.date(2026, 11, 1)
            )
            meetings.add_action_item(
                admin, m, text=f"Soon {i}", owner="Staf", government=governments["bandung"], due=dt.date(2026, 12, 20)
            )
            activities.create_activity(
                admin,
                p,
                title=f"Workshop {i}",
                type="information_exchange",
                field="culture",
                host=other,
                start=NOW + dt.timedelta(days=3 + i),
                end=NOW + dt.timedelta(days=3 + i, hours=2),
            )
        for place in ("Yogyakarta", "Semarang", "Medan"):
            imported(governments["bandung"], government(place, "ID"))
        with queries.many():
            page = client.get("/")
            assert page.status_code == 200
    assert "Workshop 2" in section(page.content.decode(), "coming")


def without_tokens(page: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)


def office_computed(queries) -> bool:
    """The office's blocks were computed (not taken from the cache): its action items were read."""
    return any("meetings_actionitem" in q["sql"] for q in queries)


def test_a_cached_dashboard_shows_the_offices_own_change_at_once(client, users, governments, world, settings):
    settings.KEMBAR_HEALTH_CACHE_SECONDS = 60
    cache.clear()
    admin = users["platform_admin"]
    client.force_login(users["bandung_editor"])
    with CaptureQueriesContext(connection) as first:
        page = client.get("/").content.decode()
    assert office_computed(first) and "Propose dates for the student exchange" in section(page, "overdue")
    with CaptureQueriesContext(connection) as again:
        assert without_tokens(client.get("/").content.decode()) == without_tokens(page)
    assert not office_computed(again)
    # Another office's activity leaves Bandung's dashboard in the cache.
    elsewhere = create_partnership(admin, governments["surabaya"], governments["busan"])
    activities.create_activity(
        admin,
        elsewhere,
        title="Port management visit",
        type="work_visit",
        field="culture",
        host=governments["busan"],
        start=NOW + dt.timedelta(days=2),
        end=NOW + dt.timedelta(days=2, hours=3),
    )
    with CaptureQueriesContext(connection) as untouched:
        client.get("/")
    assert not office_computed(untouched)
    # The office's new activity of next week shows on its next page.
    activities.create_activity(
        admin,
        world["braunschweig"],
        title="Batik workshop",
        type="information_exchange",
        field="culture",
        host=governments["bandung"],
        start=NOW + dt.timedelta(days=2),
        end=NOW + dt.timedelta(days=2, hours=3),
    )
    assert "Batik workshop" in section(client.get("/").content.decode(), "coming")
    # An action item marked done leaves the overdue items at once.
    done = ActionItem.objects.get(text="Propose dates for the student exchange")
    meetings.set_action_status(admin, done, ActionItem.Status.DONE)
    page = client.get("/").content.decode()
    assert "Propose dates for the student exchange" not in section(page, "overdue")
    assert '<strong>2</strong><a href="#overdue">items overdue</a>' in page


def test_a_cached_dashboard_is_the_readers_own_in_their_language(client, users, world, settings):
    settings.KEMBAR_HEALTH_CACHE_SECONDS = 60
    cache.clear()
    client.force_login(users["bandung_editor"])
    assert reverse("partnerships:create") in client.get("/").content.decode()
    # A viewer of the same office: no "New partnership", not the editor's cached page.
    client.force_login(users["bandung_viewer"])
    assert reverse("partnerships:create") not in client.get("/").content.decode()
    client.post(reverse("set_language"), {"language": "id", "next": "/"})
    assert "Terlambat sejak 30 Nov 2026 (7 hari)" in section(client.get("/").content.decode(), "overdue")
