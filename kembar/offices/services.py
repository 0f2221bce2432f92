"""Offices: members, roles, invitations and the office profile. Pages, the API and `kembar invite`
call these; the rules of who may do what are in `kembar.accounts.permissions`.

An invitation is one link: one use, valid for KEMBAR_INVITATION_DAYS, revocable. It is sent by
e-mail in the language the inviter chose (by default the office's working language when the
interface speaks it, else the language of the government's country when the interface has it:
Indonesian, Japanese; else English) and shown once to the inviter for copying. Accepting creates the account,
or attaches an existing one; when the government has no office on the platform yet, accepting
creates it and the invitee becomes its administrator.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kembar.accounts import permissions
from kembar.accounts.models import Membership, Organisation
from kembar.accounts.services import user_language
from kembar.core import languages as working_languages
from kembar.core.mail import queue_mail, recipient_language
from kembar.core.versioning import record_author as _record_author
from kembar.meetings import services as meetings
from kembar.partnerships import services as registry
from kembar.partnerships.models import LocalGovernment, Partnership

from .models import Invitation, new_token, token_digest

Role = Membership.Role
# Roles from least to most: accepting never lowers a role the user already has.
RANK = {Role.VIEWER: 0, Role.EDITOR: 1, Role.ADMIN: 2}


@dataclass(frozen=True)
class Issued:
    """A new (or renewed) invitation with its token: the only time the link can be read."""

    invitation: Invitation
    token: str

    @property
    def path(self) -> str:
        return invitation_path(self.token)

    @property
    def url(self) -> str:
        return settings.KEMBAR_SITE_URL + self.path


def record_author(instance, user) -> None:
    """Credit the change to `user` in the history; the operator at the command line has no user
    row (`console_administrator`), so its changes are recorded without one."""
    if getattr(user, "pk", None) is not None:
        _record_author(instance, user)


def invitation_path(token: str) -> str:
    return reverse("offices:accept", args=[token])


def lifetime() -> dt.timedelta:
    return dt.timedelta(days=settings.KEMBAR_INVITATION_DAYS)


def office_of(government: LocalGovernment) -> Organisation | None:
    """The office acting for `government` (the first one, should there be several)."""
    return (
        Organisation.objects.filter(kind=Organisation.Kind.GOVERNMENT, local_government=government)
        .order_by("pk")
        .first()
    )


def default_language(government: LocalGovernment) -> str:
    """The language an invitation is written in unless the inviter chooses: the first working
    language of the government's office that the interface speaks; else Indonesian for an
    Indonesian government, English for any other (Fort Worth's invitee reads English)."""
    office = office_of(government)
    return recipient_language(government.country_code, office.languages if office else ())


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


# --- invitations -----------------------------------------------------------------------------


def _clean_email(email: str) -> str:
    email = (email or "").strip()
    if not email:
        raise ValidationError({"email": [_("Give the e-mail address the invitation goes to.")]})
    if len(email) > 254:
        raise ValidationError({"email": [_("An e-mail address has at most 254 characters.")]})
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": [_("Enter a valid e-mail address.")]}) from None
    local, _at, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}"


def _check_choices(role: str, language: str) -> None:
    errors: dict[str, list[str]] = {}
    if role not in Role.values:
        errors["role"] = [_("Choose a role: viewer, editor or administrator.")]
    if language not in language_codes():
        errors["language"] = [_("Choose the e-mail's language: %(codes)s.") % {"codes": ", ".join(language_codes())}]
    if errors:
        raise ValidationError(errors)


def _inviting_office(user, partnership: Partnership, government: LocalGovernment) -> Organisation | None:
    """The office of the partnership's other side in whose name the user invites."""
    other = partnership.government_b_id if government.pk == partnership.government_a_id else partnership.government_a_id
    return (
        Organisation.objects.filter(kind=Organisation.Kind.GOVERNMENT, local_government_id=other)
        .filter(pk__in=permissions.edited_offices(user).values("pk"))
        .order_by("pk")
        .first()
    ) or Organisation.objects.filter(kind=Organisation.Kind.GOVERNMENT, local_government_id=other).order_by(
        "pk"
    ).first()


