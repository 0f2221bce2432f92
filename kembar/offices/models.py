"""Invitations into an office: a colleague's, or the partner government's office into a shared
partnership.

The model lives here, above `partnerships` and `accounts`, because it names both a partnership
and a government (partnerships) and an office (accounts); accounts, below partnerships, may not
import them. Only the SHA-256 of the link's token is stored, as for API tokens: the link is
shown once when it is made (and sent by e-mail); a lost link is renewed, never read back.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kembar.accounts.vocab import Role
from kembar.core import languages

from .vocab import InvitationState


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


class Invitation(models.Model):
    """One use, until `expires`, unless revoked. `office` is the office the invitee joins; empty
    for a government without an office on the platform yet: accepting creates it, and the
    invitee becomes its administrator."""

    Role = Role
    State = InvitationState

    government = models.ForeignKey(
        "partnerships.LocalGovernment", verbose_name=_("government"), on_delete=models.CASCADE, related_name="+"
    )
    office = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("office"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    # The partnership the partner's office is invited into; empty for a colleague's invitation.
    partnership = models.ForeignKey(
        "partnerships.Partnership",
        verbose_name=_("partnership"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    # The office of the other side that invited a partner's office (it lists and may withdraw it).
    inviting_office = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("invited by office"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    email = models.EmailField(_("e-mail"))
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.VIEWER)
    language = models.CharField(_("language of the e-mail"), max_length=8, choices=languages.interface_choices)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    expires = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["digest"])

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["government", "accepted_at", "revoked_at"], name="invitation_pending")]

    def __str__(self) -> str:
        return f"{self.email} → {self.government} ({self.role})"

    @property
    def state(self) -> str:
        if self.accepted_at is not None:
            return InvitationState.ACCEPTED
        if self.revoked_at is not None:
            return InvitationState.REVOKED
        if self.expires <= timezone.now():
            return InvitationState.EXPIRED
        return InvitationState.PENDING

    @property
    def pending(self) -> bool:
        return self.state == InvitationState.PENDING

    def get_state_display(self) -> str:
        return str(InvitationState(self.state).label)
