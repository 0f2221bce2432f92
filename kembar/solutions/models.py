from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kembar.core.models import StoredFile, Versioned, stored_file_field
from kembar.partnerships.models import CooperationField, LocalGovernment

from .vocab import CostRange, Maturity, MilestoneStatus, PilotStatus, ProviderKind

TITLE_MAX = 200
TEXT_MAX = 4000
SUMMARY_MAX = 1000


class Solution(Versioned):
    """A practice, product or service a local government offers to its partners."""

    government = models.ForeignKey(
        LocalGovernment, verbose_name=_("offering government"), on_delete=models.PROTECT, related_name="solutions"
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    summary = models.TextField(_("summary"))
    problem = models.TextField(_("problem it solves"))
    provider_kind = models.CharField(
        _("provider"), max_length=20, choices=ProviderKind.choices, default=ProviderKind.GOVERNMENT
    )
    provider_name = models.CharField(_("provider's name"), max_length=200, blank=True)
    provider_contact = models.CharField(_("provider's contact"), max_length=200, blank=True)
    provider_website = models.URLField(_("provider's website"), blank=True)
    fields = models.ManyToManyField(
        CooperationField, verbose_name=_("fields of cooperation"), blank=True, related_name="solutions"
    )
    sdg_targets = models.JSONField(_("SDG targets"), default=list, blank=True)
    maturity = models.CharField(_("maturity"), max_length=10, choices=Maturity.choices, default=Maturity.IN_USE)
    evidence = models.TextField(_("evidence"), blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    cost_range = models.CharField(_("cost range"), max_length=12, choices=CostRange.choices, default=CostRange.UNKNOWN)
    adoption_needs = models.TextField(_("what adoption needs"), blank=True)
    public = models.BooleanField(_("public"), default=True)
    history = HistoricalRecords(m2m_fields=[fields], excluded_fields=["version"])

    class Meta:
        verbose_name = _("solution")
        verbose_name_plural = _("solutions")
        ordering = ["-updated", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("solutions:detail", args=[self.pk])


class SolutionAttachment(StoredFile):
    solution = models.ForeignKey(Solution, on_delete=models.CASCADE, related_name="attachments")
    file = stored_file_field("solutions")
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return self.name


class Need(Versioned):
    """A challenge a local government wants help with, in the vocabulary of solutions."""

    government = models.ForeignKey(
        LocalGovernment, verbose_name=_("government"), on_delete=models.PROTECT, related_name="needs"
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    description = models.TextField(_("description"))
    fields = models.ManyToManyField(
        CooperationField, verbose_name=_("fields of cooperation"), blank=True, related_name="needs"
    )
    sdg_targets = models.JSONField(_("SDG targets"), default=list, blank=True)
    constraints = models.TextField(_("constraints"), blank=True)
    budget_range = models.CharField(
        _("budget range"), max_length=12, choices=CostRange.choices, default=CostRange.UNKNOWN
    )
    languages = models.JSONField(_("working languages"), default=list, blank=True)
    public = models.BooleanField(_("public"), default=True)
    history = HistoricalRecords(m2m_fields=[fields], excluded_fields=["version"])

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["-updated", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("solutions:need", args=[self.pk])


class Pilot(Versioned):
    """A government adopting a solution: from the first expression of interest to the outcome.

    When the offering and adopting governments are partners, the pilot is also tracked as an
    activity (type smart-city project) of their partnership: it then appears in the
    partnership's programme, the calendar and the reports like any other activity.
    """

    solution = models.ForeignKey(Solution, verbose_name=_("solution"), on_delete=models.PROTECT, related_name="pilots")
    need = models.ForeignKey(
        Need, verbose_name=_("need"), null=True, blank=True, on_delete=models.SET_NULL, related_name="pilots"
    )
    government = models.ForeignKey(
        LocalGovernment, verbose_name=_("adopting government"), on_delete=models.PROTECT, related_name="pilots"
    )
    status = models.CharField(_("status"), max_length=10, choices=PilotStatus.choices, default=PilotStatus.INTEREST)
    outcome = models.TextField(_("outcome"), blank=True)
    activity = models.OneToOneField(
        "activities.Activity",
        verbose_name=_("activity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pilot",
    )
    public = models.BooleanField(
        _("public"), default=False, help_text=_("Shown in the public catalogue as an adoption.")
    )
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = _("pilot")
        verbose_name_plural = _("pilots")
        ordering = ["-updated", "-id"]
        constraints = [models.UniqueConstraint(fields=["solution", "government"], name="pilot_unique_adopter")]

    def __str__(self) -> str:
        return f"{self.solution.title} – {self.government.name}"

    def get_absolute_url(self) -> str:
        return reverse("solutions:pilot", args=[self.pk])


class Milestone(models.Model):
    pilot = models.ForeignKey(Pilot, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=TITLE_MAX)
    due = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=10, choices=MilestoneStatus.choices, default=MilestoneStatus.PLANNED
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["due", "id"]
        verbose_name = _("milestone")

    def __str__(self) -> str:
        return self.title
