"""Invitations: who may invite whom, the e-mail in the invitee's language, accepting (a new account,
an existing one, a new office for a partner government), one use, expiry and withdrawal, and
`kembar invite`."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from kembar.accounts import permissions
from kembar.accounts.models import Membership, Organisation
from kembar.core.models import OutgoingMail
from kembar.offices import services
from kembar.offices.models import Invitation
from tests.support.builders import make_user, private_friendship, sister_cities

pytestmark = pytest.mark.django_db

Role = Membership.Role
NEW_PASSWORD = "Kembar-partner-2026!"


@pytest.fixture
def bandung_admin(users, orgs):
    """Bandung's administrator (also in `users`, so that `api` has a token of theirs)."""
    users["bandung_admin"] = make_user("bandung_admin", orgs["bandung"], Role.ADMIN)
    return users["bandung_admin"]


@pytest.fixture
def kyoto_link(governments):
    """Bandung–Kyoto, not public; Kyoto has no office on the platform."""
    return private_friendship(governments)


def accept_as_new(client, path: str, username: str = "tanaka", **extra):
    return client.post(
        path,
        {"username": username, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD, **extra},
    )


# --- who may invite whom --------------------------------------------------------------------------


def test_an_office_admin_invites_a_colleague_and_an_editor_or_viewer_may_not(
    client, users, orgs, bandung_admin, governments
):
    url = reverse("offices:invite", args=[orgs["bandung"].pk])
    body = {"email": "rina@bandung.go.id", "role": "editor", "language": "id"}
    for name in ("bandung_viewer", "bandung_editor"):
        client.force_login(users[name])
        assert client.get(url).status_code == 403
        assert client.post(url, body).status_code == 403
    client.force_login(users["surabaya_editor"])  # not a member: the office does not exist for them
    assert client.post(url, body).status_code == 404
    client.force_login(users["oversight"])
    assert client.post(url, body).status_code == 404
    assert not Invitation.objects.exists()

    client.force_login(bandung_admin)
    response = client.post(url, body, follow=True)
    assert response.redirect_chain[-1][0].endswith("/link/")
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.office, invitation.invited_by) == (
        "rina@bandung.go.id",
        "editor",
        orgs["bandung"],
        bandung_admin,
    )
    # The link is shown once, for copying; only its digest is stored.
    link = response.context["link"]
    token = link.rsplit("/", 2)[-2]
    assert invitation.digest == services.token_digest(token) and token not in invitation.digest
    assert "Copy the link" in response.content.decode()
    # Shown once: a reload does not show it again.
    again = client.get(response.redirect_chain[-1][0]).content.decode()
    assert token not in again and "shown once" in again


def test_an_editor_invites_the_partner_office_only_for_a_partnership_of_its_own_government(
    client, users, governments, kyoto_link
):
    url = reverse("offices:invite_partner", args=[kyoto_link.pk])
    body = {"email": "tanaka@city.kyoto.jp", "language": "en"}
    client.force_login(users["bandung_viewer"])
    assert client.post(url, body).status_code == 403
    client.force_login(users["surabaya_editor"])  # the partnership is not public: a 404
    assert client.post(url, body).status_code == 404
    client.force_login(users["oversight"])  # reads it, may not invite
    assert client.post(url, body).status_code == 403
    assert not Invitation.objects.exists()

    client.force_login(users["bandung_editor"])
    page = client.get(url)
    assert "Kyoto has no office on the platform yet" in page.content.decode()
    assert client.post(url, body).status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.government == governments["kyoto"] and invitation.office is None
    assert invitation.partnership == kyoto_link and invitation.role == Role.ADMIN
    assert invitation.inviting_office.local_government == governments["bandung"]


def test_a_partner_government_with_an_office_is_not_invited_by_the_other_side(users, governments, orgs):
    sister = sister_cities(governments)  # Bandung–Braunschweig: both have offices
    with pytest.raises(ValidationError, match="already has an office"):
        services.invite_partner_office(users["bandung_editor"], sister, email="x@braunschweig.de")
    # An editor never invites into the office of its own side through a partnership.
    with pytest.raises(PermissionDenied):
        services.invite(users["bandung_editor"], governments["bandung"], email="x@bandung.go.id", partnership=sister)
    assert not Invitation.objects.exists()


