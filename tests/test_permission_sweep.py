"""Permission sweep: every URL of the site and every API operation, as every kind of outsider.

The routes come from the URL resolver and the operations from /api/openapi.json, so a route
added later is swept without anyone remembering to add it here. Each is called as

* anonymous,
* a viewer of an office that is a partner of the private partnership (reads it, writes nothing),
* an editor of an unrelated office (neither reads it nor writes anything of it),
* a member of an oversight body (Kemendagri: reads its scope, Indonesia, writes nothing),
* an editor of another province's cooperation bureau (Jawa Timur: reads nothing of Bandung's),

through a browser session (with a valid CSRF token, so that what refuses a write is the
permission check and not the missing token) and, for the API, also through a Bearer token.

For every call: no 5xx; a write (POST, PUT, PATCH, DELETE, with a body that a platform
administrator's identical request shows to be valid; an upload operation gets a real small PDF as
multipart/form-data) is refused and leaves the database and the media directory exactly as they
were; a read shows the private partnership's notes and basis to those who may read them (where the
page or endpoint shows notes) and to nobody else.

A route whose path parameters the sweep cannot fill fails the suite with a message pointing at
the tables below: a new route is either filled automatically (parameters named like the ones
here) or gets an entry, never silently left out.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import RegexPattern, RoutePattern
from django_otp.plugins.otp_totp.models import TOTPDevice

from kembar.accounts.models import AccountSession, ApiToken
from kembar.gazetteer.models import Place, PlaceTrait
from kembar.partnerships import services
from kembar.partnerships.opendata import PUBLISHED
from tests.support.builders import city
from tests.support.files import docx_bytes, pdf_bytes, upload
from tests.support.worlds import activities as activities_world
from tests.support.worlds import chain as chain_world
from tests.support.worlds import conversations as conversations_world
from tests.support.worlds import grants as grants_world
from tests.support.worlds import offices as offices_world
from tests.support.worlds import oversight as oversight_world
from tests.support.worlds import plans as plans_world
from tests.support.worlds import proposals as proposals_world
from tests.support.worlds import solutions as solutions_world
from tests.support.worlds.meetings import sweep_world

pytestmark = pytest.mark.django_db

PRIVATE_NOTE = "PRIVATE-NOTE-7731"
PRIVATE_BASIS = "PRIVATE-BASIS-5120"
PUBLIC_NOTE = "PUBLIC-NOTE-4410"  # the positive control: everyone reads a public partnership's notes
PRIVATE_MARKERS = (PRIVATE_NOTE, PRIVATE_BASIS)

WRITE_METHODS = ("post", "put", "patch", "delete")
LOGIN_URL = "/accounts/login/"
ADMIN_LOGIN_URL = "/admin/login/"
# Where the admin sends non-staff: its login page, except from its logout page, which sends
# them to its index (which in turn sends them to the login page).
ADMIN_REDIRECTS = {"admin/logout/": "/admin/"}


# --- who calls ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Principal:
    name: str
    user: str | None  # a key of the `users` fixture
    via: str  # "session" or "token"
    reads_private: bool


PRINCIPALS = [
    Principal("anonymous", None, "session", False),
    Principal("partner_viewer", "bandung_viewer", "session", True),
    Principal("partner_viewer_token", "bandung_viewer", "token", True),
    Principal("unrelated_editor", "surabaya_editor", "session", False),
    Principal("unrelated_editor_token", "surabaya_editor", "token", False),
    Principal("oversight", "oversight", "session", True),
    Principal("oversight_token", "oversight", "token", True),
    # The cooperation bureau of another province (Jawa Timur): an oversight body whose scope
    # holds neither of the private partnership's governments (Bandung is in Jawa Barat).
    Principal("other_province", "jatim_editor", "session", False),
    Principal("other_province_token", "jatim_editor", "token", False),
]

# Writes that succeed by design for a principal, with why. The sweep checks that they do
# exactly what they say (one new row and its history) and rolls them back.
ALLOWED_BY_DESIGN = {
    (
        "unrelated_editor",
        "post",
        "/api/governments",
    ): "an editor of any office may register a future partner's government (permissions.can_register_government)",
    (
        "unrelated_editor_token",
        "post",
        "/api/governments",
    ): "an editor of any office may register a future partner's government (permissions.can_register_government)",
}
# Asking for a report writes the row the job queue builds it from: Bandung's viewer may have
# Bandung's report, an oversight body any report (permissions.can_download_report). The page
# answers with a redirect to the report's status page, the API with 202 Accepted.
REPORT_REQUESTS = {("post", "insights/reports/"), ("post", "/api/insights/reports")}
ALLOWED_BY_DESIGN.update(
    {
        (principal, method, route): "a reader of the government's figures may ask for its report "
        "(permissions.can_download_report); the job queue builds it"
        for principal in ("partner_viewer", "partner_viewer_token", "oversight", "oversight_token")
        for method, route in REPORT_REQUESTS
        if not (principal.endswith("_token") and not route.startswith("/api/"))
    }
)
ALLOWED_BY_DESIGN.update(conversations_world.ALLOWED_BY_DESIGN)
ALLOWED_BY_DESIGN.update(proposals_world.ALLOWED_BY_DESIGN)
ALLOWED_BY_DESIGN.update(grants_world.ALLOWED_BY_DESIGN)
ALLOWED_BY_DESIGN.update(oversight_world.ALLOWED_BY_DESIGN)
ALLOWED_BY_DESIGN_CHANGES = {
    ("post", "/api/governments"): {"partnerships.LocalGovernment", "partnerships.HistoricalLocalGovernment"},
    **{key: {"insights.ReportFile"} for key in REPORT_REQUESTS},
    **oversight_world.ALLOWED_BY_DESIGN_CHANGES,
    **conversations_world.ALLOWED_BY_DESIGN_CHANGES,
    **proposals_world.ALLOWED_BY_DESIGN_CHANGES,
    **grants_world.ALLOWED_BY_DESIGN_CHANGES,
}

# Views that never write and answer a POST like a GET (200, the same page). Their writes are
# checked for an unchanged database, not for a refusing status. (They could be @require_safe;
# that is hygiene, not a permission question.) PUT, PATCH and DELETE on any page are judged
# the same way: a page reads form data from POST only.
READ_ONLY_VIEWS = {
    "": "portal dashboard",
    "places/": "gazetteer search",
    "places/autocomplete/": "gazetteer suggestions",
    "partnerships/": "partnership list (filters come in the query string)",
    "partnerships/<int:pk>/": "partnership detail",
    "partnerships/governments/<int:pk>/": "government detail",
    "accounts/password/done/": "a confirmation page",
    "api/openapi.json": "the API's description",
    "api/docs": "the API's documentation page",
}

# Routes, or some of their methods, not swept, each with why.
SKIPPED = {
    # Logging out is what the sweep's own session must not do half-way; it changes no
    # registry data (only the session row, which is not registry data). GET is swept (405).
    ("accounts/logout/", "post"): "would end the sweep's own session",
    # Ends the principal's own other sessions only (it has none here); tests/accounts checks it.
    ("accounts/sessions/sign-out-others/", "post"): "ends only the principal's own other sessions",
    # Switching the language only sets a cookie; the sweep reads English throughout. GET is swept.
    **{
        ("i18n/setlang/", method): "only sets the language cookie; the sweep compares English text"
        for method in WRITE_METHODS
    },
}
# Static and media files are not served by URL patterns here (whitenoise/the web server serve
# them), so there is nothing of theirs in the resolver to skip.

# Tables excluded from the "database unchanged" comparison, each with why.
UNCOMPARED_MODELS = {
    "sessions.Session": "logging in creates sessions; a session is not registry data",
    "accounts.AccountSession": "logging in names the session for its owner's list; not registry data",
}
UNCOMPARED_APPS = {
    "axes": "failed logins are counted by design (login rate limiting)",
}
UNCOMPARED_FIELDS = {
    "auth.User": {"last_login"},  # set by force_login
    "accounts.ApiToken": {"last_used"},  # refreshed by design when a token is used
}
# Large tables compared by their highest key per request, and by their row count once per sweep.
LARGE_APPS = {"gazetteer"}


# --- what they call it with -----------------------------------------------------------------


@dataclass
class World:
    users: dict
    governments: dict
    orgs: dict
    private: Any
    public: Any
    free_place: Place  # a gazetteer place without a government: what a registration would use
    group: Any
    tokens: dict = field(default_factory=dict)
    activities: dict = field(default_factory=dict)


@pytest.fixture
def world(governments, orgs, users, settings, tmp_path) -> World:
    from django.contrib.auth.models import Group

    settings.MEDIA_ROOT = tmp_path / "media"  # attachments of the solution exchange

    superuser = users["platform_admin"]
    chain_world.build(orgs, users)  # provincial bureaus (Jawa Barat, Jawa Timur) and Kemlu
    # Between two governments, neither of them the unrelated editor's (Surabaya's).
    private = services.create_partnership(
        superuser,
        governments["bandung"],
        governments["busan"],
        public=False,
        fields=["education"],
        notes=f"Exploration. {PRIVATE_NOTE}",
        basis=PRIVATE_BASIS,
    )
    public = services.create_partnership(
        superuser,
        governments["bandung"],
        governments["braunschweig"],
        public=True,
        fields=["culture"],
        notes=PUBLIC_NOTE,
    )
    # One more change each, so the history has two entries to show and to revert to.
    services.update_partnership(superuser, private, status="proposed")
    services.update_partnership(superuser, public, status="active")
    private.refresh_from_db()
    public.refresh_from_db()
    w = World(
        users=users,
        governments=governments,
        orgs=orgs,
        private=private,
        public=public,
        free_place=city("Semarang", "ID"),
        group=Group.objects.create(name="sweep group"),
    )
    settings.MEDIA_ROOT = tmp_path / "media"
    w.agreements = sweep_agreements(w)
    w.activities = activities_world.sweep_objects(w, PRIVATE_NOTE)
    offices_world.sweep_objects(w)  # an invitation waiting in Bandung's office
    data_port(w)  # a trait from data that only the place's office may correct
    sweep_world(w, PRIVATE_NOTE)  # meetings and library items of the private partnership
    conversations_world.sweep_world(w, PRIVATE_NOTE)  # messages of both partnerships
    proposals_world.sweep_world(w)  # a proposal from outside in Bandung's inbox
    grants_world.sweep_world(w, PRIVATE_NOTE)  # grant calls; Bandung's self-assessment of the private one
    w.exchange = solutions_world.build(governments, users)
    plans_world.sweep_world(w, PRIVATE_NOTE)  # plans and money of both partnerships
    partner_requests(w)
    # Jobs are kept, never run: a report asked for in the sweep stays a row (rolled back with it).
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}
    w.reports = report_files(w)
    for p in PRINCIPALS:
        if p.via == "token" and p.user not in w.tokens:
            w.tokens[p.user] = ApiToken.issue(users[p.user], "sweep")[1]
    # The platform administrator's own session and token: nobody else signs out or revokes them.
    Client().force_login(superuser)
    w.admin_session = AccountSession.objects.get(user=superuser)
    w.admin_token = ApiToken.issue(superuser, "admin's own")[0]
    # An authenticator, for django-otp's admin pages; of a user the sweep does not sign in as
    # (a user with one must enter a code after the password).
    w.admin_device = TOTPDevice.objects.create(user=users["braunschweig_editor"], name="phone", confirmed=True)
    return w


def report_files(w: World) -> dict:
    """Reports Bandung's editor asked for, one in each state: nobody else may see them."""
    from django.core.files.base import ContentFile

    from kembar.insights.models import ReportFile

    made = {
        status: ReportFile.objects.create(
            requester=w.users["bandung_editor"],
            government=w.governments["bandung"],
            year=2026,
            format="pdf",
            language="en",
            status=status,
        )
        for status in ("ready", "queued", "failed")
    }
    content = pdf_bytes("Report")
    made["ready"].file.save("kembar-bandung-2026.pdf", ContentFile(content), save=False)
    made["ready"].size = len(content)
    made["ready"].save()
    ReportFile.objects.filter(pk=made["failed"].pk).update(failure="error", error="sweep")
    return made


