"""End to end in real Chromium: Bandung's editor invites Fort Worth's officer into Bandung–Fort
Worth; the officer accepts, sets a password, sees the shared meeting and answers its action item;
Surabaya's editor sees none of it (Debian Chromium, never a downloaded one)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from kembar.accounts.models import Membership, Organisation
from kembar.meetings import services as meetings
from kembar.meetings.models import ActionItem
from kembar.partnerships import services as registry
from tests.support.browser import log_in, open_page, sync_api
from tests.support.builders import government, make_office, make_user, office_member, password_for, reload_flushed_data

pytestmark = pytest.mark.browser

PASSWORD = "Fort-Worth-sister-1985"


@pytest.fixture
def partners(live_server):
    reload_flushed_data(["ID"], us_cities=True, fields=False)
    bandung = government("Bandung", "ID")
    fort_worth = government("Fort Worth", "US")
    surabaya = government("Surabaya", "ID")
    siti = office_member("siti", bandung)
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
    return {"partnership": partnership, "meeting": meeting, "item": item, "fort_worth": fort_worth}


def test_bandung_invites_fort_worths_officer_who_answers_an_action_item(live_server, browser, partners):
    expect = sync_api.expect
    partnership, meeting = partners["partnership"], partners["meeting"]

    # Bandung's editor invites the partner's office from the partnership page.
    context, page, watch = open_page(browser, live_server)
    main = page.locator("main")
    try:
        log_in(page, live_server, "siti", password_for("siti"))
        page.goto(live_server.url + partnership.get_absolute_url())
        main.get_by_role("link", name="Invite the partner's office").click()
        expect(page.locator("main h1")).to_have_text("Invite the office of Fort Worth")
        expect(main).to_contain_text("Fort Worth has no office on the platform yet")
        expect(page.locator("#id_language")).to_have_value("en")  # a foreign government reads English
        page.locator("#id_email").fill("not an address")
        main.get_by_role("button", name="Send the invitation").click()
        expect(main.locator(".errorlist")).to_contain_text("valid email address")
        page.locator("#id_email").fill("officer@fortworthtexas.gov")
        main.get_by_role("button", name="Send the invitation").click()
        expect(page.locator("main h1")).to_have_text("Invitation sent")
        link = page.locator("#invitation-link").input_value()
        assert re.fullmatch(re.escape(live_server.url) + r"/invitations/[\w-]+/", link)
        assert watch.errors == []
    finally:
        context.close()

    # The officer opens the link, creates the account and lands on the partnership.
    context, page, watch = open_page(browser, live_server)
    main = page.locator("main")
    try:
        page.goto(link)
        expect(page.locator("main h1")).to_have_text("Accept the invitation")
        expect(main).to_contain_text("You are invited to join Fort Worth as Administrator")
        page.locator("#id_username").fill("jwilson")
        page.locator("#id_first_name").fill("Jane")
        page.locator("#id_last_name").fill("Wilson")
        page.locator("#id_password1").fill(PASSWORD)
        page.locator("#id_password2").fill(PASSWORD)
        main.get_by_role("button", name="Create the account and accept").click()
        expect(page).to_have_url(live_server.url + partnership.get_absolute_url())
        expect(main.locator(".message.success")).to_contain_text("you are a member of Fort Worth, US")
        expect(page.locator("header .who")).to_have_text("jwilson")

        # The shared meeting, and its action item answered.
        page.locator("header").get_by_role("link", name="Our office").click()
        expect(page.locator("main h1")).to_have_text("Fort Worth, US")
        expect(main.locator("table.members")).to_contain_text("jwilson")
        page.goto(live_server.url + "/meetings/")
        main.get_by_role("link", name="Smart city exchange").click()
        expect(page).to_have_url(live_server.url + meeting.get_absolute_url())
        row = main.locator(".actions-table tbody tr", has_text="Send the traffic dataset")
        row.locator("select[name=status]").select_option("done")
        row.get_by_role("button", name="Save").click()
        expect(main.locator(".actions-table")).to_contain_text("Send the traffic dataset")
        assert watch.errors == []
    finally:
        context.close()
    assert ActionItem.objects.get(pk=partners["item"].pk).status == "done"
    office = Organisation.objects.get(local_government=partners["fort_worth"])
    assert Membership.objects.get(user__username="jwilson").organisation == office

    # The link was for one use; Surabaya's editor sees none of it.
    context, page, watch = open_page(browser, live_server)
    main = page.locator("main")
    try:
        response = page.goto(link)
        assert response.status == 410
        expect(main).to_contain_text("This invitation has been used already")
        log_in(page, live_server, "budi", password_for("budi"))
        for path in (partnership.get_absolute_url(), meeting.get_absolute_url(), f"/office/{office.pk}/"):
            assert page.goto(live_server.url + path).status == 404, path
        page.goto(live_server.url + "/meetings/")
        expect(main).not_to_contain_text("Smart city exchange")
    finally:
        context.close()
