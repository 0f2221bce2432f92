"""Vocabularies of grant calls and the yearly self-assessment (codes are stored, labels translated).

Partnership kinds, levels, fields of cooperation and activity types are the registry's and the
activities' own vocabularies (re-exported here), so a call is matched in the words partnerships
are recorded in.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kembar.activities.vocab import ActivityType  # noqa: F401 - re-exported
from kembar.partnerships.vocab import Field, Kind, Level  # noqa: F401 - re-exported


class FunderType(models.TextChoices):
    EU = "eu", _("European Union")
    BILATERAL = "bilateral", _("Bilateral development agency (JICA, KOICA, GIZ, USAID…)")
    MULTILATERAL = "multilateral", _("Multilateral organisation (UN, development bank)")
    NATIONAL = "national", _("National government")
    REGIONAL = "regional", _("Regional or local government")
    FOUNDATION = "foundation", _("Foundation")
    COMPANY = "company", _("Company")
    OTHER = "other", pgettext_lazy("funder type", "Other")


class Dimension(models.TextChoices):
    """The dimensions of the OECD's self-assessment of city-to-city partnerships."""

    GOALS = "goals", _("Shared goals")
    LEARNING = "learning", _("Peer learning")
    FINANCING = "financing", _("Financing")
    OWNERSHIP = "ownership", _("Ownership")
    RESULTS = "results", _("Results")


# (code, dimension, question): two short questions per dimension, each answered 1 (not at all)
# to 5 (fully). The codes are stored in the answers; change a question's words, never its code.
QUESTIONS: list[tuple[str, str, object]] = [
    ("goals_agreed", Dimension.GOALS, _("Both sides agreed the partnership's goals in writing.")),
    ("goals_priorities", Dimension.GOALS, _("The goals serve our own local development priorities.")),
    ("learning_exchange", Dimension.LEARNING, _("Our staff learned practices from the partner this year.")),
    ("learning_applied", Dimension.LEARNING, _("Something learned from the partner is now applied at home.")),
    ("financing_budget", Dimension.FINANCING, _("The partnership has its own budget line this year.")),
    ("financing_external", Dimension.FINANCING, _("We found outside funding (grants, co-financing) for it.")),
    ("ownership_leaders", Dimension.OWNERSHIP, _("Our leadership and parliament support the partnership.")),
    ("ownership_people", Dimension.OWNERSHIP, _("Citizens, schools or businesses take part, not only officials.")),
    ("results_targets", Dimension.RESULTS, _("The activities planned for the year were carried out.")),
    ("results_measured", Dimension.RESULTS, _("We can show measured results of the cooperation.")),
]
QUESTION_CODES = [code for code, _dim, _text in QUESTIONS]
SCORES = (1, 2, 3, 4, 5)
