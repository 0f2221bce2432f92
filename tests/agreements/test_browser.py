"""End to end in real Chromium: Bandung's officer takes a new agreement from exploration to a
signed MoU through the KSDPL procedure, uploading each stage's evidence (one disguised file is
refused), and sees it in force with its end date and its complete history."""

from __future__ import annotations

import datetime as dt

import pytest

from kembar.agreements.models import Agreement, ProcedureTemplate, TemplateStage
from kembar.agreements.procedures import install
from kembar.partnerships.services import create_partnership
from tests.support.browser import log_in, open_page, sync_api
from tests.support.builders import government
from tests.support.files import docx_bytes, pdf_bytes, png_bytes

pytestmark = pytest.mark.browser


def test_officer_walks_an_mou_from_exploration_to_signed(live_server, browser, officer):
    install(ProcedureTemplate, TemplateStage)  # a transactional test before this one flushed the seeded rows
    kyoto = government("Kyoto", "JP")
    partnership = create_partnership(officer["user"], officer["government"], kyoto, fields=["culture"])
    context, page, watch = open_page(browser, live_server)
    expect = sync_api.expect
    main = page.locator("main")
    try:
        log_in(page, live_server, officer["user"].username, officer["password"])

        page.goto(live_server.url + partnership.get_absolute_url())
        main.get_by_role("link", name="New agreement").click()
        expect(page.locator("main h1")).to_have_text("New agreement")
        main.locator("#id_template").select_option(label=ProcedureTemplate.objects.get(code="ksdpl").name_en)
        main.get_by_label("Kind").select_option("mou")
        main.get_by_label("Title").fill("MoU Bandung – Kyoto on cultural heritage")
        main.get_by_label("Culture", exact=True).check()
        main.get_by_label("Japanese", exact=True).check()
        main.get_by_label("Indonesian", exact=True).check()
        main.get_by_role("button", name="Save").click()
        expect(page.locator("main .message.success")).to_contain_text("created")
        main.get_by_role("button", name="Start the procedure").click()

        active = page.locator('li[data-stage-status="active"]')
        expect(active).to_have_attribute("data-stage", "exploration")
        # Without its evidence the stage cannot be completed.
        active.get_by_role("button", name="Complete this stage").click()
        expect(main.locator(".errorlist")).to_contain_text("cannot be completed without its evidence")
        # A Word file renamed .pdf is refused, naming what it is.
        active.locator("input[type=file]").set_input_files(
            files=[{"name": "LoI.pdf", "mimeType": "application/pdf", "buffer": docx_bytes()}]
        )
        active.get_by_role("button", name="Upload").click()
        expect(main.locator(".errorlist")).to_contain_text("its content is Word (DOCX)")

        stages = list(ProcedureTemplate.objects.get(code="ksdpl").stages.order_by("position"))
        for stage in stages:
            expect(active).to_have_attribute("data-stage", stage.code)
            active.locator("input[name=title]").fill(stage.evidence_en)
            scan = stage.code == "dprd_approval"  # a scanned decision
            active.locator("input[type=file]").set_input_files(
                files=[
                    {
                        "name": f"{stage.code}.{'png' if scan else 'pdf'}",
                        "mimeType": "image/png" if scan else "application/pdf",
                        "buffer": png_bytes() if scan else pdf_bytes(stage.name_en),
                    }
                ]
            )
            active.get_by_role("button", name="Upload").click()
            expect(main.locator(".message.success")).to_contain_text("uploaded")
            if stage.is_signing:
                active.get_by_label("Signed on").fill(dt.date.today().isoformat())
                active.get_by_label("Validity (years)").fill("5")
                active.get_by_role("button", name="Record the signing").click()
                break
            active.get_by_role("button", name="Complete this stage").click()
            expect(main.locator(".message.success")).to_contain_text("moved on")

        expect(main.locator("[data-status]")).to_have_text("In force")
        ends = dt.date.today().replace(year=dt.date.today().year + 5)
        expect(main.locator("[data-ends-on]")).to_contain_text(str(ends.year))
        expect(active).to_have_attribute("data-stage", "implementation")
        expect(main.locator("ol.history").first.locator("li")).to_have_count(9)  # start + 8 stages completed
        expect(main.locator("[data-audit]")).to_contain_text("Signed")
        # The evidence downloads.
        with page.expect_download() as download:
            main.locator('li[data-stage="signing"] .documents a').first.click()
        assert download.value.suggested_filename == "signing.pdf"

        agreement = Agreement.objects.get()
        assert agreement.status == "signed" and agreement.ends_on == ends
        assert agreement.transitions.count() == 9
        assert all(t.evidence.exists() for t in agreement.transitions.filter(action="advance"))
        # Chromium reports a navigation that became a download as aborted: that is the download.
        assert [e for e in watch.errors if "ERR_ABORTED" not in e or "/agreements/documents/" not in e] == []
    finally:
        context.close()
