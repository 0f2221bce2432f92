"""The permission sweep's offices: a pending invitation into Bandung's office, the paths to
fill the office routes with, and bodies a platform administrator's identical request shows to be
valid (tests/test_permission_sweep.py)."""

from __future__ import annotations

from kembar.accounts.models import Membership
from kembar.offices import services


def sweep_objects(w) -> None:
    """A colleague's invitation waiting in Bandung's office (the sweep's viewer is a member)."""
    w.invitation = services.invite(
        w.users["platform_admin"], w.governments["bandung"], email="sweep-waiting@bandung.go.id", role="viewer"
    ).invitation


def _editor_membership(w) -> int:
    return Membership.objects.get(user=w.users["bandung_editor"], organisation=w.orgs["bandung"]).pk


PATH_VALUES = {
    ("office", "organisation_id"): lambda w: [w.orgs["bandung"].pk],
    ("offices", "organisation_id"): lambda w: [w.orgs["bandung"].pk],
    ("members", "membership_id"): lambda w: [_editor_membership(w)],
    ("invitations", "invitation_id"): lambda w: [w.invitation.pk],
}

# The link of an invitation is its own permission: whoever holds it may accept (tests/offices).
# The sweep calls it with a token never issued, which must write nothing for anyone.
ROUTE_URLS = {"invitations/<str:token>/": lambda w: ["/invitations/not-an-issued-token/"]}

PAGE_BODIES = {
    "office/<int:organisation_id>/invite/": lambda w, url: {
        "email": "sweep-new@bandung.go.id",
        "role": "editor",
        "language": "id",
    },
    "office/<int:organisation_id>/profile/": lambda w, url: {
        "contact_email": "sweep@bandung.go.id",
        "contact_phone": "+62 22 0000",
        "website": "https://sweep.example.org",
        "address": "Sweep",
        "languages": ["id", "en"],
        "hours_start": "07:00",
        "hours_end": "15:00",
        "version": type(w.governments["bandung"]).objects.get(pk=w.governments["bandung"].pk).version,
    },
    "office/<int:organisation_id>/members/<int:membership_id>/role/": lambda w, url: {"role": "viewer"},
    "office/<int:organisation_id>/members/<int:membership_id>/remove/": lambda w, url: {},
    "office/<int:organisation_id>/invitations/<int:invitation_id>/revoke/": lambda w, url: {},
    "office/<int:organisation_id>/invitations/<int:invitation_id>/renew/": lambda w, url: {},
    # The private partnership's other side, Busan, has no office yet.
    "office/partnerships/<int:partnership_id>/invite/": lambda w, url: {
        "email": "sweep@busan.go.kr",
        "language": "en",
    },
}

API_BODIES = {
    ("post", "/api/offices/{organisation_id}/invitations"): lambda w, kw: {
        "email": "sweep-api@bandung.go.id",
        "role": "viewer",
    },
    ("patch", "/api/offices/{organisation_id}/members/{membership_id}"): lambda w, kw: {"role": "viewer"},
    ("post", "/api/offices/partner-invitations"): lambda w, kw: {
        "partnership_id": w.private.pk,
        "email": "sweep-api@busan.go.kr",
    },
}
