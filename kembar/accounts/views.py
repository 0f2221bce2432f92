"""The account pages of the signed-in user: preferences, e-mail verification, the second
factor, sessions and API tokens. Thin: each asks `services`."""

from __future__ import annotations

from base64 import b32encode

import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.i18n import set_language as django_set_language

from kembar.core.views import submitted

from . import services
from .forms import CodeForm, PasswordResetForm, PreferencesForm, TokenForm


def _next(request, default: str = "") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return default or reverse("dashboard:dashboard")


def _site(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _account_page(request, *, preferences_form=None, token_form=None, new_token="", second_factor_errors=()):
    user = request.user
    profile = services.saved_profile(user)
    if preferences_form is None:
        preferences_form = PreferencesForm(
            initial={"email": user.email, "language": profile.language, "time_zone": profile.time_zone}
        )
    context = {
        "preferences_form": preferences_form,
        "token_form": token_form or TokenForm(),
        "new_token": new_token,
        "email_verified": services.email_verified(user),
        "time_zones": services.time_zone_names(),
        "has_second_factor": services.has_second_factor(user),
        "second_factor_required": services.second_factor_required(user),
        "recovery_codes_left": services.recovery_codes_left(user),
        "sessions": services.own_sessions(user),
        "current_session": request.session.session_key,
        "tokens": services.own_tokens(user),
        "zone": services.preferences(user)["zone"],
        "second_factor_errors": second_factor_errors,
    }
    return render(request, "accounts/account.html", context)


@login_required
@require_safe
def account(request):
    return _account_page(request)


@login_required
@require_POST
def preferences(request):
    form = PreferencesForm(request.POST if request.method == "POST" else None)
    saved = submitted(
        request,
        form,
        lambda: services.update_preferences(request.user, site_url=_site(request), **form.cleaned_data),
        _("Your preferences are saved."),
    )
    if saved is not None:
        # This request's copy of the session is saved after the view: it must hold the change too.
        request.session[services.PREFERENCES_KEY] = services.preferences(request.user)
        return redirect("account")
    return _account_page(request, preferences_form=form)


@login_required
@require_POST
def send_verification(request):
    try:
        with transaction.atomic():
            services.send_verification(request.user, _site(request))
    except ValidationError as error:
        profile = services.saved_profile(request.user)
        form = PreferencesForm(
            {"email": request.user.email, "language": profile.language, "time_zone": profile.time_zone}
        )
        form.is_valid()
        form.add_error("email", error.messages)
        return _account_page(request, preferences_form=form)
    messages.success(
        request, _("A link to confirm your address is on its way to %(email)s.") % {"email": request.user.email}
    )
    return redirect("account")


@require_safe
def verify_email(request, token: str):
    try:
        services.verify_email(token)
    except ValidationError as error:
        return render(request, "accounts/verify_email.html", {"error": " ".join(error.messages)}, status=400)
    return render(request, "accounts/verify_email.html", {"error": ""})


# --- the second factor ------------------------------------------------------------------------


def _qr(uri: str) -> str:
    return segno.make(uri, error="m").svg_data_uri(scale=4, border=2)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def second_factor_setup(request):
    """Set up the authenticator: its secret as a QR code and as text, then a code from it."""
    if services.has_second_factor(request.user) and not request.user.is_verified():
        return redirect(f"{reverse('second_factor_verify')}?next={_next(request)}")
    device = services.pending_authenticator(request)
    form = CodeForm(request.POST if request.method == "POST" else None)
    codes = submitted(request, form, lambda: services.confirm_authenticator(request, form.cleaned_data["code"]))
    if codes is not None:
        messages.success(request, _("The second factor is on."))
        return render(
            request, "accounts/recovery_codes.html", {"codes": codes, "next": _next(request, reverse("account"))}
        )
    uri = services.authenticator_uri(device)
    context = {
        "form": form,
        "qr": _qr(uri),
        "secret": b32encode(device.bin_key).decode(),
        "required": services.second_factor_required(request.user),
        "next": _next(request, reverse("account")),
    }
    return render(request, "accounts/second_factor_setup.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def second_factor_verify(request):
    """The second step of signing in: a code from the authenticator, or a recovery code."""
    if request.method != "POST" and (request.user.is_verified() or not services.has_second_factor(request.user)):
        return redirect(_next(request))
    form = CodeForm(request.POST if request.method == "POST" else None)
    used = submitted(request, form, lambda: services.verify_second_factor(request, form.cleaned_data["code"]))
    if used is not None:
        if used == "recovery":
            left = services.recovery_codes_left(request.user)
            messages.warning(
                request,
                _("You signed in with a recovery code; %(n)d left. Make new ones on your account page.") % {"n": left},
            )
        return redirect(_next(request))
    return render(request, "accounts/second_factor_verify.html", {"form": form, "next": _next(request)})


@login_required
@require_POST
def recovery_codes(request):
    """New recovery codes, shown once; a current code confirms it is the owner asking."""
    form = CodeForm(request.POST if request.method == "POST" else None)
    codes = submitted(request, form, lambda: services.replace_recovery_codes(request.user, form.cleaned_data["code"]))
    if codes is None:
        return _account_page(
            request, second_factor_errors=[*form.errors.get("code", []), _("The recovery codes are unchanged.")]
        )
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": reverse("account")})


@login_required
@require_POST
def second_factor_off(request):
    form = CodeForm(request.POST if request.method == "POST" else None)
    done = submitted(request, form, lambda: services.turn_off_second_factor(request, form.cleaned_data["code"]) or True)
    if done is None:
        return _account_page(request, second_factor_errors=form.errors.get("code", []))
    messages.success(request, _("The second factor is off."))
    return redirect("account")


# --- sessions and tokens ----------------------------------------------------------------------


@login_required
@require_POST
def sign_out_session(request, session_id: int):
    services.sign_out_session(request.user, session_id)
    messages.success(request, _("That session is signed out."))
    return redirect("account")


@login_required
@require_POST
def sign_out_other_sessions(request):
    n = services.sign_out_other_sessions(request.user, request.session.session_key)
    messages.success(request, _("Other sessions signed out: %(n)d.") % {"n": n})
    return redirect("account")


@login_required
@require_POST
def create_token(request):
    form = TokenForm(request.POST if request.method == "POST" else None)
    issued = submitted(request, form, lambda: services.issue_token(request.user, form.cleaned_data["name"]))
    if issued is None:
        return _account_page(request, token_form=form)
    return _account_page(request, new_token=issued[1])


@login_required
@require_POST
def revoke_token(request, token_id: int):
    services.revoke_token(request.user, token_id)
    messages.success(request, _("The token is revoked."))
    return redirect("account")


def set_language(request):
    """The header's language switch; a signed-in user's choice is kept as their preference."""
    response = django_set_language(request)
    if request.method == "POST" and request.user.is_authenticated:
        services.set_language(request.user, request.POST.get("language", ""))
        request.session[services.PREFERENCES_KEY] = services.preferences(request.user)
    return response


# --- password views that keep the session list right ------------------------------------------


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's; the session keeps its place in the list under its new key, and the user's other
    sessions (which Django refuses from now on) leave it."""

    def form_valid(self, form):
        old_key = self.request.session.session_key
        response = super().form_valid(form)
        services.session_renamed(old_key, self.request.session.session_key)
        services.sign_out_other_sessions(self.request.user, self.request.session.session_key)
        return response


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    success_url = reverse_lazy("password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's; a new password signs out every session of the account."""

    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.sign_out_other_sessions(form.user, None)
        return response