def test_only_a_platform_admin_brings_a_new_office_onto_the_platform(users, governments):
    with pytest.raises(PermissionDenied):
        services.invite(users["bandung_editor"], governments["liverpool"], email="a@liverpool.gov.uk", role="viewer")
    issued = services.invite(
        users["platform_admin"], governments["liverpool"], email="a@liverpool.gov.uk", role="viewer"
    )
    assert issued.invitation.role == Role.ADMIN  # a new office's first member administers it


def test_bad_input_names_the_field_and_writes_nothing(orgs, bandung_admin, governments):
    for email, role, language, field in [
        ("not an address", "editor", "en", "email"),
        ("a@b.org", "owner", "en", "role"),
        ("a@b.org", "editor", "xx", "language"),
        ("a\x00@b.org", "editor", "en", "email"),
    ]:
        with pytest.raises(ValidationError) as error:
            services.invite(bandung_admin, governments["bandung"], email=email, role=role, language=language)
        assert field in error.value.message_dict
    assert not Invitation.objects.exists() and not OutgoingMail.objects.exists()


def test_a_member_or_a_waiting_invitation_is_not_invited_twice(users, orgs, bandung_admin, governments):
    users["bandung_editor"].email = "editor@bandung.go.id"
    users["bandung_editor"].save()
    with pytest.raises(ValidationError, match="member of the office already"):
        services.invite(bandung_admin, governments["bandung"], email="Editor@bandung.go.id")
    services.invite(bandung_admin, governments["bandung"], email="new@bandung.go.id")
    with pytest.raises(ValidationError, match="waiting already"):
        services.invite(bandung_admin, governments["bandung"], email="NEW@bandung.go.id")


# --- the e-mail -------------------------------------------------------------------------------------


def test_the_email_is_in_the_invitees_language(users, bandung_admin, governments, kyoto_link):
    services.invite(bandung_admin, governments["bandung"], email="rina@bandung.go.id", role="viewer")
    services.invite_partner_office(users["bandung_editor"], kyoto_link, email="tanaka@city.kyoto.jp")
    indonesian, japanese = OutgoingMail.objects.order_by("pk")
    assert indonesian.to == ["rina@bandung.go.id"]
    assert "Anda diundang" in indonesian.body and "sebagai Pembaca" in indonesian.body
    # A Japanese city's office reads Japanese, the interface having it.
    assert japanese.to == ["tanaka@city.kyoto.jp"]
    assert "kembar の Kyoto 担当課に" in japanese.body and "招待されました" in japanese.body
    assert "/invitations/" in japanese.body and "You are invited" not in japanese.body
    # The inviter may choose another language.
    services.invite(bandung_admin, governments["bandung"], email="guest@bandung.go.id", language="en")
    assert "You are invited" in OutgoingMail.objects.latest("pk").body
    services.invite_partner_office(users["bandung_editor"], kyoto_link, email="sato@city.kyoto.jp", language="en")
    english = OutgoingMail.objects.latest("pk")
    assert "You are invited to join the office of Kyoto" in english.body and "accepting sets it up" in english.body


# --- accepting ---------------------------------------------------------------------------------------


def test_the_partner_accepts_creates_an_account_and_its_office_and_reads_the_partnership(
    client, users, governments, kyoto_link
):
    issued = services.invite_partner_office(users["bandung_editor"], kyoto_link, email="tanaka@city.kyoto.jp")
    form = client.get(issued.path)
    assert form.status_code == 200 and "アカウントを作成して承諾" in form.content.decode()  # Kyoto reads Japanese

    response = accept_as_new(client, issued.path, first_name="Hiro", last_name="Tanaka")
    assert response.status_code == 302 and response["Location"] == kyoto_link.get_absolute_url()
    user = get_user_model().objects.get(username="tanaka")
    assert user.email == "tanaka@city.kyoto.jp" and user.check_password(NEW_PASSWORD)
    office = Organisation.objects.get(local_government=governments["kyoto"])
    assert Membership.objects.get(user=user).organisation == office
    assert Membership.objects.get(user=user).role == Role.ADMIN
    assert office.languages == ["ja"]  # the invitation's language: Japanese for Kyoto
    # Signed in, the partner reads the private partnership; Surabaya's editor still does not.
    assert client.get(kyoto_link.get_absolute_url()).status_code == 200
    assert permissions.can_edit_partnership(user, kyoto_link)
    assert not permissions.can_view_partnership(users["surabaya_editor"], kyoto_link)

    # One use.
    client.logout()
    again = client.get(issued.path)
    assert (
        again.status_code == 410 and "この招待は既に使用されています" in again.content.decode()
    )  # used already, in Kyoto's language


