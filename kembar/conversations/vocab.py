"""Choices of the conversations app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Delivery(models.TextChoices):
    """How a member hears of new messages in their office's conversations."""

    IMMEDIATE = "immediate", _("an e-mail for each message")
    DIGEST = "digest", _("one e-mail a day with the unread messages")
    NONE = "none", _("no e-mail")
