"""/api/proposals: an office's inbox of proposals from outside, and its decisions. The public
submission is the page's only (`/governments/{id}/propose/`, with its rate limit and honeypot):
the API takes no anonymous writes (docs/proposals.md).

No `from __future__ import annotations` in router modules: ninja evaluates the parameter
annotations of paginated views in its own module.
"""

import datetime as dt
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from kembar.accounts import permissions
from kembar.api.auth import READ, WRITE
from kembar.api.errors import ERRORS, WRITE_ERRORS, Error
from kembar.api.pagination import Pagination
from kembar.api.schemas import Id, InputSchema, version_read
from kembar.partnerships.models import LocalGovernment

from . import services
from .models import MAX_MESSAGE, Proposal

router = Router(tags=["proposals"])

StateCode = Literal["new", "more_asked", "accepted", "declined"]


class DocumentOut(Schema):
    id: int
    kind: Literal["terms", "letter"]
    name: str
    content_type: str
    size: int


class DecisionOut(Schema):
    kind: Literal["accept", "ask_more", "decline"]
    message: str
    decided_by: str | None
    created: dt.datetime

    @staticmethod
    def resolve_decided_by(obj) -> str | None:
        return obj.decided_by.username if obj.decided_by else None


class ProposalOut(Schema):
    id: int
    government_id: int = Field(description="The government the proposal was sent to.")
    organisation_name: str
    country_code: str
    contact_name: str
    email: str
    website: str
    fields: list[str]
    plan: str
    language: str
    state: StateCode
    created: dt.datetime
    version: int
    proposer_government_id: int | None
    partnership_id: int | None
    invitation_id: int | None


class ProposalDetailOut(ProposalOut):
    documents: list[DocumentOut]
    decisions: list[DecisionOut]

    @staticmethod
    def resolve_documents(obj) -> list:
        return list(obj.documents.all())

    @staticmethod
    def resolve_decisions(obj) -> list:
        return list(obj.decisions.all())


class AcceptIn(InputSchema):
    version: int = version_read()
    government_id: Id | None = Field(
        None,
        description="The proposer's government; by default the one its name and country address "
        "(or the gazetteer's place of that name).",
    )
    message: str = Field("", max_length=MAX_MESSAGE)


class AskIn(InputSchema):
    version: int = version_read()
    message: str = Field(max_length=MAX_MESSAGE)


class DeclineIn(InputSchema):
    version: int = version_read()
    reason: str = Field(max_length=MAX_MESSAGE)


def _proposal(user, proposal_id: int) -> Proposal:
    proposal = services.proposal_for(user, proposal_id)
    if proposal is None:
        raise Http404
    return proposal


@router.get("", auth=READ, response={200: list[ProposalOut], **ERRORS}, summary="Proposals from outside")
@paginate(Pagination)
def list_proposals(request, government_id: Id | None = None, state: StateCode | None = None):
    """The proposals sent to the caller's own offices' governments (every office's, for a platform
    administrator), newest first; `government_id` narrows to one of them."""
    queryset = services.readable(request.auth, services.inbox_all(state or ""))
    if government_id is not None:
        queryset = queryset.filter(government_id=government_id)
    return queryset


@router.get("/{proposal_id}", auth=READ, response={200: ProposalDetailOut, **ERRORS}, summary="A proposal")
def get_proposal(request, proposal_id: int):
    """With its documents and the office's decisions; 404 outside the office it was sent to."""
    return _proposal(request.auth, proposal_id)


def _detail(user, proposal_id: int) -> Proposal:
    return _proposal(user, proposal_id)


@router.post(
    "/{proposal_id}/accept", auth=WRITE, response={200: ProposalDetailOut, 409: Error, **WRITE_ERRORS}, summary="Accept"
)
def accept(request, proposal_id: int, payload: AcceptIn):
    """A proposed partnership with the proposer's government, its conversation, and an invitation
    to the proposer to join as that government's office; the proposer is told by e-mail."""
    proposal = _proposal(request.auth, proposal_id)
    government = None
    if payload.government_id is not None:
        government = LocalGovernment.objects.filter(pk=payload.government_id).first()
        if government is None:
            raise ValidationError({"government_id": [_("No local government has this id.")]})
    if not permissions.can_decide_proposal(request.auth, proposal):
        raise PermissionDenied(_("Only the editors of the office it was sent to decide on a proposal."))
    services.accept(
        request.auth, proposal, expected_version=payload.version, government=government, message=payload.message
    )
    return _detail(request.auth, proposal_id)


@router.post(
    "/{proposal_id}/ask",
    auth=WRITE,
    response={200: ProposalDetailOut, 409: Error, **WRITE_ERRORS},
    summary="Ask for more",
)
def ask_more(request, proposal_id: int, payload: AskIn):
    """The message goes to the proposer by e-mail."""
    proposal = _proposal(request.auth, proposal_id)
    services.ask_more(request.auth, proposal, expected_version=payload.version, message=payload.message)
    return _detail(request.auth, proposal_id)


@router.post(
    "/{proposal_id}/decline",
    auth=WRITE,
    response={200: ProposalDetailOut, 409: Error, **WRITE_ERRORS},
    summary="Decline",
)
def decline(request, proposal_id: int, payload: DeclineIn):
    """The reason goes to the proposer by e-mail."""
    proposal = _proposal(request.auth, proposal_id)
    services.decline(request.auth, proposal, expected_version=payload.version, reason=payload.reason)
    return _detail(request.auth, proposal_id)