def test_a_weak_password_or_a_taken_username_creates_nothing(client, users, bandung_admin, governments):
    issued = services.invite(bandung_admin, governments["bandung"], email="rina@bandung.go.id", role="editor")
    response = client.post(issued.path, {"username": "rina", "password1": "123", "password2": "123"})
    assert response.status_code == 200 and response.context["form"].errors["password2"]
    response = accept_as_new(client, issued.path, username="BANDUNG_EDITOR")
    assert response.status_code == 200 and response.context["form"].errors["username"]
    assert not get_user_model().objects.filter(email="rina@bandung.go.id").exists()
    assert Invitation.objects.get().accepted_at is None


def test_expired_withdrawn_and_unknown_links_say_so(client, users, bandung_admin, governments):
    expired = services.invite(bandung_admin, governments["bandung"], email="old@bandung.go.id", language="en")
    Invitation.objects.filter(pk=expired.invitation.pk).update(expires=timezone.now() - dt.timedelta(minutes=1))
    withdrawn = services.invite(bandung_admin, governments["bandung"], email="gone@bandung.go.id", language="en")
    services.revoke(bandung_admin, withdrawn.invitation)

    for issued, text in [(expired, "expired"), (withdrawn, "withdrawn")]:
        response = client.get(issued.path)
        assert response.status_code == 410 and text in response.content.decode()
        assert accept_as_new(client, issued.path).status_code == 410
    unknown = client.get(reverse("offices:accept", args=["no-such-token"]))
    assert unknown.status_code == 404 and "not valid" in unknown.content.decode()
    assert not get_user_model().objects.filter(username="tanaka").exists()


def test_an_existing_account_signs_in_and_confirms_before_it_is_attached(client, users, bandung_admin, governments):
    viewer = users["surabaya_editor"]
    viewer.email = "multi@example.org"
    viewer.save()
    issued = services.invite(
        bandung_admin, governments["bandung"], email="multi@example.org", role="viewer", language="en"
    )
    page = client.get(issued.path)
    assert "Sign in to accept" in page.content.decode()
    assert client.post(issued.path, {"username": "x"}).status_code == 200  # no account made
    assert not Membership.objects.filter(user=viewer, organisation__local_government=governments["bandung"]).exists()

    # Signed in as someone else: warned, and attached only by confirming.
    client.force_login(users["braunschweig_editor"])
    confirm = client.get(issued.path)
    assert "Accept only if it is meant for this account" in confirm.content.decode()
    client.force_login(viewer)
    confirm = client.get(issued.path)
    assert "Accept only if" not in confirm.content.decode()
    assert not Membership.objects.filter(user=viewer, role="viewer").exists()
    assert client.post(issued.path).status_code == 302
    assert Membership.objects.get(user=viewer, organisation__local_government=governments["bandung"]).role == "viewer"
    assert Invitation.objects.get().accepted_by == viewer


def test_accepting_never_lowers_a_role(users, orgs, bandung_admin, governments):
    issued = services.invite(users["platform_admin"], governments["bandung"], email="e@x.org", role="viewer")
    services.accept(issued.invitation, users["bandung_editor"])
    assert Membership.objects.get(user=users["bandung_editor"]).role == Role.EDITOR


def test_a_new_link_replaces_the_old_one(client, users, bandung_admin, governments):
    first = services.invite(bandung_admin, governments["bandung"], email="rina@bandung.go.id")
    renewed = services.renew(bandung_admin, first.invitation)
    assert client.get(first.path).status_code == 404
    assert client.get(renewed.path).status_code == 200
    assert OutgoingMail.objects.count() == 2


