"""Account rules other apps ask for (who hears about a government's business, in which
language), and what people do with their own account: preferences, e-mail verification, the
second factor, sessions and API tokens. Views, the API and the CLI call these; every rule lives
here once."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce, Lower
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_otp import devices_for_user, match_token
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from kembar.core.mail import interface_languages, queue_mail, recipient_language
from kembar.core.validation import ONE_LINE
from kembar.gazetteer.services import country_zone

from .models import AccountSession, ApiToken, Membership, Organisation, Profile
from .permissions import read_government_ids, requires_second_factor

# What the session remembers from the sign-in (so that a request costs no query for it):
# the page language and time zone, and what the second factor asks of this session.
PREFERENCES_KEY = "kembar_preferences"
SECOND_FACTOR_KEY = "kembar_second_factor"
# SECOND_FACTOR_KEY's values: the user has a second factor (the session must be verified), must
# set one up before anything else, or neither.
VERIFY, SET_UP, NOTHING = "verify", "set-up", "nothing"
# The secret of an authenticator being set up (hex), until a code confirms it.
PENDING_KEY = "kembar_pending_authenticator"

RECOVERY_CODES = 10
VERIFY_EMAIL_SALT = "kembar.accounts.verify-email"
VERIFY_EMAIL_MAX_AGE = 3 * 24 * 60 * 60  # seconds: three days


def editor_emails(government_ids: Iterable[int]) -> tuple[str, ...]:
    """Where reminders for these governments go: each acting office's own address and the
    addresses of its editors and administrators (active users with an address)."""
    ids = list(government_ids)
    offices = Organisation.objects.filter(kind=Organisation.Kind.GOVERNMENT, local_government_id__in=ids)
    addresses = {email for email in offices.values_list("email", flat=True) if email}
    members = Membership.objects.filter(
        organisation__in=offices, role__in=[Membership.Role.EDITOR, Membership.Role.ADMIN], user__is_active=True
    ).exclude(Q(user__email="") | Q(user__email__isnull=True))
    addresses.update(members.values_list("user__email", flat=True))
    return tuple(sorted(addresses))


# --- preferences ------------------------------------------------------------------------------


def profile_of(user) -> Profile:
    """The user's profile, made when first saved to."""
    profile, _made = Profile.objects.get_or_create(user=user)
    return profile


def saved_profile(user) -> Profile:
    """The user's profile as saved, or an unsaved empty one (reading writes nothing)."""
    return Profile.objects.filter(user=user).first() or Profile(user=user)


def _office_zone(user) -> str:
    """The zone of the user's office: its government's place; for an oversight body, its
    province's, else its country's capital's (Kemendagri: Asia/Jakarta); else UTC."""
    if ids := sorted(read_government_ids(user)):
        zone = (
            apps.get_model("partnerships", "LocalGovernment")
            .objects.filter(pk__in=ids)
            .order_by("pk")
            .values_list("place__timezone", flat=True)
            .first()
        )
        if zone:
            return zone
    bodies = Organisation.objects.filter(kind=Organisation.Kind.OVERSIGHT, memberships__user=user)
    for province_zone, country in bodies.order_by("pk").values_list("province__timezone", "country_code"):
        if zone := province_zone or country_zone(country):
            return zone
    return "UTC"


def office_language(office: Organisation) -> str:
    """The language of a mail to an office's own address (and of its members who chose none):
    the first of its working languages the interface speaks, else Indonesian for an Indonesian
    office and English for any other."""
    country = (
        apps.get_model("partnerships", "LocalGovernment")
        .objects.filter(pk=office.local_government_id)
        .values_list("place__country_code", flat=True)
        .first()
    )
    return recipient_language(country or "", office.languages)


def _offices_by_user(user_ids: list[int]) -> dict[int, tuple[str, list[str]]]:
    """Each user's own office (the lowest government id among their memberships, as
    `read_government_ids` lists them): (its country code, its working languages)."""
    rows = (
        Membership.objects.filter(
            user_id__in=user_ids,
            organisation__kind=Organisation.Kind.GOVERNMENT,
            organisation__local_government__isnull=False,
        )
        .order_by("user_id", "organisation__local_government_id", "organisation_id")
        .values_list("user_id", "organisation__local_government__place__country_code", "organisation__languages")
    )
    offices: dict[int, tuple[str, list[str]]] = {}
    for user_id, country, working in rows:
        offices.setdefault(user_id, (country or "", list(working or [])))
    return offices


