"""End to end in real Chromium: a cooperation officer in Bandung records a new partnership.

Logs in through the login form, opens "New partnership", finds the partner by typing its name
in Japanese script into the htmx place search, picks it, ticks a field of cooperation and
saves; then checks the detail page (message, map drawn by Leaflet), the partnership list, and
switching the interface to Bahasa Indonesia with the header's language select. Throughout, the
page must log no JavaScript error and every static file must load.

Uses the Debian Chromium at /usr/bin/chromium (never a downloaded browser).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

# Sync Playwright runs an event loop in this thread; Django refuses ORM calls from a thread with a
# running loop unless told it is safe (it is: the test's own queries never run concurrently).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(
        f"Chromium not found at {CHROMIUM}; the browser test needs the Debian chromium package", allow_module_level=True
    )
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

from kembar.accounts.models import Membership, Organisation  # noqa: E402
from kembar.gazetteer.models import Place  # noqa: E402
from kembar.gazetteer.services import load_gazetteer  # noqa: E402
from kembar.partnerships.models import CooperationField, Partnership  # noqa: E402
from kembar.partnerships.services import government_for_place  # noqa: E402
from kembar.partnerships.vocab import Field  # noqa: E402

from .conftest import city, make_user  # noqa: E402

pytestmark = pytest.mark.browser

TIMEOUT_MS = 10_000


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


def open_page(browser, live_server, **context_options):
    """A page in a new English context with the suite's timeouts, and what watches it for errors."""
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900}, **context_options)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    sync_api.expect.set_options(timeout=TIMEOUT_MS)
    return context, page, PageWatch(page, live_server.url)


def log_in(page, live_server, username: str, password: str) -> None:
    """Through the login form, until the header names the user."""
    page.goto(live_server.url + "/accounts/login/")
    main = page.locator("main")
    main.locator("#id_username").fill(username)
    main.locator("#id_password").fill(password)
    main.locator("button[type=submit]").click()
    sync_api.expect(page.locator("header .who")).to_have_text(username)


class PageWatch:
    """What went wrong in the page: console errors, uncaught exceptions, failed own requests."""

    def __init__(self, page, base_url: str):
        self.own_host = urlsplit(base_url).netloc
        self.errors: list[str] = []
        self.static: dict[str, int] = {}
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"uncaught: {exc}"))
        page.on("response", self._response)
        page.on("requestfailed", self._failed)

    def _own(self, url: str) -> bool:
        return urlsplit(url).netloc == self.own_host

    def _console(self, message) -> None:
        if message.type != "error":
            return
        url = (message.location or {}).get("url", "")
        # A resource that failed to load on another host (map tiles, say) is not the page's fault.
        if message.text.startswith("Failed to load resource") and url and not self._own(url):
            return
        self.errors.append(f"console: {message.text} ({url})")

    def _response(self, response) -> None:
        path = urlsplit(response.url).path
        if self._own(response.url) and path.startswith("/static/"):
            self.static[path] = response.status

    def _failed(self, request) -> None:
        if self._own(request.url):
            self.errors.append(f"request failed: {request.method} {request.url} {request.failure}")


@pytest.fixture
def officer(live_server):
    """Bandung's cooperation office and one of its editors, in the flushed live-server database."""
    # Transactional tests flush the database after they run, rows seeded by migrations included:
    # the session's gazetteer slice and the fields of cooperation are there only if no such test
    # ran before this one.
    if not (Place.objects.filter(country_code="ID").exists() and Place.objects.filter(country_code="JP").exists()):
        load_gazetteer(countries=["ID", "JP"], progress=False)
    for code in Field.values:
        CooperationField.objects.get_or_create(code=code)
    bandung = government_for_place(city("Bandung", "ID"))
    office = Organisation.objects.create(name="Bagian Kerja Sama Kota Bandung", local_government=bandung)
    user = make_user("siti", office, Membership.Role.EDITOR)
    return {"user": user, "password": "pw-siti-123", "government": bandung}


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
        page.locator("header nav").get_by_role("link", name="Partnerships").click()
        expect(page.locator("main h1")).to_have_text("Partnerships")
        main.get_by_role("link", name="New partnership").click()
        expect(page.locator("main h1")).to_have_text("New partnership")
        expect(page.locator("#id_government option:checked")).to_contain_text("Bandung")

        # Type the partner's name in Japanese; htmx fetches the suggestions; pick the city of Kyoto.
        with page.expect_response(re.compile(r"/places/.*\?.*q=")) as suggestions:
            page.locator("#partner-search").fill("京都市")
        assert suggestions.value.status == 200
        pick = page.locator(f'.suggestions-box button[data-pick-place="{kyoto.pk}"]')
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
        page.locator("header nav").get_by_role("link", name="Partnerships").click()
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
    finally:
        context.close()
