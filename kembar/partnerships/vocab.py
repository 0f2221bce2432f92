"""Fixed vocabularies of the registry, with translatable labels.

Codes are stored; labels are looked up here so both languages stay complete.
"""

from django.db import models
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from kembar.gazetteer.vocab import Trait  # noqa: F401  (one vocabulary: places and governments)


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


class Field(models.TextChoices):
    """Fields of cooperation."""

    CULTURE = "culture", _("Culture")
    EDUCATION = "education", _("Education")
    YOUTH_SPORT = "youth_sport", _("Youth and sport")
    AGRICULTURE = "agriculture", _("Agriculture")
    INDUSTRY = "industry", _("Industry")
    TRADE = "trade", _("Trade and investment")
    TOURISM = "tourism", _("Tourism")
    HEALTH = "health", _("Health care")  # "Health" alone is a partnership's health
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
    """The status an office records. Whether a partnership is alive is its computed health
    (kembar.insights.health), which has words of its own (thriving … dormant): no status word
    is a health word, in either language."""

    PROPOSED = "proposed", _("Proposed")
    ACTIVE = "active", _("Active")
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
# SDG 11's targets, the goal cities most often name: one wording for the whole product.
SDG11_TARGETS = {
    "11.1": _("Adequate, safe and affordable housing"),
    "11.2": _("Safe, affordable and sustainable transport"),
    "11.3": _("Inclusive and sustainable urbanisation"),
    "11.4": _("Protect the world's cultural and natural heritage"),
    "11.5": _("Reduce deaths and losses from disasters"),
    "11.6": _("Reduce the environmental impact of cities"),
    "11.7": _("Safe, inclusive green and public spaces"),
    "11.a": _("Links between urban, peri-urban and rural areas"),
    "11.b": _("Integrated policies for inclusion, resilience and disaster risk"),
    "11.c": _("Support least developed countries in sustainable building"),
}


def sdg_sort_key(code: str) -> tuple[int, str]:
    goal, _dot, target = code.partition(".")
    return (int(goal), target)


def sdg_text(code: str) -> Promise:
    """ "4. Quality education", "11.5 Reduce deaths …": lazy, so a label made when a module is
    imported still follows the language of the page that shows it."""
    if code in SDG11_TARGETS:
        return format_lazy("{} {}", code, SDG11_TARGETS[code])
    return format_lazy("{}. {}", code, SDG_GOALS[int(code)])


# Goals only (registry priorities, the library), and goals with SDG 11's targets after goal 11.
SDG_CHOICES = [(n, sdg_text(str(n))) for n in SDG_GOALS]
SDG_TARGET_CODES = sorted([str(n) for n in SDG_GOALS] + list(SDG11_TARGETS), key=sdg_sort_key)
SDG_TARGET_CHOICES = [(code, sdg_text(code)) for code in SDG_TARGET_CODES]


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


class EndReason(models.TextChoices):
    """Why an office closed a partnership (its status is then "ended")."""

    ENDED = "ended", _("It ended")
    NEVER_FORMALISED = "never_formalised", _("It was never formalised")


class Source(models.TextChoices):
    MANUAL = "manual", _("Entered by an office")
    IMPORT = "import", _("Imported list")
