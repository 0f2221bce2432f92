"""An office administrator's own account in real Chromium: made to set up the second factor,
then signing in with password and code, once with a recovery code, and switching the pages'
language (kept as the account's preference)."""

from __future__ import annotations

import re
import urllib.request
from base64 import b32decode

import pytest
from django_otp.oath import TOTP

from kembar.accounts.models import Membership, Profile
from tests.support.browser import log_in, open_page, sync_api
from tests.support.builders import government, office_member, password_for, reload_flushed_data

pytestmark = pytest.mark.browser


def log_out(page) -> None:
    page.locator("header form[action$='/logout/'] button").click()
    sync_api.expect(page.locator("header .who")).to_have_count(0)


def test_an_office_administrator_sets_up_and_uses_the_second_factor(browser, live_server, settings):
    settings.KEMBAR_SECOND_FACTOR_REQUIRED = True
    reload_flushed_data(["ID"])
    user = office_member("ayu", government("Bandung", "ID"), role=Membership.Role.ADMIN)
    Profile.objects.create(user=user, language="id")  # Indonesian pages, whatever the browser says
    # The live server's first request loads the URL configuration and the catalogues, which on a
    # busy machine takes longer than a page's timeout.
    with urllib.request.urlopen(live_server.url + "/accounts/login/", timeout=120) as warm_up:
        assert warm_up.status == 200
    context, page, watch = open_page(browser, live_server)
    expect = sync_api.expect

    # The password alone leads to the set-up, whatever page is asked for.
    log_in(page, live_server, "ayu", password_for("ayu"))
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/set-up/"))
    page.goto(live_server.url + "/partnerships/")
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/set-up/\?next=/partnerships/"))
    expect(page.locator("main")).to_contain_text("Peran Anda memerlukan faktor kedua")
    expect(page.locator("img[data-qr]")).to_be_visible()
    secret = page.locator("[data-secret]").inner_text().strip()
    totp = TOTP(b32decode(secret))
    page.locator("#id_code").fill(f"{totp.token():06d}")
    page.locator("main button[type=submit]").click()
    # The codes page follows the POST: wait for it before reading (a read right after the click
    # sees the set-up page still).
    expect(page.locator("[data-recovery-codes] code")).to_have_count(10)
    codes = page.locator("[data-recovery-codes] code").all_inner_texts()
    page.get_by_role("link", name="Sudah saya simpan").click()
    expect(page).to_have_url(re.compile(r"/partnerships/$"))

    # Signing in again: the password, then a code (the next one: each code is accepted once).
    log_out(page)
    log_in(page, live_server, "ayu", password_for("ayu"))
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/verify/"))
    page.locator("#id_code").fill(f"{TOTP(b32decode(secret), drift=1).token():06d}")
    page.locator("main button[type=submit]").click()
    expect(page.locator("main h1")).not_to_have_text("Faktor kedua")
    page.goto(live_server.url + "/accounts/")
    expect(page.locator("[data-second-factor=on]")).to_contain_text("Sisa 10 kode pemulihan")

    # A recovery code, once.
    for attempt in range(2):
        log_out(page)
        log_in(page, live_server, "ayu", password_for("ayu"))
        page.locator("#id_code").fill(codes[0])
        page.locator("main button[type=submit]").click()
        if attempt == 0:
            expect(page.locator(".message.warning")).to_contain_text("sisa 9")
        else:
            expect(page.locator("main .errorlist")).to_contain_text("Kode itu salah")
    page.wait_for_timeout(2500)  # after a wrong code the next is checked a second later
    page.locator("#id_code").fill(codes[1])
    page.locator("main button[type=submit]").click()
    expect(page.locator(".message.warning")).to_contain_text("sisa 8")

    # The header's switch to English is kept: pages stay English at the next sign-in.
    expect(page.locator(".lang button[type=submit]")).to_be_hidden()  # the switch's script is on
    page.locator("#language").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto(live_server.url + "/accounts/")
    expect(page.locator("main h1")).to_have_text("Your account")
    log_out(page)
    context.close()
    context, page, watch = open_page(browser, live_server, viewport={"width": 390, "height": 800})
    log_in(page, live_server, "ayu", password_for("ayu"))
    page.locator("#id_code").fill(codes[2])
    page.locator("main button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/two-factor/verify/"))  # before leaving
    page.goto(live_server.url + "/accounts/")
    expect(page.locator("main h1")).to_have_text("Your account")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert Profile.objects.get(user=user).language == "en"
    assert watch.errors == []
    context.close()
