from urllib.parse import quote
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import services


class PreferencesMiddleware:
    """Every page in the signed-in user's language and time zone.

    The language is the user's own choice (the account page, or the header's switch while
    signed in); without one, the visitor's (the switch's cookie, the browser). Times show in
    the user's own time zone, else their office's (Asia/Jakarta for Bandung; an oversight
    body's province's or capital's); visitors see UTC. Both are read at sign-in and kept in the
    session (no query per request); a change reaches every open session of the user.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone = "UTC"
        if request.user.is_authenticated:
            values = request.session.get(services.PREFERENCES_KEY)
            if values is None:  # a session from before preferences were kept
                values = request.session[services.PREFERENCES_KEY] = services.preferences(request.user)
            zone = values.get("zone") or "UTC"
            language = values.get("language")
            if language and language != translation.get_language():
                translation.activate(language)
                request.LANGUAGE_CODE = translation.get_language()
        timezone.activate(ZoneInfo(zone))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


# Pages a session that still owes its second factor may open: the two steps themselves,
# logging out, switching the language, and the static files of those pages.
SECOND_FACTOR_PAGES = ("second_factor_verify", "second_factor_setup", "logout", "set_language")


class SecondFactorMiddleware:
    """Before anything else, a session of a user with a second factor asks for its code, and a
    user whose role requires one (`permissions.requires_second_factor`) sets it up.

    A request with an API token (Authorization header) is not a session: the token decides.
    The API answers a session that owes its second factor with 403.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if response := self.intercept(request):
            return response
        return self.get_response(request)

    def intercept(self, request):
        user = request.user
        if not user.is_authenticated or "HTTP_AUTHORIZATION" in request.META:
            return None
        state = request.session.get(services.SECOND_FACTOR_KEY)
        if state is None:  # a session from before the second factor
            state = request.session[services.SECOND_FACTOR_KEY] = services.second_factor_state(user)
        if state == services.NOTHING or user.is_verified():
            return None
        if request.path.startswith(
            settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL
        ):
            return None
        if request.path in {reverse(name) for name in SECOND_FACTOR_PAGES}:
            return None
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": _("Sign in with your second factor first.")}, status=403)
        target = "second_factor_verify" if state == services.VERIFY else "second_factor_setup"
        return redirect(f"{reverse(target)}?next={quote(request.get_full_path())}")
