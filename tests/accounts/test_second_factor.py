"""The second factor: codes from an authenticator app (TOTP) and single-use recovery codes.
Office administrators, oversight members and platform administrators must set one up before
anything else; everyone else may; a session of a user with one asks for a code after the password."""

from __future__ import annotations

import re
from base64 import b32decode
from binascii import unhexlify

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from kembar.accounts import services
from kembar.accounts.models import Membership
from tests.support.builders import make_user, password_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def second_factor_required(settings):
    """As in production; a wrong code does not make the next one wait (but see the throttle test)."""
    settings.KEMBAR_SECOND_FACTOR_REQUIRED = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def signed_out(client) -> bool:
    """Sent to log in (not to a second-factor step) from the account page."""
    response = client.get(reverse("account"))
    return response.status_code == 302 and response.url.startswith(reverse("login"))


def sign_in(username: str) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": password_for(username)})
    assert response.status_code == 302, response.content
    return client


def code(user, steps_ahead: int = 0) -> str:
    """The authenticator's code now (or a step of 30 s later: a code is accepted once)."""
    device = TOTPDevice.objects.filter(user=user).order_by("-pk").first()
    totp = TOTP(unhexlify(device.key), device.step, device.t0, device.digits, drift=steps_ahead)
    return f"{totp.token():06d}"


def set_up(client, user) -> list[str]:
    """Through the set-up page, with the code of the secret it shows; returns the recovery codes."""
    page = client.get(reverse("second_factor_setup"))
    secret = re.search(r"<code data-secret>([A-Z2-7=]+)</code>", page.content.decode()).group(1)
    assert not TOTPDevice.objects.filter(user=user).exists()  # showing the page writes nothing
    now = f"{TOTP(b32decode(secret)).token():06d}"
    response = client.post(reverse("second_factor_setup"), {"code": now, "next": "/partnerships/"})
    assert response.status_code == 200, response.content
    return re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())


@pytest.mark.parametrize("who", ["oversight", "platform_admin", "office_admin"])
def test_roles_that_need_it_are_sent_to_set_it_up_before_anything_else(users, orgs, who):
    if who == "office_admin":
        make_user("office_admin", orgs["bandung"], Membership.Role.ADMIN)
    client = sign_in(who)
    for path in ("/", "/partnerships/", "/admin/", "/accounts/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.url.startswith(reverse("second_factor_setup")), path
    api = client.get("/api/partnerships")
    assert api.status_code == 403 and "second factor" in api.json()["detail"]
    page = client.get(reverse("second_factor_setup")).content.decode()
    assert "Your role needs a second factor" in page and "data-qr" in page


def test_an_editor_is_offered_it_and_not_forced(users):
    client = sign_in("bandung_editor")
    assert client.get("/partnerships/").status_code == 200
    assert "Set up the second factor" in client.get(reverse("account")).content.decode()


def test_set_up_login_with_code_and_a_recovery_code_once(users):
    user = users["oversight"]
    client = sign_in("oversight")
    other = sign_in("oversight")  # opened with the password only
    wrong = client.post(reverse("second_factor_setup"), {"code": "000000"})
    assert wrong.status_code == 200 and "That code is not right" in wrong.content.decode()
    codes = set_up(client, user)
    assert len(codes) == 10
    assert client.get("/partnerships/").status_code == 200
    assert signed_out(other)  # signed out when the factor was turned on

    # A new sign-in: the password, then the code.
    fresh = sign_in("oversight")
    response = fresh.get("/partnerships/")
    assert response.status_code == 302 and response.url.startswith(reverse("second_factor_verify"))
    assert "That code is not right" in fresh.post(reverse("second_factor_verify"), {"code": "123456"}).content.decode()
    ok = fresh.post(reverse("second_factor_verify"), {"code": code(user, steps_ahead=1), "next": "/partnerships/"})
    assert ok.status_code == 302 and ok.url == "/partnerships/"
    assert fresh.get("/partnerships/").status_code == 200

    # A recovery code signs in once.
    for attempt in range(2):
        c = sign_in("oversight")
        response = c.post(reverse("second_factor_verify"), {"code": codes[0].upper()})
        assert response.status_code == (302 if attempt == 0 else 200), attempt
    assert services.recovery_codes_left(user) == 9


def test_a_code_is_accepted_once(users):
    user = users["bandung_editor"]
    client = sign_in("bandung_editor")
    set_up(client, user)
    current = code(user, steps_ahead=1)
    first, second = sign_in("bandung_editor"), sign_in("bandung_editor")
    assert first.post(reverse("second_factor_verify"), {"code": current}).status_code == 302
    assert second.post(reverse("second_factor_verify"), {"code": current}).status_code == 200


def test_new_recovery_codes_replace_the_old_ones(users):
    user = users["bandung_editor"]
    client = sign_in("bandung_editor")
    old = set_up(client, user)
    assert client.post(reverse("recovery_codes"), {"code": "nonsense"}).status_code == 200  # refused, told
    assert services.recovery_codes_left(user) == 10
    response = client.post(reverse("recovery_codes"), {"code": old[0]})
    new = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    c = sign_in("bandung_editor")
    assert c.post(reverse("second_factor_verify"), {"code": old[1]}).status_code == 200
    assert c.post(reverse("second_factor_verify"), {"code": new[0]}).status_code == 302


def test_an_editor_may_turn_it_off_a_required_role_may_not(users):
    editor, overseer = users["bandung_editor"], users["oversight"]
    client = sign_in("bandung_editor")
    set_up(client, editor)
    client.post(reverse("second_factor_off"), {"code": code(editor, steps_ahead=1)})
    assert not services.has_second_factor(editor)
    assert sign_in("bandung_editor").get("/partnerships/").status_code == 200

    client = sign_in("oversight")
    set_up(client, overseer)
    response = client.post(reverse("second_factor_off"), {"code": code(overseer, steps_ahead=1)}, follow=True)
    assert "cannot be turned off" in response.content.decode()
    assert services.has_second_factor(overseer)


def test_an_api_token_is_not_asked_for_a_code(users, tokens):
    client = sign_in("oversight")
    assert client.get("/api/partnerships").status_code == 403
    assert Client().get("/api/partnerships", HTTP_AUTHORIZATION=f"Bearer {tokens['oversight']}").status_code == 200


def test_the_operator_removes_a_lost_second_factor(users, capsys):
    user = users["oversight"]
    client = sign_in("oversight")
    set_up(client, user)
    call_command("second_factor_reset", "oversight")
    assert not services.has_second_factor(user) and services.recovery_codes_left(user) == 0
    assert signed_out(client)
    assert "second factor removed" in capsys.readouterr().out
    # The next sign-in sets it up again.
    assert sign_in("oversight").get("/").url.startswith(reverse("second_factor_setup"))


def test_a_demo_installation_only_offers_it(users, settings):
    settings.KEMBAR_SECOND_FACTOR_REQUIRED = False
    client = sign_in("oversight")
    assert client.get("/partnerships/").status_code == 200


def test_wrong_codes_make_the_next_check_wait(users, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = settings.OTP_STATIC_THROTTLE_FACTOR = 60
    user = users["bandung_editor"]
    set_up(sign_in("bandung_editor"), user)
    client = sign_in("bandung_editor")
    assert "That code is not right" in client.post(reverse("second_factor_verify"), {"code": "000000"}).content.decode()
    response = client.post(reverse("second_factor_verify"), {"code": code(user, steps_ahead=1)})
    assert response.status_code == 200 and "wait a few seconds" in response.content.decode()
