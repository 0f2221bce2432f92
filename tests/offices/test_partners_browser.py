"""Issue 23's "done when", end to end in real Chromium: Bandung's editor invites Fort Worth's
officer into Bandung–Fort Worth from the partnership page; the officer opens the link (in a browser
that last showed kembar in Indonesian), accepts, sets a password and a second factor (required of
an office administrator), switches to English, sees the shared meeting, answers its action item
and posts a message in the partnership's conversation; Bandung's editor sees the answer and has
the notification mail; Surabaya's editor sees none of it (Debian Chromium, never a downloaded one).
"""

from __future__ import annotations

import datetime as dt
import re
import urllib.request
from base64 import b32decode

import pytest
from django.core import mail
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from kembar.accounts.models import Membership, Organisation, Profile
from kembar.conversations.models import Message
from kembar.meetings import services as meetings
from kembar.meetings.models import ActionItem
from kembar.partnerships import services as registry
from tests.support.browser import log_in, open_page, sync_api
from tests.support.builders import government, make_office, make_user, office_member, password_for, reload_flushed_data

pytestmark = pytest.mark.browser

PASSWORD = "Fort-Worth-sister-1985"
OFFICER = "officer@fortworthtexas.gov"


@pytest.fixture
def partners(live_server, settings):
    """Bandung–Fort Worth (not public) with a meeting shared by both sides and an action item of
    Fort Worth's; Fort Worth has no office yet. Bandung's editor Siti has an address (for the
    conversation's mail) and reads Indonesian; Surabaya has an editor, Budi."""
    settings.KEMBAR_SECOND_FACTOR_REQUIRED = True
    reload_flushed_data(["ID"], us_cities=True, fields=False)
    bandung = government("Bandung", "ID")
    fort_worth = government("Fort Worth", "US")
    surabaya = government("Surabaya", "ID")
    siti = office_member("siti", bandung)
    siti.email = "siti@bandung.example"
    siti.save()
    make_user("budi", make_office("Bagian Kerja Sama Kota Surabaya", surabaya))
    partnership = registry.create_partnership(siti, bandung, fort_worth, public=False, notes="Smart city")
    meeting = meetings.schedule_meeting(
        siti, partnership, title="Smart city exchange", start=timezone.now() - dt.timedelta(days=2)
    )
    item = meetings.add_action_item(
        siti,
        meeting,
        text="Send the traffic dataset",
        owner="Fort Worth IT",
        government=fort_worth,
        due=dt.date.today() + dt.timedelta(days=10),
    )
    # The live server's first answer builds the URL configuration and the catalogues; on a busy
    # machine that may take longer than a page's timeout, so it is asked for once here.
    with urllib.request.urlopen(live_server.url + "/accounts/login/", timeout=120) as warm_up:
        assert warm_up.status == 200
    return {"partnership": partnership, "meeting": meeting, "item": item, "fort_worth": fort_worth}


