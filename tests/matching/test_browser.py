"""In real Chromium: find partners for Bandung from its page, and open one suggestion."""

from __future__ import annotations

import re

import pytest

from kembar.matching import services
from kembar.partnerships.models import Partnership
from tests.support.browser import open_page, sync_api
from tests.support.builders import government, reload_flushed_data

pytestmark = pytest.mark.browser

LINKS = [
    ("Bandung", "Kyoto"),
    ("Bandung", "Osaka"),
    ("Surabaya", "Kochi"),
    ("Surabaya", "Kyoto"),
    ("Medan", "Kochi"),
    ("Medan", "Osaka"),
    ("Semarang", "Kochi"),
    ("Semarang", "Nagoya"),
    ("Makassar", "Nagoya"),
    ("Makassar", "Kyoto"),
    ("Malang", "Nagoya"),
    ("Malang", "Sapporo"),
    ("Bogor", "Sapporo"),
    ("Bogor", "Osaka"),
    ("Padang", "Sapporo"),
    ("Padang", "Kochi"),
    ("Denpasar", "Nagoya"),
    ("Denpasar", "Kyoto"),
    ("Palembang", "Sapporo"),
    ("Palembang", "Osaka"),
    ("Depok", "Kochi"),
    ("Depok", "Sendai"),
    ("Tangerang", "Sendai"),
    ("Bekasi", "Sendai"),
]


@pytest.fixture
def bandung_with_model(live_server, settings, tmp_path):
    reload_flushed_data(["ID", "JP"], fields=False)
    for a, b in LINKS:
        ga, gb = government(a, "ID"), government(b, "JP")
        lo, hi = sorted([ga, gb], key=lambda g: g.pk)
        Partnership.objects.get_or_create(government_a=lo, government_b=hi)
    settings.MATCHING_MODEL_PATH = str(tmp_path / "model.pkl")
    services.save_model(services.build_model())
    return government("Bandung", "ID")


def test_find_partners_for_bandung_and_open_one(live_server, browser, bandung_with_model):
    context, page, watch = open_page(browser, live_server)
    expect = sync_api.expect
    try:
        page.goto(live_server.url + bandung_with_model.get_absolute_url())
        page.locator("main").get_by_role("link", name="Find partners").click()
        expect(page.locator("main h1")).to_have_text("Find partners for Bandung")
        suggestions = page.locator("li.suggestion")
        expect(suggestions.first).to_be_visible()
        assert suggestions.count() == 20
        # The cards fill the width in columns, read row by row (not one narrow column).
        first_box, second_box = suggestions.nth(0).bounding_box(), suggestions.nth(1).bounding_box()
        assert second_box["x"] > first_box["x"] + first_box["width"] and second_box["y"] == first_box["y"]
        text = page.locator("ol.partner-suggestions").inner_text()
        assert "Kyoto" not in text.split("\n")[0] and "Osaka" not in text  # partners are never suggested
        assert "twinned with" in text  # each suggestion says why
        # What every card (or every card of a country) would repeat is said once, above them.
        shared = page.locator("section.shared-reasons").inner_text()
        assert "shared office hours" in shared and "shared office hours" not in text
        # Japan only: choosing it fills the region list with Japan's prefectures before any
        # filtering; then open the first suggestion that has a government page.
        page.locator("#id_country").select_option("JP")
        expect(page.locator("#id_region option", has_text="Kyoto")).to_have_count(1)
        assert page.locator("li.suggestion").count() == 20  # not filtered yet
        page.locator("main form.filters button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"country=JP"))
        first = page.locator("li.suggestion a").first
        name = first.inner_text()
        first.click()
        expect(page.locator("main h1")).to_have_text(name)
        assert watch.errors == []
    finally:
        context.close()
