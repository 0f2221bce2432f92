"""The harness of the end-to-end tests in real Chromium, loaded as a pytest plugin by
tests/conftest.py: the `browser` and `officer` fixtures, and `open_page`, `log_in`, `go_to`, `PageWatch`.

Uses the Debian Chromium at /usr/bin/chromium (never a downloaded browser). Without it, or
without the playwright package, every test that asks for `browser` is skipped.

A browser test module marks itself `pytestmark = pytest.mark.browser` and imports what it uses
from here: `from tests.support.browser import log_in, open_page, sync_api`.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

# Sync Playwright runs an event loop in this thread; Django refuses ORM calls from a thread with a
# running loop unless told it is safe (it is: the test's own queries never run concurrently).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

try:
    from playwright import sync_api
except ImportError:  # the browser fixture skips
    sync_api = None

from tests.support.builders import government, office_member, password_for, reload_flushed_data  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium, one per test process (each test opens its own context: `open_page`)."""
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}; the browser test needs the Debian chromium package")
    if sync_api is None:
        pytest.skip("the playwright package is not installed")
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
    context_options.setdefault("viewport", {"width": 1280, "height": 900})
    context = browser.new_context(locale="en-GB", **context_options)
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


def go_to(page, group: str, link: str) -> None:
    """Through the header's menu: the Menu button on a narrow screen, then the group, then the link."""
    header = page.locator("header")
    button = header.locator(".menu-button")
    if button.is_visible():
        button.click()
    header.locator("nav summary", has_text=group).click()
    header.locator("nav").get_by_role("link", name=link, exact=True).click()


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
        # A script's request cut short on purpose (a newer keystroke, or the form submitted and the
        # page left) is aborted by the browser, not failed by the server.
        if request.resource_type in ("fetch", "xhr") and request.failure == "net::ERR_ABORTED":
            return
        # The browser's own look for the tab's icon, cut short when the page is left (a download,
        # going back) before it came: the icon is not the page's.
        if "favicon" in urlsplit(request.url).path and request.failure == "net::ERR_ABORTED":
            return
        if self._own(request.url):
            self.errors.append(f"request failed: {request.method} {request.url} {request.failure}")


@pytest.fixture
def officer(live_server):
    """Bandung's cooperation office and one of its editors, in the flushed live-server database."""
    reload_flushed_data(["ID", "JP"])
    bandung = government("Bandung", "ID")
    user = office_member("siti", bandung)
    return {"user": user, "password": password_for("siti"), "government": bandung}
