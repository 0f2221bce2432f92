"""Cooperation proposals sent from outside, without an account, to a government's office.

A proposal names who proposes (a government or an organisation, its country and contact), what
(fields of cooperation, a short plan) and carries up to two documents (terms of reference, a
letter). It waits in the office's inbox until the office accepts it (a proposed partnership, its
conversation and an invitation to the proposer's office), asks for more, or declines it; each
decision is kept (`Decision`) and mailed to the proposer in the proposal's language.

The proposer's network address is kept only as a keyed digest (`address_digest`), to count
submissions against the rate limit (kembar.proposals.services).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kembar.core import languages
from kembar.core.models import StoredFile, Versioned, stored_file_field

from .vocab import DecisionKind, DocumentKind, ProposalState

MAX_PLAN = 5_000
MAX_MESSAGE = 5_000


class Proposal(Versioned):
    State = ProposalState

    government = models.ForeignKey(
        "partnerships.LocalGovernment",
        verbose_name=_("proposed to"),
        on_delete=models.CASCADE,
        related_name="proposals",
    )
    organisation_name = models.CharField(_("government or organisation"), max_length=200)
    country_code = models.CharField(_("country"), max_length=2)
    contact_name = models.CharField(_("contact person"), max_length=200)
    email = models.EmailField(_("e-mail"))
    website = models.URLField(_("website"), blank=True)
    fields = models.JSONField(_("fields of cooperation"), default=list, blank=True)
    plan = models.TextField(_("cooperation proposed"), max_length=MAX_PLAN)
    language = models.CharField(_("language of the proposal"), max_length=8, choices=languages.interface_choices)
    state = models.CharField(
        _("state"), max_length=12, choices=ProposalState.choices, default=ProposalState.NEW, db_index=True
    )
    # Set when accepted: the proposer's government, the partnership proposed with it, and the
    # invitation sent to the proposer to join as that government's office (none when it has one).
    proposer_government = models.ForeignKey(
        "partnerships.LocalGovernment",
        verbose_name=_("proposer's government"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    partnership = models.ForeignKey(
        "partnerships.Partnership",
        verbose_name=_("partnership"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    invitation = models.ForeignKey(
        "offices.Invitation",
        verbose_name=_("invitation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    address_digest = models.CharField(max_length=64, editable=False, db_index=True)
    history = HistoricalRecords(excluded_fields=["version", "address_digest"])

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["government", "created"], name="proposal_target_created")]

    def __str__(self) -> str:
        return f"{self.organisation_name} ({self.country_code}) → {self.government_id}"

    @property
    def open(self) -> bool:
        return self.state in (ProposalState.NEW, ProposalState.MORE_ASKED)


class ProposalDocument(StoredFile):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=10, choices=DocumentKind.choices)
    file = stored_file_field("proposals")

    class Meta(StoredFile.Meta):
        verbose_name = _("proposal document")
        verbose_name_plural = _("proposal documents")

    def __str__(self) -> str:
        return self.name


class Decision(models.Model):
    """One decision of the office on a proposal, with the message the proposer was sent."""

    Kind = DecisionKind

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="decisions")
    kind = models.CharField(_("decision"), max_length=10, choices=DecisionKind.choices)
    message = models.TextField(_("message to the proposer"), max_length=MAX_MESSAGE, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        verbose_name = _("decision on a proposal")
        verbose_name_plural = _("decisions on proposals")
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.kind}"
