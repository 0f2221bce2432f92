"""A plan of action end to end in real Chromium: Bandung's editor opens the Bandung–Fort Worth plan,
adds an objective and a target, links a held activity and sees the progress; adds a budget line
of the partner city in USD and sees it converted with the rate named; Fort Worth's editor adds
what its side carries and cannot edit Bandung's objective; Surabaya's editor gets a 404.
"""

from __future__ import annotations

import datetime as dt
import urllib.request
from decimal import Decimal

import pytest

from kembar.partnerships import services as registry
from kembar.plans import services as plans
from tests.support.browser import log_in, open_page, sync_api
from tests.support.builders import (
    government,
    held_activity,
    make_office,
    make_user,
    office_member,
    password_for,
    reload_flushed_data,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def partners(live_server):
    """Bandung–Fort Worth (not public) with a held work visit and an empty plan 2025–2027; a rate
    USD→IDR; Fort Worth's office has an editor, Jane; Surabaya's an editor, Budi."""
    reload_flushed_data(["ID"], us_cities=True, fields=False)
    bandung, fort_worth = government("Bandung", "ID"), government("Fort Worth", "US")
    siti = office_member("siti", bandung)
    make_user("jane", make_office("Fort Worth Sister Cities", fort_worth))
    make_user("budi", make_office("Bagian Kerja Sama Kota Surabaya", government("Surabaya", "ID")))
    partnership = registry.create_partnership(siti, bandung, fort_worth, public=False)
    held_activity(siti, partnership, bandung, dt.datetime(2026, 3, 2, 3, tzinfo=dt.UTC), participants_a=12)
    plans.set_rate("USD", "IDR", Decimal("16700"), dt.date(2026, 1, 1))
    plan = plans.create_plan(siti, partnership, title="Plan of Action 2025–2027", first_year=2025, last_year=2027)
    with urllib.request.urlopen(live_server.url + "/accounts/login/", timeout=120) as warm_up:
        assert warm_up.status == 200
    return plan


def test_both_partners_work_on_the_plan_and_surabaya_sees_nothing(live_server, browser, partners):
    expect = sync_api.expect
    url = live_server.url + partners.get_absolute_url()

    context, page, watch = open_page(browser, live_server)
    main = page.locator("main")
    try:
        log_in(page, live_server, "siti", password_for("siti"))
        page.goto(url)
        expect(main.locator("h1")).to_have_text("Plan of Action 2025–2027")
        # An objective led by Bandung, then a target under it.
        objective = main.locator("form[action$='/objectives/']")
        objective.locator("[name=side]").select_option(label="Bandung")
        objective.locator("[name=title]").fill("Keep the exchange alive")
        objective.get_by_role("button", name="Add").click()
        section = main.locator("section.objective", has_text="Keep the exchange alive")
        section.locator("summary", has_text="Add a target").click()
        target = section.locator("form[action$='/targets/']")
        target.locator("[name=title]").fill("Two visits held")
        target.locator("[name=indicator]").select_option("activities_held")
        target.locator("[name=target_value]").fill("2")
        target.get_by_role("button", name="Add").click()
        # Link the held visit on the target's page: the plan shows half of the target achieved.
        main.get_by_role("link", name="Two visits held").click()
        link = main.locator("form[action$='/links/']")
        link.locator("[name=record]").select_option(label="Held 2026-03-02 (Held)")
        link.get_by_role("button", name="Link").click()
        expect(main.locator("ul.card")).to_contain_text("Held 2026-03-02")
        page.goto(url)
        row = main.locator("table.targets tr", has_text="Two visits held")
        expect(row).to_contain_text("50%")
        expect(main.locator("h1 + p")).to_contain_text("Progress: 50%")
        # A budget line of the partner city in USD: converted to IDR with the rate named.
        main.locator("summary", has_text="Add a budget line").click()
        line = main.locator("form[action$='/budget/']")
        line.locator("[name=side]").select_option(label="Bandung")
        line.locator("[name=funder]").select_option("partner_city")
        line.locator("[name=amount]").fill("1000")
        line.locator("[name=currency]").fill("USD")
        line.locator("[name=on]").fill("2026-02-01")
        line.get_by_role("button", name="Add").click()
        lines = main.locator("table.money-lines").first
        expect(lines).to_contain_text("1,000.00 USD")
        expect(lines).to_contain_text("16,700,000.00")
        expect(lines).to_contain_text("1 USD = 16,700 IDR")
        # On a phone the targets and the money lines are cards: nothing hidden in a sideways scroll.
        page.set_viewport_size({"width": 390, "height": 844})
        for table in (main.locator("table.targets").first, lines):
            assert table.evaluate("t => t.scrollWidth <= t.clientWidth")
        progress = main.locator("table.targets tr", has_text="Two visits held").locator("td", has_text="50%")
        assert progress.evaluate("td => getComputedStyle(td, '::before').content") == '"Progress: "'
        assert progress.bounding_box()["x"] + progress.bounding_box()["width"] <= 390
        assert watch.errors == []
    finally:
        context.close()

    # Fort Worth's editor adds an objective its side leads; Bandung's objective is not theirs to edit.
    context, page, watch = open_page(browser, live_server)
    main = page.locator("main")
    try:
        log_in(page, live_server, "jane", password_for("jane"))
        page.goto(url)
        bandungs = main.locator("section.objective", has_text="Keep the exchange alive")
        expect(bandungs.get_by_role("link", name="Edit")).to_have_count(0)
        expect(bandungs.locator("summary", has_text="Add a target")).to_have_count(0)
        objective = main.locator("form[action$='/objectives/']")
        expect(objective.locator("[name=side] option")).to_have_text(["Fort Worth"])
        objective.locator("[name=title]").fill("Share smart-city practice")
        objective.get_by_role("button", name="Add").click()
        mine = main.locator("section.objective", has_text="Share smart-city practice")
        expect(mine).to_contain_text("Led by Fort Worth")
        expect(mine.get_by_role("link", name="Edit")).to_have_count(1)
        assert watch.errors == []
    finally:
        context.close()

    # Surabaya's editor: the partnership is not theirs and not public.
    context, page, _watch = open_page(browser, live_server)
    try:
        log_in(page, live_server, "budi", password_for("budi"))
        response = page.goto(url)
        assert response is not None and response.status == 404
    finally:
        context.close()
