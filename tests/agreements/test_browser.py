"""End to end in real Chromium: Bandung's officer takes a new agreement from exploration to a
signed MoU through the KSDPL procedure, uploading each stage's evidence (one disguised file is
refused), and sees it in force with its end date and its complete history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

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
        # Without its evidence the stage cannot be completed: the page says so instead of a button.
        expect(active.get_by_role("button", name="Complete this stage")).to_have_count(0)
        expect(active.locator("[data-advance-refusal]")).to_contain_text("cannot be completed without its evidence")
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
        history = main.locator("[data-history] > li, .history-more li[data-kind]")
        expect(history.and_(page.locator('[data-kind="advance"], [data-kind="start"]'))).to_have_count(9)
        expect(main.locator("[data-history]")).to_contain_text("Signing recorded (“Signing” complete) by siti")
        expect(active.get_by_role("button", name="Back one stage")).to_have_count(0)  # a signing stays
        # The evidence downloads (the signing is one line now: it opens).
        main.locator('li[data-stage="signing"] summary').click()
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


def _signed_ksdpl(officer):
    """A KSDPL MoU of Bandung and Kyoto signed through every stage, each with its evidence."""
    from kembar.agreements import services

    install(ProcedureTemplate, TemplateStage)
    partnership = create_partnership(officer["user"], officer["government"], government("Kyoto", "JP"))
    agreement = services.create_agreement(
        officer["user"], partnership, template=ProcedureTemplate.objects.get(code="ksdpl"), title="MoU Bandung–Kyoto"
    )
    agreement = services.advance(officer["user"], agreement)
    while agreement.status != "signed":
        stage = agreement.stages.select_related("template_stage").get(status="active")
        services.upload_document(
            officer["user"],
            stage,
            SimpleUploadedFile(f"{stage.template_stage.code}.pdf", pdf_bytes(stage.template_stage.name_en)),
        )
        agreement = services.advance(officer["user"], agreement, signed_on=dt.date.today(), validity_years=5)
    return agreement


@pytest.mark.parametrize("width, height, limit", [(1366, 768, 3000), (390, 844, 5000)])
def test_the_agreement_page_is_short_and_a_refusal_shows_where_the_officer_looks(
    live_server, browser, officer, width, height, limit
):
    agreement = _signed_ksdpl(officer)
    context, page, watch = open_page(browser, live_server)
    page.set_viewport_size({"width": width, "height": height})
    expect = sync_api.expect
    try:
        log_in(page, live_server, officer["user"].username, officer["password"])
        page.goto(live_server.url + agreement.get_absolute_url())
        # Twelve stages, eight of them done with a document each, and a history of 26 entries.
        expect(page.locator("ol.stages > li")).to_have_count(12)
        assert page.evaluate("document.documentElement.scrollHeight") < limit
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        # A Word file disguised as a PDF, uploaded to the stage in progress, is refused; the page
        # comes back at that stage with the refusal in sight.
        active = page.locator('li[data-stage-status="active"]')
        active.locator("input[type=file]").set_input_files(
            files=[{"name": "report.pdf", "mimeType": "application/pdf", "buffer": docx_bytes()}]
        )
        active.get_by_role("button", name="Upload").click()
        error = page.locator("main .errorlist").first
        expect(error).to_contain_text("its content is Word (DOCX)")
        expect(error).to_be_in_viewport()
        # A success message too sits at the stage, in sight.
        active.locator("input[type=file]").set_input_files(
            files=[{"name": "report.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes("report")}]
        )
        active.get_by_role("button", name="Upload").click()
        message = active.locator(".message.success")
        expect(message).to_contain_text("uploaded to “Implementation”")
        expect(message).to_be_in_viewport()
        # The list: on a phone each agreement is a card whose every column shows, none cut off.
        page.goto(live_server.url + "/agreements/")
        ends = page.locator("main table tbody tr").first.locator("td", has_text=str(agreement.ends_on.year))
        expect(ends).to_be_visible()
        box = ends.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
        assert page.locator("main table").evaluate("t => t.scrollWidth <= t.clientWidth")
        if width == 390:
            assert ends.evaluate("td => getComputedStyle(td, '::before').content") == '"Ends on: "'
        assert watch.errors == []
    finally:
        context.close()
