"""A partnership's Plan of Action (objectives, targets, planned activities, budget lines) and the
money of activities, aid shipments and pilots (budget and spent lines by funder), with the
exchange rates that convert them for totals.

Activities, aid shipments and pilots know nothing of plans: the links to the targets they serve
and their money lines live here (plans sits above them in the layer contract)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kembar.core.models import Versioned
from kembar.partnerships.models import LocalGovernment, Partnership

from .vocab import SDG_TARGET_CHOICES, Funder, Indicator, LineKind

TITLE_MAX = 200


class Plan(Versioned):
    """A partnership's Plan of Action for a span of years (an agreement's period, when tied to one)."""

    partnership = models.ForeignKey(
        Partnership, verbose_name=_("partnership"), on_delete=models.CASCADE, related_name="plans"
    )
    agreement = models.ForeignKey(
        "agreements.Agreement",
        verbose_name=_("agreement"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plans",
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    first_year = models.PositiveSmallIntegerField(_("first year"))
    last_year = models.PositiveSmallIntegerField(_("last year"))
    summary = models.TextField(_("summary"), blank=True)
    currency = models.CharField(
        _("currency of the totals"), max_length=3, default="IDR", help_text=_("ISO 4217 code: IDR, USD, EUR...")
    )
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = _("plan of action")
        verbose_name_plural = _("plans of action")
        ordering = ["-first_year", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(last_year__gte=models.F("first_year")), name="plan_years_in_order")
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("plans:detail", args=[self.pk])


class Objective(Versioned):
    """An objective of a plan, led by one side: that side's office edits it and its targets."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan of action"), on_delete=models.CASCADE, related_name="objectives"
    )
    side = models.ForeignKey(LocalGovernment, verbose_name=_("led by"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    description = models.TextField(_("description"), blank=True)
    unit_a = models.CharField(_("responsible unit of the first partner"), max_length=TITLE_MAX, blank=True)
    unit_b = models.CharField(_("responsible unit of the second partner"), max_length=TITLE_MAX, blank=True)
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title


class Target(Versioned):
    """A measurable target of an objective; what it has achieved is computed from the linked records."""

    objective = models.ForeignKey(
        Objective, verbose_name=_("objective"), on_delete=models.CASCADE, related_name="targets"
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    indicator = models.CharField(_("indicator"), max_length=20, choices=Indicator.choices)
    target_value = models.DecimalField(_("target"), max_digits=14, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    sdg_target = models.CharField(_("SDG target"), max_length=5, choices=SDG_TARGET_CHOICES, blank=True)
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(target_value__gt=0), name="target_value_positive")]

    def __str__(self) -> str:
        return self.title


class ServedRecord(models.Model):
    """An activity, an aid shipment or a pilot: what a target link or a money line is about (at
    most one of the three; each model's constraints say which may be empty)."""

    activity = models.ForeignKey(
        "activities.Activity",
        verbose_name=_("activity"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    aid = models.ForeignKey(
        "activities.AidShipment",
        verbose_name=_("aid shipment"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    pilot = models.ForeignKey(
        "solutions.Pilot", verbose_name=_("pilot"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        abstract = True


class TargetLink(ServedRecord):
    """An activity, aid shipment or pilot serving a target (exactly one of the three)."""

    target = models.ForeignKey(Target, verbose_name=_("target"), on_delete=models.CASCADE, related_name="links")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("link to a target")
        verbose_name_plural = _("links to targets")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(activity__isnull=False, aid__isnull=True, pilot__isnull=True)
                | Q(activity__isnull=True, aid__isnull=False, pilot__isnull=True)
                | Q(activity__isnull=True, aid__isnull=True, pilot__isnull=False),
                name="target_link_one_record",
            ),
            models.UniqueConstraint(fields=["target", "activity"], name="target_link_activity_once"),
            models.UniqueConstraint(fields=["target", "aid"], name="target_link_aid_once"),
            models.UniqueConstraint(fields=["target", "pilot"], name="target_link_pilot_once"),
        ]

    @property
    def record(self):
        return self.activity or self.aid or self.pilot


class PlannedActivity(models.Model):
    """An activity the plan foresees in a year, carried by one side's responsible unit."""

    objective = models.ForeignKey(
        Objective, verbose_name=_("objective"), on_delete=models.CASCADE, related_name="planned"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    side = models.ForeignKey(LocalGovernment, verbose_name=_("carried by"), on_delete=models.PROTECT, related_name="+")
    unit = models.CharField(_("responsible unit"), max_length=TITLE_MAX, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("planned activity")
        verbose_name_plural = _("planned activities")
        ordering = ["year", "id"]

    def __str__(self) -> str:
        return self.title


class MoneyLine(ServedRecord):
    """A budget or spent line: of a plan (its budget), or of an activity, an aid shipment or a
    pilot. `on` is the day whose exchange rate converts it and the year it counts in; `side` is
    the government whose office entered it and edits it."""

    kind = models.CharField(_("kind"), max_length=8, choices=LineKind.choices, default=LineKind.BUDGET)
    plan = models.ForeignKey(
        Plan,
        verbose_name=_("plan of action"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="budget_lines",
    )
    # Whose books: the partnership of the plan, activity or shipment (a pilot's is found by its
    # two governments); kept on the line so that totals are one query.
    partnership = models.ForeignKey(
        Partnership, verbose_name=_("partnership"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    side = models.ForeignKey(LocalGovernment, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+")
    funder = models.CharField(_("funder"), max_length=16, choices=Funder.choices)
    funder_name = models.CharField(_("funder's name"), max_length=TITLE_MAX, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    on = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=TITLE_MAX, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("money line")
        verbose_name_plural = _("money lines")
        ordering = ["on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(plan__isnull=False, activity__isnull=True, aid__isnull=True, pilot__isnull=True)
                | Q(plan__isnull=True, activity__isnull=False, aid__isnull=True, pilot__isnull=True)
                | Q(plan__isnull=True, activity__isnull=True, aid__isnull=False, pilot__isnull=True)
                | Q(plan__isnull=True, activity__isnull=True, aid__isnull=True, pilot__isnull=False),
                name="money_line_one_record",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="money_line_amount_positive"),
        ]
        indexes = [
            models.Index(fields=["partnership", "on"], name="money_line_partnership"),
            models.Index(fields=["side", "on"], name="money_line_side"),
        ]

    def __str__(self) -> str:
        return f"{self.get_funder_display()} {self.amount} {self.currency}"

    @property
    def record(self):
        return self.plan or self.activity or self.aid or self.pilot


class ExchangeRate(models.Model):
    """One unit of `currency` is worth `rate` units of `quote` from `valid_from` on, until a later
    rate of the same pair. Kept by the platform administrator (admin, `kembar rates`)."""

    currency = models.CharField(_("currency"), max_length=3)
    quote = models.CharField(_("in currency"), max_length=3)
    rate = models.DecimalField(_("rate"), max_digits=20, decimal_places=8)
    valid_from = models.DateField(_("valid from"))
    source = models.CharField(_("source"), max_length=TITLE_MAX, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["currency", "quote", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "quote", "valid_from"], name="exchange_rate_once_a_day"),
            models.CheckConstraint(condition=Q(rate__gt=0), name="exchange_rate_positive"),
            models.CheckConstraint(condition=~Q(currency=models.F("quote")), name="exchange_rate_two_currencies"),
        ]

    def __str__(self) -> str:
        return f"1 {self.currency} = {self.rate} {self.quote} ({self.valid_from})"
