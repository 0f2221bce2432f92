from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kembar.core.models import StoredFile, Versioned, stored_file_field
from kembar.partnerships.models import LocalGovernment, Partnership
from kembar.partnerships.vocab import Field

from .vocab import ActivityStatus, ActivityType, AidStatus, CallKind, CallStatus, ChangeKind, Modality


def government_zone(government: LocalGovernment) -> zoneinfo.ZoneInfo:
    """The time zone of a government's place (UTC when the gazetteer has none)."""
    try:
        return zoneinfo.ZoneInfo(government.place.timezone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


class Activity(Versioned):
    """Something done under a partnership; start and end are UTC, shown in the host place's zone."""

    partnership = models.ForeignKey(
        Partnership, verbose_name=_("partnership"), on_delete=models.CASCADE, related_name="activities"
    )
    title = models.CharField(_("title"), max_length=200)
    type = models.CharField(_("type"), max_length=24, choices=ActivityType.choices)
    field = models.CharField(_("field of cooperation"), max_length=20, choices=Field.choices, blank=True)
    modality = models.CharField(_("modality"), max_length=12, choices=Modality.choices, default=Modality.IN_PERSON)
    status = models.CharField(
        _("status"), max_length=12, choices=ActivityStatus.choices, default=ActivityStatus.PLANNED, db_index=True
    )
    host = models.ForeignKey(LocalGovernment, verbose_name=_("host"), on_delete=models.PROTECT, related_name="+")
    start = models.DateTimeField(_("start"), db_index=True)
    end = models.DateTimeField(_("end"))
    # Postponed with the new date still to be decided: start/end keep the last planned date.
    date_tbd = models.BooleanField(_("new date to be decided"), default=False)
    recurrence = models.CharField(
        _("recurrence"),
        max_length=300,
        blank=True,
        help_text=_("An RFC 5545 rule, e.g. FREQ=YEARLY;INTERVAL=2 for every two years."),
    )
    exceptions = models.JSONField(
        _("exceptions"),
        default=list,
        blank=True,
        help_text=_("Start times (UTC, ISO 8601) of occurrences that do not take place."),
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    participants_a = models.PositiveIntegerField(_("participants of the first partner"), null=True, blank=True)
    participants_b = models.PositiveIntegerField(_("participants of the second partner"), null=True, blank=True)
    breakdown = models.JSONField(_("participants by gender and age group"), default=dict, blank=True)
    budget = models.DecimalField(_("budget"), max_digits=16, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    outcomes = models.TextField(_("outcomes"), blank=True)
    sdg_targets = models.JSONField(_("SDG targets"), default=list, blank=True)
    public = models.BooleanField(_("public"), default=False)  # private until an office decides to publish it
    # The plan as first recorded: postponing and converting never change it.
    planned_start = models.DateTimeField(_("originally planned start"), null=True, editable=False)
    planned_end = models.DateTimeField(_("originally planned end"), null=True, editable=False)
    planned_modality = models.CharField(
        _("originally planned modality"), max_length=12, blank=True, choices=Modality.choices, editable=False
    )
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["start", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gte=models.F("start")), name="activity_end_after_start")
        ]
        # Partnership health (kembar.insights.health.score) reads a partnership's held activities by
        # date and host for every row of a list: covered by the first index; the second finds
        # the recurring series without reading the whole table.
        indexes = [
            models.Index(fields=["partnership", "status", "start", "host"], name="activity_health"),
            models.Index(fields=["status", "recurrence"], name="activity_series"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("activities:detail", args=[self.pk])

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return government_zone(self.host)

    @property
    def remote_partner(self) -> LocalGovernment | None:
        """The partner that does not host an activity held online (virtual or hybrid): its
        people take part from home, in their own time. None for one in person, or hosted by
        neither partner."""
        if self.modality == Modality.IN_PERSON:
            return None
        p = self.partnership
        if self.host_id == p.government_a_id:
            return p.government_b
        return p.government_a if self.host_id == p.government_b_id else None

    @property
    def postponed(self) -> bool:
        return self.status == ActivityStatus.POSTPONED

    @property
    def is_recurring(self) -> bool:
        return bool(self.recurrence)

    @property
    def moved(self) -> bool:
        return (self.planned_start is not None and (self.planned_start != self.start or self.date_tbd)) or (
            bool(self.planned_modality) and self.planned_modality != self.modality
        )


class ActivityChange(models.Model):
    """A postponement or a change of modality, kept so the original plan stays visible.

    With `occurrence`, the postponement concerns that one occurrence of a series (its planned
    start, UTC); the series itself does not move.
    """

    Kind = ChangeKind

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    occurrence = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    old_start = models.DateTimeField(null=True)
    old_end = models.DateTimeField(null=True)
    new_start = models.DateTimeField(null=True)  # None: to be decided
    new_end = models.DateTimeField(null=True)
    old_modality = models.CharField(max_length=12, blank=True, choices=Modality.choices)
    new_modality = models.CharField(max_length=12, blank=True, choices=Modality.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "id"]


class ActivityAttachment(StoredFile):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="attachments")
    file = stored_file_field("activities")


class Call(Versioned):
    """An exchange or scholarship call the public can apply to."""

    partnership = models.ForeignKey(
        Partnership, verbose_name=_("partnership"), on_delete=models.CASCADE, related_name="calls"
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=CallKind.choices)
    field = models.CharField(_("field of cooperation"), max_length=20, choices=Field.choices, blank=True)
    host = models.ForeignKey(LocalGovernment, verbose_name=_("offered by"), on_delete=models.PROTECT, related_name="+")
    quota = models.PositiveIntegerField(_("places"), null=True, blank=True)
    eligibility = models.TextField(_("eligibility"), blank=True)
    opens = models.DateField(_("opens"), null=True, blank=True)
    deadline = models.DateField(_("deadline"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    how_to_apply = models.CharField(
        _("how to apply"), max_length=300, help_text=_("A link or a contact (e-mail address, telephone).")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CallStatus.choices, default=CallStatus.OPEN, db_index=True
    )
    awarded = models.PositiveIntegerField(_("awarded"), null=True, blank=True)
    public = models.BooleanField(_("public"), default=True)
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["deadline", "id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("activities:call", args=[self.pk])


class AidShipment(Versioned):
    """Goods sent between partners (masks, medical equipment)."""

    partnership = models.ForeignKey(
        Partnership, verbose_name=_("partnership"), on_delete=models.CASCADE, related_name="aid_shipments"
    )
    title = models.CharField(_("title"), max_length=200)
    donor = models.ForeignKey(LocalGovernment, verbose_name=_("donor"), on_delete=models.PROTECT, related_name="+")
    recipient = models.ForeignKey(
        LocalGovernment, verbose_name=_("recipient"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=AidStatus.choices, default=AidStatus.PLEDGED)
    pledged_on = models.DateField(_("pledged on"), null=True, blank=True)
    shipped_on = models.DateField(_("shipped on"), null=True, blank=True)
    received_on = models.DateField(_("received on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    public = models.BooleanField(_("public"), default=True)
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = _("aid shipment")
        verbose_name_plural = _("aid shipments")
        ordering = ["-pledged_on", "id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("activities:aid", args=[self.pk])


class AidItem(models.Model):
    shipment = models.ForeignKey(AidShipment, on_delete=models.CASCADE, related_name="items")
    name = models.CharField(_("item"), max_length=200)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=40, blank=True)

    class Meta:
        ordering = ["id"]


class AidDocument(StoredFile):
    shipment = models.ForeignKey(AidShipment, on_delete=models.CASCADE, related_name="documents")
    file = stored_file_field("aid")
