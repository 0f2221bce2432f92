from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from kembar.accounts import permissions
from kembar.accounts.models import Membership, Organisation
from kembar.core import languages as working_languages
from kembar.core.views import submitted
from kembar.partnerships.models import Partnership

from . import services
from .forms import AccountForm, InviteForm, PartnerInviteForm, ProfileForm, RoleForm
from .models import Invitation


def _office(request, organisation_id: int) -> Organisation:
    """The office, for its members and platform administrators; a 404 for everyone else."""
    office = get_object_or_404(Organisation.objects.select_related("local_government__place"), pk=organisation_id)
    if not permissions.can_view_office(request.user, office):
        raise Http404
    return office


ISSUED_KEY = "kembar_issued_invitation"


def _show_once(request, issued: services.Issued):
    """Keep the new link in the session for the page that shows it (after the redirect), once:
    only its digest is stored with the invitation."""
    request.session[ISSUED_KEY] = {"id": issued.invitation.pk, "link": request.build_absolute_uri(issued.path)}
    return redirect("offices:issued", invitation_id=issued.invitation.pk)


@login_required
@require_safe
def issued(request, invitation_id: int):
    """The link just made, for copying; shown once (a reload says it was shown)."""
    kept = request.session.get(ISSUED_KEY) or {}
    link = kept.get("link") if kept.get("id") == invitation_id else None
    if link:
        del request.session[ISSUED_KEY]
    # The link in this user's session is theirs: they made or renewed it a moment ago.
    invitation = Invitation.objects.filter(pk=invitation_id).first() if link else None
    if invitation is None:
        link = None
    offices = services.offices_of(request.user)
    back = reverse("offices:office", args=[offices[0].pk]) if offices else reverse("dashboard:dashboard")
    if invitation is not None and invitation.partnership_id and not invitation.office_id:
        back = reverse("partnerships:detail", args=[invitation.partnership_id])
    elif invitation is not None and invitation.office_id:
        back = reverse("offices:office", args=[invitation.office_id])
    return render(request, "offices/issued.html", {"invitation": invitation, "link": link, "back": back})


@login_required
@require_safe
def home(request):
    """Our office: the first office the user is a member of."""
    office = services.offices_of(request.user).first()
    if office is None:
        raise PermissionDenied
    return redirect("offices:office", organisation_id=office.pk)


@login_required
@require_safe
def office(request, organisation_id: int):
    office = _office(request, organisation_id)
    administers = permissions.can_administer_office(request.user, office)
    context = {
        "office": office,
        "offices": services.offices_of(request.user),
        "members": services.members(office),
        "invitations": services.office_invitations(office),
        "changes": services.changes(office),
        "administers": administers,
        "edits_profile": permissions.can_edit_office_profile(request.user, office),
        "roles": Membership.Role.choices,
        "profile": services.profile(office) if office.local_government_id else None,
        "language_names": working_languages.names(office.languages),
    }
    return render(request, "offices/office.html", context)


@login_required
def invite(request, organisation_id: int):
    office = _office(request, organisation_id)
    if not permissions.can_administer_office(request.user, office):
        raise PermissionDenied
    government = office.local_government
    form = InviteForm(
        request.POST if request.method == "POST" else None,
        initial={"language": services.default_language(government)},
    )
    issued = submitted(
        request,
        form,
        lambda: services.invite(request.user, government, **form.cleaned_data),
        _("Invitation sent."),
    )
    if issued is not None:
        return _show_once(request, issued)
    context = {"form": form, "office": office, "settings_days": settings.KEMBAR_INVITATION_DAYS}
    return render(request, "offices/invite.html", context)


@login_required
def invite_partner(request, partnership_id: int):
    partnership = get_object_or_404(
        Partnership.objects.select_related("government_a", "government_b"), pk=partnership_id
    )
    if not permissions.can_view_partnership(request.user, partnership):
        raise Http404
    if not permissions.can_invite_partner_office(request.user, partnership):
        raise PermissionDenied
    own = permissions.edited_government_ids(request.user)
    others = [g for g in partnership.governments if g.pk not in own] or list(partnership.governments)
    government = others[0]
    form = PartnerInviteForm(
        request.POST if request.method == "POST" else None,
        initial={"language": services.default_language(government)},
    )
    issued = submitted(
        request,
        form,
        lambda: services.invite_partner_office(request.user, partnership, government=government, **form.cleaned_data),
        _("Invitation sent."),
        whole_form=False,
    )
    if issued is not None:
        return _show_once(request, issued)
    context = {
        "form": form,
        "partnership": partnership,
        "government": government,
        "has_office": services.office_of(government) is not None,
    }
    return render(request, "offices/invite_partner.html", context)


def _member(request, organisation_id: int, membership_id: int) -> Membership:
    office = _office(request, organisation_id)
    membership = get_object_or_404(Membership.objects.select_related("user", "organisation"), pk=membership_id)
    if membership.organisation_id != office.pk:
        raise Http404
    return membership


def _back_with_errors(request, error: ValidationError, organisation_id: int):
    for message in error.messages:
        messages.error(request, message)
    return redirect("offices:office", organisation_id=organisation_id)


