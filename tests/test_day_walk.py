"""An officer's day in real Chromium, per role, in both languages, on a laptop and a phone.

Bandung's office runs a partnership with Fort Worth: a Letter of Intent at its first stage, a
student exchange from 1 to 14 March 2027 hosted in Fort Worth, a festival every two years, a
workshop postponed to a date still open, and a virtual meeting. Bandung's office editor, its
viewer, the ministry (oversight) and an anonymous visitor each walk what they can reach of the
day: dashboard → partnership → agreement → activities → meeting (the editor also types a
meeting's start in Bandung's time and reads both sides' times) → find partners → report; the
visitor the public pages (events portal, public partnership, insights).

Every page, in Bahasa Indonesia and in English, at 1366 px and 390 px: no answer (the page or
what it fetches) is a 5xx, nothing scrolls sideways, no string of the other language
(tests/support/languages.py), and the thing the page is for is on it. A failure names the
role, language, width and page; all cases of a role are walked before the test fails.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from kembar.accounts.models import Membership, Organisation
from kembar.activities import services as activities
from kembar.agreements import services as agreements
from kembar.agreements.models import ProcedureTemplate, TemplateStage
from kembar.agreements.procedures import install
from kembar.partnerships.services import create_partnership
from tests.support.browser import TIMEOUT_MS, sync_api
from tests.support.builders import BANDUNG_OFFICE, government, make_office, make_user, reload_flushed_data
from tests.support.languages import leaks
from tests.support.worlds.meetings import new_meeting

pytestmark = pytest.mark.browser
UTC = dt.UTC
LANGUAGES = ("id", "en")
WIDTHS = (1366, 390)
ROLES = ("bandung_editor", "bandung_viewer", "oversight", "anonymous")
# What a page shows whichever the language: titles, names, dates ("Mar" in both).
EXCHANGE_SPAN = "1–14 Mar 2027"


@dataclass
class Day:
    users: dict
    partnership: object
    bandung: object
    agreement: object
    exchange: object
    festival: object
    workshop: object
    meeting: object


@pytest.fixture
def day(live_server) -> Day:
    reload_flushed_data(["ID"], us_cities=True)
    install(ProcedureTemplate, TemplateStage)  # a transactional test before this one flushed them
    bandung, fort_worth = government("Bandung", "ID"), government("Fort Worth", "US")
    office = make_office(BANDUNG_OFFICE, bandung)
    users = {
        "bandung_editor": make_user("bandung_editor", office),
        "bandung_viewer": make_user("bandung_viewer", office, Membership.Role.VIEWER),
        "oversight": make_user(
            "oversight",
            make_office("Kemendagri", kind=Organisation.Kind.OVERSIGHT, party="kemendagri", country_code="ID"),
            Membership.Role.VIEWER,
        ),
    }
    editor = users["bandung_editor"]
    p = create_partnership(
        editor, bandung, fort_worth, kind="sister_city", status="active", public=True, fields=["education"]
    )
    agreement = agreements.create_agreement(editor, p, title="LoI Bandung–Fort Worth")
    agreement = agreements.advance(editor, agreement)  # its first stage in progress
    common = {"type": "cultural_event", "field": "education", "public": True}
    # 1 March 09:00 CST to 14 March 17:00 CDT in Fort Worth (daylight saving starts on the 14th).
    exchange = activities.create_activity(
        editor,
        p,
        **common,
        title="Fort Worth student exchange 2027",
        host=fort_worth,
        start=dt.datetime(2027, 3, 1, 15, tzinfo=UTC),
        end=dt.datetime(2027, 3, 14, 22, tzinfo=UTC),
    )
    festival = activities.create_activity(
        editor,
        p,
        **common,
        title="Bandung–Fort Worth festival",
        host=bandung,
        start=dt.datetime(2027, 5, 1, 2, tzinfo=UTC),
        end=dt.datetime(2027, 5, 1, 10, tzinfo=UTC),
        recurrence="FREQ=YEARLY;INTERVAL=2;COUNT=5",
    )
    workshop = activities.create_activity(
        editor,
        p,
        **common,
        title="Traffic data workshop",
        host=bandung,
        start=dt.datetime(2027, 2, 10, 2, tzinfo=UTC),
        end=dt.datetime(2027, 2, 10, 6, tzinfo=UTC),
    )
    workshop = activities.postpone(editor, workshop, reason="Flooding in Bandung")
    meeting = new_meeting(editor, p)
    return Day(users, p, bandung, agreement, exchange, festival, workshop, meeting)


@dataclass
class Stop:
    """A page of the walk and what must be on it (in its <main>)."""

    name: str
    url: str
    shows: list[str] = field(default_factory=list)


def walk(d: Day, role: str) -> list[Stop]:
    activity_stops = [
        Stop(
            "activity (multi-day)",
            reverse("activities:detail", args=[d.exchange.pk]),
            ["Fort Worth student exchange 2027", EXCHANGE_SPAN],
        ),
        Stop(
            "activity (recurring)", reverse("activities:detail", args=[d.festival.pk]), ["Bandung–Fort Worth festival"]
        ),
        Stop("activity (postponed)", reverse("activities:detail", args=[d.workshop.pk]), ["Traffic data workshop"]),
    ]
    partnership = Stop("partnership", d.partnership.get_absolute_url(), ["Fort Worth"])
    find_partners = Stop("find partners", reverse("matching:find_partners", args=[d.bandung.pk]), ["Bandung"])
    if role == "anonymous":
        return [
            Stop("events portal", reverse("activities:portal"), ["Fort Worth student exchange 2027", EXCHANGE_SPAN]),
            Stop(
                "public partnership",
                reverse("activities:portal_partnership", args=[d.partnership.pk]),
                ["Fort Worth", "Fort Worth student exchange 2027"],
            ),
            partnership,
            *activity_stops,
            find_partners,
            Stop("insights: health", reverse("insights:health"), []),
            Stop("insights: map", reverse("insights:map"), []),
        ]
    return [
        Stop("dashboard", reverse("dashboard:dashboard"), []),
        partnership,
        Stop("agreement", reverse("agreements:detail", args=[d.agreement.pk]), ["LoI Bandung–Fort Worth"]),
        *activity_stops,
        Stop(
            "activities of the partnership", reverse("activities:partnership", args=[d.partnership.pk]), [EXCHANGE_SPAN]
        ),
        Stop("meeting", reverse("meetings:detail", args=[d.meeting.pk]), ["Smart city exchange", "WIB"]),
        Stop("meetings", reverse("meetings:list"), ["Smart city exchange"]),
        find_partners,
        Stop("report", reverse("insights:pivot") + f"?government={d.bandung.pk}", []),
    ]


class Walker:
    """One browser context (a role, a language, a width) and what went wrong in it."""

    def __init__(self, browser, live_server, session: str | None, language: str, width: int, label: str):
        self.base = live_server.url
        self.context = browser.new_context(viewport={"width": width, "height": 900})
        cookies = [{"name": django_settings.LANGUAGE_COOKIE_NAME, "value": language, "url": self.base}]
        if session:
            cookies.append({"name": django_settings.SESSION_COOKIE_NAME, "value": session, "url": self.base})
        self.context.add_cookies(cookies)
        self.page = self.context.new_page()
        self.page.set_default_timeout(TIMEOUT_MS)
        self.language, self.width, self.label = language, width, label
        self.problems: list[str] = []
        self.where = ""
        self.page.on("response", self._response)

    def _response(self, response) -> None:
        if response.status >= 500 and urlsplit(response.url).netloc == urlsplit(self.base).netloc:
            self.problems.append(f"{self.label} {self.where}: {response.status} from {response.url}")

    def fail(self, message: str) -> None:
        self.problems.append(f"{self.label} {self.where}: {message}")

    def visit(self, stop: Stop) -> None:
        self.where = stop.name
        response = self.page.goto(self.base + stop.url)
        if response is None or response.status != 200:
            self.fail(f"{stop.url} answered {response and response.status}")
            return
        self.check(stop.shows)

    def check(self, shows=()) -> None:
        page = self.page
        page.wait_for_load_state("load")
        over = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if over > 0:
            self.fail(f"{page.url} scrolls sideways by {over} px")
        for found in leaks(page.content(), self.language):
            self.fail(f"{page.url} shows “{found}” (the other language)")
        main = page.locator("main")
        if not main.is_visible():
            self.fail(f"{page.url} has no visible main")
            return
        text = main.inner_text()
        for thing in shows:
            if thing not in text:
                self.fail(f"{page.url} does not show “{thing}”")

    def download_report(self, government_pk: int) -> None:
        """The report's PDF: asked for on the report page, built by the job queue (run at once
        here), downloaded from the report's status page."""
        self.where = "report download"
        button = self.page.locator("main button[data-download=pdf]")
        if button.count() == 0:
            self.fail("no button asking for the PDF on the report page")
            return
        with self.page.expect_navigation():
            button.first.click()
        link = self.page.locator("main a[data-download=pdf]")
        if link.count() == 0:
            self.fail(f"no PDF link on the report's status page: {self.page.locator('main').inner_text()[:200]}")
            return
        response = self.context.request.get(self.base + link.first.get_attribute("href"))
        if response.status != 200 or response.headers.get("content-type") != "application/pdf":
            self.fail(f"the PDF report answered {response.status} {response.headers.get('content-type')}")

    def type_a_meeting(self, d: Day) -> None:
        """The meeting form: a start typed in Bandung's time, and both sides' times shown."""
        self.where = "meeting form"
        response = self.page.goto(self.base + reverse("meetings:create") + f"?partnership={d.partnership.pk}")
        if response is None or response.status != 200:
            self.fail(f"the meeting form answered {response and response.status}")
            return
        page = self.page
        zone = page.locator("#id_zone")
        if zone.input_value() != "Asia/Jakarta":
            self.fail(f"the meeting form's zone is {zone.input_value()}, not Bandung's")
        # 3 March 2027, 09:00 in Bandung is 2 March, 20:00 in Fort Worth (CST) and 02:00 UTC.
        page.locator("#id_start").fill("2027-03-03T09:00")
        page.locator("#id_start").dispatch_event("change")
        times = page.locator("#meeting-times .side-times")
        try:
            sync_api.expect(times).to_contain_text("09:00–10:00 WIB")
            sync_api.expect(times).to_contain_text("20:00–21:00 CST")
            sync_api.expect(times).to_contain_text("02:00–03:00 UTC")
        except AssertionError as error:
            self.fail(f"the times typed are not shown on each side: {str(error).splitlines()[0]}")
        self.check(["Fort Worth"])


def session_of(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[django_settings.SESSION_COOKIE_NAME].value


@pytest.mark.parametrize("role", ROLES)
def test_the_day_of(live_server, browser, day, role):
    user = day.users.get(role)
    session = session_of(user) if user else None
    stops = walk(day, role)
    problems: list[str] = []
    for language in LANGUAGES:
        for width in WIDTHS:
            walker = Walker(browser, live_server, session, language, width, f"[{role} {language} {width}px]")
            try:
                for stop in stops:
                    walker.visit(stop)
                if role != "anonymous":
                    walker.download_report(day.bandung.pk)
                if role == "bandung_editor":
                    walker.type_a_meeting(day)
            finally:
                walker.context.close()
            problems += walker.problems
    assert not problems, f"{len(problems)} problems in the day of {role}:\n" + "\n".join(problems)
