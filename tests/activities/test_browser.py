"""End to end in real Chromium: Bandung's officer postpones an event; the public portal marks it."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from kembar.activities import services
from kembar.partnerships import services as partnership_services
from tests.support.browser import go_to, log_in, open_page, sync_api
from tests.support.builders import government, office_member, password_for, reload_flushed_data

pytestmark = pytest.mark.browser


@pytest.fixture
def festival(live_server):
    reload_flushed_data(["ID", "DE"])
    bandung = government("Bandung", "ID")
    braunschweig = government("Braunschweig", "DE")
    user = office_member("siti", bandung)
    p = partnership_services.create_partnership(user, bandung, braunschweig, fields=["culture"])
    start = (dt.datetime.now(dt.UTC) + dt.timedelta(days=30)).replace(second=0, microsecond=0)
    activity = services.create_activity(
        user,
        p,
        title="Bandung Culture Week",
        type="cultural_event",
        field="culture",
        host=bandung,
        start=start,
        end=start + dt.timedelta(hours=3),
        public=True,
    )
    return {"user": user, "password": password_for("siti"), "activity": activity}


def test_officer_postpones_an_event_and_the_portal_marks_it(live_server, browser, festival):
    context, page, watch = open_page(browser, live_server)
    expect = sync_api.expect
    main = page.locator("main")
    try:
        log_in(page, live_server, festival["user"].username, festival["password"])

        page.goto(live_server.url + festival["activity"].get_absolute_url())
        expect(page.locator("main h1")).to_have_text("Bandung Culture Week")
        main.get_by_role("link", name="Postpone").click()
        main.get_by_label("Reason").fill("The venue is being renovated.")
        main.get_by_label("New date to be decided").check()
        main.get_by_role("button", name="Postpone").click()

        expect(page).to_have_url(re.compile(r"/activities/\d+/$"))
        expect(page.locator("main .message.success")).to_contain_text("Postponement recorded")
        expect(page.locator("main .changes")).to_contain_text("The venue is being renovated.")

        # The public portal, logged out: the event is there, marked postponed.
        page.locator("header form.inline button").click()
        go_to(page, "Programmes", "Events and calls")
        event = page.locator("main .event", has_text="Bandung Culture Week")
        expect(event).to_have_count(1)
        expect(event.locator(".mark-postponed")).to_have_text("Postponed — new date to be decided")
        expect(page.locator("header .who")).to_have_count(0)
        assert watch.errors == []
    finally:
        context.close()


def test_a_visitor_filters_the_portal_by_a_city_picked_in_the_autocomplete(live_server, browser, festival):
    """The portal's city filter is a search box with suggestions (no select of every government):
    typing part of a name offers the governments of public partnerships; picking one and
    filtering shows that city's events and its calendar feed; typing again forgets the pick."""
    braunschweig = government("Braunschweig", "DE")
    context, page, watch = open_page(browser, live_server)
    expect = sync_api.expect
    try:
        page.goto(live_server.url + "/events/")
        assert page.locator("main select#id_city").count() == 0
        box = page.locator("main #id_city")
        with page.expect_response(re.compile(r"/partnerships/governments/suggestions/\?.*city_q=")) as answer:
            box.fill("Braun")
        assert answer.value.status == 200
        pick = page.locator(f'main .suggestions-box button[data-pick="{braunschweig.pk}"]')
        expect(pick).to_contain_text("Braunschweig")
        expect(pick).to_contain_text("Germany")
        pick.click()
        expect(box).to_have_value("Braunschweig, DE")
        expect(page.locator('main input[type=hidden][name="city"]')).to_have_value(str(braunschweig.pk))
        expect(page.locator("main .suggestions-box")).to_be_empty()

        page.locator("main").get_by_role("button", name="Filter").click()
        expect(page).to_have_url(re.compile(rf"[?&]city={braunschweig.pk}(&|$)"))
        expect(page.locator("main .event", has_text="Bandung Culture Week")).to_have_count(1)
        expect(page.locator("main")).to_contain_text("Subscribe to the calendar of Braunschweig")
        expect(page.locator("main #id_city")).to_have_value("Braunschweig, DE")

        # Typing again forgets the picked city: the text is what counts now.
        page.locator("main #id_city").fill("Bandu")
        expect(page.locator('main input[type=hidden][name="city"]')).to_have_value("")
        assert watch.errors == []
    finally:
        context.close()


def test_on_a_phone_the_portals_filters_line_up(live_server, browser, festival):
    """At 390 px the city's search box is as wide as the other filters, each on its own line,
    and the page does not scroll sideways; on a laptop the filters stay in one row."""
    for viewport, stacked in (({"width": 390, "height": 844}, True), ({"width": 1366, "height": 768}, False)):
        context, page, watch = open_page(browser, live_server, viewport=viewport)
        try:
            page.goto(live_server.url + "/events/")
            boxes = {
                name: page.locator(f"main #id_{name}").bounding_box() for name in ("city", "country", "field", "month")
            }
            if stacked:
                widths = {round(b["width"]) for b in boxes.values()}
                lefts = {round(b["x"]) for b in boxes.values()}
                assert len(widths) == 1 and len(lefts) == 1, boxes
                assert boxes["city"]["width"] > 300
            else:
                tops = [b["y"] for b in boxes.values()]
                assert max(tops) - min(tops) < 10, boxes  # one row (aligned at the bottom)
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
            assert watch.errors == []
        finally:
            context.close()
