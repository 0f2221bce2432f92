"""End to end in real Chromium: Bandung's officer posts a need, finds a partner's solution
among the matches and starts a pilot of it. The harness is tests/support/browser.py."""

from __future__ import annotations

import re

import pytest

from kembar.partnerships.services import create_partnership
from kembar.solutions import services
from kembar.solutions.models import Need, Pilot
from tests.support.browser import open_page, sync_api
from tests.support.builders import government, make_user, office_member, password_for, reload_flushed_data

pytestmark = pytest.mark.browser


@pytest.fixture
def bandung_and_partner(live_server):
    reload_flushed_data(["ID", "DE"])
    bandung = government("Bandung", "ID")
    braunschweig = government("Braunschweig", "DE")
    admin = make_user("root", is_superuser=True)
    create_partnership(admin, bandung, braunschweig)
    flood = services.create_solution(
        admin,
        braunschweig,
        title="Flood early warning",
        summary="River level sensors send SMS warnings to residents before floods.",
        problem="Rivers flood after heavy rain.",
        fields=["disaster"],
        sdg_targets=["11.5"],
        maturity="in_use",
    )
    user = office_member("dewi", bandung)
    return {"user": user, "password": password_for("dewi"), "bandung": bandung, "flood": flood}


def test_officer_posts_a_need_finds_a_partners_solution_and_starts_a_pilot(live_server, browser, bandung_and_partner):
    context, page, watch = open_page(browser, live_server)
    expect = sync_api.expect
    try:
        page.goto(live_server.url + "/accounts/login/?next=/solutions/needs/")
        main = page.locator("main")
        main.locator("#id_username").fill("dewi")
        main.locator("#id_password").fill(bandung_and_partner["password"])
        main.locator("button[type=submit]").click()
        expect(page.locator("main h1")).to_have_text("Needs")

        # Post a need, in Bahasa Indonesia.
        main.get_by_role("link", name="State a need").click()
        main.get_by_label("Title").fill("Sistem peringatan dini banjir")
        main.get_by_label("Description").fill(
            "Sungai meluap saat hujan deras; warga perlu peringatan dini banjir lewat pesan singkat."
        )
        main.get_by_label("Disaster management").check()
        main.locator('input[name=sdg_targets][value="11.5"]').check()
        main.get_by_role("button", name="Save").click()
        expect(page).to_have_url(re.compile(r"/solutions/needs/\d+/$"))
        expect(page.locator("main h1")).to_have_text("Sistem peringatan dini banjir")

        # The partner's solution is the best match, with its reasons.
        matches = page.locator("#matches ol.fits").first
        expect(matches).to_contain_text("Flood early warning")
        expect(matches).to_contain_text("both target SDG 11.5")
        expect(matches).to_contain_text("same field: Disaster management")
        matches.get_by_role("link", name="Flood early warning").click()
        expect(page.locator("main h1")).to_have_text("Flood early warning")

        # Start a pilot for the need.
        main.get_by_label("For our need").select_option(label="Sistem peringatan dini banjir")
        main.get_by_role("button", name="Express interest and start a pilot").click()
        expect(page).to_have_url(re.compile(r"/solutions/pilots/\d+/$"))
        expect(page.locator("main h1")).to_contain_text("Flood early warning")
        expect(page.locator("main")).to_contain_text("Interest expressed")

        # A first milestone.
        main.get_by_label("Milestone").fill("Sensors on the Cikapundung")
        main.get_by_label("Due").fill("2026-06-30")
        main.get_by_role("button", name="Add", exact=True).click()
        expect(page.locator("main .milestones")).to_contain_text("Sensors on the Cikapundung")

        pilot = Pilot.objects.get()
        assert (pilot.government, pilot.need, pilot.solution) == (
            bandung_and_partner["bandung"],
            Need.objects.get(),
            bandung_and_partner["flood"],
        )
        assert watch.errors == []
    finally:
        context.close()
