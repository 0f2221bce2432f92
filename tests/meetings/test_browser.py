"""End to end in real Chromium: Bandung's officer finds a slot with Fort Worth, schedules the
meeting and records its minutes and an action item (Debian Chromium, never a downloaded one)."""

from __future__ import annotations

import re

import pytest

from kembar.meetings.models import ActionItem, Meeting
from kembar.partnerships import services as registry
from tests.support.browser import log_in, open_page, sync_api
from tests.support.builders import government, office_member, password_for, reload_flushed_data

pytestmark = pytest.mark.browser


@pytest.fixture
def partners(live_server):
    reload_flushed_data(["ID"], us_cities=True, fields=False)
    bandung = government("Bandung", "ID")
    fort_worth = government("Fort Worth", "US")
    user = office_member("siti", bandung)
    partnership = registry.create_partnership(user, bandung, fort_worth, public=True)
    return {"user": user, "password": password_for("siti"), "partnership": partnership, "bandung": bandung}


def test_officer_schedules_a_bandung_fort_worth_meeting_and_records_minutes(live_server, browser, partners):
    context, page, watch = open_page(browser, live_server)
    expect = sync_api.expect
    main = page.locator("main")
    try:
        log_in(page, live_server, partners["user"].username, partners["password"])

        # From the partnership page to the slot finder, with the partnership preselected.
        page.goto(live_server.url + partners["partnership"].get_absolute_url())
        main.get_by_role("link", name="Find a meeting slot").click()
        expect(page.locator("main h1")).to_have_text("Find a meeting slot")
        expect(page.locator("#id_partnership")).to_have_value(str(partners["partnership"].pk))
        page.locator("#id_start").fill("2026-11-23")
        page.locator("#id_end").fill("2026-11-29")
        main.get_by_role("button", name="Find slots").click()
        expect(main.locator(".message.warning")).to_contain_text("No slot fits inside everyone's office hours")
        first = main.locator("table.slots tbody tr").first
        expect(first).to_contain_text("06:00 in Bandung")
        first.get_by_role("link", name="Schedule").click()

        # Schedule it: the start comes from the chosen slot, in Bandung's time (23:00 UTC).
        expect(page.locator("main h1")).to_have_text("Schedule a meeting")
        expect(page.locator("#id_start")).to_have_value("2026-11-24T06:00")
        expect(page.locator("#id_zone")).to_have_value("Asia/Jakarta")
        page.locator("#id_title").fill("Smart city exchange")
        page.locator("#id_video_link").fill("https://meet.example.org/bdg-ftw")
        page.locator("#id_agenda").fill("Welcome\nTraffic data")
        main.get_by_role("button", name="Schedule").click()
        expect(page).to_have_url(re.compile(r"/meetings/\d+/$"))
        expect(main.locator(".message.success")).to_contain_text("Smart city exchange")
        times = main.locator("table.times")
        expect(times).to_contain_text("Tue 24 Nov 2026 06:00–07:00 WIB")  # Bandung
        expect(times).to_contain_text("Mon 23 Nov 2026 17:00–18:00 CST")  # Fort Worth

        # Record the minutes and an action item.
        main.get_by_role("link", name="Record minutes").click()
        page.locator("#id_minutes").fill("Both offices presented their traffic data programmes.")
        page.locator("#id_decisions").fill("Exchange traffic datasets")
        main.get_by_role("button", name="Save minutes").click()
        expect(main.locator(".minutes")).to_contain_text("traffic data programmes")
        expect(main.locator(".decisions")).to_contain_text("Exchange traffic datasets")
        page.locator("#id_text").fill("Send the traffic dataset")
        page.locator("#id_owner").fill("Pak Budi")
        page.locator("#id_due").fill("2026-12-15")
        main.get_by_role("button", name="Add action item").click()
        expect(main.locator(".actions-table")).to_contain_text("Send the traffic dataset")

        meeting = Meeting.objects.get()
        assert meeting.status == Meeting.Status.HELD and meeting.start.isoformat() == "2026-11-23T23:00:00+00:00"
        assert ActionItem.objects.get().government_id == partners["bandung"].pk
        assert watch.errors == []
    finally:
        context.close()


