"""What people do with their own account: reset a forgotten password by e-mail, confirm their
address, sign out other sessions, revoke API tokens, choose the language and time zone of pages."""

from __future__ import annotations

import re
import zoneinfo

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse

from kembar.accounts import services
from kembar.accounts.models import AccountSession, ApiToken, Membership, Organisation, Profile
from kembar.gazetteer.models import Place
from tests.support.builders import make_office, make_user, password_for
from tests.support.queries import assert_constant_queries

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+")


def sign_in(username: str, **headers) -> Client:
    client = Client(**headers)
    response = client.post(reverse("login"), {"username": username, "password": password_for(username)})
    assert response.status_code == 302, response.content
    return client


# --- password reset ---------------------------------------------------------------------------


def test_login_page_links_to_the_password_reset(client):
    assert reverse("password_reset") in client.get(reverse("login")).content.decode()


def test_password_reset_by_mail_end_to_end(users):
    user = users["bandung_editor"]
    user.email = "siti@bandung.example"
    user.save()
    elsewhere = sign_in("bandung_editor")
    client = Client()
    response = client.post(reverse("password_reset"), {"email": "SITI@bandung.example"})
    assert response.status_code == 302 and response.url == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["siti@bandung.example"]
    assert "bandung_editor" in message.body
    link = LINK.search(message.body).group(0)
    # Django's confirm view swaps the token for a session marker and redirects to a set-password form.
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200 and 'name="new_password1"' in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "Kota-kembang-2026", "new_password2": "Kota-kembang-2026"}
    )
    assert done.status_code == 302 and done.url == reverse("password_reset_complete")
    assert Client().login(username="bandung_editor", password="Kota-kembang-2026")
    # The session opened with the old password is signed out, and the link works once.
    assert "bandung_editor" not in elsewhere.get("/").content.decode()
    again = Client().get(link, follow=True)
    assert "data-invalid-link" in again.content.decode()


def test_password_reset_mail_is_in_the_recipients_language(users):
    user = users["bandung_editor"]
    user.email = "siti@bandung.example"
    user.save()
    Profile.objects.create(user=user, language="id")
    Client().post(reverse("password_reset"), {"email": "siti@bandung.example"})
    assert "kata sandi" in mail.outbox[0].subject.lower()


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"}, follow=True)
    assert "data-reset-sent" in response.content.decode()
    assert mail.outbox == []


# --- e-mail verification ----------------------------------------------------------------------


def test_a_new_address_is_confirmed_by_the_mailed_link(users):
    client = sign_in("bandung_editor")
    response = client.post(
        reverse("account_preferences"), {"email": "siti@bandung.example", "language": "", "time_zone": ""}
    )
    assert response.status_code == 302
    page = client.get(reverse("account")).content.decode()
    assert "data-email-unverified" in page
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["siti@bandung.example"]
    link = LINK.search(mail.outbox[0].body).group(0)
    confirmed = Client().get(link)  # from the mail client, not signed in
    assert confirmed.status_code == 200 and "data-email-confirmed" in confirmed.content.decode()
    assert "data-email-verified" in client.get(reverse("account")).content.decode()
    users["bandung_editor"].refresh_from_db()
    assert services.email_verified(users["bandung_editor"])


def test_a_link_for_an_address_since_changed_or_tampered_with_is_refused(users):
    user = users["bandung_editor"]
    user.email = "old@bandung.example"
    user.save()
    services.send_verification(user)
    link = LINK.search(mail.outbox[0].body).group(0)
    user.email = "new@bandung.example"
    user.save()
    assert Client().get(link).status_code == 400
    token = signing.dumps({"u": user.pk, "e": "new@bandung.example"}, salt="another salt")
    assert Client().get(reverse("verify_email", args=[token])).status_code == 400
    assert not services.email_verified(user)


def test_asking_for_a_link_without_an_address_says_so(users):
    client = sign_in("bandung_editor")
    response = client.post(reverse("send_verification"), follow=True)
    assert "Enter an e-mail address first." in response.content.decode()
    assert mail.outbox == []


# --- sessions -----------------------------------------------------------------------------------


