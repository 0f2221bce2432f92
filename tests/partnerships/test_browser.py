"""End to end in real Chromium: a cooperation officer in Bandung records a new partnership.

Logs in through the login form, opens "New partnership", finds the partner by typing its name
in Japanese script into the htmx place search, picks it, ticks a field of cooperation and
saves; then checks the detail page (message, map drawn by Leaflet), the partnership list, and
switching the interface to Bahasa Indonesia with the header's language select. Throughout, the
page must log no JavaScript error and every static file must load.

The harness (Debian Chromium, `browser`, `officer`, `open_page`) is tests/support/browser.py.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from kembar.partnerships.models import Partnership
from kembar.partnerships.services import create_partnership, government_for_place
from tests.support.browser import go_to, open_page, sync_api
from tests.support.builders import city

pytestmark = pytest.mark.browser


def test_officer_records_partnership_found_by_japanese_name(live_server, browser, officer):
    kyoto = city("Kyoto", "JP")
    context, page, watch = open_page(browser, live_server)
    expect = sync_api.expect
    try:
        # The dashboard, as a visitor; the static files are served and the page is in English.
        page.goto(live_server.url + "/")
        expect(page.locator("html")).to_have_attribute("lang", "en")

        # Log in through the form (scoped to main: the header's language form has a submit button too).
        page.locator("header").get_by_role("link", name="Log in").click()
        main = page.locator("main")
        main.locator("#id_username").fill(officer["user"].username)
        main.locator("#id_password").fill(officer["password"])
        main.locator("button[type=submit]").click()
        expect(page.locator("header .who")).to_have_text(officer["user"].username)

        # From the partnership list to the form.
        go_to(page, "Partnerships", "Partnerships")
        expect(page.locator("main h1")).to_have_text("Partnerships")
        main.get_by_role("link", name="New partnership").click()
        expect(page.locator("main h1")).to_have_text("New partnership")
        expect(page.locator("#id_government option:checked")).to_contain_text("Bandung")

        # Type the partner's name in Japanese; htmx fetches the suggestions; pick the city of Kyoto.
        with page.expect_response(re.compile(r"/places/.*\?.*q=")) as suggestions:
            page.locator("#partner-search").fill("京都市")
        assert suggestions.value.status == 200
        pick = page.locator(f'.suggestions-box button[data-pick="{kyoto.pk}"]')
        expect(pick).to_contain_text("Kyoto")
        expect(pick).to_contain_text("Japan")
        pick.click()
        expect(page.locator("[data-picked]")).to_have_text("Kyoto, Japan")
        expect(page.locator("#id_partner_place")).to_have_value(str(kyoto.pk))
        expect(page.locator(".suggestions-box")).to_be_empty()

        main.get_by_label("Culture", exact=True).check()
        main.get_by_role("button", name="Create partnership").click()

        # The detail page, with the success message and the map drawn.
        expect(page).to_have_url(re.compile(r"/partnerships/\d+/$"))
        expect(page.locator("main .message.success")).to_contain_text("Bandung – Kyoto")
        expect(page.locator("main h1")).to_have_text("Bandung – Kyoto")
        expect(page.locator("main .facts")).to_contain_text("Culture")
        expect(page.locator("#map .leaflet-interactive").first).to_be_attached()
        assert page.locator("#map .leaflet-interactive").count() >= 3  # two partners and the line
        # No tile server in tests: the bundled world outline is drawn under them, offline.
        expect(page.locator("#map")).to_have_attribute("data-outline-drawn", "1")
        assert page.locator("#map path:not(.leaflet-interactive)").count() >= 1
        detail_url = page.url

        partnership = Partnership.objects.get()
        assert {partnership.government_a_id, partnership.government_b_id} == {
            officer["government"].pk,
            government_for_place(kyoto).pk,
        }
        assert [f.code for f in partnership.fields.all()] == ["culture"]

        # The list shows it.
        go_to(page, "Partnerships", "Partnerships")
        row = page.locator("main table tbody tr")
        expect(row).to_have_count(1)
        expect(row.get_by_role("link", name="Bandung – Kyoto")).to_have_attribute("href", urlsplit(detail_url).path)

        # Switch to Bahasa Indonesia: the select submits itself (app.js), the page comes back translated.
        expect(page.locator(".lang button[type=submit]")).to_be_hidden()
        with page.expect_navigation():
            page.locator("#language").select_option("id")
        expect(page.locator("html")).to_have_attribute("lang", "id")
        expect(page).to_have_url(re.compile(r"/partnerships/$"))

        for path in [
            "/static/kembar/app.js",
            "/static/kembar/kembar.css",
            "/static/vendor/htmx/htmx.min.js",
            "/static/vendor/leaflet/leaflet.js",
            "/static/vendor/leaflet/leaflet.css",
            "/static/vendor/topojson-client/topojson-client.min.js",
            "/static/vendor/world-atlas/countries-110m.json",
        ]:
            assert watch.static.get(path) == 200, f"{path}: {watch.static.get(path, 'not requested')}"
        assert watch.errors == []

        expect(page.locator("header nav")).to_contain_text("Kemitraan")
        expect(page.locator("main h1")).to_have_text("Kemitraan")

        # On a phone each partnership is a card, its columns named; nothing scrolls sideways.
        page.set_viewport_size({"width": 390, "height": 800})
        row = page.locator("main table.cards tbody tr").first
        expect(row.locator("td[data-label=Sejak]")).to_be_visible()
        expect(page.locator("main table.cards thead")).to_be_hidden()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert page.locator("main table.cards").evaluate("t => t.scrollWidth <= t.clientWidth")
    finally:
        context.close()


def test_a_government_name_on_the_map_is_shown_as_text_not_markup(live_server, browser, officer):
    """A name holding HTML (from the API or an import) is drawn as its characters in the map's
    tooltip on a public page; it never becomes an element of the page."""
    hostile = city("Kyoto", "JP")
    partner = government_for_place(hostile)
    partner.name = '<img src="x" id="injected"><b>Kyoto</b>'
    partner.save()
    create_partnership(officer["user"], officer["government"], partner, public=True)
    partnership = Partnership.objects.get()
    context, page, watch = open_page(browser, live_server)
    expect = sync_api.expect
    try:
        page.goto(live_server.url + partnership.get_absolute_url())
        markers = page.locator("#map path.leaflet-interactive")
        expect(markers.first).to_be_attached()
        tooltip = page.locator(".leaflet-tooltip")
        for i in range(markers.count()):
            markers.nth(i).hover(force=True)
            if tooltip.count() and "Kyoto" in tooltip.first.inner_text():
                break
        expect(tooltip.first).to_have_text('<img src="x" id="injected"><b>Kyoto</b>, JP')
        assert page.locator("#injected").count() == 0
        assert page.locator(".leaflet-tooltip b").count() == 0
    finally:
        context.close()
