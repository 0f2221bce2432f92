"""Login rate limiting: the glue between django-axes and the platform's login pages.

django-axes counts failed logins per username in the database (so the count holds across
workers and app servers) and refuses a locked-out username before its password is checked.
This module decides what a refused visitor sees: the login form they used, with a message in
their language, and status 429.
"""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.forms.utils import ErrorDict
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class LoginRateLimitBackend(AxesStandaloneBackend):
    """Refuses locked-out usernames on logins that come with an HTTP request.

    Logins without one (the test client's ``login()``, a shell) are not login attempts from
    the outside and go straight to the next backend, where axes itself would refuse them.
    """

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_message() -> str:
    from django.conf import settings

    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    return ngettext(
        "Too many failed login attempts for this username. Logging in is blocked for %(minutes)d "
        "minute; try again later.",
        "Too many failed login attempts for this username. Logging in is blocked for %(minutes)d "
        "minutes; try again later.",
        minutes,
    ) % {"minutes": minutes}


def _refused_form(form_class, request: HttpRequest):
    """An unbound login form that shows the username typed and only the lockout message."""
    username = request.POST.get("username", "") if request.method == "POST" else ""
    form = form_class(request, initial={"username": username})
    form._errors = ErrorDict()
    form.cleaned_data = {}
    form.add_error(None, lockout_message())
    return form


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """The login form again (the site's or the admin's), with the lockout message, status 429."""
    if request.path.startswith(reverse("admin:index")):
        from django.contrib import admin

        context = {
            **admin.site.each_context(request),
            "title": _("Log in"),
            "form": _refused_form(AdminAuthenticationForm, request),
            "app_path": request.get_full_path(),
            "username": request.user.get_username(),
        }
        return render(request, "admin/login.html", context, status=429)
    next_url = request.POST.get("next", "") if request.method == "POST" else ""
    return render(
        request,
        "registration/login.html",
        {"form": _refused_form(AuthenticationForm, request), "next": next_url},
        status=429,
    )


def client_address(request: HttpRequest) -> str:
    """The visitor's network address as the login rate limit sees it (django-axes' resolution:
    `AXES_CLIENT_IP_CALLABLE`, else django-ipware's reading of the proxy headers when installed,
    else REMOTE_ADDR), so one setting serves every limit by address; empty when unknown."""
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or ""


def address_digest(address: str, purpose: str) -> str:
    """A keyed digest of a network address, for counting what one address did without keeping
    the address itself (`purpose` keeps the digests of different limits apart)."""
    import hashlib
    import hmac

    from django.conf import settings

    key = f"{settings.SECRET_KEY}:{purpose}".encode()
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()
