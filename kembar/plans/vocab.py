"""Vocabularies of plans and money, with translatable labels (codes are stored)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from kembar.partnerships.vocab import SDG_TARGET_CHOICES, SDG_TARGET_CODES  # noqa: F401 - the project's SDG list


class Indicator(models.TextChoices):
    """What a target counts. Progress is computed from the records linked to the target, never typed."""

    ACTIVITIES_HELD = "activities_held", _("Activities held")
    PARTICIPANTS = "participants", _("Participants in activities held")
    OUTCOMES = "outcomes", _("Activities held with recorded outcomes")
    AID_RECEIVED = "aid_received", _("Aid shipments received")
    PILOTS_ADOPTED = "pilots_adopted", _("Pilots adopted")


class Funder(models.TextChoices):
    APBD = "apbd", _("Regional budget (APBD)")
    APBN = "apbn", _("State budget (APBN)")
    PARTNER_CITY = "partner_city", _("The partner city")
    EU = "eu", _("European Union")
    JICA = "jica", _("JICA")
    KOICA = "koica", _("KOICA")
    FOUNDATION = "foundation", _("Foundation")
    COMPANY = "company", _("Company")
    OTHER = "other", _("Other")


class LineKind(models.TextChoices):
    BUDGET = "budget", _("Budget")
    SPENT = "spent", _("Spent")
