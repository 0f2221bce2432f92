from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kembar.core.models import Versioned
from kembar.partnerships.models import CooperationField, LocalGovernment, Partnership

from .vocab import FunderType

TITLE_MAX = 200
TEXT_MAX = 4000


class GrantCall(Versioned):
    """A funding call partnerships may apply to: who funds it, whom it is for, how much, until when.

    Entered by a platform administrator (no `office`) or by a government's office (its `office`);
    every signed-in user reads every call. An empty list of kinds, levels, countries, fields or
    activity types means "any".
    """

    title = models.CharField(_("title"), max_length=TITLE_MAX)
    funder_name = models.CharField(_("funder"), max_length=200)
    funder_type = models.CharField(_("type of funder"), max_length=20, choices=FunderType.choices)
    partnership_kinds = models.JSONField(_("eligible kinds of partnership"), default=list, blank=True)
    levels = models.JSONField(_("eligible levels of government"), default=list, blank=True)
    countries = models.JSONField(_("eligible countries"), default=list, blank=True)
    activity_types = models.JSONField(_("eligible kinds of activity"), default=list, blank=True)
    fields = models.ManyToManyField(
        CooperationField, verbose_name=_("fields of cooperation"), blank=True, related_name="grant_calls"
    )
    amount_min = models.DecimalField(_("smallest grant"), max_digits=16, decimal_places=2, null=True, blank=True)
    amount_max = models.DecimalField(_("largest grant"), max_digits=16, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    deadline = models.DateField(_("deadline"))
    deadline_time = models.TimeField(_("deadline time"), null=True, blank=True)
    deadline_zone = models.CharField(_("time zone of the deadline"), max_length=64, default="UTC")
    # The moment the call closes, in UTC: the deadline's time in its zone, or the end of its day.
    closes_at = models.DateTimeField(_("closes at"), db_index=True, editable=False)
    link = models.URLField(_("link"), max_length=500)
    description = models.TextField(_("description"))
    office = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("entered by office"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="grant_calls",
        help_text=_("Empty when a platform administrator entered the call."),
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords(m2m_fields=[fields], excluded_fields=["version"])

    class Meta:
        verbose_name = _("grant call")
        verbose_name_plural = _("grant calls")
        ordering = ["closes_at", "id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("grants:detail", args=[self.pk])


class SelfAssessment(Versioned):
    """One side's answers to the yearly self-assessment of a partnership.

    `answers` maps a question code (vocab.QUESTIONS) to {"score": 1–5, "comment": text}. Each
    side's office answers separately: one set per partnership, side and year, editable until the
    year ends.
    """

    partnership = models.ForeignKey(
        Partnership, verbose_name=_("partnership"), on_delete=models.CASCADE, related_name="self_assessments"
    )
    government = models.ForeignKey(
        LocalGovernment, verbose_name=_("side"), on_delete=models.PROTECT, related_name="self_assessments"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    answers = models.JSONField(_("answers"), default=dict)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = _("self-assessment")
        verbose_name_plural = _("self-assessments")
        ordering = ["-year", "government_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "government", "year"], name="self_assessment_one_per_side_and_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.partnership} · {self.government.name} · {self.year}"

    def get_absolute_url(self) -> str:
        return reverse("grants:assessments", args=[self.partnership_id])