def test_sessions_are_listed_and_another_one_is_signed_out(users):
    laptop = sign_in("bandung_editor", HTTP_USER_AGENT="Laptop Firefox")
    phone = sign_in("bandung_editor", HTTP_USER_AGENT="Phone Chrome")
    sign_in("surabaya_editor")
    page = laptop.get(reverse("account")).content.decode()
    assert "Laptop Firefox" in page and "Phone Chrome" in page and page.count("data-session=") == 2
    other = AccountSession.objects.get(user=users["bandung_editor"], user_agent="Phone Chrome")
    response = laptop.post(reverse("sign_out_session", args=[other.pk]))
    assert response.status_code == 302
    assert "bandung_editor" not in phone.get("/").content.decode()  # signed out
    assert "bandung_editor" in laptop.get("/").content.decode()
    assert laptop.get(reverse("account")).content.decode().count("data-session=") == 1


def test_nobody_signs_out_someone_elses_session(users):
    victim = sign_in("surabaya_editor")
    theirs = AccountSession.objects.get(user=users["surabaya_editor"])
    attacker = sign_in("bandung_editor")
    assert attacker.post(reverse("sign_out_session", args=[theirs.pk])).status_code == 404
    assert "surabaya_editor" in victim.get("/").content.decode()


def test_sign_out_all_other_sessions_and_logging_out_forgets_the_session(users):
    first = sign_in("bandung_editor")
    second = sign_in("bandung_editor")
    first.post(reverse("sign_out_other_sessions"))
    assert "bandung_editor" not in second.get("/").content.decode()
    first.post(reverse("logout"))
    assert not AccountSession.objects.filter(user=users["bandung_editor"]).exists()


def test_changing_the_password_keeps_this_session_listed_and_ends_the_others(users):
    client = sign_in("bandung_editor")
    other = sign_in("bandung_editor")
    response = client.post(
        reverse("password_change"),
        {
            "old_password": password_for("bandung_editor"),
            "new_password1": "Baru-2026-kembar",
            "new_password2": "Baru-2026-kembar",
        },
    )
    assert response.status_code == 302
    assert "bandung_editor" not in other.get("/").content.decode()
    rows = AccountSession.objects.filter(user=users["bandung_editor"])
    assert [r.session_key for r in rows] == [client.session.session_key]


# --- API tokens ---------------------------------------------------------------------------------