@login_required
@require_POST
def change_role(request, organisation_id: int, membership_id: int):
    membership = _member(request, organisation_id, membership_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        return _back_with_errors(request, ValidationError(form.errors["role"]), organisation_id)
    try:
        services.change_role(request.user, membership, form.cleaned_data["role"])
    except ValidationError as error:
        return _back_with_errors(request, error, organisation_id)
    messages.success(request, _("%(user)s's role changed.") % {"user": membership.user.username})
    return redirect("offices:office", organisation_id=organisation_id)


@login_required
@require_POST
def remove_member(request, organisation_id: int, membership_id: int):
    membership = _member(request, organisation_id, membership_id)
    try:
        services.remove_member(request.user, membership)
    except ValidationError as error:
        return _back_with_errors(request, error, organisation_id)
    messages.success(request, _("%(user)s was removed from the office.") % {"user": membership.user.username})
    if membership.user_id == request.user.pk and not permissions.can_view_office(request.user, membership.organisation):
        return redirect("dashboard:dashboard")
    return redirect("offices:office", organisation_id=organisation_id)


def _invitation(request, organisation_id: int, invitation_id: int) -> Invitation:
    office = _office(request, organisation_id)
    invitation = get_object_or_404(services.office_invitations(office), pk=invitation_id)
    return invitation


@login_required
@require_POST
def revoke(request, organisation_id: int, invitation_id: int):
    invitation = _invitation(request, organisation_id, invitation_id)
    try:
        services.revoke(request.user, invitation)
    except ValidationError as error:
        return _back_with_errors(request, error, organisation_id)
    messages.success(request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email})
    return redirect("offices:office", organisation_id=organisation_id)


@login_required
@require_POST
def renew(request, organisation_id: int, invitation_id: int):
    invitation = _invitation(request, organisation_id, invitation_id)
    try:
        issued = services.renew(request.user, invitation)
    except ValidationError as error:
        return _back_with_errors(request, error, organisation_id)
    messages.success(request, _("A new link was sent; the old one no longer works."))
    return _show_once(request, issued)


@login_required
def profile(request, organisation_id: int):
    office = _office(request, organisation_id)
    if not permissions.can_edit_office_profile(request.user, office):
        raise PermissionDenied
    form = ProfileForm(request.POST if request.method == "POST" else None, initial=services.profile(office))

    def save():
        data = dict(form.cleaned_data)
        return services.update_profile(request.user, office, expected_version=data.pop("version"), **data)

    if submitted(request, form, save, _("Office profile saved."), fields={"start": "hours_start", "end": "hours_end"}):
        return redirect("offices:office", organisation_id=office.pk)
    return render(request, "offices/profile.html", {"form": form, "office": office})


def accept(request, token: str):
    """The link of an invitation: create the account, or attach the signed-in one after
    confirming. A used, withdrawn or expired link says so (410), an unknown one too (404)."""
    invitation = services.find(token)
    chosen = settings.LANGUAGE_COOKIE_NAME in request.COOKIES
    if invitation is not None and not chosen:  # the invitee's language, as in the e-mail, until they switch
        translation.activate(invitation.language)
        request.LANGUAGE_CODE = invitation.language
    if refusal := services.refusal(invitation):
        status = 404 if invitation is None else 410
        return render(request, "offices/accept_refused.html", {"message": refusal}, status=status)
    assert invitation is not None
    context: dict = {"invitation": invitation, "office_name": _office_name(invitation)}
    if request.user.is_authenticated:
        if request.method == "POST":
            try:
                services.accept(invitation, request.user)
            except ValidationError as error:
                return render(request, "offices/accept_refused.html", {"message": " ".join(error.messages)}, status=410)
            return _welcome(request, invitation, chosen)
        context["other_address"] = (request.user.email or "").lower() != invitation.email.lower()
        return render(request, "offices/accept_confirm.html", context)
    existing = services.existing_account(invitation)
    if existing is not None:
        context["login_url"] = f"{reverse('login')}?next={request.path}"
        return render(request, "offices/accept_sign_in.html", context)
    form = AccountForm(request.POST if request.method == "POST" else None)

    def create():
        data = form.cleaned_data
        return services.accept_with_new_account(
            invitation,
            username=data["username"],
            password=data["password1"],
            first_name=data.get("first_name", ""),
            last_name=data.get("last_name", ""),
        )

    user = submitted(request, form, create)
    if user is not None:
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return _welcome(request, invitation, chosen)
    context["form"] = form
    return render(request, "offices/accept.html", context)


def _office_name(invitation: Invitation) -> str:
    return invitation.office.name if invitation.office else invitation.government.name


def _welcome(request, invitation: Invitation, language_chosen: bool):
    """To the partnership (or the office), in the invitation's language unless the invitee chose
    one: the language cookie keeps it for the pages that follow."""
    invitation.refresh_from_db()
    messages.success(
        request,
        _("Welcome: you are a member of %(office)s.") % {"office": invitation.office.name if invitation.office else ""},
    )
    if invitation.partnership_id:
        response = redirect("partnerships:detail", pk=invitation.partnership_id)
    else:
        response = redirect("offices:office", organisation_id=invitation.office_id)
    if not language_chosen:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            invitation.language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        )
    return response