def sweep_agreements(w: World) -> dict:
    """An agreement of each partnership; the private one at its second stage, with documents."""
    from kembar.agreements import services as agreements
    from kembar.agreements.models import ProcedureTemplate

    admin_user = w.users["platform_admin"]
    ksdpl = ProcedureTemplate.objects.get(code="ksdpl")
    made = {}
    for key, partnership in (("public", w.public), ("private", w.private)):
        agreement = agreements.create_agreement(admin_user, partnership, template=ksdpl, title=f"MoU {key}")
        agreement = agreements.advance(admin_user, agreement)  # exploration
        agreements.upload_document(admin_user, agreement.stages.get(status="active"), upload("loi.pdf", pdf_bytes()))
        agreement = agreements.advance(admin_user, agreement)  # cooperation plan: may advance, or go back
        stage = agreement.stages.get(status="active")
        document = agreements.upload_document(admin_user, stage, upload("plan.pdf", pdf_bytes()))
        made[key] = agreement
    private, public = made["private"], made["public"]
    agreements.update_agreement(admin_user, private, title=f"MoU {PRIVATE_NOTE}")
    private.refresh_from_db()
    return {"private": private, "public": public, "stage": stage, "document": document}


def agreement_in(w: World, url: str):
    pk = int(re.search(r"/agreements/(\d+)/", url).group(1))
    return type(w.agreements["private"]).objects.get(pk=pk)


def partner_requests(w: World) -> list[int]:
    """A draft partner request of Bandung (visible to its office only) and a published one."""
    from kembar.matching.models import PartnerRequest

    found = list(PartnerRequest.objects.filter(government=w.governments["bandung"]).order_by("pk"))
    if not found:
        for status in ("draft", "published"):
            found.append(
                PartnerRequest.objects.create(
                    government=w.governments["bandung"],
                    title=f"Sweep request {status}",
                    offers="o",
                    seeks="s",
                    contact_email="ks@bandung.go.id",
                    status=status,
                )
            )
    return [r.pk for r in found]


def data_port(w: World) -> None:
    """Bandung and Busan are ports by the data (the world has no trait tables loaded)."""
    for key in ("bandung", "busan"):
        PlaceTrait.objects.get_or_create(
            place_id=w.governments[key].place_id,
            trait="port",
            source="ne_ports",
            defaults={"as_of": "2026-12-06"},
        )


# Path parameters, keyed by (the literal path segment before the parameter, its name): a new
# route with a parameter named like one of these is filled without an entry of its own.
PATH_VALUES: dict[tuple[str, str], Callable[[World], list]] = {
    ("partnerships", "pk"): lambda w: [w.private.pk, w.public.pk],
    ("partnerships", "partnership_id"): lambda w: [w.private.pk, w.public.pk],
    ("governments", "pk"): lambda w: [w.governments["bandung"].pk, w.governments["busan"].pk],
    ("governments", "government_id"): lambda w: [w.governments["bandung"].pk, w.governments["busan"].pk],
    ("places", "place_id"): lambda w: [w.governments["bandung"].place_id],
    # A trait the data gives the places (Busan is a port; Bandung is given one here): only the
    # place's office may correct it.
    ("traits", "trait"): lambda w: ["port"],
    ("open-data", "fmt"): lambda w: ["csv", "datapackage"],
    ("requests", "pk"): lambda w: partner_requests(w),
    # The published request only: interest is expressed in published requests (the draft's
    # visibility is covered by the page route).
    ("partner-requests", "request_id"): lambda w: partner_requests(w)[1:],
    ("assets", "name"): lambda w: ["swagger-ui.css"],
    ("agreements", "pk"): lambda w: [w.agreements["private"].pk, w.agreements["public"].pk],
    ("agreements", "agreement_id"): lambda w: [w.agreements["private"].pk, w.agreements["public"].pk],
    ("stages", "stage_id"): lambda w: [w.agreements["stage"].pk],
    ("documents", "document_id"): lambda w: [w.agreements["document"].pk],
    **activities_world.PATH_VALUES,
    **offices_world.PATH_VALUES,
    ("meetings", "pk"): lambda w: [w.meeting.pk],
    ("meetings", "meeting_id"): lambda w: [w.meeting.pk],
    ("participants", "participant_id"): lambda w: [w.participant.pk],
    ("actions", "action_id"): lambda w: [w.action.pk],
    # A meeting's and a solution's: /api/meetings/attachments/{id} and /api/solutions/attachments/{id}.
    ("attachments", "attachment_id"): lambda w: [w.attachment.pk, w.exchange.attachment.pk],
    ("library", "pk"): lambda w: [w.private_item.pk, w.public_item.pk],
    ("library", "item_id"): lambda w: [w.private_item.pk, w.public_item.pk],
    ("office-hours", "organisation_id"): lambda w: [w.orgs["bandung"].pk],
    ("solutions", "pk"): lambda w: [w.exchange.private_solution.pk, w.exchange.public_solution.pk],
    ("solutions", "solution_id"): lambda w: [w.exchange.private_solution.pk, w.exchange.public_solution.pk],
    ("needs", "pk"): lambda w: [w.exchange.need.pk],
    ("needs", "need_id"): lambda w: [w.exchange.need.pk],
    ("pilots", "pk"): lambda w: [w.exchange.pilot.pk],
    ("pilots", "pilot_id"): lambda w: [w.exchange.pilot.pk],
    ("aid", "shipment_id"): lambda w: activities_world.ids(w, "aid"),
    ("health", "partnership_id"): lambda w: [w.private.pk, w.public.pk],
    ("reports", "pk"): lambda w: [r.pk for r in w.reports.values()],
    ("reports", "report_id"): lambda w: [r.pk for r in w.reports.values()],
    **conversations_world.PATH_VALUES,
    **proposals_world.PATH_VALUES,
    **plans_world.PATH_VALUES,
    **grants_world.PATH_VALUES,
    # One's own account: another user's session and token (404 to everyone else).
    ("sessions", "session_id"): lambda w: [w.admin_session.pk],
    ("tokens", "token_id"): lambda w: [w.admin_token.pk],
    ("verify", "token"): lambda w: ["not-a-signed-link"],
}

