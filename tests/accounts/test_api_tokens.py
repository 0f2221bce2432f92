"""API tokens: a Bearer token identifies its user, only its digest is stored, `create_token`
issues one; without one, reads are public and writes refused; a browser session works with the
CSRF token."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from kembar.accounts.models import ApiToken
from kembar.partnerships.models import Partnership
from tests.support.builders import private_friendship, sister_cities
from tests.support.clients import partnership_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def sister(governments):
    """Bandung–Braunschweig (public), the pair whose two offices are on the platform."""
    return sister_cities(governments)


@pytest.fixture
def private(governments):
    """Bandung–Kyoto, not public: only Bandung's office, oversight and admins see it."""
    return private_friendship(governments)


def test_a_valid_token_identifies_its_user(api, private):
    listed = api("get", "/api/partnerships", as_="bandung_viewer").json()
    assert [p["id"] for p in listed["items"]] == [private.pk]


def test_an_unknown_token_is_refused_even_for_reads(api):
    response = api("get", "/api/partnerships", HTTP_AUTHORIZATION="Bearer kmb_not-a-token")
    assert response.status_code == 401
    assert "token" in response.json()["detail"].lower()
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_header_with_another_scheme_is_refused(api, tokens):
    response = api("get", "/api/partnerships", HTTP_AUTHORIZATION=f"Token {tokens['bandung_editor']}")
    assert response.status_code == 401
    assert "Bearer" in response.json()["detail"]


def test_a_token_of_an_inactive_user_is_refused(api, users):
    users["bandung_editor"].is_active = False
    users["bandung_editor"].save()
    assert api("get", "/api/partnerships", as_="bandung_editor").status_code == 401


def test_without_a_token_reads_are_public_and_writes_get_401(api, governments, sister, private):
    listed = api("get", "/api/partnerships")
    assert listed.status_code == 200
    assert [p["id"] for p in listed.json()["items"]] == [sister.pk]
    response = api("post", "/api/partnerships", body=partnership_body(governments))
    assert response.status_code == 401
    assert "Authorization: Bearer" in response.json()["detail"]
    assert not Partnership.objects.filter(
        government_a=governments["bandung"], government_b=governments["surabaya"]
    ).exists()


def test_only_the_digest_of_a_token_is_stored_and_last_used_is_throttled(api, users, tokens):
    token = tokens["bandung_editor"]
    stored = ApiToken.objects.get(user=users["bandung_editor"])
    assert stored.digest == ApiToken.hash(token) and token not in (stored.digest, stored.prefix)
    assert stored.last_used is None

    api("get", "/api/partnerships", as_="bandung_editor")
    stored.refresh_from_db()
    first = stored.last_used
    assert first is not None
    api("get", "/api/partnerships", as_="bandung_editor")
    stored.refresh_from_db()
    assert stored.last_used == first  # not rewritten within the minute

    ApiToken.objects.filter(pk=stored.pk).update(last_used=first - dt.timedelta(minutes=2))
    api("get", "/api/partnerships", as_="bandung_editor")
    stored.refresh_from_db()
    assert stored.last_used > first - dt.timedelta(minutes=2)


def test_a_browser_session_reads_and_writes_with_the_csrf_token(users, governments, private):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(users["bandung_editor"])
    listed = browser.get("/api/partnerships").json()
    assert [p["id"] for p in listed["items"]] == [private.pk]

    body = json.dumps(partnership_body(governments))
    refused = browser.post("/api/partnerships", body, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]

    browser.get("/api/docs")  # sets the CSRF cookie, as any page does
    created = browser.post(
        "/api/partnerships", body, content_type="application/json", HTTP_X_CSRFTOKEN=browser.cookies["csrftoken"].value
    )
    assert created.status_code == 201, created.content


def test_create_token_prints_a_working_token_once(api, users):
    out = StringIO()
    call_command("create_token", "bandung_editor", "reporting script", stdout=out, stderr=StringIO())
    token = out.getvalue().strip()
    assert token.startswith("kmb_")
    assert ApiToken.objects.get(digest=ApiToken.hash(token)).name == "reporting script"
    response = api("get", "/api/partnerships", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200


def test_create_token_refuses_an_unknown_user(db):
    with pytest.raises(CommandError, match="nobody"):
        call_command("create_token", "nobody", "script", stdout=StringIO(), stderr=StringIO())
