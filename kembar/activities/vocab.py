"""Vocabularies of activities, calls and aid, with translatable labels (codes are stored)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from kembar.partnerships.vocab import SDG11_TARGETS, SDG_TARGET_CHOICES, SDG_TARGET_CODES  # noqa: F401 - re-exported


class ActivityType(models.TextChoices):
    CULTURAL_EVENT = "cultural_event", _("Cultural event or festival")
    LANGUAGE_TRAINING = "language_training", _("Language training")
    STUDENT_EXCHANGE = "student_exchange", _("Student exchange")
    SCHOLARSHIP = "scholarship", _("Scholarship")
    EXPERT_DISPATCH = "expert_dispatch", _("Expert dispatch")
    WORK_VISIT = "work_visit", _("Work visit")
    COMPETITION = "competition", _("Competition")
    TRADE_MISSION = "trade_mission", _("Trade mission")
    SMART_CITY = "smart_city_project", _("Smart-city project")
    INFORMATION_EXCHANGE = "information_exchange", _("Information exchange")
    OTHER = "other", _("Other")


class Modality(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    VIRTUAL = "virtual", _("Virtual")
    HYBRID = "hybrid", _("Hybrid")


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    CONFIRMED = "confirmed", _("Confirmed")
    HELD = "held", _("Held")
    POSTPONED = "postponed", _("Postponed")
    CANCELLED = "cancelled", _("Cancelled")


class CallKind(models.TextChoices):
    EXCHANGE = "exchange", _("Exchange")
    SCHOLARSHIP = "scholarship", _("Scholarship")


class CallStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    AWARDED = "awarded", _("Awarded")


class AidStatus(models.TextChoices):
    PLEDGED = "pledged", _("Pledged")
    SHIPPED = "shipped", _("Shipped")
    RECEIVED = "received", _("Received")


def sdg_choices() -> list[tuple[str, str]]:
    """Every goal, with SDG 11's targets right after goal 11."""
    return list(SDG_TARGET_CHOICES)


SDG_CODES = frozenset(SDG_TARGET_CODES)

GENDERS = ("female", "male", "other")
AGE_GROUPS = ("under_18", "18_29", "30_49", "50_plus")
# The groups of a participant breakdown, as people read them (the keys are stored).
BREAKDOWN_GROUPS = {
    "female": _("Women"),
    "male": _("Men"),
    "other": _("Another gender"),
    "under_18": _("Under 18"),
    "18_29": _("18–29 years"),
    "30_49": _("30–49 years"),
    "50_plus": _("50 and over"),
}


class ChangeKind(models.TextChoices):
    POSTPONED = "postponed", _("Postponed")
    CONVERTED = "converted", _("Modality changed")
