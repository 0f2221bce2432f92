"""End to end in real Chromium: Bandung's officer writes to Fort Worth in the partnership's
conversation (htmx, with a document), and Fort Worth's officer, on a phone, sees the unread count,
reads the message (which marks it read) and downloads the document."""

from __future__ import annotations

import re
from urllib.request import urlopen

import pytest
from django.core import mail

from kembar.conversations.models import Message, ReadMark
from kembar.partnerships import services as registry
from tests.support.browser import log_in, open_page, sync_api
from tests.support.builders import government, office_member, password_for, reload_flushed_data
from tests.support.files import pdf_bytes

pytestmark = pytest.mark.browser


@pytest.fixture
def partners(live_server):
    reload_flushed_data(["ID"], us_cities=True, fields=False)
    bandung = government("Bandung", "ID")
    fort_worth = government("Fort Worth", "US")
    siti = office_member("siti", bandung)
    john = office_member("john", fort_worth, office_name="City of Fort Worth International Office")
    john.email = "john@fortworthtexas.example"
    john.save()
    partnership = registry.create_partnership(siti, bandung, fort_worth, public=True)
    # The live server's first answer builds the URL configuration and templates; on a busy
    # machine that may take longer than a page's timeout, so it is asked for once here.
    urlopen(live_server.url + "/accounts/login/", timeout=120).read()
    return {"siti": siti, "john": john, "partnership": partnership}


def sideways(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_bandung_writes_and_fort_worth_reads_on_a_phone(live_server, browser, partners, tmp_path):
    expect = sync_api.expect
    p = partners["partnership"]
    document = tmp_path / "Programme 2027.pdf"
    document.write_bytes(pdf_bytes("Programme"))

    context, page, watch = open_page(browser, live_server)
    main = page.locator("main")
    try:
        log_in(page, live_server, "siti", password_for("siti"))
        page.goto(live_server.url + p.get_absolute_url())
        main.locator("[data-conversation]").click()
        expect(page.locator("main h1")).to_have_text("Conversation")
        page.locator("#id_body").fill("Dear colleagues, the 2027 exchange programme is attached.\nSalam, Siti")
        page.locator("#id_files").set_input_files(str(document))
        main.get_by_role("button", name="Send").click()
        # htmx redraws the thread in place: the message, its document, an empty form.
        expect(main.locator(".message-item")).to_contain_text("the 2027 exchange programme is attached")
        expect(main.locator(".message-files")).to_contain_text("Programme_2027.pdf")
        expect(page.locator("#id_body")).to_have_value("")
        assert page.url.endswith(f"/partnerships/{p.pk}/conversation/")
        assert watch.errors == []
    finally:
        context.close()

    assert Message.objects.get().attachments.count() == 1
    (notice,) = [m for m in mail.outbox if m.to == ["john@fortworthtexas.example"]]
    assert notice.subject == "New message: Bandung – Fort Worth"  # Fort Worth's office reads English

    context, page, watch = open_page(browser, live_server, viewport={"width": 390, "height": 844})
    main = page.locator("main")
    try:
        log_in(page, live_server, "john", password_for("john"))
        page.goto(live_server.url + p.get_absolute_url())
        link = main.locator("[data-conversation]")
        expect(link.locator("[data-unread]")).to_have_text("1 unread")
        link.click()
        expect(page).to_have_url(re.compile(rf"/partnerships/{p.pk}/conversation/$"))
        item = main.locator(".message-item")
        expect(item).to_contain_text("Salam, Siti")
        expect(item).to_contain_text("Bandung)")
        expect(item.locator(".badge")).to_have_text("new")
        assert sideways(page) == 0, f"the conversation scrolls sideways by {sideways(page)} px at 390 px"
        with page.expect_download() as download:
            item.get_by_role("link", name="Programme_2027.pdf").click()
        assert download.value.suggested_filename == "Programme_2027.pdf"
        # Opening the page marked the conversation read (htmx, as it loaded).
        page.goto(live_server.url + p.get_absolute_url())
        expect(main.locator("[data-conversation]")).to_have_text("Conversation")
        # A download ends the navigation that asked for it: Chromium reports that as aborted.
        assert [e for e in watch.errors if "ERR_ABORTED" not in e or "/conversations/files/" not in e] == []
    finally:
        context.close()
    assert ReadMark.objects.get(user=partners["john"]).last_read == Message.objects.get().pk
