"""/api/account: the caller's own account, as the page /accounts/ shows it: their API tokens and
their signed-in sessions, listed and revoked. Views translate HTTP to `kembar.accounts.services`.

It lives beside the token authentication rather than in `kembar/accounts/api.py` because it
needs `kembar.api.auth` (which reads accounts' tokens, so sits above accounts in the layers).
Every operation needs credentials (a token or a session): there is no anonymous account to read.
A token or session of anyone else is answered 404, as if it did not exist. Tokens are made on
the page (or with `kembar create-token`), never through the API: a stolen token cannot breed.

No `from __future__ import annotations` (ninja evaluates annotations of views)."""

import datetime as dt

from django.http import Http404
from django.utils.translation import gettext_lazy
from ninja import Field, Router, Schema
from ninja.responses import Status as Reply

from kembar.accounts import services

from .auth import WRITE
from .errors import ERRORS

router = Router(tags=["account"], auth=WRITE)

TOKEN_NOT_FOUND = gettext_lazy("You have no API token with id %(id)s.")
SESSION_NOT_FOUND = gettext_lazy("You have no signed-in session with id %(id)s.")


class TokenOut(Schema):
    id: int
    name: str = Field(description="What the token is for, as named when it was made.")
    prefix: str = Field(
        description="The token's first characters, to recognise it; the token itself is never shown again."
    )
    created: dt.datetime
    last_used: dt.datetime | None = Field(description="Refreshed at most once a minute; null if never used.")


class SessionOut(Schema):
    id: int
    signed_in: dt.datetime
    user_agent: str = Field(description="The browser, as it named itself at sign-in.")
    ip_address: str | None
    current: bool = Field(description="Whether this request comes through this session.")


def _not_found(message, pk: int):
    return Http404(message % {"id": pk})


@router.get("/tokens", response={200: list[TokenOut], **ERRORS}, summary="My API tokens")
def list_tokens(request):
    """The caller's own API tokens, newest first."""
    return list(services.own_tokens(request.auth))


@router.delete("/tokens/{token_id}", response={204: None, **ERRORS}, summary="Revoke one of my API tokens")
def revoke_token(request, token_id: int):
    """Delete one of the caller's tokens: a program using it is refused from its next call
    (revoking the token of this very request works too)."""
    try:
        services.revoke_token(request.auth, token_id)
    except Http404:
        raise _not_found(TOKEN_NOT_FOUND, token_id) from None
    return Reply(204, None)


@router.get("/sessions", response={200: list[SessionOut], **ERRORS}, summary="My signed-in sessions")
def list_sessions(request):
    """The caller's open browser sessions, newest first."""
    current = getattr(getattr(request, "session", None), "session_key", None)
    return [
        {
            "id": s.pk,
            "signed_in": s.signed_in,
            "user_agent": s.user_agent,
            "ip_address": s.ip_address,
            "current": bool(current) and s.session_key == current,
        }
        for s in services.own_sessions(request.auth)
    ]


@router.delete("/sessions/{session_id}", response={204: None, **ERRORS}, summary="Sign out one of my sessions")
def sign_out_session(request, session_id: int):
    """End one of the caller's sessions: that browser is signed out at its next request."""
    try:
        services.sign_out_session(request.auth, session_id)
    except Http404:
        raise _not_found(SESSION_NOT_FOUND, session_id) from None
    return Reply(204, None)
