"""/api/offices: an office's members and invitations. Views only translate HTTP to
`offices.services` and `accounts.permissions`, where the rules live.

No `from __future__ import annotations` in router modules: ninja evaluates the parameter
annotations of paginated views in its own module.
"""

import datetime as dt
from typing import Annotated, Literal

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status as Reply

from kembar.accounts import permissions
from kembar.accounts.models import Membership, Organisation
from kembar.api.auth import READ, WRITE
from kembar.api.errors import ERRORS, WRITE_ERRORS
from kembar.api.pagination import Pagination
from kembar.api.schemas import Id, InputSchema
from kembar.partnerships.models import Partnership

from . import services
from .models import Invitation

router = Router(tags=["offices"])

RoleCode = Literal["viewer", "editor", "admin"]
# A language of the interface (settings.LANGUAGES: id, en, ja …), checked by the services so that
# a language added to the settings needs no change here.
LanguageCode = Annotated[str, Field(min_length=2, max_length=8)]


class MemberOut(Schema):
    id: int
    username: str
    name: str
    email: str
    role: RoleCode

    @staticmethod
    def resolve_username(obj) -> str:
        return obj.user.username

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.user.get_full_name()

    @staticmethod
    def resolve_email(obj) -> str:
        return obj.user.email


class RoleIn(InputSchema):
    role: RoleCode


class InvitationOut(Schema):
    id: int
    email: str
    role: RoleCode
    government_id: int
    office_id: int | None = Field(description="Empty while the government has no office: accepting creates it.")
    partnership_id: int | None
    language: str
    state: Literal["pending", "accepted", "revoked", "expired"]
    created: dt.datetime
    expires: dt.datetime


class IssuedOut(InvitationOut):
    url: str = Field(description="The link, shown only in this answer (only its digest is kept).")


class InvitationIn(InputSchema):
    email: str = Field(max_length=254)
    role: RoleCode = "editor"
    language: LanguageCode | None = Field(
        None,
        description="Of the e-mail (id, en, ja); by default the government country's language if the interface has it, else English.",
    )


class PartnerInvitationIn(InputSchema):
    partnership_id: Id
    email: str = Field(max_length=254)
    language: LanguageCode | None = Field(
        None,
        description="Of the e-mail (id, en, ja); by default the government country's language if the interface has it, else English.",
    )


def _issued(request, issued: services.Issued) -> dict:
    invitation = issued.invitation
    return {**_invitation_dict(invitation), "url": request.build_absolute_uri(issued.path)}


def _invitation_dict(invitation: Invitation) -> dict:
    return {
        "id": invitation.pk,
        "email": invitation.email,
        "role": invitation.role,
        "government_id": invitation.government_id,
        "office_id": invitation.office_id,
        "partnership_id": invitation.partnership_id,
        "language": invitation.language,
        "state": invitation.state,
        "created": invitation.created,
        "expires": invitation.expires,
    }


def _office(user, organisation_id: int) -> Organisation:
    office = get_object_or_404(Organisation, pk=organisation_id)
    if not permissions.can_view_office(user, office):
        raise Http404
    return office


def _member(user, organisation_id: int, membership_id: int) -> Membership:
    office = _office(user, organisation_id)
    return get_object_or_404(
        Membership.objects.select_related("user", "organisation"), pk=membership_id, organisation=office
    )


@router.get("/{organisation_id}/members", auth=READ, response={200: list[MemberOut], **ERRORS}, summary="Members")
@paginate(Pagination)
def list_members(request, organisation_id: int):
    """The office's members and roles: for its members and platform administrators."""
    return services.members(_office(request.auth, organisation_id))


@router.patch(
    "/{organisation_id}/members/{membership_id}",
    auth=WRITE,
    response={200: MemberOut, **WRITE_ERRORS},
    summary="Change a member's role",
)
def change_role(request, organisation_id: int, membership_id: int, payload: RoleIn):
    """The office's administrators; the last administrator keeps that role (422)."""
    return services.change_role(request.auth, _member(request.auth, organisation_id, membership_id), payload.role)


@router.delete(
    "/{organisation_id}/members/{membership_id}",
    auth=WRITE,
    response={204: None, **ERRORS},
    summary="Remove a member",
)
def remove_member(request, organisation_id: int, membership_id: int):
    """The office's administrators; the last administrator cannot be removed (422)."""
    services.remove_member(request.auth, _member(request.auth, organisation_id, membership_id))
    return Reply(204, None)


@router.get(
    "/{organisation_id}/invitations",
    auth=READ,
    response={200: list[InvitationOut], **ERRORS},
    summary="Invitations waiting",
)
@paginate(Pagination)
def list_invitations(request, organisation_id: int):
    """Not accepted and not withdrawn (an expired one is listed as expired: it can be renewed)."""
    return [_invitation_dict(i) for i in services.office_invitations(_office(request.auth, organisation_id))]


@router.post(
    "/{organisation_id}/invitations",
    auth=WRITE,
    response={201: IssuedOut, **WRITE_ERRORS},
    summary="Invite a colleague",
)
def invite_colleague(request, organisation_id: int, payload: InvitationIn):
    """The office's administrators invite a colleague with a role; the e-mail is sent by the job
    queue and the link is in the answer, once."""
    office = _office(request.auth, organisation_id)
    if office.local_government is None:
        raise Http404
    issued = services.invite(
        request.auth, office.local_government, email=payload.email, role=payload.role, language=payload.language or ""
    )
    return Reply(201, _issued(request, issued))


@router.delete(
    "/{organisation_id}/invitations/{invitation_id}",
    auth=WRITE,
    response={204: None, **ERRORS},
    summary="Withdraw an invitation",
)
def revoke_invitation(request, organisation_id: int, invitation_id: int):
    """Its link stops working at once."""
    office = _office(request.auth, organisation_id)
    invitation = get_object_or_404(services.office_invitations(office), pk=invitation_id)
    services.revoke(request.auth, invitation)
    return Reply(204, None)


@router.post(
    "/partner-invitations",
    auth=WRITE,
    response={201: IssuedOut, **WRITE_ERRORS},
    summary="Invite the partner's office",
)
def invite_partner_office(request, payload: PartnerInvitationIn):
    """An editor of one side of a partnership invites the other side's office, when that
    government has no office on the platform yet: the invitee becomes its administrator."""
    partnership = Partnership.objects.filter(pk=payload.partnership_id).first()
    if partnership is None or not permissions.can_view_partnership(request.auth, partnership):
        raise Http404
    issued = services.invite_partner_office(
        request.auth, partnership, email=payload.email, language=payload.language or ""
    )
    return Reply(201, _issued(request, issued))
