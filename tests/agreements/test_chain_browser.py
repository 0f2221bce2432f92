"""End to end in real Chromium: one Bandung MoU walks from exploration to signing, each stage done
by its party (Bandung's office, Jawa Barat's bureau, Kemendagri, Kemlu), each finding it in its
queue; Kemendagri returns it once with notes that Jawa Barat reads; Jawa Timur's bureau and
Surabaya's editor see nothing of it."""

from __future__ import annotations

import datetime as dt

import pytest

from kembar.accounts.models import Organisation
from kembar.agreements import services
from kembar.agreements.models import ProcedureTemplate, TemplateStage
from kembar.agreements.procedures import install, set_owners
from kembar.partnerships.services import create_partnership
from tests.support.browser import log_in, open_page, sync_api
from tests.support.builders import government, make_office, make_user, office_member, password_for
from tests.support.files import pdf_bytes
from tests.support.worlds.chain import province

pytestmark = pytest.mark.browser

PARTY_LOGINS = {
    "office": "siti",
    "dprd": "siti",
    "province": "jabar",
    "kemendagri": "kemendagri",
    "kemlu": "kemlu",
}


def test_each_party_does_its_own_stage_and_outsiders_see_nothing(live_server, browser, officer):
    install(ProcedureTemplate, TemplateStage)  # a transactional test before this one flushed the seeded rows
    set_owners(TemplateStage)
    oversight = Organisation.Kind.OVERSIGHT
    bodies = {
        "jabar": make_office("Biro Jawa Barat", kind=oversight, party="province", province=province("ID-JB")),
        "jatim": make_office("Biro Jawa Timur", kind=oversight, party="province", province=province("ID-JI")),
        "kemendagri": make_office("Kemendagri", kind=oversight, party="kemendagri", country_code="ID"),
        "kemlu": make_office("Kemlu", kind=oversight, party="kemlu", country_code="ID"),
    }
    for login, body in bodies.items():
        make_user(login, body)
    office_member("surabaya", government("Surabaya", "ID"), office_name="Bagian Kerja Sama Kota Surabaya")
    partnership = create_partnership(
        officer["user"], officer["government"], government("Kyoto", "JP"), public=False, fields=["culture"]
    )
    agreement = services.create_agreement(
        officer["user"],
        partnership,
        template=ProcedureTemplate.objects.get(code="ksdpl"),
        title="MoU Bandung – Kyoto on heritage",
        kind="mou",
    )
    url = live_server.url + agreement.get_absolute_url()
    expect = sync_api.expect
    returned = False
    login = None
    context = page = None
    try:
        for stage in ProcedureTemplate.objects.get(code="ksdpl").stages.order_by("position"):
            who = PARTY_LOGINS[stage.owner]
            if who != login:
                if context is not None:
                    context.close()
                context, page, _watch = open_page(browser, live_server)
                log_in(page, live_server, who, officer["password"] if who == "siti" else password_for(who))
                login = who
            active = page.locator('li[data-stage-status="active"]')
            if stage.position == 1:
                page.goto(url)
                page.locator("main").get_by_role("button", name="Start the procedure").click()
            else:
                # The party finds the agreement in its queue, with the days it has waited.
                page.goto(live_server.url + "/agreements/queue/")
                row = page.locator('[data-queue="mine"] tr', has_text="MoU Bandung – Kyoto on heritage")
                expect(row).to_have_count(1)
                expect(row.locator("[data-days-waiting]")).to_contain_text("0")
                row.get_by_role("link").click()
            expect(active).to_have_attribute("data-stage", stage.code)
            active.locator("input[type=file]").set_input_files(
                files=[{"name": f"{stage.code}.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes(stage.name_en)}]
            )
            active.get_by_role("button", name="Upload").click()
            expect(page.locator("main .message.success")).to_contain_text("uploaded")
            if stage.code == "assessment" and not returned:
                back = active.locator("details.back")
                back.locator("summary").click()
                back.locator("textarea, input[name=reason]").fill("Add the budget table to the plan.")
                with page.expect_navigation():
                    back.locator("button[type=submit]").click()
                expect(active).to_have_attribute("data-stage", "submission")
                context.close()
                context, page, _watch = open_page(browser, live_server)
                log_in(page, live_server, "jabar", password_for("jabar"))
                page.goto(url)
                active = page.locator('li[data-stage-status="active"]')
                expect(active.locator("[data-returned-notes]")).to_contain_text("Add the budget table to the plan.")
                active.get_by_role("button", name="Complete this stage").click()
                returned, login = True, "jabar"
                context.close()
                context, page, _watch = open_page(browser, live_server)
                log_in(page, live_server, "kemendagri", password_for("kemendagri"))
                login = "kemendagri"
                page.goto(url)
                active = page.locator('li[data-stage-status="active"]')
                expect(active).to_have_attribute("data-stage", "assessment")
            if stage.is_signing:
                active.get_by_label("Signed on").fill(dt.date.today().isoformat())
                active.get_by_label("Validity (years)").fill("5")
                active.get_by_role("button", name="Record the signing").click()
                expect(page.locator("[data-status]").first).to_have_attribute("data-status", "in_force")
                break
            active.get_by_role("button", name="Complete this stage").click()
            expect(page.locator("main .message.success")).to_contain_text("moved on")
        context.close()
        # Another province's bureau and Surabaya's editor: the agreement does not exist for them.
        for outsider in ("jatim", "surabaya"):
            context, page, _watch = open_page(browser, live_server)
            log_in(page, live_server, outsider, password_for(outsider))
            assert page.goto(url).status == 404
            page.goto(live_server.url + "/agreements/queue/")
            expect(page.locator("main")).not_to_contain_text("MoU Bandung – Kyoto on heritage")
            context.close()
        context = None
    finally:
        if context is not None:
            context.close()