def languages_of(users: Iterable) -> dict[int, str]:
    """`user_language` of many users at once (two queries), by user id."""
    ids = sorted({u if isinstance(u, int) else u.pk for u in users})
    chosen = dict(Profile.objects.filter(user_id__in=ids).exclude(language="").values_list("user_id", "language"))
    spoken = set(interface_languages())
    offices = _offices_by_user([pk for pk in ids if chosen.get(pk) not in spoken])
    result = {}
    for pk in ids:
        if chosen.get(pk) in spoken:
            result[pk] = chosen[pk]
        elif pk in offices:
            result[pk] = recipient_language(*offices[pk])
        else:
            result[pk] = settings.LANGUAGE_CODE
    return result


def user_language(user) -> str:
    """The language of what this person reads: their own choice, else their office's (the first
    of its working languages the interface speaks, else Indonesian for an Indonesian office and
    English for a foreign one), else the site's. Mail rendered for one recipient uses it."""
    return languages_of([user.pk])[user.pk]


def account_languages(addresses: Iterable[str]) -> dict[str, str]:
    """The language of each address that belongs to an active user (`user_language`); addresses
    of nobody on the platform are left out. Two to three queries."""
    addresses = sorted({a for a in addresses if a})
    if not addresses:
        return {}
    # E-mail addresses are matched without regard to case ("Officer@FortWorth.gov" is the
    # account "officer@fortworth.gov"); each address asked about keeps its own spelling.
    users = (
        get_user_model()
        .objects.annotate(address=Lower("email"))
        .filter(is_active=True, address__in={a.lower() for a in addresses})
        .order_by("pk")
        .values_list("pk", "address")
    )
    owner: dict[str, int] = {}
    for pk, address in users:
        owner.setdefault(address, pk)
    languages = languages_of(owner.values())
    return {a: languages[owner[a.lower()]] for a in addresses if a.lower() in owner}


def government_language(government_id: int) -> str:
    """The language of a mail to a government's office that names no person: its office's
    (`office_language`), else Indonesian for an Indonesian government and English for any other."""
    office = (
        Organisation.objects.filter(kind=Organisation.Kind.GOVERNMENT, local_government_id=government_id)
        .order_by("pk")
        .first()
    )
    if office is not None:
        return office_language(office)
    country = (
        apps.get_model("partnerships", "LocalGovernment")
        .objects.filter(pk=government_id)
        .values_list("place__country_code", flat=True)
        .first()
    )
    return recipient_language(country or "")


def by_language(addresses: Iterable[str], default: str) -> dict[str, tuple[str, ...]]:
    """Addresses grouped by the language their reader reads: an active user's address in that
    user's language (`user_language`), any other (an office's own address, a contact) in
    `default`. Each address once."""
    addresses = sorted({a for a in addresses if a})
    known = account_languages(addresses)
    groups: dict[str, list[str]] = {}
    for address in addresses:
        groups.setdefault(known.get(address, default), []).append(address)
    return {language: tuple(group) for language, group in groups.items()}


def editors_by_language(government_ids: Iterable[int]) -> dict[str, tuple[str, ...]]:
    """`editor_emails` grouped by language (`members_by_language` of these governments' offices).
    Used to send each reader a reminder in their language."""
    ids = list(government_ids)
    return members_by_language(
        Organisation.objects.filter(kind=Organisation.Kind.GOVERNMENT, local_government_id__in=ids)
    )


def members_by_language(organisations: QuerySet[Organisation]) -> dict[str, tuple[str, ...]]:
    """The addresses of these organisations (offices or oversight bodies) that act on their
    behalf, grouped by language: each editor's and administrator's address in their own language
    (`user_language`), each organisation's own address in its language (its working languages,
    else its country's: an office's government's, an oversight body's scope)."""
    rows = organisations.exclude(email="").values_list(
        "email", Coalesce("local_government__place__country_code", "country_code"), "languages"
    )
    members = Membership.objects.filter(
        organisation__in=organisations,
        role__in=[Membership.Role.EDITOR, Membership.Role.ADMIN],
        user__is_active=True,
    ).exclude(Q(user__email="") | Q(user__email__isnull=True))
    member_rows = list(members.values_list("user_id", "user__email"))
    languages = languages_of(pk for pk, _email in member_rows)
    language_of: dict[str, str] = {}
    for email, country, working in rows:
        language_of.setdefault(email, recipient_language(country or "", working or []))
    for pk, email in member_rows:  # a person's own choice wins over their organisation's address
        language_of[email] = languages[pk]
    groups: dict[str, list[str]] = {}
    for email in sorted(language_of):
        groups.setdefault(language_of[email], []).append(email)
    return {language: tuple(group) for language, group in groups.items()}


