"""End to end in real Chromium: Bandung's officer opens the pivot page, sees the chart of the
quarters (an SVG image, no script) and its table, and downloads the year's report."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from kembar.accounts.models import Membership, Organisation  # noqa: E402
from kembar.activities import services  # noqa: E402
from kembar.gazetteer.models import Place  # noqa: E402
from kembar.gazetteer.services import load_gazetteer  # noqa: E402
from kembar.partnerships import services as partnership_services  # noqa: E402
from kembar.partnerships.models import CooperationField  # noqa: E402
from kembar.partnerships.services import government_for_place  # noqa: E402
from kembar.partnerships.vocab import Field  # noqa: E402

from .conftest import city, make_user  # noqa: E402
from .test_browser import browser, log_in, open_page, sync_api  # noqa: F401  (browser is a fixture)

pytestmark = pytest.mark.browser
UTC = dt.UTC


@pytest.fixture
def year_of_work(live_server):
    if not (Place.objects.filter(country_code="ID").exists() and Place.objects.filter(country_code="DE").exists()):
        load_gazetteer(countries=["ID", "DE"], progress=False)
    for code in Field.values:
        CooperationField.objects.get_or_create(code=code)
    bandung = government_for_place(city("Bandung", "ID"))
    braunschweig = government_for_place(city("Braunschweig", "DE"))
    office = Organisation.objects.create(name="Bagian Kerja Sama Kota Bandung", local_government=bandung)
    user = make_user("siti", office, Membership.Role.EDITOR)
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
    return {"user": user, "password": "pw-siti-123", "government": bandung}


def test_officer_sees_the_pivot_chart_and_downloads_the_report(live_server, browser, year_of_work):  # noqa: F811
    from openpyxl import load_workbook
    from pypdf import PdfReader

    context, page, watch = open_page(browser, live_server, accept_downloads=True)
    expect = sync_api.expect
    try:
        log_in(page, live_server, year_of_work["user"].username, year_of_work["password"])
        main = page.locator("main")

        page.goto(live_server.url + "/insights/pivot/")
        main.get_by_label("Government (NAME,CC)").fill("Bandung,ID")
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

        with page.expect_download() as pdf_download:
            main.get_by_role("link", name="Download the report (PDF)").click()
        text = "".join(p.extract_text() for p in PdfReader(pdf_download.value.path()).pages)
        assert "2026 Q2" in text and "Braunschweig" in text

        with page.expect_download() as xlsx_download:
            main.get_by_role("link", name="Download the report (XLSX)").click()
        book = load_workbook(io.BytesIO(open(xlsx_download.value.path(), "rb").read()))
        rows = {r[0]: r for r in book.worksheets[2].iter_rows(min_row=3, values_only=True)}
        assert rows["2026 Q2"][-1] == 2 and rows["2026 Q3"][-1] == 1
        # A link that answers with a download ends its navigation as "aborted": that is Chromium
        # handing the response to the download manager, not a failure.
        assert [e for e in watch.errors if not ("/insights/report/" in e and "ERR_ABORTED" in e)] == []
    finally:
        context.close()
