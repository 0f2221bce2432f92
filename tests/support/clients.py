"""Calling the site as someone: a test client logged in by role, Bearer headers, the API caller."""

from __future__ import annotations

import json

from kembar.accounts.models import ApiToken


def logged_in(client, users: dict, role: str):
    """The client, logged in as `users[role]`, or as it is for "anonymous"."""
    if role != "anonymous":
        client.force_login(users[role])
    return client


def bearer(user) -> dict:
    """Headers with a new API token of `user`."""
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user, 't')[1]}"}


class Tokens(dict):
    """API tokens of the `users` fixture's users, by the same keys, each issued when first asked for."""

    def __init__(self, users: dict):
        super().__init__()
        self.users = users

    def __missing__(self, name: str) -> str:
        self[name] = ApiToken.issue(self.users[name], "tests")[1]
        return self[name]


class ApiCaller:
    """api(method, path, as_=None, body=None, query=None, **headers) -> response.

    `as_` names a user of the `users` fixture, who calls with a Bearer token (anonymous without);
    `body` is sent as JSON, `query` as the query string; answers are in English unless a header
    says otherwise.
    """

    def __init__(self, client, tokens: Tokens):
        self.client = client
        self.tokens = tokens

    def __call__(self, method: str, path: str, as_: str | None = None, body=None, query=None, **headers):
        if as_ is not None:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {self.tokens[as_]}"
        headers.setdefault("HTTP_ACCEPT_LANGUAGE", "en")
        kwargs = {"data": query} if query else {}
        if body is not None:
            kwargs = {"data": json.dumps(body), "content_type": "application/json"}
        return getattr(self.client, method.lower())(path, **kwargs, **headers)


def errors_by_field(response) -> dict:
    """A 422's field errors, {field: message}, after checking their shape."""
    assert response.status_code == 422, response.content
    detail = response.json()["detail"]
    assert isinstance(detail, list) and detail
    for error in detail:
        assert set(error) == {"field", "message"} and error["message"]
    return {e["field"]: e["message"] for e in detail}


def partnership_body(governments, a="bandung", b="surabaya", **extra):
    """The JSON body of a new partnership between two of the `governments` fixture's governments."""
    return {"government_a_id": governments[a].pk, "government_b_id": governments[b].pk, **extra}
