"""Fixed vocabularies of the registry, with translatable labels.

Codes are stored; labels are looked up here so both languages stay complete.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    CITY = "city", _("City")
    REGENCY = "regency", _("Regency")
    MUNICIPALITY = "municipality", _("Municipality")
    DISTRICT = "district", _("District")
    COUNTY = "county", _("County")
    PROVINCE = "province", _("Province")
    SPECIAL_REGION = "special_region", _("Special region")
    PREFECTURE = "prefecture", _("Prefecture")
    STATE = "state", _("State")
    REGION = "region", _("Region")


class Trait(models.TextChoices):
    PORT = "port", _("Port")
    CAPITAL = "capital", _("Capital")
    FORMER_CAPITAL = "former_capital", _("Former capital")
    COASTAL = "coastal", _("Coastal")
    ISLAND = "island", _("Island")
    HERITAGE = "heritage", _("Heritage")
    UNIVERSITY = "university", _("University")
    INDUSTRIAL = "industrial", _("Industrial")
    AGRICULTURAL = "agricultural", _("Agricultural")
    TOURISM = "tourism", _("Tourism")
    CREATIVE = "creative", _("Creative city")
    MOUNTAIN = "mountain", _("Mountain")


class Field(models.TextChoices):
    """Fields of cooperation."""

    CULTURE = "culture", _("Culture")
    EDUCATION = "education", _("Education")
    YOUTH_SPORT = "youth_sport", _("Youth and sport")
    AGRICULTURE = "agriculture", _("Agriculture")
    INDUSTRY = "industry", _("Industry")
    TRADE = "trade", _("Trade and investment")
    TOURISM = "tourism", _("Tourism")
    HEALTH = "health", _("Health")
    ENVIRONMENT = "environment", _("Environment")
    SMART_CITY = "smart_city", _("Smart city")
    URBAN = "urban", _("Urban planning and infrastructure")
    DISASTER = "disaster", _("Disaster management")
    GOVERNANCE = "governance", _("Governance")
    SCIENCE = "science", _("Science and technology")


class Kind(models.TextChoices):
    SISTER_CITY = "sister_city", _("Sister city")
    SISTER_PROVINCE = "sister_province", _("Sister province")
    FRIENDSHIP = "friendship", _("Friendship")
    COOPERATION = "cooperation", _("Cooperation")


class Status(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACTIVE = "active", _("Active")
    DORMANT = "dormant", _("Dormant")
    SUSPENDED = "suspended", _("Suspended")
    ENDED = "ended", _("Ended")


SDG_GOALS = {
    1: _("No poverty"),
    2: _("Zero hunger"),
    3: _("Good health and well-being"),
    4: _("Quality education"),
    5: _("Gender equality"),
    6: _("Clean water and sanitation"),
    7: _("Affordable and clean energy"),
    8: _("Decent work and economic growth"),
    9: _("Industry, innovation and infrastructure"),
    10: _("Reduced inequalities"),
    11: _("Sustainable cities and communities"),
    12: _("Responsible consumption and production"),
    13: _("Climate action"),
    14: _("Life below water"),
    15: _("Life on land"),
    16: _("Peace, justice and strong institutions"),
    17: _("Partnerships for the goals"),
}
SDG_CHOICES = [(n, f"{n}. {label}") for n, label in SDG_GOALS.items()]


def level_for_subdivision(subdivision_type: str) -> str:
    """The government level of an ISO 3166-2 subdivision type ("Prefecture" -> prefecture)."""
    kind = (subdivision_type or "").lower()
    for word, level in (
        ("special", Level.SPECIAL_REGION),
        ("prefecture", Level.PREFECTURE),
        ("province", Level.PROVINCE),
        ("state", Level.STATE),
        ("county", Level.COUNTY),
        ("municipality", Level.MUNICIPALITY),
        ("district", Level.DISTRICT),
        ("city", Level.CITY),
        ("capital", Level.PROVINCE),
    ):
        if word in kind:
            return level
    return Level.REGION


class Source(models.TextChoices):
    MANUAL = "manual", _("Entered by an office")
    IMPORT = "import", _("Imported list")