def preferences(user) -> dict[str, str]:
    """What the pages apply for this user: {"language": code or "" (the visitor's choice),
    "zone": an IANA name (their own, else their office's, else UTC)}."""
    language, zone = Profile.objects.filter(user=user).values_list("language", "time_zone").first() or ("", "")
    return {"language": language, "zone": zone or _office_zone(user)}


def time_zone_names() -> list[str]:
    return sorted(zoneinfo.available_timezones() - {"localtime", "Factory"})


# Indonesia's three zones as people name them (and as every page writes them beside a time).
ZONE_ALIASES = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}


def check_time_zone(name: str) -> str:
    """The IANA name of the zone typed ("WIB" is Asia/Jakarta); "" for none; ValidationError
    for an unknown one."""
    name = (name or "").strip()
    name = ZONE_ALIASES.get(name.upper(), name)
    if name and name not in zoneinfo.available_timezones():
        raise ValidationError(
            {"time_zone": _("Unknown time zone “%(zone)s”: use a name such as Asia/Jakarta.") % {"zone": name[:64]}}
        )
    return name


@transaction.atomic
def update_preferences(user, *, email: str, language: str, time_zone: str, site_url: str = "") -> Profile:
    """Save the user's address, language and time zone; a new address must be verified again
    (a link is mailed to it). Every open session of the user applies the change."""
    if language and language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose one of the offered languages.")})
    time_zone = check_time_zone(time_zone)
    profile = profile_of(user)
    profile.language, profile.time_zone = language, time_zone
    profile.save()
    email = (email or "").strip()
    if email != user.email:
        user.email = email
        user.save(update_fields=["email"])
        if email:
            send_verification(user, site_url)
    _refresh_sessions(user)
    return profile


def set_language(user, language: str) -> None:
    """The header's language switch, for a signed-in user: remembered as their preference."""
    if language not in dict(settings.LANGUAGES):
        return
    profile = profile_of(user)
    if profile.language != language:
        profile.language = language
        profile.save(update_fields=["language"])
        _refresh_sessions(user)


def _session_store():
    return import_module(settings.SESSION_ENGINE).SessionStore


def _refresh_sessions(user) -> None:
    """Put the user's new preferences into each of their open sessions."""
    values = preferences(user)
    store = _session_store()
    for key in AccountSession.objects.filter(user=user).values_list("session_key", flat=True):
        session = store(session_key=key)
        if session.exists(key):
            session[PREFERENCES_KEY] = values
            session.save()


# --- e-mail verification ----------------------------------------------------------------------


def email_verified(user) -> bool:
    return bool(user.email) and Profile.objects.filter(user=user, verified_email__iexact=user.email).exists()


def _site(site_url: str) -> str:
    return (settings.KEMBAR_SITE_URL or site_url).rstrip("/")