def test_fort_worths_officer_joins_answers_and_writes_and_surabaya_sees_nothing(live_server, browser, partners):
    expect = sync_api.expect
    partnership, meeting = partners["partnership"], partners["meeting"]
    conversation = f"/partnerships/{partnership.pk}/conversation/"

    # Bandung's editor invites the partner's office from the partnership page, in English.
    context, page, watch = open_page(browser, live_server)
    main = page.locator("main")
    try:
        log_in(page, live_server, "siti", password_for("siti"))
        page.goto(live_server.url + partnership.get_absolute_url())
        main.get_by_role("link", name="Invite the partner's office").click()
        expect(page.locator("main h1")).to_have_text("Invite the office of Fort Worth")
        expect(page.locator("#id_language")).to_have_value("en")  # Fort Worth reads English
        page.locator("#id_email").fill(OFFICER)
        main.get_by_role("button", name="Send the invitation").click()
        expect(page.locator("main h1")).to_have_text("Invitation sent")
        link = page.locator("#invitation-link").input_value()
        assert watch.errors == []
    finally:
        context.close()
    # The invitation mail is English, not Indonesian, and carries the same link (at the site's address).
    (invitation,) = [m for m in mail.outbox if m.to == [OFFICER]]
    assert invitation.subject == "Invitation to kembar: Fort Worth"
    assert link.split("/invitations/")[1] in invitation.body and "Anda diundang" not in invitation.body

    # The officer's browser last showed kembar in Indonesian: the acceptance page follows it.
    context, page, watch = open_page(browser, live_server)
    host = live_server.url.split("//", 1)[1].split(":")[0]
    context.add_cookies([{"name": "django_language", "value": "id", "domain": host, "path": "/"}])
    main = page.locator("main")
    try:
        page.goto(link)
        expect(page.locator("html")).to_have_attribute("lang", "id")
        expect(page.locator("main h1")).to_have_text("Terima undangan")
        page.locator("#id_username").fill("jwilson")
        page.locator("#id_first_name").fill("Jane")
        page.locator("#id_last_name").fill("Wilson")
        page.locator("#id_password1").fill(PASSWORD)
        page.locator("#id_password2").fill(PASSWORD)
        main.locator("button[type=submit]").click()

        # An office administrator must set up a second factor before anything else.
        expect(page).to_have_url(re.compile(r"/accounts/two-factor/set-up/"))
        expect(page.locator("header .who")).to_have_text("jwilson")
        secret = page.locator("[data-secret]").inner_text().strip()
        page.locator("#id_code").fill(f"{TOTP(b32decode(secret)).token():06d}")
        main.locator("button[type=submit]").click()
        expect(page.locator("[data-recovery-codes] code")).to_have_count(10)  # the page after the POST
        main.get_by_role("link", name="Sudah saya simpan").click()
        expect(page).to_have_url(live_server.url + partnership.get_absolute_url())

        # English from here on, kept as the account's preference.
        expect(page.locator(".lang button[type=submit]")).to_be_hidden()  # the switch's script is on
        page.locator("#language").select_option("en")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.locator("main h1")).to_contain_text("Bandung")

        # The shared meeting, and its action item answered.
        page.goto(live_server.url + "/meetings/")
        main.get_by_role("link", name="Smart city exchange").click()
        expect(page).to_have_url(live_server.url + meeting.get_absolute_url())
        row = main.locator(".actions-table tbody tr", has_text="Send the traffic dataset")
        row.locator("select[name=status]").select_option("done")
        row.get_by_role("button", name="Save").click()
        expect(
            main.locator(".actions-table tbody tr", has_text="Send the traffic dataset").locator("select[name=status]")
        ).to_have_value("done")

        # A message in the partnership's conversation.
        page.goto(live_server.url + partnership.get_absolute_url())
        main.locator("[data-conversation]").click()
        expect(page.locator("main h1")).to_have_text("Conversation")
        page.locator("#id_body").fill("Howdy Bandung! The traffic dataset is on its way.")
        main.get_by_role("button", name="Send").click()
        expect(main.locator(".message-item")).to_contain_text("The traffic dataset is on its way")
        assert watch.errors == []
    finally:
        context.close()

    user = Membership.objects.select_related("user", "organisation").get(user__username="jwilson")
    assert user.organisation == Organisation.objects.get(local_government=partners["fort_worth"])
    assert user.role == Membership.Role.ADMIN and user.user.check_password(PASSWORD)
    assert TOTPDevice.objects.filter(user=user.user, confirmed=True).exists()
    assert Profile.objects.get(user=user.user).language == "en"
    assert ActionItem.objects.get(pk=partners["item"].pk).status == "done"
    assert Message.objects.get().author == user.user

    # Bandung's editor has the notification, in Indonesian (her office's language), and sees
    # the answer and the message.
    (notice,) = [m for m in mail.outbox if m.to == ["siti@bandung.example"]]
    assert notice.subject == "Pesan baru: Bandung – Fort Worth"
    assert "The traffic dataset is on its way" in notice.body and conversation in notice.body
    context, page, watch = open_page(browser, live_server)
    main = page.locator("main")
    try:
        log_in(page, live_server, "siti", password_for("siti"))
        page.goto(live_server.url + meeting.get_absolute_url())
        row = main.locator(".actions-table tbody tr", has_text="Send the traffic dataset")
        expect(row.locator("select[name=status]")).to_have_value("done")
        page.goto(live_server.url + conversation)
        expect(main.locator(".message-item")).to_contain_text("Howdy Bandung!")
        expect(main.locator(".message-item")).to_contain_text("jwilson (Fort Worth)")
        assert watch.errors == []
    finally:
        context.close()

    # Surabaya's editor sees none of it: not the partnership, the meeting, the conversation.
    context, page, watch = open_page(browser, live_server)
    main = page.locator("main")
    try:
        log_in(page, live_server, "budi", password_for("budi"))
        for path in (partnership.get_absolute_url(), meeting.get_absolute_url(), conversation):
            status = page.goto(live_server.url + path).status
            assert status in (403, 404), (path, status)
            expect(main).not_to_contain_text("Smart city exchange")
            expect(main).not_to_contain_text("Howdy Bandung!")
        page.goto(live_server.url + "/meetings/")
        expect(main).not_to_contain_text("Smart city exchange")
        page.goto(live_server.url + "/conversations/")
        expect(main).not_to_contain_text("Fort Worth")
    finally:
        context.close()
    assert not [m for m in mail.outbox if "budi" in ",".join(m.to)]