def test_officer_types_a_local_time_and_sees_each_sides_time_before_saving(live_server, browser, partners):
    """The form takes Bandung's time (the zone named), shows Fort Worth's as it is typed, takes
    Fort Worth's when that zone is chosen, and stores UTC; the page and the list show it back."""
    context, page, watch = open_page(browser, live_server)
    expect = sync_api.expect
    main = page.locator("main")
    try:
        log_in(page, live_server, partners["user"].username, partners["password"])
        page.goto(live_server.url + partners["partnership"].get_absolute_url())
        main.get_by_role("link", name="Schedule a meeting").click()
        expect(page.locator("main h1")).to_have_text("Schedule a meeting")
        expect(page.locator("#id_zone")).to_have_value("Asia/Jakarta")
        expect(main.get_by_text("Local time in the time zone below.")).to_be_visible()

        page.locator("#id_title").fill("Student exchange planning")
        page.locator("#id_start").fill("2027-03-15T20:00")
        page.locator("#id_start").dispatch_event("change")
        preview = main.locator("#meeting-times")
        expect(preview).to_contain_text("Bandung: Mon 15 Mar 2027 20:00–21:00 WIB")
        expect(preview).to_contain_text("Fort Worth: Mon 15 Mar 2027 08:00–09:00 CDT")  # daylight saving began

        # The partner's zone instead: 09:00 in Fort Worth.
        page.locator("#id_zone").select_option("America/Chicago")
        page.locator("#id_start").fill("2027-03-15T09:00")
        page.locator("#id_start").dispatch_event("change")
        expect(preview).to_contain_text("Bandung: Mon 15 Mar 2027 21:00–22:00 WIB")
        expect(preview).to_contain_text("UTC: Mon 15 Mar 2027 14:00–15:00 UTC")
        main.get_by_role("button", name="Schedule").click()
        expect(page).to_have_url(re.compile(r"/meetings/\d+/$"))

        meeting = Meeting.objects.get()
        assert meeting.start.isoformat() == "2027-03-15T14:00:00+00:00"
        times = main.locator("table.times")
        expect(times).to_contain_text("Mon 15 Mar 2027 21:00–22:00 WIB")
        expect(times).to_contain_text("Mon 15 Mar 2027 09:00–10:00 CDT")
        # Three weeks and more ahead: no minutes yet.
        expect(main.get_by_role("link", name="Record minutes")).to_have_count(0)

        page.goto(live_server.url + "/meetings/")
        expect(main.locator("thead")).to_contain_text("Start (Asia/Jakarta)")
        row = main.locator("tbody tr").first
        expect(row).to_contain_text("Mon 15 Mar 2027 21:00 WIB")
        expect(row).to_contain_text("Fort Worth: Mon 15 Mar 2027 09:00 CDT")
        assert watch.errors == []
    finally:
        context.close()


def test_on_a_phone_each_slot_is_a_card_the_page_does_not_scroll_sideways(live_server, browser, partners):
    """At 390 px the slot finder's table is one card per slot: its start, each side's local time
    named by the side, why, and the Schedule button, all inside the width."""
    context, page, watch = open_page(browser, live_server, viewport={"width": 390, "height": 844})
    expect = sync_api.expect
    main = page.locator("main")
    try:
        log_in(page, live_server, partners["user"].username, partners["password"])
        page.goto(
            live_server.url
            + f"/meetings/slots/?partnership={partners['partnership'].pk}&start=2026-11-23&end=2026-11-29&duration=60"
        )
        first = main.locator("table.slots tbody tr").first
        expect(first).to_contain_text("06:00 in Bandung")
        expect(main.locator("table.slots thead")).to_be_hidden()
        card = first.bounding_box()
        assert card["x"] >= 0 and card["x"] + card["width"] <= 390
        for cell in first.locator("td").all():
            box = cell.bounding_box()
            assert box["x"] >= card["x"] and box["x"] + box["width"] <= card["x"] + card["width"] + 1
        bandung = first.locator("td", has_text="Tue 24 Nov 2026 06:00 WIB")
        label = bandung.evaluate("td => getComputedStyle(td, '::before').content")
        assert label == '"Bandung: "', label
        button = first.get_by_role("link", name="Schedule")
        expect(button).to_be_visible()
        assert button.bounding_box()["x"] + button.bounding_box()["width"] <= 390
        assert main.locator("table.slots").evaluate("t => t.scrollWidth <= t.clientWidth")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert watch.errors == []
    finally:
        context.close()
