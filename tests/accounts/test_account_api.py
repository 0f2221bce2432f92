"""/api/account: one's own API tokens and signed-in sessions through the API, with the rules of the
account page: listed and revoked by their owner only (anyone else's is 404), never without
credentials, a browser session's writes with the CSRF token."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kembar.accounts.models import AccountSession, ApiToken
from tests.support.builders import password_for
from tests.support.queries import assert_constant_queries

pytestmark = pytest.mark.django_db


def sign_in(username: str, **headers) -> Client:
    client = Client(enforce_csrf_checks=True, **headers)
    client.get(reverse("login"))
    response = client.post(
        reverse("login"),
        {
            "username": username,
            "password": password_for(username),
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
        },
    )
    assert response.status_code == 302, response.content
    return client


def test_own_tokens_are_listed_and_one_is_revoked_through_the_api(api, users, tokens):
    token = tokens["bandung_editor"]  # the token this test calls with
    spare, spare_token = ApiToken.issue(users["bandung_editor"], "quarterly figures")
    ApiToken.issue(users["surabaya_editor"], "theirs")
    listed = api("get", "/api/account/tokens", as_="bandung_editor").json()
    assert sorted(t["name"] for t in listed) == sorted(
        ["quarterly figures", ApiToken.objects.get(prefix=token[:8]).name]
    )
    assert all("digest" not in t and set(t) == {"id", "name", "prefix", "created", "last_used"} for t in listed)
    assert {t["prefix"] for t in listed} == {token[:8], spare_token[:8]}

    assert api("delete", f"/api/account/tokens/{spare.pk}", as_="bandung_editor").status_code == 204
    assert Client().get("/api/partnerships", HTTP_AUTHORIZATION=f"Bearer {spare_token}").status_code == 401
    assert [t["name"] for t in api("get", "/api/account/tokens", as_="bandung_editor").json()] != []
    assert "quarterly figures" not in str(api("get", "/api/account/tokens", as_="bandung_editor").json())


def test_nobody_lists_or_revokes_anothers_token(api, users):
    theirs, their_token = ApiToken.issue(users["surabaya_editor"], "theirs")
    response = api("delete", f"/api/account/tokens/{theirs.pk}", as_="bandung_editor")
    assert response.status_code == 404 and str(theirs.pk) in response.json()["detail"]
    assert ApiToken.objects.filter(pk=theirs.pk).exists()
    assert "theirs" not in str(api("get", "/api/account/tokens", as_="bandung_editor").json())
    # Nor the platform administrator: a token is its owner's alone.
    assert api("delete", f"/api/account/tokens/{theirs.pk}", as_="platform_admin").status_code == 404
    assert Client().get("/api/partnerships", HTTP_AUTHORIZATION=f"Bearer {their_token}").status_code == 200


def test_the_account_api_needs_credentials(api, users):
    mine, _token = ApiToken.issue(users["bandung_editor"], "mine")
    for method, path in [
        ("get", "/api/account/tokens"),
        ("get", "/api/account/sessions"),
        ("delete", f"/api/account/tokens/{mine.pk}"),
    ]:
        assert api(method, path).status_code == 401, path
    assert ApiToken.objects.filter(pk=mine.pk).exists()


def test_sessions_are_listed_and_one_is_signed_out_through_the_api(api, users):
    laptop = sign_in("bandung_editor", HTTP_USER_AGENT="Laptop Firefox")
    phone = sign_in("bandung_editor", HTTP_USER_AGENT="Phone Chrome")
    sign_in("surabaya_editor")
    listed = laptop.get("/api/account/sessions").json()
    assert sorted(s["user_agent"] for s in listed) == ["Laptop Firefox", "Phone Chrome"]
    assert [s["user_agent"] for s in listed if s["current"]] == ["Laptop Firefox"]
    phone_id = next(s["id"] for s in listed if s["user_agent"] == "Phone Chrome")

    # A session's write needs the CSRF token, as a form does.
    assert laptop.delete(f"/api/account/sessions/{phone_id}").status_code == 403
    assert "bandung_editor" in phone.get("/").content.decode()
    response = laptop.delete(f"/api/account/sessions/{phone_id}", HTTP_X_CSRFTOKEN=laptop.cookies["csrftoken"].value)
    assert response.status_code == 204
    assert "bandung_editor" not in phone.get("/").content.decode()  # signed out
    assert [s["user_agent"] for s in laptop.get("/api/account/sessions").json()] == ["Laptop Firefox"]
    # With a token, no session is this request's.
    assert [s["current"] for s in api("get", "/api/account/sessions", as_="bandung_editor").json()] == [False]


def test_nobody_signs_out_anothers_session_through_the_api(api, users):
    victim = sign_in("surabaya_editor")
    theirs = AccountSession.objects.get(user=users["surabaya_editor"])
    assert api("delete", f"/api/account/sessions/{theirs.pk}", as_="bandung_editor").status_code == 404
    assert api("delete", f"/api/account/sessions/{theirs.pk}", as_="platform_admin").status_code == 404
    assert "surabaya_editor" in victim.get("/").content.decode()
    assert api("get", "/api/account/sessions", as_="bandung_editor").json() == []


def test_the_lists_cost_the_same_queries_with_more_tokens_and_sessions(api, users):
    user = users["bandung_editor"]
    sign_in("bandung_editor")  # one session, one token (the caller's) to begin with
    with assert_constant_queries() as queries:
        api("get", "/api/account/tokens", as_="bandung_editor")
        with queries.few():
            assert api("get", "/api/account/tokens", as_="bandung_editor").status_code == 200
            assert api("get", "/api/account/sessions", as_="bandung_editor").status_code == 200
        for i in range(5):
            sign_in("bandung_editor")
            ApiToken.issue(user, f"t{i}")
        with queries.many():
            assert api("get", "/api/account/tokens", as_="bandung_editor").status_code == 200
            assert api("get", "/api/account/sessions", as_="bandung_editor").status_code == 200