# Whole routes that the generic rules cannot fill: regular expressions, odd parameters.
ROUTE_URLS: dict[str, Callable[[World], list[str]]] = {
    **offices_world.ROUTE_URLS,
    **proposals_world.ROUTE_URLS,
    # django-otp's admin pages of an authenticator (its set-up QR code).
    **{
        f"admin/otp_totp/totpdevice/<int:pk>/{page}/": lambda w, page=page: [
            f"/admin/otp_totp/totpdevice/{w.admin_device.pk}/{page}/"
        ]
        for page in ("config", "qrcode")
    },
    # A password reset link that is not valid (a valid one is followed in tests/accounts).
    "accounts/password/reset/<uidb64>/<token>/": lambda w: ["/accounts/password/reset/MQ/not-a-token/"],
    "admin/r/<path:content_type_id>/<path:object_id>/": lambda w: [
        f"/admin/r/{ContentType.objects.get_for_model(w.private).pk}/{w.private.pk}/"
    ],
    "admin/auth/user/<id>/password/": lambda w: [f"/admin/auth/user/{w.users['surabaya_editor'].pk}/password/"],
    # Interest is expressed in published requests only (the draft's page is covered by its detail route).
    "matching/requests/<int:pk>/interest/": lambda w: [f"/matching/requests/{partner_requests(w)[1]}/interest/"],
    "admin/(?P<url>.*)$": lambda w: ["/admin/no-such-page/", "/admin/partnerships/partnership/no-slash"],
    "solutions/<int:pk>/attachments/<int:attachment_id>/": lambda w: [
        f"/solutions/{w.exchange.private_solution.pk}/attachments/{w.exchange.attachment.pk}/"
    ],
    "solutions/pilots/<int:pk>/milestones/<int:milestone_id>/": lambda w: [
        f"/solutions/pilots/{w.exchange.pilot.pk}/milestones/{w.exchange.milestone.pk}/"
    ],
}


def admin_object(w: World, model) -> Any:
    """The row an admin URL of this model is called with: a sensitive one where there is one."""
    chosen = {
        "partnerships.Partnership": w.private,
        "partnerships.LocalGovernment": w.governments["bandung"],
        "accounts.Organisation": w.orgs["bandung"],
        "accounts.ApiToken": ApiToken.objects.filter(user=w.users["bandung_viewer"]).first(),
        "auth.User": w.users["surabaya_editor"],  # the unrelated editor trying to promote themself
        "auth.Group": w.group,
        "gazetteer.Place": w.governments["bandung"].place,
    }.get(model._meta.label)
    return chosen if chosen is not None else model._default_manager.order_by("pk").first()


def admin_body(w: World, model, route: str) -> dict:
    """A plausible admin form post: the row as it is, made more powerful where it can be."""
    if route.endswith("/delete/"):
        return {"post": "yes"}
    obj = admin_object(w, model)
    body = (
        {
            k: ("" if v is None else [getattr(x, "pk", x) for x in v] if isinstance(v, list) else v)
            for k, v in model_to_dict(obj).items()
        }
        if obj is not None
        else {}
    )
    if model._meta.label == "auth.User":
        body.update(is_staff="on", is_superuser="on", is_active="on")
    if model._meta.label == "partnerships.Partnership":
        body.update(public="on", notes="SWEEP-OVERWRITE")
    return body


# Page form posts, keyed by route: each is what a permitted user would send to succeed.
PAGE_BODIES: dict[str, Callable[[World, str], dict]] = {
    "partnerships/new/": lambda w, url: {
        "government": w.governments["bandung"].pk,
        "partner_place": w.governments["kyoto"].place_id,
        "kind": "sister_city",
        "status": "active",
        "fields": ["culture"],
        "public": "on",
        "notes": "sweep",
    },
    "partnerships/<int:pk>/edit/": lambda w, url: {
        "kind": "friendship",
        "status": "active",
        "version": partnership_in(w, url).version,
        "public": "on",
        "notes": "SWEEP-OVERWRITE",
    },
    "partnerships/<int:pk>/delete/": lambda w, url: {},
    "partnerships/<int:pk>/confirm/": lambda w, url: {"version": partnership_in(w, url).version},
    "partnerships/<int:pk>/close/": lambda w, url: {
        "end_reason": "ended",
        "end_note": "sweep",
        "version": partnership_in(w, url).version,
    },
    "partnerships/governments/<int:pk>/edit/": lambda w, url: {
        "name": "Sweep renamed",
        "contact_email": "sweep@example.org",
        "website": "https://example.org",
        "version": type(w.governments["bandung"]).objects.get(pk=int(url.split("/")[-3])).version,
    },
    "partnerships/governments/<int:pk>/traits/<slug:trait>/correction/": lambda w, url: {"reason": "sweep"},
    "agreements/partnerships/<int:partnership_id>/new/": lambda w, url: {
        "template": w.agreements["private"].template_id,
        "kind": "mou",
        "title": "sweep",
    },
    "agreements/<int:pk>/edit/": lambda w, url: {
        "kind": "loi",
        "title": "SWEEP-OVERWRITE",
        "version": agreement_in(w, url).version,
    },
    "agreements/<int:pk>/advance/": lambda w, url: {"version": agreement_in(w, url).version},
    "agreements/<int:pk>/back/": lambda w, url: {"version": agreement_in(w, url).version, "reason": "sweep"},
    "agreements/<int:pk>/terminate/": lambda w, url: {"version": agreement_in(w, url).version, "reason": "sweep"},
    "agreements/<int:pk>/reject/": lambda w, url: {"version": agreement_in(w, url).version, "reason": "sweep"},
    "agreements/stages/<int:stage_id>/upload/": lambda w, url: {
        "title": "sweep",
        "file": upload("sweep.pdf", pdf_bytes()),
    },
    "solutions/<int:pk>/edit/": lambda w, url: {
        "version": solution_in(w, url).version,
        "title": "SWEEP-OVERWRITE",
        "summary": "s",
        "problem": "p",
        "provider_kind": "government",
        "maturity": "idea",
        "cost_range": "free",
        "public": "on",
    },
    "solutions/needs/<int:pk>/edit/": lambda w, url: {
        "version": type(w.exchange.need).objects.get(pk=w.exchange.need.pk).version,
        "title": "SWEEP-OVERWRITE",
        "description": "d",
        "budget_range": "free",
        "public": "on",
    },
    "solutions/pilots/<int:pk>/edit/": lambda w, url: {
        "version": type(w.exchange.pilot).objects.get(pk=w.exchange.pilot.pk).version,
        "status": "adopted",
        "outcome": "SWEEP-OVERWRITE",
        "public": "on",
    },
    "solutions/pilots/<int:pk>/activity/": lambda w, url: {"start": "2027-02-01", "end": "2027-05-31"},
    "solutions/pilots/<int:pk>/milestones/": lambda w, url: {"title": "sweep", "due": "2026-01-01", "status": "done"},
    "solutions/pilots/<int:pk>/milestones/<int:milestone_id>/": lambda w, url: {"status": "dropped"},
    "matching/requests/new/": lambda w, url: {
        "government": w.governments["bandung"].pk,
        "title": "Sweep request",
        "offers": "o",
        "seeks": "s",
        "contact_email": "sweep@example.org",
    },
    "matching/requests/<int:pk>/interest/": lambda w, url: {
        "government": w.governments["braunschweig"].pk,
        "message": "sweep",
    },
    "matching/requests/<int:pk>/edit/": lambda w, url: {
        "title": "SWEEP-OVERWRITE",
        "offers": "o",
        "seeks": "s",
        "contact_email": "sweep@example.org",
        "status": "closed",
        "version": request_in(w, int(url.split("/")[-3])).version,
    },
    # Wrong credentials: the login pages must refuse, and there is no other "write" to them.
    "accounts/login/": lambda w, url: {"username": "sweep-nobody", "password": "wrong-password"},
    # One's own preferences, with a time zone that does not exist: refused with the form's error.
    "accounts/preferences/": lambda w, url: {"email": "", "language": "en", "time_zone": "Mars/Olympus"},
    "admin/login/": lambda w, url: {"username": "sweep-nobody-admin", "password": "wrong-password"},
    # Changing one's own password is allowed with the right old password; with a wrong one it
    # must be refused (and anonymous callers are sent to log in).
    "accounts/password/": lambda w, url: {
        "old_password": "wrong-password",
        "new_password1": "Sweep-pw-9931x",
        "new_password2": "Sweep-pw-9931x",
    },
    **activities_world.PAGE_BODIES,
    **offices_world.PAGE_BODIES,
    **plans_world.PAGE_BODIES,
    **oversight_world.PAGE_BODIES,
    "insights/reports/": lambda w, url: {
        "government": w.governments["bandung"].pk,
        "year": 2026,
        "format": "xlsx",
        "language": "en",
    },
    "meetings/new/": lambda w, url: {
        "partnership": w.private.pk,
        "title": "Sweep",
        "start": "2026-11-24T23:00",
        "duration": 60,
    },
    "meetings/<int:pk>/edit/": lambda w, url: {
        "version": type(w.meeting).objects.get(pk=w.meeting.pk).version,
        "title": "SWEEP-OVERWRITE",
        "start": "2026-11-24T23:00",
        "duration": 60,
        "status": "cancelled",
    },
    "meetings/<int:pk>/minutes/": lambda w, url: {
        "version": type(w.meeting).objects.get(pk=w.meeting.pk).version,
        "minutes": "SWEEP-OVERWRITE",
    },
    "meetings/<int:pk>/participants/": lambda w, url: {"government": w.governments["bandung"].pk, "name": "Sweep"},
    "meetings/<int:pk>/invitations/": lambda w, url: {},
    "meetings/<int:pk>/actions/": lambda w, url: {
        "text": "Sweep",
        "owner": "Sweep",
        "government": w.governments["bandung"].pk,
        "due": "2026-12-01",
    },
    "meetings/actions/<int:action_id>/status/": lambda w, url: {"status": "done"},
    "meetings/<int:pk>/attachments/": lambda w, url: {"file": upload("sweep.docx", docx_bytes("Sweep"))},
    "meetings/office-hours/<int:organisation_id>/": lambda w, url: {"start": "07:00", "end": "15:00"},
    "meetings/library/share/": lambda w, url: {
        "title": "Sweep",
        "government": w.governments["bandung"].pk,
        "partnership": w.private.pk,
        "summary": "Sweep",
        "language": "id",
    },
    "meetings/library/<int:pk>/delete/": lambda w, url: {},
    **conversations_world.PAGE_BODIES,
    **proposals_world.PAGE_BODIES,
    **grants_world.PAGE_BODIES,
}

