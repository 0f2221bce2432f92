"""Logging in: the login form, and its rate limiting (django-axes), which locks a username after
five failures in a row, in English and Indonesian, and leaves API tokens and the test client alone."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.support.builders import make_user


@pytest.mark.django_db
def test_login_and_logout(client, users):
    response = client.post(reverse("login"), {"username": "bandung_editor", "password": "pw-bandung_editor-123"})
    assert response.status_code == 302
    assert "bandung_editor" in client.get("/").content.decode()
    client.post(reverse("logout"))
    assert "bandung_editor" not in client.get("/").content.decode()
    bad = client.post(reverse("login"), {"username": "bandung_editor", "password": "wrong"})
    assert bad.status_code == 200 and "errorlist" in bad.content.decode()


LOCKED = "Too many failed login attempts for this username"


def login(client, url: str, username: str, password: str):
    return client.post(url, {"username": username, "password": password})


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_login_is_refused_after_five_failures_until_a_success_resets(client, url, settings):
    user = make_user("siti", is_staff=True)
    other = make_user("budi", is_staff=True)
    password = "pw-siti-123"
    for attempt in range(4):
        response = login(client, url, "siti", "wrong")
        assert response.status_code == 200, attempt
        assert LOCKED not in response.content.decode()

    # A success before the limit clears the count.
    assert login(client, url, "siti", password).status_code == 302
    client.logout()
    for attempt in range(4):
        assert login(client, url, "siti", "wrong").status_code == 200

    # The fifth failure in a row locks the username.
    response = login(client, url, "siti", "wrong")
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    # Now even the right password is refused, with the message, on the form.
    response = login(client, url, "siti", password)
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert 'value="siti"' in response.content.decode()

    # Another username is unaffected.
    assert login(client, url, other.username, "pw-budi-123").status_code == 302
    assert client.session["_auth_user_id"] == str(other.pk)
    assert user.pk != other.pk


@pytest.mark.django_db
def test_lockout_ends_after_the_cool_off(client, settings):
    make_user("siti")
    for _ in range(5):
        login(client, "/accounts/login/", "siti", "wrong")
    assert login(client, "/accounts/login/", "siti", "pw-siti-123").status_code == 429

    from axes.models import AccessAttempt
    from django.utils import timezone

    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME * 2)
    assert login(client, "/accounts/login/", "siti", "pw-siti-123").status_code == 302


@pytest.mark.django_db
def test_lockout_message_is_in_indonesian(client, settings):
    settings.LANGUAGE_CODE = "id"
    make_user("siti")
    for _ in range(5):
        response = login(client, "/accounts/login/", "siti", "wrong")
    assert response.status_code == 429
    assert "Terlalu banyak" in response.content.decode()


@pytest.mark.django_db
def test_login_without_a_request_and_api_tokens_are_not_rate_limited(client):
    """The test client's login() and API tokens go on working (they carry no login form)."""
    from kembar.accounts.models import ApiToken

    user = make_user("siti")
    assert client.login(username="siti", password="pw-siti-123")
    client.logout()
    for _ in range(6):
        login(client, "/accounts/login/", "siti", "wrong")
    _, raw = ApiToken.issue(user, "script")
    response = client.get("/api/partnerships", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
