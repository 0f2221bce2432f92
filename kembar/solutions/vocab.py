"""Vocabularies of the solution exchange. Codes are stored; labels are translated here.

SDG codes are strings: a whole goal ("11") or one of the SDG 11 targets ("11.5"), the goal
cities most often name. The goal labels are the registry's (`partnerships.vocab.SDG_GOALS`).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from kembar.partnerships.vocab import SDG11_TARGETS, SDG_GOALS, SDG_TARGET_CHOICES, sdg_sort_key  # noqa: F401


class ProviderKind(models.TextChoices):
    GOVERNMENT = "government", _("The local government itself")
    STARTUP = "startup", _("Start-up")
    UNIVERSITY = "university", _("University")
    COMPANY = "company", _("Company")


class Maturity(models.TextChoices):
    IDEA = "idea", _("Idea")
    PILOT = "pilot", _("Pilot")
    IN_USE = "in_use", _("In use")
    SCALED = "scaled", _("Scaled")


class CostRange(models.TextChoices):
    """Rough yearly cost (solutions) or budget (needs), in US dollars."""

    UNKNOWN = "unknown", _("Not stated")
    FREE = "free", _("Free (open source or donated)")
    UNDER_10K = "under_10k", _("Under 10,000 USD")
    TO_100K = "10k_100k", _("10,000–100,000 USD")
    TO_1M = "100k_1m", _("100,000–1,000,000 USD")
    OVER_1M = "over_1m", _("Over 1,000,000 USD")


class PilotStatus(models.TextChoices):
    INTEREST = "interest", _("Interest expressed")
    PLANNED = "planned", _("Planned")
    RUNNING = "running", _("Running")
    ADOPTED = "adopted", _("Adopted")
    STOPPED = "stopped", _("Stopped")


class MilestoneStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Done")
    LATE = "late", _("Late")
    DROPPED = "dropped", _("Dropped")


SDG_CODES = {str(n): label for n, label in SDG_GOALS.items()}
SDG_CODES.update(SDG11_TARGETS)
SDG_CODE_CHOICES = SDG_TARGET_CHOICES


def sdg_label(code: str) -> str:
    return f"SDG {code}: {SDG_CODES[code]}" if code in SDG_CODES else code
