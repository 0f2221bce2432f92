"""The office page: members and their roles (admins only; the last admin stays), the history of
those changes, the office profile (contact, working languages, office hours), and a constant
number of queries whatever the number of members and invitations."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from kembar.accounts.models import Membership, Organisation
from kembar.meetings.models import OfficeHours
from kembar.offices import services
from tests.support.builders import make_user
from tests.support.queries import assert_constant_queries

pytestmark = pytest.mark.django_db

Role = Membership.Role


@pytest.fixture
def bandung_admin(users, orgs):
    """Bandung's administrator (also in `users`, so that `api` has a token of theirs)."""
    users["bandung_admin"] = make_user("bandung_admin", orgs["bandung"], Role.ADMIN)
    return users["bandung_admin"]


def membership(user) -> Membership:
    return Membership.objects.get(user=user)


def test_members_see_their_office_and_nobody_else_does(client, users, orgs, bandung_admin):
    url = reverse("offices:office", args=[orgs["bandung"].pk])
    client.force_login(users["bandung_viewer"])
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "bandung_admin" in body and "Invite a colleague" not in body and 'name="role"' not in body
    for name in ("surabaya_editor", "oversight"):
        client.force_login(users[name])
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(bandung_admin)
    body = client.get(url).content.decode()
    assert "Invite a colleague" in body and 'name="role"' in body
    assert client.get(reverse("offices:home")).url == url


def test_an_admin_changes_roles_and_removes_members_with_the_changes_in_the_history(client, users, orgs, bandung_admin):
    office_url = reverse("offices:office", args=[orgs["bandung"].pk])
    editor = membership(users["bandung_editor"])
    role_url = reverse("offices:change_role", args=[orgs["bandung"].pk, editor.pk])
    remove_url = reverse("offices:remove_member", args=[orgs["bandung"].pk, editor.pk])
    client.force_login(users["bandung_editor"])  # an editor manages no one
    assert client.post(role_url, {"role": "admin"}).status_code == 403
    assert client.post(remove_url).status_code == 403
    assert membership(users["bandung_editor"]).role == Role.EDITOR

    client.force_login(bandung_admin)
    assert client.post(role_url, {"role": "viewer"}).url == office_url
    assert membership(users["bandung_editor"]).role == Role.VIEWER
    assert client.post(remove_url).url == office_url
    assert not Membership.objects.filter(user=users["bandung_editor"]).exists()

    history = [c.what for c in services.changes(orgs["bandung"])]
    assert history[:2] == ["bandung_editor was removed", "bandung_editor is now Viewer"]
    page = client.get(office_url).content.decode()
    assert "bandung_editor was removed" in page and "bandung_admin" in page


def test_the_last_admin_is_neither_demoted_nor_removed(client, users, orgs, bandung_admin):
    own = membership(bandung_admin)
    with pytest.raises(ValidationError, match="last administrator"):
        services.change_role(bandung_admin, own, Role.EDITOR)
    with pytest.raises(ValidationError, match="last administrator"):
        services.remove_member(bandung_admin, own)
    client.force_login(bandung_admin)
    response = client.post(
        reverse("offices:change_role", args=[orgs["bandung"].pk, own.pk]), {"role": "editor"}, follow=True
    )
    assert "last administrator keeps that role" in response.content.decode()
    assert membership(bandung_admin).role == Role.ADMIN

    # With a second administrator, the first may step down.
    services.change_role(bandung_admin, membership(users["bandung_editor"]), Role.ADMIN)
    services.change_role(bandung_admin, own, Role.EDITOR)
    assert membership(bandung_admin).role == Role.EDITOR


def test_oversight_members_are_not_managed_here(users, orgs):
    oversight_admin = make_user("kemendagri_admin", orgs["oversight"], Role.ADMIN)
    with pytest.raises(PermissionDenied):
        services.change_role(oversight_admin, membership(users["oversight"]), Role.EDITOR)