def send_verification(user, site_url: str = ""):
    """Mail a link that proves the user receives mail at their address (valid three days)."""
    if not user.email:
        raise ValidationError({"email": _("Enter an e-mail address first.")})
    token = signing.dumps({"u": user.pk, "e": user.email}, salt=VERIFY_EMAIL_SALT)
    link = _site(site_url) + reverse("verify_email", args=[token])
    with translation.override(user_language(user)):
        context = {"user": user, "link": link, "days": VERIFY_EMAIL_MAX_AGE // 86400}
        subject = _("Confirm your e-mail address for kembar")
        body = render_to_string("accounts/mail/verify_email.txt", context)
    return queue_mail(subject, body, [user.email])


@transaction.atomic
def verify_email(token: str):
    """The user whose address the link proved; a ValidationError when the link is damaged,
    expired, or for an address the account no longer has."""
    try:
        data = signing.loads(token, salt=VERIFY_EMAIL_SALT, max_age=VERIFY_EMAIL_MAX_AGE)
    except signing.SignatureExpired as error:
        raise ValidationError(_("This link has expired. Ask for a new one on your account page.")) from error
    except signing.BadSignature as error:
        raise ValidationError(_("This link is not valid. Ask for a new one on your account page.")) from error
    user = get_user_model().objects.filter(pk=data.get("u"), is_active=True).first()
    if user is None or not user.email or user.email.lower() != str(data.get("e", "")).lower():
        raise ValidationError(_("This link is for an address the account no longer has."))
    profile = profile_of(user)
    profile.verified_email = user.email
    profile.save(update_fields=["verified_email"])
    return user


def password_reset_mail(user, subject_template: str, body_template: str, context: dict) -> None:
    """Queue the password reset mail in the recipient's language, linking to the site's address."""
    with translation.override(user_language(user)):
        context = {**context, "site_url": _site(f"{context['protocol']}://{context['domain']}")}
        subject = "".join(render_to_string(subject_template, context).splitlines())
        body = render_to_string(body_template, context)
    queue_mail(subject, body, [user.email])


# --- the second factor ------------------------------------------------------------------------


def second_factor_required(user) -> bool:
    """Whether this account must have a second factor: `permissions.requires_second_factor`,
    unless the installation is a demo (KEMBAR_DEMO) where it is only offered."""
    return settings.KEMBAR_SECOND_FACTOR_REQUIRED and requires_second_factor(user)


def has_second_factor(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def second_factor_state(user) -> str:
    """What a new session of this user must do before anything else: VERIFY, SET_UP or NOTHING."""
    if has_second_factor(user):
        return VERIFY
    return SET_UP if second_factor_required(user) else NOTHING


def pending_authenticator(request) -> TOTPDevice:
    """The authenticator being set up, unsaved: its secret is kept in the session (so that
    showing the set-up page writes nothing) until a code proves the user's app has it."""
    key = request.session.get(PENDING_KEY)
    if not key:
        key = request.session[PENDING_KEY] = random_hex(20)
    return TOTPDevice(user=request.user, key=key, name=_("Authenticator app"), confirmed=False)


def authenticator_uri(device: TOTPDevice) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return device.config_url


@transaction.atomic
def confirm_authenticator(request, code: str) -> list[str]:
    """Turn the pending authenticator on once a code from it is right; returns new recovery
    codes (shown once). The session counts as verified; the user's other sessions, opened
    without the second factor, are signed out."""
    device = pending_authenticator(request)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    try:
        right = totp.verify(int(_digits(code)), tolerance=device.tolerance)
    except ValueError:
        right = False
    if not right:
        raise ValidationError({"code": _("That code is not right. Enter the 6 digits your app shows now.")})
    TOTPDevice.objects.filter(user=request.user).delete()
    device.confirmed = True
    device.last_t = totp.t()  # this code is used: the next sign-in needs a later one
    device.drift = totp.drift
    device.save()
    del request.session[PENDING_KEY]
    codes = new_recovery_codes(request.user)
    otp_login(request, device)
    request.session[SECOND_FACTOR_KEY] = VERIFY
    sign_out_other_sessions(request.user, request.session.session_key)
    return codes


def _digits(code: str) -> str:
    return "".join((code or "").split())


@transaction.atomic
def new_recovery_codes(user) -> list[str]:
    """Ten new single-use recovery codes; the old ones stop working."""
    # The device stays (a session verified by one of its codes stays verified); its codes change.
    device = StaticDevice.objects.filter(user=user).order_by("pk").first()
    if device is None:
        device = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def replace_recovery_codes(user, code: str) -> list[str]:
    """New recovery codes, once a current code shows that the owner asks."""
    check_own_code(user, code)
    return new_recovery_codes(user)


def verify_second_factor(request, code: str) -> str:
    """Check a code from the authenticator or a recovery code (used up) and mark the session
    verified; returns "authenticator" or "recovery". ValidationError when it is wrong (after
    a few wrong codes each device waits longer before it checks another)."""
    _refuse_while_throttled(request.user)
    device = match_token(request.user, _digits(code).lower())
    if device is None:
        raise ValidationError({"code": _("That code is not right.")})
    otp_login(request, device)
    return "recovery" if isinstance(device, StaticDevice) else "authenticator"


def _refuse_while_throttled(user) -> None:
    """After a wrong code each device waits before it checks another (1, 2, 4, … seconds):
    say so, rather than calling the next code wrong."""
    devices = list(devices_for_user(user))
    if devices and not any(device.verify_is_allowed()[0] for device in devices):
        raise ValidationError({"code": _("Too many wrong codes in a row: wait a few seconds, then try again.")})


def check_own_code(user, code: str) -> None:
    """A ValidationError unless `code` is a current authenticator or recovery code of the user
    (asked before the second factor is changed)."""
    _refuse_while_throttled(user)
    if match_token(user, _digits(code).lower()) is None:
        raise ValidationError({"code": _("That code is not right.")})


@transaction.atomic
def turn_off_second_factor(request, code: str) -> None:
    """Remove the user's authenticator and recovery codes, when the account may go without."""
    if second_factor_required(request.user):
        raise ValidationError({"code": _("Your role needs a second factor; it cannot be turned off.")})
    check_own_code(request.user, code)
    remove_second_factor(request.user)
    request.session[SECOND_FACTOR_KEY] = NOTHING


@transaction.atomic
def remove_second_factor(user) -> int:
    """Remove every authenticator and recovery code of the user (turning it off, or `kembar
    second-factor-reset` when both the phone and the codes are lost). Returns how many devices
    were removed."""
    removed = TOTPDevice.objects.filter(user=user).delete()[0]
    removed += StaticDevice.objects.filter(user=user).delete()[0]
    return removed


# --- sessions ---------------------------------------------------------------------------------


def _clean(text: str, length: int) -> str:
    return ONE_LINE.sub("", text or "")[:length]


def start_session(request, user) -> None:
    """At sign-in: name the session for its owner's list and remember what each request applies."""
    session = request.session
    if session.session_key is None:
        session.save()
    session[PREFERENCES_KEY] = preferences(user)
    session[SECOND_FACTOR_KEY] = second_factor_state(user)
    address = request.META.get("REMOTE_ADDR") or None
    AccountSession.objects.update_or_create(
        session_key=session.session_key,
        defaults={
            "user": user,
            "user_agent": _clean(request.META.get("HTTP_USER_AGENT", ""), 300),
            "ip_address": address,
        },
    )


def end_session(session_key: str | None) -> None:
    if session_key:
        AccountSession.objects.filter(session_key=session_key).delete()


def session_renamed(old_key: str | None, new_key: str | None) -> None:
    """The session got a new key (after a password change): its row follows."""
    if old_key and new_key and old_key != new_key:
        AccountSession.objects.filter(session_key=old_key).update(session_key=new_key)


def own_sessions(user) -> list[AccountSession]:
    """The user's open sessions, newest first (rows of ended or expired sessions are dropped)."""
    rows = list(AccountSession.objects.filter(user=user))
    alive = set(
        Session.objects.filter(
            session_key__in=[r.session_key for r in rows], expire_date__gt=timezone.now()
        ).values_list("session_key", flat=True)
    )
    gone = [r.pk for r in rows if r.session_key not in alive]
    if gone:
        AccountSession.objects.filter(pk__in=gone).delete()
    return [r for r in rows if r.session_key in alive]


def sign_out_session(user, session_id: int) -> None:
    """End one of the user's own sessions (404 for anyone else's)."""
    row = AccountSession.objects.filter(user=user, pk=session_id).first()
    if row is None:
        raise Http404
    _session_store()(session_key=row.session_key).delete()
    row.delete()


def sign_out_other_sessions(user, keep_key: str | None) -> int:
    """End every session of the user but `keep_key`'s; returns how many."""
    rows = AccountSession.objects.filter(user=user).exclude(session_key=keep_key or "")
    store = _session_store()
    ended = 0
    for key in list(rows.values_list("session_key", flat=True)):
        store(session_key=key).delete()
        ended += 1
    rows.delete()
    return ended


# --- API tokens -------------------------------------------------------------------------------


def own_tokens(user):
    return ApiToken.objects.filter(user=user).order_by("-created", "-pk")


@transaction.atomic
def issue_token(user, name: str) -> tuple[ApiToken, str]:
    """A new API token of the user; the token itself is returned once and never stored."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Name the token (what will use it).")})
    if len(name) > ApiToken._meta.get_field("name").max_length:
        raise ValidationError({"name": _("At most 100 characters.")})
    return ApiToken.issue(user, name)


def revoke_token(user, token_id: int) -> None:
    """Delete one of the user's own tokens (404 for anyone else's): a program using it is
    refused from its next call."""
    deleted, _rows = ApiToken.objects.filter(user=user, pk=token_id).delete()
    if not deleted:
        raise Http404