# Page routes whose GET must show the private notes to those who may read them.
PAGES_SHOWING_NOTES = {"partnerships/<int:pk>/", "meetings/<int:pk>/"}

# Extra query strings for list pages: probes that must not reveal the private partnership.
PAGE_QUERIES: dict[str, Callable[[World], list[str]]] = {
    "partnerships/": lambda w: [f"government={w.governments['busan'].pk}", "q=Busan", "status=proposed"],
    "places/": lambda w: ["q=Busan"],
    "places/autocomplete/": lambda w: ["q=Bus"],
    "places/provinces/": lambda w: ["q=Busan", "province_q=Busan"],
    "partnerships/suggestions/": lambda w: ["q=Busan", "partnership_q=Bandung"],
    "partnerships/governments/suggestions/": lambda w: ["q=Busan", "city_q=Bandung&public=1"],
    # Insights: scoped to the private partnership (404 for outsiders), a partner of it, its province.
    "insights/pivot/": lambda w: insights_queries(w),
    "insights/sdg/": lambda w: insights_queries(w),
}


def insights_queries(w: World) -> list[str]:
    return [f"partnership={w.private.pk}", f"government={w.governments['busan'].pk}&year=2026", "province=KR-26"]


# API request bodies, keyed by (method, OpenAPI path). Operations not listed get a body built
# from their request schema.
API_BODIES: dict[tuple[str, str], Callable[[World, dict], dict]] = {
    ("post", "/api/governments/{government_id}/traits/{trait}/correction"): lambda w, kw: {"reason": "sweep"},
    ("post", "/api/partnerships"): lambda w, kw: {
        "government_a_id": w.governments["bandung"].pk,
        "government_b_id": w.governments["kyoto"].pk,
        "kind": "sister_city",
        "status": "active",
        "fields": ["culture"],
        "public": False,
        "notes": "sweep",
    },
    ("patch", "/api/partnerships/{partnership_id}"): lambda w, kw: {
        "notes": "SWEEP-OVERWRITE",
        "public": True,
        "status": "suspended",
        "version": type(w.private).objects.get(pk=kw["partnership_id"]).version,
    },
    ("post", "/api/partnerships/{partnership_id}/confirm"): lambda w, kw: {
        "version": type(w.private).objects.get(pk=kw["partnership_id"]).version,
    },
    ("post", "/api/partnerships/{partnership_id}/close"): lambda w, kw: {
        "version": type(w.private).objects.get(pk=kw["partnership_id"]).version,
        "reason": "never_formalised",
        "note": "sweep",
    },
    ("post", "/api/governments"): lambda w, kw: {
        "place_id": w.free_place.pk,
        "name": "Kota Semarang (sweep)",
        "traits": ["port"],
    },
    ("post", "/api/agreements"): lambda w, kw: {
        "partnership_id": w.private.pk,
        "procedure": "ksdpl",
        "kind": "mou",
        "title": "sweep",
    },
    ("patch", "/api/agreements/{agreement_id}"): lambda w, kw: {
        "title": "SWEEP-OVERWRITE",
        "version": type(w.agreements["private"]).objects.get(pk=kw["agreement_id"]).version,
    },
    ("post", "/api/agreements/{agreement_id}/advance"): lambda w, kw: {
        "version": type(w.agreements["private"]).objects.get(pk=kw["agreement_id"]).version
    },
    ("post", "/api/agreements/{agreement_id}/reject"): lambda w, kw: {
        "version": type(w.agreements["private"]).objects.get(pk=kw["agreement_id"]).version,
        "reason": "sweep",
    },
    ("post", "/api/agreements/{agreement_id}/back"): lambda w, kw: {
        "version": type(w.agreements["private"]).objects.get(pk=kw["agreement_id"]).version,
        "reason": "sweep",
    },
    ("patch", "/api/governments/{government_id}"): lambda w, kw: {
        "name": "Sweep renamed",
        "contact_email": "sweep@example.org",
        "version": type(w.governments["bandung"]).objects.get(pk=kw["government_id"]).version,
    },
    **activities_world.API_BODIES,
    **offices_world.API_BODIES,
    ("post", "/api/meetings"): lambda w, kw: {
        "partnership_id": w.private.pk,
        "title": "Sweep",
        "start": "2026-11-24T23:00:00Z",
        "agenda": ["Sweep"],
    },
    ("patch", "/api/meetings/{meeting_id}"): lambda w, kw: {
        "minutes": "SWEEP-OVERWRITE",
        "version": type(w.meeting).objects.get(pk=w.meeting.pk).version,
    },
    ("post", "/api/meetings/{meeting_id}/action-items"): lambda w, kw: {
        "text": "Sweep",
        "owner": "Sweep",
        "government_id": w.governments["bandung"].pk,
        "due": "2026-12-01",
    },
    ("post", "/api/solutions"): lambda w, kw: {
        "government_id": w.governments["bandung"].pk,
        "title": "sweep",
        "summary": "sweep",
        "problem": "sweep",
        "fields": ["culture"],
        "sdg_targets": ["11.5"],
        "languages": ["en"],
        "public": True,
    },
    ("patch", "/api/solutions/{solution_id}"): lambda w, kw: {
        "title": "SWEEP-OVERWRITE",
        "public": True,
        "version": type(w.exchange.public_solution).objects.get(pk=kw["solution_id"]).version,
    },
    ("post", "/api/solutions/needs"): lambda w, kw: {
        "government_id": w.governments["bandung"].pk,
        "title": "sweep",
        "description": "sweep",
        "sdg_targets": ["11"],
        "languages": ["id"],
        "public": True,
    },
    ("patch", "/api/solutions/needs/{need_id}"): lambda w, kw: {
        "title": "SWEEP-OVERWRITE",
        "public": True,
        "version": type(w.exchange.need).objects.get(pk=kw["need_id"]).version,
    },
    # Kyoto has no office in the sweep: only a platform administrator acts for it.
    ("post", "/api/solutions/{solution_id}/interest"): lambda w, kw: {"government_id": w.governments["kyoto"].pk},
    ("post", "/api/insights/reports"): lambda w, kw: {
        "government_id": w.governments["bandung"].pk,
        "year": 2026,
        "format": "xlsx",
        "language": "en",
    },
    ("post", "/api/partner-requests"): lambda w, kw: {
        "government_id": w.governments["bandung"].pk,
        "title": "sweep",
        "offers": "o",
        "seeks": "s",
        "contact_email": "sweep@example.org",
        "preferred_countries": ["JP"],
        "fields": ["education"],
    },
    ("patch", "/api/partner-requests/{request_id}"): lambda w, kw: {
        "title": "SWEEP-OVERWRITE",
        "status": "closed",
        "version": request_in(w, kw["request_id"]).version,
    },
    ("post", "/api/partner-requests/{request_id}/interest"): lambda w, kw: {
        "government_id": w.governments["braunschweig"].pk,
        "message": "sweep",
    },
    ("patch", "/api/solutions/pilots/{pilot_id}"): lambda w, kw: {
        "status": "running",
        "outcome": "SWEEP-OVERWRITE",
        "public": True,
        "version": type(w.exchange.pilot).objects.get(pk=kw["pilot_id"]).version,
    },
    ("post", "/api/solutions/pilots/{pilot_id}/milestones"): lambda w, kw: {
        "title": "sweep",
        "due": "2026-01-01",
        "status": "done",
    },
    ("post", "/api/meetings/{meeting_id}/participants"): lambda w, kw: {
        "government_id": w.governments["bandung"].pk,
        "name": "Sweep",
        "email": "sweep@example.org",
    },
    ("patch", "/api/meetings/{meeting_id}/participants/{participant_id}"): lambda w, kw: {
        "name": "SWEEP-OVERWRITE",
        "email": "sweep@example.org",
    },
    ("post", "/api/library"): lambda w, kw: {
        "title": "Sweep",
        "government_id": w.governments["bandung"].pk,
        "partnership_id": w.private.pk,
        "summary": "Sweep",
        "language": "id",
        "fields": ["culture"],
        "sdgs": [11],
        "public": False,
        "file": SWEEP_PDF,
    },
    **conversations_world.API_BODIES,
    **proposals_world.API_BODIES,
    **plans_world.API_BODIES,
    **grants_world.API_BODIES,
}

