"""End to end in real Chromium: Bandung's officer opens the health overview (worst first, the
sleeping partnership flagged, its next step), then the world map, where Leaflet draws one
canvas line per partnership on the offline world outline; no JavaScript error on the way."""

from __future__ import annotations

import datetime as dt

import pytest

from kembar.activities import services as activities
from kembar.partnerships import services
from tests.support.browser import go_to, log_in, open_page, sync_api
from tests.support.builders import government, office_member, password_for, reload_flushed_data

pytestmark = pytest.mark.browser


@pytest.fixture
def office(live_server):
    reload_flushed_data(["ID", "JP", "DE"])
    bandung = government("Bandung", "ID")
    user = office_member("siti", bandung)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    lively = services.create_partnership(user, bandung, government("Kyoto", "JP"))
    asleep = services.create_partnership(user, bandung, government("Braunschweig", "DE"))
    for days, host in ((20, lively.government_b), (60, lively.government_a)):
        activities.create_activity(
            user,
            lively,
            title="Exchange",
            type="work_visit",
            host=host,
            status="held",
            start=now - dt.timedelta(days=days),
            end=now - dt.timedelta(days=days - 1),
        )
    activities.create_activity(
        user,
        asleep,
        title="Old visit",
        type="work_visit",
        host=bandung,
        status="held",
        start=now - dt.timedelta(days=1200),
        end=now - dt.timedelta(days=1199),
    )
    return {"user": user, "password": password_for("siti"), "bandung": bandung, "lively": lively, "asleep": asleep}


def test_officer_sees_the_sleeping_partnership_and_the_map_lines(live_server, browser, office):
    context, page, watch = open_page(browser, live_server)
    expect = sync_api.expect
    try:
        log_in(page, live_server, office["user"].username, office["password"])
        main = page.locator("main")

        go_to(page, "Insights", "Partnership health")
        expect(page.locator("main h1")).to_have_text("Partnership health")
        rows = page.locator("main table.health-table tbody tr")
        expect(rows).to_have_count(2)
        worst = rows.nth(0)
        expect(worst).to_contain_text("Braunschweig")
        expect(worst.locator("[data-dormant]")).to_have_count(1)
        expect(worst.locator("[data-next-step]")).to_contain_text("look for a meeting slot")
        expect(rows.nth(1).locator("[data-dormant]")).to_have_count(0)

        main.get_by_role("link", name="World map").click()
        the_map = page.locator("[data-health-map]")
        expect(the_map).to_have_attribute("data-lines", "2")  # set once the lines are drawn
        expect(the_map.locator("canvas")).not_to_have_count(0)
        expect(the_map).to_have_attribute("data-outline-drawn", "1")  # the offline world outline
        assert watch.errors == []
    finally:
        context.close()