def test_own_tokens_are_created_listed_and_revoked(users):
    client = sign_in("bandung_editor")
    ApiToken.issue(users["surabaya_editor"], "theirs")
    response = client.post(reverse("create_token"), {"name": "quarterly figures"})
    page = response.content.decode()
    token = re.search(r"<code>(kmb_[^<]+)</code>", page).group(1)
    assert "quarterly figures" in page and "theirs" not in page
    assert Client().get("/api/partnerships", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    mine = ApiToken.objects.get(user=users["bandung_editor"])
    assert client.post(reverse("revoke_token", args=[mine.pk])).status_code == 302
    assert Client().get("/api/partnerships", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
    assert "quarterly figures" not in client.get(reverse("account")).content.decode()


def test_a_token_needs_a_name_and_nobody_revokes_anothers(users):
    client = sign_in("bandung_editor")
    response = client.post(reverse("create_token"), {"name": "  "})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    theirs, _token = ApiToken.issue(users["surabaya_editor"], "theirs")
    assert client.post(reverse("revoke_token", args=[theirs.pk])).status_code == 404
    assert ApiToken.objects.filter(pk=theirs.pk).exists()
    assert not ApiToken.objects.filter(user=users["bandung_editor"]).exists()


def test_the_account_pages_need_a_signed_in_user(client):
    for name in ("account", "second_factor_setup", "second_factor_verify"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response.url.startswith(reverse("login")), name


# --- preferences --------------------------------------------------------------------------------


def test_the_chosen_language_and_time_zone_apply_to_every_page_in_every_session(users):
    client = sign_in("bandung_editor")
    other = sign_in("bandung_editor")
    assert "Partnerships" in client.get("/partnerships/").content.decode()
    response = client.post(
        reverse("account_preferences"), {"email": "", "language": "id", "time_zone": "America/Chicago"}
    )
    assert response.status_code == 302
    for session in (client, other):
        page = session.get("/partnerships/")
        assert page.headers["Content-Language"] == "id"
        assert "Kemitraan" in page.content.decode()
    # Times on the account page read in the chosen zone, named.
    assert re.search(r"\d\d:\d\d C[SD]T", client.get(reverse("account")).content.decode())


def test_an_officer_may_name_the_zone_as_indonesia_does(users):
    """ "WIB", the zone every page shows beside a time, is Asia/Jakarta; WITA and WIT too."""
    client = sign_in("bandung_editor")
    for typed, stored in (("WIB", "Asia/Jakarta"), ("wita", "Asia/Makassar"), (" WIT ", "Asia/Jayapura")):
        response = client.post(reverse("account_preferences"), {"email": "", "language": "id", "time_zone": typed})
        assert response.status_code == 302, typed
        assert Profile.objects.get(user=users["bandung_editor"]).time_zone == stored


def test_an_unknown_time_zone_is_refused_and_nothing_saved(users):
    client = sign_in("bandung_editor")
    response = client.post(reverse("account_preferences"), {"email": "", "language": "en", "time_zone": "Mars/Olympus"})
    assert response.status_code == 200 and "Unknown time zone" in response.content.decode()
    assert not Profile.objects.filter(user=users["bandung_editor"], language="en").exists()


def test_without_a_zone_of_their_own_times_are_in_the_offices_zone(users):
    assert services.preferences(users["bandung_editor"])["zone"] == "Asia/Jakarta"
    Profile.objects.create(user=users["bandung_editor"], time_zone="Europe/Berlin")
    assert services.preferences(users["bandung_editor"])["zone"] == "Europe/Berlin"


def test_an_oversight_body_sees_its_province_or_its_capital_zone(users):
    """Kemendagri works in Jakarta's time; a provincial bureau in its province's; a national
    body of another country in its capital's; a platform administrator without an office in UTC."""
    assert services.preferences(users["oversight"])["zone"] == "Asia/Jakarta"
    papua = Place.objects.get(subdivision_code="ID-PA")
    bureau = make_office("Biro Kerja Sama Papua", kind=Organisation.Kind.OVERSIGHT, party="province", province=papua)
    assert services.preferences(make_user("papua", bureau, Membership.Role.VIEWER))["zone"] == "Asia/Jayapura"
    japan = make_office(
        "Japan's national body", kind=Organisation.Kind.OVERSIGHT, party="kemendagri", country_code="JP"
    )
    assert services.preferences(make_user("tokyo", japan, Membership.Role.VIEWER))["zone"] == "Asia/Tokyo"
    brazil = make_office(
        "Brazil's national body", kind=Organisation.Kind.OVERSIGHT, party="kemendagri", country_code="BR"
    )
    assert services.preferences(make_user("brasilia", brazil, Membership.Role.VIEWER))["zone"] == "America/Sao_Paulo"
    assert services.preferences(users["platform_admin"])["zone"] == "UTC"


def test_the_header_switch_keeps_a_signed_in_users_language(users):
    client = sign_in("bandung_editor")
    client.post(reverse("set_language"), {"language": "id", "next": "/"})
    assert Profile.objects.get(user=users["bandung_editor"]).language == "id"
    fresh = sign_in("bandung_editor")  # another browser, no language cookie
    assert "Kemitraan" in fresh.get("/partnerships/").content.decode()


def test_a_users_language_for_mail(users):
    assert services.user_language(users["bandung_editor"]) == "id"  # an Indonesian office
    assert services.user_language(users["braunschweig_editor"]) == "en"  # a foreign office
    Profile.objects.create(user=users["braunschweig_editor"], language="id")
    assert services.user_language(users["braunschweig_editor"]) == "id"


def test_time_zone_names_are_real():
    names = services.time_zone_names()
    assert "Asia/Jakarta" in names and all(name in zoneinfo.available_timezones() for name in names)


def test_the_account_page_costs_the_same_queries_with_more_sessions_and_tokens(users):
    user = users["bandung_editor"]
    client = sign_in("bandung_editor")
    with assert_constant_queries() as queries:
        client.get(reverse("account"))
        with queries.few():
            assert client.get(reverse("account")).status_code == 200
        for i in range(5):
            sign_in("bandung_editor")
            ApiToken.issue(user, f"t{i}")
        with queries.many():
            assert client.get(reverse("account")).status_code == 200