def invite(
    user,
    government: LocalGovernment,
    *,
    email: str,
    role: str = Role.VIEWER,
    language: str = "",
    partnership: Partnership | None = None,
) -> Issued:
    """Invite `email` into the office of `government`, and send the link.

    Without `partnership`: a colleague, by the office's administrators (or, for a government
    without an office yet, by a platform administrator: the office is onboarded). With one: the
    partner government's office, by an editor of the partnership's other side, when that
    government has no office on the platform yet. Into a new office the invitee always comes as
    its administrator."""
    language = language or default_language(government)
    office = office_of(government)
    if partnership is not None:
        if not permissions.can_invite_partner_office(user, partnership, government.pk):
            raise PermissionDenied(_("You may invite only the office of your partner in this partnership."))
        if office is not None and not permissions.can_administer_office(user, office):
            raise ValidationError(
                _(
                    "%(government)s already has an office on the platform; it works on this partnership "
                    "already. Its administrators invite their colleagues."
                )
                % {"government": government.name}
            )
    elif office is None:
        if not permissions.can_onboard_office(user):
            raise PermissionDenied(_("Only a platform administrator may bring a new office onto the platform."))
    elif not permissions.can_administer_office(user, office):
        raise PermissionDenied(_("Only this office's administrators may invite colleagues."))
    if office is None:
        role = Role.ADMIN
    email = _clean_email(email)
    _check_choices(role, language)
    if office is not None and office.memberships.filter(user__email__iexact=email).exists():
        raise ValidationError({"email": [_("Someone with this e-mail address is a member of the office already.")]})
    if pending_for(government).filter(email__iexact=email).exists():
        raise ValidationError(
            {"email": [_("An invitation to this address is waiting already: renew or withdraw it on the office page.")]}
        )
    token = new_token()
    with transaction.atomic():
        invitation = Invitation(
            government=government,
            office=office,
            partnership=partnership,
            inviting_office=_inviting_office(user, partnership, government) if partnership else None,
            email=email,
            role=role,
            language=language,
            digest=token_digest(token),
            invited_by=user if getattr(user, "pk", None) else None,
            expires=timezone.now() + lifetime(),
        )
        record_author(invitation, user)
        invitation.save()
        issued = Issued(invitation, token)
        _send(issued)
    return issued


def invite_partner_office(
    user, partnership: Partnership, *, email: str, language: str = "", government: LocalGovernment | None = None
) -> Issued:
    """Invite the office of the partnership's other side (`government`, by default the side the
    user does not edit for) as its administrator."""
    if not permissions.can_invite_partner_office(user, partnership):
        raise PermissionDenied(_("You may invite only the office of your partner in this partnership."))
    if government is None:
        own = permissions.edited_government_ids(user)
        others = [g for g in partnership.governments if g.pk not in own]
        if len(others) == 2:  # a platform administrator of neither side: the side without an office
            others = [g for g in others if office_of(g) is None]
        if len(others) != 1:
            raise ValidationError(_("Say which government of the partnership to invite."))
        government = others[0]
    return invite(user, government, email=email, role=Role.ADMIN, language=language, partnership=partnership)


def _send(issued: Issued) -> None:
    """Queue the e-mail (the job queue sends it after the commit) in the invitee's language: for
    someone who has an account already, their own (`user_language`); for anyone else, the
    invitation's (chosen by the inviter, by default `default_language`)."""
    invitation = issued.invitation
    account = existing_account(invitation)
    with translation.override(user_language(account) if account else invitation.language):
        office = invitation.office.name if invitation.office else invitation.government.name
        inviter = (
            invitation.invited_by.get_full_name() or invitation.invited_by.username if invitation.invited_by else ""
        )
        lines = [
            _("You are invited to join the office of %(government)s on kembar, as %(role)s.")
            % {"government": invitation.government.name, "role": Role(invitation.role).label}
        ]
        if inviter:
            lines.append(_("Invited by: %(name)s.") % {"name": inviter})
        if invitation.partnership is not None:
            lines.append(
                _("You will work together on the partnership %(partnership)s.")
                % {"partnership": invitation.partnership}
            )
        if invitation.office is None:
            lines.append(
                _("%(government)s has no office on kembar yet: accepting sets it up, with you as its administrator.")
                % {"government": invitation.government.name}
            )
        lines += [
            "",
            _("Accept the invitation here (the link works once, until %(expires)s UTC):")
            % {"expires": invitation.expires.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M")},
            issued.url,
            "",
            _("If you did not expect this invitation, ignore this e-mail; the link expires by itself."),
        ]
        subject = _("Invitation to kembar: %(office)s") % {"office": office}
    queue_mail(subject, "\n".join(lines), [invitation.email])


def find(token: str) -> Invitation | None:
    """The invitation of a link's token, whatever its state; None for a token never issued."""
    if not token or len(token) > 100:
        return None
    return (
        Invitation.objects.select_related(
            "government", "office", "partnership__government_a", "partnership__government_b", "invited_by"
        )
        .filter(digest=token_digest(token))
        .first()
    )


def refusal(invitation: Invitation | None) -> str:
    """Why the link cannot be used, in words; empty when it can."""
    if invitation is None:
        return _("This invitation link is not valid. Check that you copied the whole link from the e-mail.")
    state = invitation.state
    if state == Invitation.State.ACCEPTED:
        return _("This invitation has been used already. Sign in with the account that accepted it.")
    if state == Invitation.State.REVOKED:
        return _("This invitation was withdrawn. Ask the office that invited you for a new one.")
    if state == Invitation.State.EXPIRED:
        return _("This invitation expired. Ask the office that invited you for a new one.")
    return ""


def pending_for(government: LocalGovernment) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        government=government, accepted_at__isnull=True, revoked_at__isnull=True, expires__gt=timezone.now()
    )


