"""End to end in real Chromium: Bandung's officer postpones an event; the public portal marks it."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from kembar.activities import services
from kembar.partnerships import services as partnership_services
from tests.support.browser import log_in, open_page, sync_api
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
        page.locator("header nav").get_by_role("link", name="Events and calls").click()
        event = page.locator("main .event", has_text="Bandung Culture Week")
        expect(event).to_have_count(1)
        expect(event.locator(".mark-postponed")).to_have_text("Postponed — new date to be decided")
        expect(page.locator("header .who")).to_have_count(0)
        assert watch.errors == []
    finally:
        context.close()
