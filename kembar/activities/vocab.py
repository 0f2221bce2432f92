"""Vocabularies of activities, calls and aid, with translatable labels (codes are stored)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from kembar.partnerships.vocab import SDG_GOALS


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


SDG11_TARGETS = {
    "11.1": _("Adequate, safe and affordable housing"),
    "11.2": _("Safe, affordable and sustainable transport"),
    "11.3": _("Inclusive and sustainable urbanisation"),
    "11.4": _("Protect the world's cultural and natural heritage"),
    "11.5": _("Reduce losses from disasters"),
    "11.6": _("Reduce the environmental impact of cities"),
    "11.7": _("Safe, inclusive green and public spaces"),
    "11.a": _("Links between urban, peri-urban and rural areas"),
    "11.b": _("Integrated policies for inclusion, resilience and disaster risk"),
    "11.c": _("Support least developed countries in sustainable building"),
}


def sdg_choices() -> list[tuple[str, str]]:
    """Every goal, with SDG 11's targets right after goal 11."""
    out = []
    for number, label in SDG_GOALS.items():
        out.append((str(number), f"{number}. {label}"))
        if number == 11:
            out += [(code, f"{code} {label}") for code, label in SDG11_TARGETS.items()]
    return out


SDG_CODES = frozenset([str(n) for n in SDG_GOALS] + list(SDG11_TARGETS))

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