# Values for required query parameters, and probes sent to list operations that take them.
API_QUERY_VALUES: dict[str, Callable[[World], str]] = {
    "q": lambda w: "Bandung",
    "partnership_id": lambda w: str(w.private.pk),
    "start": lambda w: "2026-11-23",
    "end": lambda w: "2026-11-27",
}
API_QUERY_PROBES: dict[str, Callable[[World], list[str]]] = {
    "q": lambda w: [PRIVATE_NOTE, PRIVATE_BASIS, "Busan"],
    "government": lambda w: [str(w.governments["busan"].pk)],
    "country": lambda w: ["KR"],
    "status": lambda w: ["proposed"],
    "field": lambda w: ["education"],
    "partnership_id": lambda w: [str(w.private.pk)],
    "province": lambda w: ["KR-26"],
}
# API reads that must show the private notes to those who may read them (the unfiltered list,
# and the detail of the private partnership).
API_SHOWING_NOTES = {"/api/partnerships", "/api/partnerships/{partnership_id}"}


def solution_in(w: World, url: str):
    pk = int(re.search(r"/solutions/(\d+)/", url).group(1))
    return type(w.exchange.public_solution).objects.get(pk=pk)


def request_in(w: World, pk: int):
    from kembar.matching.models import PartnerRequest

    return PartnerRequest.objects.get(pk=pk)


def partnership_in(w: World, url: str):
    pk = int(re.search(r"/partnerships/(\d+)/", url).group(1))
    return type(w.private).objects.get(pk=pk)


# --- the routes -----------------------------------------------------------------------------


@dataclass
class Route:
    route: str  # the concatenated pattern, as the tables above spell it
    patterns: list  # the pattern objects from the root down
    name: str


def all_routes() -> list[Route]:
    found: list[Route] = []

    def walk(resolver, patterns, prefix, namespace):
        for p in resolver.url_patterns:
            here = patterns + [p.pattern]
            if isinstance(p, URLResolver):
                walk(p, here, prefix + str(p.pattern), namespace + ([p.namespace] if p.namespace else []))
            else:
                assert isinstance(p, URLPattern)
                found.append(Route(prefix + str(p.pattern), here, ":".join(namespace + [p.name or ""])))

    walk(get_resolver(), [], "", [])
    return found


PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


class CannotFill(Exception):
    pass


def admin_model(route: str):
    """The model of an admin route `admin/<app>/<model>/...`, or None."""
    m = re.match(r"admin/(\w+)/(\w+)/", route)
    if not m:
        return None
    try:
        model = apps.get_model(m.group(1), m.group(2))
    except LookupError:
        return None
    return model if model in admin.site._registry else None


def fill(route: Route, w: World) -> list[str]:
    """The concrete URLs a route is swept with; CannotFill if the tables do not say, or if what
    they say does not lead to the route (a value of the wrong type for its converter)."""
    urls = ROUTE_URLS[route.route](w) if route.route in ROUTE_URLS else fill_parameters(route, w)
    for url in urls:
        try:
            reached = resolve(urlsplit(url).path).route
        except Resolver404:
            reached = None
        if (reached or "").replace("^", "") != route.route.replace("^", ""):
            raise CannotFill(f"{url} leads to {reached!r}, not to this route")
    return urls


def fill_parameters(route: Route, w: World) -> list[str]:
    model = admin_model(route.route)
    urls = ["/"]
    previous = ""
    for pattern in route.patterns:
        text = str(pattern)
        if isinstance(pattern, RegexPattern):
            regex = re.compile(text)
            if regex.groups == 0:
                literal = text.lstrip("^").rstrip("$")
                if not regex.fullmatch(literal):
                    raise CannotFill(f"regular expression {text!r}")
                urls = [u + literal for u in urls]
            elif model is not None and text == r"^([^/]+)/history/([^/]+)/$":  # simple_history's revert form
                obj = admin_object(w, model)
                record = obj.history.order_by("history_id").first() if obj is not None else None
                urls = [u + f"{obj.pk if obj else 0}/history/{record.history_id if record else 0}/" for u in urls]
            elif list(regex.groupindex) == ["app_label"]:  # the admin's page of one app
                labels = sorted({m._meta.app_label for m in admin.site._registry})
                assert all(regex.fullmatch(label + "/") for label in labels), text
                urls = [u + label + "/" for u in urls for label in labels]
            else:
                raise CannotFill(f"regular expression {text!r} with groups")
            continue
        assert isinstance(pattern, RoutePattern), pattern
        pieces = []
        last = 0
        for m in PARAM.finditer(text):
            pieces.append(text[last : m.start()])
            last = m.end()
            literal_before = text[: m.start()].rstrip("/").rsplit("/", 1)[-1] or previous
            name = m.group("name")
            if model is not None and name == "object_id":
                obj = admin_object(w, model)
                # No row (say, no failed login yet): any id does, the admin turns non-staff
                # away before it looks the object up.
                values = [obj.pk if obj is not None else 0]
            elif (literal_before, name) in PATH_VALUES:
                values = PATH_VALUES[(literal_before, name)](w)
            else:
                raise CannotFill(f"parameter <{m.group(0)[1:-1]}> after {literal_before!r}")
            pieces.append(values)
        pieces.append(text[last:])
        for piece in pieces:
            if isinstance(piece, list):
                urls = [u + str(v) for u in urls for v in piece]
            else:
                urls = [u + piece for u in urls]
        literal_segments = [s for s in PARAM.sub("", text).split("/") if s]
        previous = literal_segments[-1] if literal_segments else previous
    return urls


