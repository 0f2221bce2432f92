"""End to end in real Chromium: Bandung's officer opens the pivot page, sees the chart of the
quarters (an SVG image, no script) and its table, and asks for the year's report: the status page
waits for the job queue, turns "ready" by itself once a worker has built it, and the file
downloads."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from kembar.activities import services
from kembar.partnerships import services as partnership_services
from tests.support.browser import log_in, open_page, sync_api
from tests.support.builders import government, office_member, password_for, reload_flushed_data

pytestmark = pytest.mark.browser
UTC = dt.UTC


@pytest.fixture
def database_queue(settings):
    """The job queue of production: jobs wait in the database until `kembar worker` runs them."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def year_of_work(live_server):
    reload_flushed_data(["ID", "DE"])
    bandung = government("Bandung", "ID")
    braunschweig = government("Braunschweig", "DE")
    user = office_member("siti", bandung)
    p = partnership_services.create_partnership(user, bandung, braunschweig, fields=["culture"])
    for month, modality in ((2, "in_person"), (5, "virtual"), (5, "hybrid"), (9, "virtual")):
        start = dt.datetime(2026, month, 10, 2, tzinfo=UTC)
        services.create_activity(
            user,
            p,
            title=f"Meeting {month} {modality}",
            type="information_exchange",
            field="education",
            modality=modality,
            status="held",
            host=bandung,
            start=start,
            end=start + dt.timedelta(hours=2),
            sdg_targets=["11.3"],
        )
    return {"user": user, "password": password_for("siti"), "government": bandung}


def test_officer_sees_the_pivot_chart_and_downloads_the_report(live_server, browser, year_of_work, database_queue):
    from openpyxl import load_workbook
    from pypdf import PdfReader

    context, page, watch = open_page(browser, live_server, accept_downloads=True)
    expect = sync_api.expect
    try:
        log_in(page, live_server, year_of_work["user"].username, year_of_work["password"])
        main = page.locator("main")

        page.goto(live_server.url + "/insights/pivot/")
        main.locator("input[name=government_q]").fill("Bandung,ID")
        main.get_by_label("Year").fill("2026")
        main.get_by_role("button", name="Show").click()
        expect(main).to_contain_text("Bandung, ID · 2026")

        chart = main.get_by_role("img", name="Chart: Activities per quarter. The table below gives the same figures.")
        expect(chart).to_be_visible()
        box = chart.bounding_box()
        assert box and box["width"] > 300 and box["height"] > 100
        # The image really rendered (an SVG that failed to decode has no natural size).
        assert chart.evaluate("img => img.complete && img.naturalWidth > 0")
        quarters = main.locator("details", has_text="Table of the figures: Activities per quarter")
        expect(quarters.locator("tbody tr", has_text="2026 Q2")).to_contain_text("1")

        # The report waits for the job queue; the page says so and keeps asking.
        main.get_by_role("button", name="Prepare the report (PDF)").click()
        expect(main.locator("h1")).to_have_text("Report 2026: Bandung, ID")
        status = main.locator("#report-status")
        expect(status).to_contain_text("The report is being prepared…")
        expect(status.get_by_role("link", name="Refresh")).to_be_visible()
        status_url = page.url
        call_command("worker", "--batch")  # a worker runs what is queued
        # htmx's next look (every 2 s) turns the page "ready", without a reload.
        expect(status).to_contain_text("The report is ready.", timeout=8000)
        assert page.url == status_url
        with page.expect_download() as pdf_download:
            status.get_by_role("link", name="Download the report (PDF)").click()
        data = open(pdf_download.value.path(), "rb").read()
        assert data.startswith(b"%PDF")
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
        assert "2026 Q2" in text and "Braunschweig" in text

        page.go_back()
        main.get_by_role("button", name="Prepare the report (XLSX)").click()
        expect(main.locator("#report-status")).to_contain_text("The report is being prepared…")
        call_command("worker", "--batch")
        expect(main.locator("#report-status")).to_contain_text("The report is ready.", timeout=8000)
        with page.expect_download() as xlsx_download:
            main.get_by_role("link", name="Download the report (XLSX)").click()
        book = load_workbook(io.BytesIO(open(xlsx_download.value.path(), "rb").read()))
        rows = {r[0]: r for r in book.worksheets[2].iter_rows(min_row=3, values_only=True)}
        assert rows["2026 Q2"][-1] == 2 and rows["2026 Q3"][-1] == 1
        # A link that answers with a download ends its navigation as "aborted": that is Chromium
        # handing the response to the download manager, not a failure.
        assert [e for e in watch.errors if not ("/file" in e and "ERR_ABORTED" in e)] == []
    finally:
        context.close()
