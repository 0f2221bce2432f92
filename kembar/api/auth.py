"""Who is calling: an API token, a logged-in browser session, or nobody.

Reads accept all three (anonymous callers see public data only, the permission rules in
`kembar.accounts.permissions` decide the rest); writes need a token or a session.

A session is only trusted for writes together with Django's CSRF token (the `X-CSRFToken`
header), exactly like a form post: otherwise any site the officer visits could make their
browser change the registry. Tokens are not sent automatically by browsers, so token
requests need no CSRF token.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from kembar.accounts.models import ApiToken

# last_used is for "is this token still in use?", not an audit log: a write per request
# would double the cost of every read, so it is refreshed at most once a minute.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def user_for_token(token: str):
    """The active user an API token belongs to, or None. Only the token's digest is stored."""
    try:
        api_token = ApiToken.objects.select_related("user").get(digest=ApiToken.hash(token))
    except ApiToken.DoesNotExist:
        return None
    if not api_token.user.is_active:
        return None
    now = timezone.now()
    if api_token.last_used is None or now - api_token.last_used >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=api_token.pk).update(last_used=now)
    return api_token.user


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`; create a token with `kembar create-token USERNAME NAME`."""

    def __call__(self, request: HttpRequest):
        header = request.headers.get(self.header)
        if not header:
            return None
        scheme, _sep, token = header.partition(" ")
        if scheme.lower() != self.openapi_scheme or not token.strip():
            raise AuthenticationError(message=_("Send the token as “Authorization: Bearer <token>”."))
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str):
        user = user_for_token(token)
        if user is None:
            raise AuthenticationError(message=_("The API token is invalid or has been revoked."))
        # Page code, permissions and the change history all read request.user.
        request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The browser session of a logged-in user; writes also need the `X-CSRFToken` header."""

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(
                403,
                _("CSRF check failed: with session authentication, send the X-CSRFToken header (or use an API token)."),
            )
        return user

    def authenticate(self, request: HttpRequest, key: str | None):  # pragma: no cover - __call__ decides
        return None


def anonymous(request: HttpRequest):
    """Last resort for reads: the caller is nobody in particular and sees public data only."""
    return AnonymousUser()


token_auth = TokenAuth()
session_auth = SessionAuth()

READ = [token_auth, session_auth, anonymous]
WRITE = [token_auth, session_auth]