def cannot_fill_message(route: str, why: str) -> str:
    return (
        f"The permission sweep cannot fill the route {route!r} ({why}): add its parameter to PATH_VALUES "
        f"or the route to ROUTE_URLS in tests/test_permission_sweep.py, so that it is checked."
    )


def normalised(path: str) -> str:
    """`api/partnerships/<int:partnership_id>` and `/api/partnerships/{partnership_id}` alike."""
    return "/" + PARAM.sub(lambda m: "{" + m.group("name") + "}", path).lstrip("/")


# --- the OpenAPI operations -----------------------------------------------------------------


def openapi(client) -> dict:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


def resolve_ref(schema: dict, spec: dict) -> dict:
    while "$ref" in schema:
        target = spec
        for part in schema["$ref"].lstrip("#/").split("/"):
            target = target[part]
        schema = target
    return schema


ID_VALUES: dict[str, Callable[[World], int]] = {
    "place_id": lambda w: w.free_place.pk,
    "government_id": lambda w: w.governments["bandung"].pk,
    "government_a_id": lambda w: w.governments["bandung"].pk,
    "government_b_id": lambda w: w.governments["kyoto"].pk,
    "partnership_id": lambda w: w.private.pk,
}


def example(schema: dict, spec: dict, w: World, name: str = "") -> Any:
    """A plausible value for a schema: for operations added later without an API_BODIES entry."""
    schema = resolve_ref(schema, spec)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if resolve_ref(s, spec).get("type") != "null"]
            return example(options[0], spec, w, name)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return {prop: example(sub, spec, w, prop) for prop, sub in schema.get("properties", {}).items()}
    if kind == "array":
        return [example(schema["items"], spec, w, name)] if "items" in schema else []
    if kind == "integer":
        if name in ID_VALUES:
            return ID_VALUES[name](w)
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return 1.0
    if kind == "boolean":
        return True
    if kind == "string" and schema.get("format") == "binary":
        return SWEEP_PDF
    if kind == "string":
        return {
            "date": "2020-01-01",
            "date-time": "2020-01-01T00:00:00Z",
            "email": "sweep@example.org",
            "uri": "https://example.org",
        }.get(schema.get("format", ""), "sweep")
    raise CannotFill(f"no example for the schema of {name!r}: {schema}")


@dataclass
class Operation:
    method: str
    path: str  # as in the OpenAPI document
    declared: bool
    spec: dict


MULTIPART = "multipart/form-data"


@dataclass(frozen=True)
class SweepFile:
    """A file part of an upload: a real small PDF, a fresh file object for every request."""

    name: str
    content: bytes


SWEEP_PDF = SweepFile("sweep.pdf", pdf_bytes("Sweep"))


def is_multipart(op: Operation) -> bool:
    return MULTIPART in op.spec.get("requestBody", {}).get("content", {})


def api_operations(spec: dict) -> list[Operation]:
    """Every declared operation, and the undeclared write methods of every path (they must be 405)."""
    ops = []
    for path, methods in spec["paths"].items():
        for method in ("get", *WRITE_METHODS):
            ops.append(Operation(method, path, method in methods, methods.get(method, {})))
    return ops


def operation_urls(op: Operation, spec: dict, w: World) -> list[tuple[str, dict]]:
    """(url, path kwargs) for each way the operation is called."""
    params = [p for p in op.spec.get("parameters", [])] or [
        {"name": n, "in": "path"} for n in re.findall(r"{(\w+)}", op.path)
    ]
    urls: list[tuple[str, dict]] = [(op.path, {})]
    for p in params:
        if p["in"] != "path":
            continue
        literal_before = op.path.split("{" + p["name"] + "}")[0].rstrip("/").rsplit("/", 1)[-1]
        key = (literal_before, p["name"])
        if key not in PATH_VALUES:
            raise CannotFill(f"path parameter {p['name']!r} after {literal_before!r}")
        urls = [
            (u.replace("{" + p["name"] + "}", str(v)), {**kw, p["name"]: v})
            for u, kw in urls
            for v in PATH_VALUES[key](w)
        ]
    if op.method != "get":
        return urls
    required = {}
    probes = []
    for p in params:
        if p["in"] != "query":
            continue
        if p.get("required"):
            if p["name"] not in API_QUERY_VALUES:
                raise CannotFill(f"required query parameter {p['name']!r}")
            required[p["name"]] = API_QUERY_VALUES[p["name"]](w)
        for value in API_QUERY_PROBES.get(p["name"], lambda w: [])(w):
            probes.append({p["name"]: value})
    out = []
    for url, kw in urls:
        out.append((url + ("?" + urlencode(required) if required else ""), kw))
        out += [(url + "?" + urlencode({**required, **probe}), {**kw, "_probe": True}) for probe in probes]
    return out


def body_schema(op: Operation, spec: dict) -> dict:
    """The request body's schema, JSON or (an upload) multipart/form-data."""
    content = op.spec["requestBody"]["content"]
    return resolve_ref(content[MULTIPART if is_multipart(op) else "application/json"]["schema"], spec)


def api_body(op: Operation, spec: dict, w: World, kwargs: dict) -> dict | None:
    key = (op.method, op.path)
    if key in API_BODIES:
        body = API_BODIES[key](w, kwargs)
        schema = body_schema(op, spec)
        stale = set(body) - set(schema.get("properties", {}))
        assert not stale, f"API_BODIES[{key}] sends {stale}, which the schema no longer has"
        return body
    if "requestBody" in op.spec:
        return example(body_schema(op, spec), spec, w)
    if op.declared or op.method == "delete":
        return None
    # An undeclared method: send the body of a declared write of the same path, if any (as JSON:
    # without its file).
    for method in WRITE_METHODS:
        if (method, op.path) in API_BODIES:
            return {k: v for k, v in API_BODIES[(method, op.path)](w, kwargs).items() if v is not SWEEP_PDF}
    return {}


# --- the database, before and after ---------------------------------------------------------


def compared_models():
    for model in apps.get_models(include_auto_created=True):
        label = model._meta.label
        if label in UNCOMPARED_MODELS or model._meta.app_label in UNCOMPARED_APPS:
            continue
        yield model


@functools.cache
def snapshot_queries() -> dict[str, str]:
    """One SELECT per compared table. Raw SQL: the ORM's overhead made the sweep ten times slower."""
    q = connection.ops.quote_name
    queries = {}
    for model in compared_models():
        label, table, pk = model._meta.label, q(model._meta.db_table), q(model._meta.pk.column)
        if model._meta.app_label in LARGE_APPS:
            queries[label] = f"SELECT MAX({pk}) FROM {table}"
            continue
        columns = ", ".join(
            q(f.column) for f in model._meta.concrete_fields if f.name not in UNCOMPARED_FIELDS.get(label, ())
        )
        queries[label] = f"SELECT {columns} FROM {table} ORDER BY {pk}"
    return queries


def media_files() -> list[str]:
    """The stored files, but for the published open data: files derived from the public registry
    that any read of the open data page may rebuild (kembar.partnerships.opendata)."""
    root = Path(django_settings.MEDIA_ROOT)
    if not root.exists():
        return []
    return sorted(
        str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and p.relative_to(root).parts[0] != PUBLISHED
    )


def snapshot() -> dict:
    """Every compared row's values (large tables: their highest key), and the stored files (a
    rolled-back transaction does not take back a file an upload wrote)."""
    state = {"media directory": media_files()}
    with connection.cursor() as cursor:
        for label, sql in snapshot_queries().items():
            cursor.execute(sql)
            state[label] = cursor.fetchall()
    return state


def large_counts() -> dict:
    return {m._meta.label: m._default_manager.count() for m in compared_models() if m._meta.app_label in LARGE_APPS}


def changed(before: dict, after: dict) -> set[str]:
    return {label for label in before if before[label] != after.get(label)}


# --- calling --------------------------------------------------------------------------------