def _new_office(government: LocalGovernment, language: str) -> Organisation:
    names = [str(government), f"{government} #{government.pk}"]
    for name in names:
        if not Organisation.objects.filter(name=name).exists():
            break
    return Organisation.objects.create(
        name=name, kind=Organisation.Kind.GOVERNMENT, local_government=government, languages=[language]
    )


def accept(invitation: Invitation, user) -> Membership:
    """Attach `user` to the invited office (created when the government has none yet). A user
    already a member keeps the higher of the two roles."""
    with transaction.atomic():
        current = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if message := refusal(current):
            raise ValidationError(message)
        office = current.office or office_of(current.government) or _new_office(current.government, current.language)
        membership = Membership.objects.filter(user=user, organisation=office).first()
        if membership is None:
            membership = Membership(user=user, organisation=office, role=current.role)
            record_author(membership, user)
            membership.save()
        elif RANK[Role(current.role)] > RANK[Role(membership.role)]:
            membership.role = current.role
            record_author(membership, user)
            membership.save()
        current.office = office
        current.accepted_at = timezone.now()
        current.accepted_by = user
        record_author(current, user)
        current.save()
    permissions.forget(user)
    invitation.refresh_from_db()
    return membership


def accept_with_new_account(
    invitation: Invitation, *, username: str, password: str, first_name: str = "", last_name: str = ""
):
    """Create the invitee's account (with the invited address) and accept: one transaction, so a
    refused invitation leaves no account behind."""
    User = get_user_model()
    with transaction.atomic():
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError({"username": [_("This username is taken; choose another.")]})
        try:
            user = User.objects.create_user(
                username=username, email=invitation.email, password=password, first_name=first_name, last_name=last_name
            )
        except IntegrityError:
            raise ValidationError({"username": [_("This username is taken; choose another.")]}) from None
        accept(invitation, user)
    return user


def existing_account(invitation: Invitation):
    """An active account with the invited address, which signs in to accept."""
    return get_user_model().objects.filter(email__iexact=invitation.email, is_active=True).order_by("pk").first()


def revoke(user, invitation: Invitation) -> Invitation:
    if not permissions.can_revoke_invitation(user, invitation):
        raise PermissionDenied(_("You may not withdraw this invitation."))
    with transaction.atomic():
        current = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if current.accepted_at is not None:
            raise ValidationError(_("This invitation was accepted already; remove the member instead."))
        if current.revoked_at is None:
            current.revoked_at = timezone.now()
            record_author(current, user)
            current.save()
    return current


def renew(user, invitation: Invitation) -> Issued:
    """A new link for a pending or expired invitation, valid from now (the old link stops
    working), sent again: for an invitee who lost the mail, or to copy the link once more."""
    if not permissions.can_revoke_invitation(user, invitation):
        raise PermissionDenied(_("You may not renew this invitation."))
    token = new_token()
    with transaction.atomic():
        current = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if current.accepted_at is not None or current.revoked_at is not None:
            raise ValidationError(_("Only an invitation that is waiting or expired can be renewed."))
        current.digest = token_digest(token)
        current.expires = timezone.now() + lifetime()
        record_author(current, user)
        current.save()
        issued = Issued(current, token)
        _send(issued)
    return issued


def office_invitations(office: Organisation) -> QuerySet[Invitation]:
    """The invitations an office's page lists as waiting: into the office (a colleague's, a
    partner's before the office existed) and those it sent to partners' offices."""
    into = Q(office=office)
    if office.local_government_id:
        into |= Q(office__isnull=True, government_id=office.local_government_id)
    return (
        Invitation.objects.filter(into | Q(inviting_office=office))
        .filter(accepted_at__isnull=True, revoked_at__isnull=True)
        .select_related("government", "partnership__government_a", "partnership__government_b", "invited_by")
        .order_by("-created", "-id")
    )


# --- members ---------------------------------------------------------------------------------


def members(office: Organisation) -> QuerySet[Membership]:
    return office.memberships.select_related("user").order_by("user__username", "pk")


def _other_admins(membership: Membership) -> int:
    """The office's other active administrators, locked until the transaction ends (two
    administrators demoting each other at once cannot leave the office without one)."""
    rows = (
        Membership.objects.select_for_update()
        .filter(organisation_id=membership.organisation_id, role=Role.ADMIN, user__is_active=True)
        .exclude(pk=membership.pk)
        .values_list("pk", flat=True)
    )
    return len(list(rows))


