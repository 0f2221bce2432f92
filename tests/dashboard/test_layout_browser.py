"""The header and the main pages in real Chromium, on a phone (390 px) and a laptop (1366 px):
the header is one row with a Menu button on the phone and the grouped menu on the laptop, the
menu works with the keyboard, no page scrolls sideways, and the charts of the insights pages
are the phone's picture on a phone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from kembar.activities import services as activities
from kembar.partnerships.services import create_partnership
from tests.support.browser import log_in, open_page, sync_api
from tests.support.builders import government

pytestmark = pytest.mark.browser
UTC = dt.UTC
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}


@pytest.fixture
def office(officer):
    kyoto = government("Kyoto", "JP")
    p = create_partnership(officer["user"], officer["government"], kyoto, fields=["culture"])
    for month, modality, field in ((2, "in_person", "culture"), (5, "virtual", "education"), (9, "hybrid", "tourism")):
        start = dt.datetime(2025, month, 10, 2, tzinfo=UTC)
        activities.create_activity(
            officer["user"],
            p,
            title=f"Exchange {month}",
            type="information_exchange",
            field=field,
            modality=modality,
            status="held",
            host=officer["government"],
            start=start,
            end=start + dt.timedelta(hours=2),
            sdg_targets=["11.3", "11.4"],
        )
    return officer


def main_pages() -> list[str]:
    return [
        reverse("dashboard:dashboard"),
        reverse("partnerships:list"),
        reverse("agreements:list"),
        reverse("meetings:list"),
        reverse("activities:portal"),
        reverse("solutions:catalogue"),
        reverse("matching:requests"),
        reverse("insights:health"),
        reverse("insights:pivot"),
        reverse("insights:sdg"),
    ]


def sideways(page) -> int:
    """How far the page scrolls sideways (0: not at all)."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_on_a_phone_the_header_is_one_row_and_no_page_scrolls_sideways(live_server, browser, office):
    context, page, watch = open_page(browser, live_server, viewport=PHONE)
    expect = sync_api.expect
    try:
        page.goto(live_server.url + "/accounts/login/", timeout=60_000)  # the server's first page may be slow
        log_in(page, live_server, office["user"].username, office["password"])
        header = page.locator("header")
        menu = header.locator(".menu-button")
        expect(menu).to_be_visible()
        expect(header.locator("nav")).to_be_hidden()
        assert header.bounding_box()["height"] < 80
        for url in main_pages():
            page.goto(live_server.url + url)
            assert sideways(page) == 0, f"{url} scrolls sideways by {sideways(page)} px at 390 px"
            assert header.bounding_box()["height"] < 80, url
        # The office's partnerships on its home: each a card, its next meeting in sight.
        page.goto(live_server.url + "/")
        ours = page.locator("table.our-partnerships")
        expect(ours.locator("tbody tr td", has_text="Kyoto")).to_be_visible()
        assert ours.evaluate("t => t.scrollWidth <= t.clientWidth")
        next_meeting = ours.locator("tbody tr").first.locator("td").last
        assert next_meeting.evaluate("td => getComputedStyle(td, '::before').content") == '"Next meeting: "'
        assert next_meeting.bounding_box()["x"] + next_meeting.bounding_box()["width"] <= 390

        # The menu with the keyboard alone: the button, a group, a link.
        menu.focus()
        page.keyboard.press("Enter")
        expect(header.locator("nav")).to_be_visible()
        group = header.locator("nav summary", has_text="Insights")
        group.focus()
        page.keyboard.press("Enter")
        link = header.locator("nav").get_by_role("link", name="SDG report")
        expect(link).to_be_visible()
        link.focus()
        page.keyboard.press("Enter")
        expect(page.locator("main h1")).to_contain_text("Sustainable Development Goals")
        expect(header.locator("nav")).to_be_hidden()  # a new page: the menu closed again

        # The charts are the phone's picture, across the width, not the laptop's shrunk.
        page.goto(live_server.url + reverse("insights:pivot"))
        chart = page.get_by_role("img", name="Chart: Activities by field of cooperation", exact=False)
        expect(chart).to_be_visible()
        assert chart.evaluate("img => img.naturalWidth") == 360
        assert chart.bounding_box()["width"] > 300
        assert watch.errors == []
    finally:
        context.close()


@pytest.mark.parametrize("language", ["en", "id"])
def test_on_a_laptop_the_menu_is_one_row_of_groups(live_server, browser, office, language):
    context, page, watch = open_page(browser, live_server, viewport=LAPTOP)
    expect = sync_api.expect
    try:
        log_in(page, live_server, office["user"].username, office["password"])
        if language == "id":
            with page.expect_navigation():
                page.locator("#language").select_option("id")
        header = page.locator("header")
        expect(header.locator(".menu-button")).to_be_hidden()
        groups = header.locator("nav .nav-groups > li > details > summary")
        expect(groups).to_have_count(5)
        tops = {round(box["y"]) for box in (g.bounding_box() for g in groups.all())}
        assert len(tops) == 1, "the groups wrap to a second row"
        assert header.bounding_box()["height"] < 70
        # A group drops down; Escape closes it.
        groups.nth(2).click()
        library = header.locator("nav").get_by_role("link", name="Library" if language == "en" else "Pustaka")
        expect(library).to_be_visible()
        page.keyboard.press("Escape")
        expect(library).to_be_hidden()
        page.goto(live_server.url + reverse("insights:pivot"))
        chart = page.locator("figure.chart img").last  # by field of cooperation
        assert chart.evaluate("img => img.naturalWidth") == 960
        assert sideways(page) == 0
        assert watch.errors == []
    finally:
        context.close()