def client_for(principal: Principal, w: World) -> tuple[Client, dict]:
    """A client acting as the principal, and the headers its writes send."""
    c = Client(enforce_csrf_checks=True, raise_request_exception=False)
    if principal.via == "token":
        return c, {"HTTP_AUTHORIZATION": f"Bearer {w.tokens[principal.user]}"}
    if principal.user:
        c.force_login(w.users[principal.user])
    c.get(LOGIN_URL)  # any page with a form sets the CSRF cookie
    token = c.cookies["csrftoken"].value
    return c, {"HTTP_X_CSRFTOKEN": token}


def multipart(body: dict) -> dict:
    """A form of fresh file objects (a file part is read once) and strings, as a client sends it."""
    out = {}
    for key, value in body.items():
        if value is None:
            continue
        if isinstance(value, SweepFile):
            value = upload(value.name, value.content, "application/pdf")
        elif isinstance(value, bool):
            value = "true" if value else "false"
        out[key] = value
    return out


def api_call(c: Client, op: Operation, url: str, body, headers: dict):
    if op.method == "post" and is_multipart(op) and body is not None:
        return c.post(url, multipart(body), **headers)
    return call(c, op.method, url, body, headers, as_json=True)


def call(c: Client, method: str, url: str, body, headers: dict, *, as_json: bool):
    if method == "get":
        return c.get(url, **headers)
    if body is None:
        return getattr(c, method)(url, **headers)
    if as_json:
        return getattr(c, method)(url, json.dumps(body), content_type="application/json", **headers)
    if method == "post":
        return c.post(url, body, **headers)
    return getattr(c, method)(
        url, urlencode(body, doseq=True), content_type="application/x-www-form-urlencoded", **headers
    )


def private_traces(text: str, response, w: World) -> list[str]:
    """What in a response gives the private partnership away: its notes or basis, a link to it
    (a government's page listing it as a partner), or it as an item of an API answer."""
    found = [m for m in PRIVATE_MARKERS if m in text]
    if f'"/partnerships/{w.private.pk}/' in text:
        found.append(f"a link to /partnerships/{w.private.pk}/")
    if response.get("Content-Type", "").startswith("application/json"):

        def walk(value):
            if isinstance(value, dict):
                if value.get("id") == w.private.pk and "government_a" in value:
                    found.append(f"partnership {w.private.pk} in the JSON")
                for v in value.values():
                    walk(v)
            elif isinstance(value, list):
                for v in value:
                    walk(v)

        try:
            walk(json.loads(text))
        except ValueError:
            pass
    return found


def has_form_error(response) -> bool:
    text = response.content.decode(errors="replace")
    return 'class="errorlist' in text or 'class="errornote' in text


def succeeded(response) -> bool:
    """A write went through: 2xx (202: accepted, the job queue does the rest), or a page's
    redirect somewhere other than the login (to what was made)."""
    if response.status_code == 302:
        return not response["Location"].startswith((LOGIN_URL, "http://testserver" + LOGIN_URL))
    return 200 <= response.status_code < 300


def refusal_problem(response, *, api: bool, admin_route: str | None) -> str | None:
    """None if the response refuses the write, else what is wrong with it."""
    status = response.status_code
    if status in (401, 403, 404, 405):
        return None
    if status == 302:
        where = response["Location"]
        login = ADMIN_REDIRECTS.get(admin_route, ADMIN_LOGIN_URL) if admin_route else LOGIN_URL
        if where.startswith(login) or where.startswith("http://testserver" + login):
            return None
        return f"302 to {where}, not to {login}"
    if status == 200 and not api and has_form_error(response):
        return None
    return f"status {status}"


@dataclass
class Write:
    what: str
    key: tuple  # (method, route or OpenAPI path)
    do: Callable[[], Any]
    api: bool
    admin_route: str | None
    read_only_view: bool
    expect: int | None = None  # the one status that is right (405 for a method the API does not declare)


WRITE_BATCH = 24  # writes run between two comparisons of the database; a change is then traced request by request


@dataclass
class Sweep:
    principal: Principal
    w: World
    baseline: dict
    failures: list[str] = field(default_factory=list)
    requests: int = 0
    routes: int = 0
    operations: int = 0
    pending: list[Write] = field(default_factory=list)

    def fail(self, what: str, response=None, why: str = "") -> None:
        detail = ""
        if response is not None:
            body = b"(streamed)" if getattr(response, "streaming", False) else response.content[:160]
            detail = f" -> {response.status_code} {body!r}"
        self.failures.append(f"[{self.principal.name}] {what}: {why}{detail}")

    def check_read(
        self, what: str, response, *, must_show_notes: bool, admin_route: bool, private_detail: bool
    ) -> None:
        self.requests += 1
        text = response.content.decode(errors="replace") if not getattr(response, "streaming", False) else ""
        if response.status_code >= 500:
            self.fail(what, response, "server error")
            return
        if admin_route or not self.principal.reads_private:
            leaked = private_traces(text, response, self.w)
            if leaked:
                self.fail(what, response, f"shows the private partnership: {leaked}")
        if must_show_notes and self.principal.reads_private and PRIVATE_NOTE not in text:
            self.fail(what, response, f"does not show the private notes ({PRIVATE_NOTE}) to a reader")
        if private_detail and not self.principal.reads_private and response.status_code != 404:
            self.fail(what, response, "the private partnership must not exist (404) for this caller")

    def write(
        self,
        what: str,
        key: tuple,
        do: Callable[[], Any],
        *,
        api: bool,
        admin_route: str | None,
        read_only_view: bool = False,
        expect: int | None = None,
    ) -> None:
        """Queue a write; the queue is run in batches, each with one comparison of the database."""
        self.pending.append(Write(what, key, do, api, admin_route, read_only_view, expect))
        if len(self.pending) >= WRITE_BATCH:
            self.flush()

    def flush(self) -> None:
        batch, self.pending = self.pending, []
        if not batch:
            return
        if any((self.principal.name, *w.key) in ALLOWED_BY_DESIGN for w in batch):
            for w in batch:
                self.check_write(w)
            return
        with transaction.atomic():
            responses = [w.do() for w in batch]
            after = snapshot()
            transaction.set_rollback(True)  # a write that got through must not spoil the next checks
        if changed(self.baseline, after):  # find out which one did it
            for w in batch:
                self.check_write(w)
            return
        for w, response in zip(batch, responses):
            self.judge(w, response, set())

    def check_write(self, w: Write) -> None:
        with transaction.atomic():
            response = w.do()
            after = snapshot()
            transaction.set_rollback(True)
        self.judge(w, response, changed(self.baseline, after))

    def judge(self, w: Write, response, diff: set[str]) -> None:
        self.requests += 1
        what = w.what
        if response.status_code >= 500:
            self.fail(what, response, "server error")
        text = response.content.decode(errors="replace") if not getattr(response, "streaming", False) else ""
        leaked = private_traces(text, response, self.w) if not self.principal.reads_private else []
        if leaked:
            self.fail(what, response, f"the refusal shows the private partnership: {leaked}")
        allowed = ALLOWED_BY_DESIGN.get((self.principal.name, *w.key))
        if allowed:
            expected = ALLOWED_BY_DESIGN_CHANGES[w.key]
            if not succeeded(response) or diff != expected:
                self.fail(
                    what,
                    response,
                    f"allowed by design ({allowed}), expected to change exactly "
                    f"{sorted(expected)}, changed {sorted(diff)}",
                )
            return
        if diff:
            self.fail(what, response, f"the write changed {sorted(diff)}")
        if w.expect is not None and response.status_code != w.expect:
            self.fail(what, response, f"expected {w.expect}")
        if w.read_only_view and response.status_code == 200:
            return
        if not w.api and w.key[0] != "post" and response.status_code == 200:
            return  # a page reads form data from POST only: another method just gets the page, as a GET would
        problem = refusal_problem(response, api=w.api, admin_route=w.admin_route)
        if problem:
            self.fail(what, response, f"the write was not refused ({problem})")