# --- `kembar invite` ---------------------------------------------------------------------------------


def test_kembar_invite_prints_the_link_as_json_and_the_link_opens_the_acceptance_form(
    client, settings, governments, kyoto_link
):
    settings.KEMBAR_SITE_URL = "https://kembar.example.org"
    out = StringIO()
    call_command(
        "invite",
        "--government",
        "Kyoto,JP",
        "--email",
        "tanaka@city.kyoto.jp",
        "--role",
        "editor",
        "--partnership",
        str(kyoto_link.pk),
        "--json",
        stdout=out,
    )
    last = json.loads(out.getvalue().strip().splitlines()[-1])
    assert set(last) == {"url", "expires"}
    assert last["url"].startswith("https://kembar.example.org/invitations/")
    expires = dt.datetime.fromisoformat(last["expires"])
    assert dt.timedelta(days=13, hours=23) < expires - timezone.now() <= dt.timedelta(days=14)
    path = last["url"].removeprefix("https://kembar.example.org")
    page = client.get(path)
    assert page.status_code == 200 and "アカウントを作成して承諾" in page.content.decode()  # Kyoto's language
    assert Invitation.objects.get().role == Role.ADMIN  # Kyoto's new office: its first member administers it


def test_kembar_invite_refuses_what_it_cannot_do(governments, kyoto_link):
    with pytest.raises(CommandError, match="not a partner"):
        call_command(
            "invite",
            "--government",
            "Surabaya,ID",
            "--email",
            "a@b.org",
            "--partnership",
            str(kyoto_link.pk),
            stdout=StringIO(),
        )
    with pytest.raises(CommandError, match="valid e-mail"):
        call_command("invite", "--government", "Kyoto,JP", "--email", "nope", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("invite", "--government", "Atlantis,ZZ", "--email", "a@b.org", stdout=StringIO())
    assert not Invitation.objects.exists()


# --- the API --------------------------------------------------------------------------------------


def test_api_invites_lists_and_withdraws(api, users, orgs, bandung_admin, governments, kyoto_link):
    path = f"/api/offices/{orgs['bandung'].pk}/invitations"
    body = {"email": "rina@bandung.go.id", "role": "viewer"}
    assert api("post", path, "bandung_editor", body).status_code == 403
    assert api("post", path, "surabaya_editor", body).status_code == 404
    made = api("post", path, "platform_admin", body)
    assert made.status_code == 201, made.content
    assert "/invitations/" in made.json()["url"] and made.json()["language"] == "id"
    listed = api("get", path, "bandung_viewer").json()
    assert [i["email"] for i in listed["items"]] == ["rina@bandung.go.id"]
    assert "url" not in listed["items"][0]
    partner = api(
        "post",
        "/api/offices/partner-invitations",
        "bandung_editor",
        {"partnership_id": kyoto_link.pk, "email": "tanaka@city.kyoto.jp"},
    )
    assert partner.status_code == 201 and partner.json()["office_id"] is None and partner.json()["role"] == "admin"
    bad = api("post", path, "platform_admin", {"email": "x", "role": "viewer"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "email"

    invitation_id = made.json()["id"]
    assert api("delete", f"{path}/{invitation_id}", "bandung_editor").status_code == 403
    assert api("delete", f"{path}/{invitation_id}", "platform_admin").status_code == 204
    assert Invitation.objects.get(pk=invitation_id).state == "revoked"


def test_the_acceptance_page_speaks_the_invitations_language_until_the_invitee_switches(
    client, users, bandung_admin, governments, kyoto_link
):
    japanese = services.invite_partner_office(users["bandung_editor"], kyoto_link, email="tanaka@city.kyoto.jp")
    indonesian = services.invite(bandung_admin, governments["bandung"], email="rina@bandung.go.id")
    assert "招待を承諾" in client.get(japanese.path, HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "Terima undangan" in client.get(indonesian.path, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    client.cookies["django_language"] = "id"
    assert "Terima undangan" in client.get(japanese.path).content.decode()
    # Accepting keeps the invitation's language for the pages that follow.
    client.cookies.clear()
    response = accept_as_new(client, japanese.path)
    assert response.cookies["django_language"].value == "ja"