def test_api_changes_a_role_and_keeps_the_last_admin(api, users, orgs, bandung_admin):
    base = f"/api/offices/{orgs['bandung'].pk}/members"
    listed = api("get", base, "bandung_viewer").json()
    assert {m["username"]: m["role"] for m in listed["items"]} == {
        "bandung_admin": "admin",
        "bandung_editor": "editor",
        "bandung_viewer": "viewer",
    }
    assert api("get", base, "surabaya_editor").status_code == 404
    editor = membership(users["bandung_editor"])
    assert api("patch", f"{base}/{editor.pk}", "bandung_editor", {"role": "admin"}).status_code == 403
    assert api("patch", f"{base}/{editor.pk}", "bandung_admin", {"role": "viewer"}).json()["role"] == "viewer"
    own = membership(bandung_admin)
    refused = api("patch", f"{base}/{own.pk}", "bandung_admin", {"role": "viewer"})
    assert refused.status_code == 422 and refused.json()["detail"][0]["field"] == "role"
    assert api("delete", f"{base}/{own.pk}", "bandung_admin").status_code == 422
    assert api("delete", f"{base}/{editor.pk}", "bandung_admin").status_code == 204


def test_an_editor_edits_the_office_profile(client, users, orgs, governments):
    office = orgs["bandung"]
    url = reverse("offices:profile", args=[office.pk])
    client.force_login(users["bandung_viewer"])
    assert client.get(url).status_code == 403
    client.force_login(users["bandung_editor"])
    version = governments["bandung"].version
    body = {
        "contact_email": "kerjasama@bandung.go.id",
        "contact_phone": "+62 22 423 4793",
        "website": "https://bandung.go.id",
        "address": "Jl. Wastukencana 2",
        "languages": ["id", "en", "ja"],
        "hours_start": "07:30",
        "hours_end": "16:00",
        "version": version,
    }
    assert client.post(url, body).url == reverse("offices:office", args=[office.pk])
    governments["bandung"].refresh_from_db()
    office.refresh_from_db()
    assert governments["bandung"].contact_email == "kerjasama@bandung.go.id"
    assert office.languages == ["id", "en", "ja"]
    hours = OfficeHours.objects.get(organisation=office)
    assert (hours.start.isoformat(), hours.end.isoformat()) == ("07:30:00", "16:00:00")
    page = client.get(reverse("offices:office", args=[office.pk])).content.decode()
    assert "Indonesian, English, Japanese" in page and "07:30–16:00" in page

    # A stale form, a bad link or hours that end before they start change nothing.
    for changes, field in [
        ({"version": version}, "version"),
        ({"website": "javascript:alert(1)"}, "website"),
        ({"hours_end": "07:00"}, "hours_end"),
        ({"languages": ["xx"]}, "languages"),
    ]:
        response = client.post(url, {**body, "contact_phone": "000", "version": version + 1, **changes})
        assert response.status_code == 200, field
        assert response.context["form"].errors, field
    governments["bandung"].refresh_from_db()
    assert governments["bandung"].contact_phone == "+62 22 423 4793"


def test_the_office_page_costs_the_same_queries_for_many_members_and_invitations(
    client, users, orgs, bandung_admin, governments
):
    client.force_login(bandung_admin)
    url = reverse("offices:office", args=[orgs["bandung"].pk])
    with assert_constant_queries() as queries:
        client.get(url)
        with queries.few():
            assert client.get(url).status_code == 200
        for n in range(8):
            make_user(f"member{n}", orgs["bandung"], Role.VIEWER)
            services.invite(bandung_admin, governments["bandung"], email=f"guest{n}@bandung.go.id")
        with queries.many():
            assert client.get(url).status_code == 200
    assert Organisation.objects.get(pk=orgs["bandung"].pk).memberships.count() == 11


def test_another_admin_renews_a_lost_link_and_sees_it_once(client, users, orgs, bandung_admin, governments):
    first = services.invite(users["platform_admin"], governments["bandung"], email="rina@bandung.go.id")
    client.force_login(bandung_admin)
    renew_url = reverse("offices:renew", args=[orgs["bandung"].pk, first.invitation.pk])
    response = client.post(renew_url, follow=True)
    link = response.context["link"]
    assert link and link.startswith("http://testserver/invitations/")
    assert client.get(first.path).status_code == 404  # the old link no longer works
    assert client.get(link.removeprefix("http://testserver")).status_code == 200
    client.force_login(users["bandung_viewer"])  # a viewer neither renews nor withdraws
    assert client.post(renew_url).status_code == 403
    assert client.post(reverse("offices:revoke", args=[orgs["bandung"].pk, first.invitation.pk])).status_code == 403
