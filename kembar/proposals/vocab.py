"""The choices of proposals from outside: codes and labels shown in both languages."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProposalState(models.TextChoices):
    NEW = "new", _("New")
    MORE_ASKED = "more_asked", _("More asked of the proposer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


# A proposal still waiting for the office's decision.
OPEN_STATES = (ProposalState.NEW, ProposalState.MORE_ASKED)


class DecisionKind(models.TextChoices):
    ACCEPT = "accept", _("Accepted")
    ASK_MORE = "ask_more", _("Asked for more")
    DECLINE = "decline", _("Declined")


class DocumentKind(models.TextChoices):
    TERMS = "terms", _("Terms of reference (KAK)")
    LETTER = "letter", _("Letter")