def sweep_pages(s: Sweep, c: Client, headers: dict, api_paths: set[str]) -> None:
    w = s.w
    for route in all_routes():
        if normalised(route.route) in api_paths:
            continue  # an API operation: swept from the OpenAPI document, with JSON bodies
        try:
            urls = fill(route, w)
        except CannotFill as exc:
            s.failures.append(cannot_fill_message(route.route, str(exc)))
            continue
        s.routes += 1
        admin_route = route.route if route.route.startswith("admin/") else None
        model = admin_model(route.route)
        for url in urls:
            # Reads.
            queries = [""] + ["?" + q for q in PAGE_QUERIES.get(route.route, lambda w: [])(w)]
            for query in queries:
                response = call(c, "get", url + query, None, {}, as_json=False)
                private_detail = (
                    not query
                    and not admin_route
                    and f"/{w.private.pk}/" in url
                    and route.route.startswith("partnerships/<int:pk>/")
                    and route.route.endswith("<int:pk>/")
                )
                s.check_read(
                    f"GET {url}{query}",
                    response,
                    admin_route=admin_route,
                    must_show_notes=(not query and route.route in PAGES_SHOWING_NOTES and f"/{w.private.pk}/" in url),
                    private_detail=private_detail,
                )
                if admin_route and route.route != "admin/login/":
                    to = ADMIN_REDIRECTS.get(route.route, ADMIN_LOGIN_URL)
                    if not (response.status_code == 302 and response["Location"].startswith(to)):
                        s.fail(f"GET {url}", response, f"the admin must send non-staff to {to}")
            # Writes.
            # The admin changes things by POST only (and turns non-staff away before it looks at
            # the method); the site's own pages get every write method.
            for method in ("post",) if admin_route else WRITE_METHODS:
                if (route.route, method) in SKIPPED:
                    continue
                if model is not None:
                    body = admin_body(w, model, route.route)
                elif route.route in PAGE_BODIES:
                    body = PAGE_BODIES[route.route](w, url)
                else:
                    body = {}
                s.write(
                    f"{method.upper()} {url}",
                    (method, route.route),
                    lambda method=method, url=url, body=body: call(c, method, url, body, headers, as_json=False),
                    api=False,
                    admin_route=admin_route,
                    read_only_view=route.route in READ_ONLY_VIEWS,
                )


def sweep_api(s: Sweep, c: Client, headers: dict, spec: dict) -> None:
    w = s.w
    for op in api_operations(spec):
        try:
            urls = operation_urls(op, spec, w)
        except CannotFill as exc:
            s.failures.append(cannot_fill_message(f"{op.method.upper()} {op.path}", str(exc)))
            continue
        s.operations += op.declared
        for url, kwargs in urls:
            what = f"{op.method.upper()} {url}" + ("" if op.declared else " (undeclared)")
            if op.method == "get":
                response = call(c, "get", url, None, headers, as_json=True)
                is_private = kwargs.get("partnership_id") == w.private.pk
                s.check_read(
                    what,
                    response,
                    admin_route=False,
                    must_show_notes=(
                        op.path in API_SHOWING_NOTES
                        and not kwargs.get("_probe")
                        and ("partnership_id" not in kwargs or is_private)
                    ),
                    # A method the path does not have answers 405 whatever the id: it tells
                    # nothing of the private partnership's existence.
                    private_detail=is_private and op.declared,
                )
                continue
            try:
                body = api_body(op, spec, w, kwargs)
            except CannotFill as exc:
                s.failures.append(cannot_fill_message(f"{op.method.upper()} {op.path}", str(exc)))
                continue
            s.write(
                what,
                (op.method, op.path),
                lambda op=op, url=url, body=body: api_call(c, op, url, body, headers),
                api=True,
                admin_route=None,
                expect=None if op.declared else 405,
            )


def run_sweep(principal: Principal, w: World) -> Sweep:
    c, headers = client_for(principal, w)
    spec = openapi(c)
    api_paths = set(spec["paths"])
    counts = large_counts()
    s = Sweep(principal, w, snapshot())
    if principal.via == "session":  # pages know sessions only; a token on a page is just anonymous
        sweep_pages(s, c, headers, api_paths)
    sweep_api(s, c, headers, spec)
    s.flush()
    if large_counts() != counts:
        s.failures.append(f"[{principal.name}] the gazetteer's row counts changed: {counts} -> {large_counts()}")
    return s


# --- the tests ------------------------------------------------------------------------------


@pytest.mark.parametrize("principal", PRINCIPALS, ids=[p.name for p in PRINCIPALS])
def test_no_write_succeeds_and_nothing_private_leaks(world, principal):
    s = run_sweep(principal, world)
    assert not s.failures, f"{len(s.failures)} problems in {s.requests} requests:\n" + "\n".join(s.failures)
    declared = sum(op.declared for op in api_operations(openapi(Client())))
    assert s.operations == declared and (s.routes > 0) == (principal.via == "session")  # the sweep did sweep


def test_every_route_and_operation_can_be_filled(world, client):
    """A route the sweep cannot fill would go unchecked: name it, and what to add."""
    problems = []
    routes = all_routes()
    for route in routes:
        try:
            assert fill(route, world), route.route
        except CannotFill as exc:
            problems.append(cannot_fill_message(route.route, str(exc)))
    spec = openapi(client)
    for op in api_operations(spec):
        try:
            for _url, kwargs in operation_urls(op, spec, world):
                if op.method != "get":
                    api_body(op, spec, world, kwargs)
        except CannotFill as exc:
            problems.append(cannot_fill_message(f"{op.method.upper()} {op.path}", str(exc)))
    assert not problems, "\n".join(problems)


def test_a_new_route_is_swept_or_fails_the_suite(world):
    """A route whose parameter is named like a known one is filled by itself; any other makes
    the sweep fail with what to add."""

    def route(*parts: str) -> Route:
        return Route("".join(parts), [RoutePattern(p) for p in parts], "new")

    known = route("partnerships/", "<int:pk>/")  # as if `<int:pk>/activities/` were added: same filling
    assert fill_parameters(known, world) == [f"/partnerships/{world.private.pk}/", f"/partnerships/{world.public.pk}/"]
    unknown = route("partnerships/", "<int:pk>/", "activities/<slug:code>/")
    with pytest.raises(CannotFill, match="activities"):
        fill(unknown, world)
    assert "tests/test_permission_sweep.py" in cannot_fill_message(unknown.route, "slug")
    wrong_type = route("partnerships/", "<uuid:pk>/")  # a known name, but the value cannot reach it
    with pytest.raises(CannotFill, match="leads to"):
        fill(wrong_type, world)


def test_every_api_route_is_in_the_openapi_document(client):
    """The API is swept from its OpenAPI document; an operation hidden from it would be skipped."""
    documented = set(openapi(client)["paths"])
    not_operations = {"/api/", "/api/openapi.json", "/api/docs", "/api/docs/assets/{name}"}  # swept as pages
    api_routes = {normalised(r.route) for r in all_routes() if r.name.startswith("api:")}
    assert api_routes - documented - not_operations == set()


def test_the_sweep_bodies_are_valid_for_a_platform_admin(world, client):
    """The control: the writes the sweep sends would succeed for someone allowed to make them,
    so a refusal above is the permission check speaking, not a bad body."""
    c = Client(raise_request_exception=False)
    c.force_login(world.users["platform_admin"])
    spec = openapi(c)
    for op in api_operations(spec):
        if op.method == "get" or not op.declared:
            continue
        for url, kwargs in operation_urls(op, spec, world):
            if kwargs.get("partnership_id") not in (None, world.private.pk):
                continue  # one target is enough
            body = api_body(op, spec, world, kwargs)
            with transaction.atomic():
                response = api_call(c, op, url, body, {})
                transaction.set_rollback(True)
            assert response.status_code in (200, 201, 202, 204), (op.method, url, body, response.content)
    for route in all_routes():
        if route.route not in PAGE_BODIES or route.route.startswith(("admin/", "accounts/")):
            continue  # login and password bodies are meant to be wrong
        for url in fill(route, world)[:1]:
            with transaction.atomic():
                response = c.post(url, PAGE_BODIES[route.route](world, url))
                transaction.set_rollback(True)
            assert response.status_code == 302 and not response["Location"].startswith(LOGIN_URL), (
                url,
                response.status_code,
                response.content[:2000],
            )


def test_the_sweep_sees_a_leak(world):
    """The positive control: the public partnership's notes are on its page for everyone."""
    response = Client().get(reverse("partnerships:detail", args=[world.public.pk]))
    assert PUBLIC_NOTE in response.content.decode()


def test_the_sweep_sees_a_stored_file(world, client):
    """The control for uploads: a file an upload stores stays when its transaction rolls back, so
    the media directory is compared too; a platform administrator's upload shows in it."""
    before = snapshot()
    c = Client()
    c.force_login(world.users["platform_admin"])
    with transaction.atomic():
        response = c.post(f"/api/meetings/{world.meeting.pk}/attachments", multipart({"file": SWEEP_PDF}))
        transaction.set_rollback(True)
    assert response.status_code == 201, response.content
    assert changed(before, snapshot()) == {"media directory"}