def change_role(user, membership: Membership, role: str) -> Membership:
    if not permissions.can_administer_office(user, membership.organisation):
        raise PermissionDenied(_("Only this office's administrators may change roles."))
    if role not in Role.values:
        raise ValidationError({"role": [_("Choose a role: viewer, editor or administrator.")]})
    with transaction.atomic():
        current = Membership.objects.select_for_update().get(pk=membership.pk)
        if current.role == Role.ADMIN and role != Role.ADMIN and not _other_admins(current):
            raise ValidationError(
                {"role": [_("The office's last administrator keeps that role: make someone else administrator first.")]}
            )
        if current.role != role:
            current.role = role
            record_author(current, user)
            current.save()
    return current


def remove_member(user, membership: Membership) -> None:
    if not permissions.can_administer_office(user, membership.organisation):
        raise PermissionDenied(_("Only this office's administrators may remove members."))
    with transaction.atomic():
        current = Membership.objects.select_for_update().get(pk=membership.pk)
        if current.role == Role.ADMIN and not _other_admins(current):
            raise ValidationError(
                _("The office's last administrator cannot be removed: make someone else administrator first.")
            )
        record_author(current, user)
        current.delete()


@dataclass(frozen=True)
class Change:
    when: dt.datetime
    by: str
    what: str


def changes(office: Organisation, limit: int = 30) -> list[Change]:
    """The office's recent history: members joining, changing role or leaving, invitations sent,
    withdrawn or accepted (two queries whatever their number)."""
    rows: list[Change] = []
    member_history = (
        Membership.history.filter(organisation_id=office.pk)
        .select_related("history_user", "user")
        .order_by("-history_date")[:limit]
    )
    for h in member_history:
        name = h.user.username if h.user else "?"
        role = Role(h.role).label
        if h.history_type == "+":
            what = _("%(user)s joined as %(role)s") % {"user": name, "role": role}
        elif h.history_type == "-":
            what = _("%(user)s was removed") % {"user": name}
        else:
            what = _("%(user)s is now %(role)s") % {"user": name, "role": role}
        rows.append(Change(h.history_date, h.history_user.username if h.history_user else "", what))
    into = Q(office_id=office.pk) | Q(inviting_office_id=office.pk)
    invitation_history = (
        Invitation.history.filter(into).select_related("history_user").order_by("-history_date")[:limit]
    )
    for h in invitation_history:
        if h.history_type == "+":
            what = _("Invitation sent to %(email)s (%(role)s)") % {"email": h.email, "role": Role(h.role).label}
        elif h.accepted_at is not None:
            what = _("Invitation accepted by %(email)s") % {"email": h.email}
        elif h.revoked_at is not None:
            what = _("Invitation to %(email)s withdrawn") % {"email": h.email}
        else:
            what = _("Invitation to %(email)s renewed") % {"email": h.email}
        rows.append(Change(h.history_date, h.history_user.username if h.history_user else "", what))
    rows.sort(key=lambda c: c.when, reverse=True)
    return rows[:limit]


def offices_of(user) -> QuerySet[Organisation]:
    """The offices the user is a member of (the office page's choice)."""
    if getattr(user, "pk", None) is None:
        return Organisation.objects.none()
    return Organisation.objects.filter(memberships__user=user).order_by("name", "pk")


# --- profile ---------------------------------------------------------------------------------


def profile(office: Organisation) -> dict:
    government = office.local_government
    start, end = meetings.office_hours(government)
    return {
        "contact_email": government.contact_email,
        "contact_phone": government.contact_phone,
        "website": government.website,
        "address": government.address,
        "languages": list(office.languages),
        "hours_start": start,
        "hours_end": end,
        "version": government.version,
    }


def update_profile(
    user,
    office: Organisation,
    *,
    expected_version: int | None,
    contact_email: str,
    contact_phone: str,
    website: str,
    address: str,
    languages: Iterable[str],
    hours_start: dt.time,
    hours_end: dt.time,
) -> Organisation:
    """The office's contact (kept on its government), working languages and office hours, in one
    transaction: a stale `expected_version` (someone saved the government in between) or a bad
    value changes nothing."""
    if not permissions.can_edit_office_profile(user, office):
        raise PermissionDenied(_("Only this office's editors may change its profile."))
    codes = list(dict.fromkeys(languages))
    if problems := working_languages.errors(codes):
        raise ValidationError({"languages": problems})
    with transaction.atomic():
        registry.update_government(
            user,
            office.local_government,
            expected_version=expected_version,
            contact_email=contact_email,
            contact_phone=contact_phone,
            website=website,
            address=address,
        )
        current = Organisation.objects.select_for_update().get(pk=office.pk)
        current.languages = codes
        current.full_clean(validate_unique=False, validate_constraints=False)
        current.save(update_fields=["languages"])
        meetings.set_office_hours(user, current, hours_start, hours_end)
    return current
