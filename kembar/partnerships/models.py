from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kembar.core.models import Versioned
from kembar.core.versioning import History
from kembar.gazetteer.models import Place

from .vocab import EndReason, Field, Kind, Level, Source, Status


class CooperationField(models.Model):
    """A field of cooperation; rows mirror `vocab.Field` (seeded by a migration)."""

    code = models.CharField(max_length=20, primary_key=True, choices=Field.choices)

    class Meta:
        ordering = ["code"]
        verbose_name = _("field of cooperation")
        verbose_name_plural = _("fields of cooperation")

    def __str__(self) -> str:
        return str(self.label)

    @property
    def label(self):
        return Field(self.code).label if self.code in Field.values else self.code


class LocalGovernment(Versioned):
    """The government of a place at a level, with its traits and priorities; its profile is
    edited by its office's editors, so a stale edit is refused (`version`)."""

    place = models.ForeignKey(Place, verbose_name=_("place"), on_delete=models.PROTECT, related_name="governments")
    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices, default=Level.CITY)
    country_code = models.CharField(_("country"), max_length=2, db_index=True, editable=False)
    traits = models.JSONField(_("traits"), default=list, blank=True)
    sdg_priorities = models.JSONField(_("SDG priorities"), default=list, blank=True)
    contact_email = models.EmailField(_("office e-mail"), blank=True)
    contact_phone = models.CharField(_("office telephone"), max_length=50, blank=True)
    website = models.URLField(_("website"), blank=True)
    address = models.TextField(_("office address"), blank=True)
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = _("local government")
        verbose_name_plural = _("local governments")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["place", "level"], name="government_unique_place_level")]
        indexes = [models.Index(fields=["name"])]

    def __str__(self) -> str:
        return f"{self.name}, {self.country_code}"

    def save(self, *args, **kwargs):
        self.country_code = self.place.country_code
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("partnerships:government", args=[self.pk])


class Partnership(Versioned):
    """Two local governments as an unordered pair (stored with government_a.id < government_b.id)."""

    Source = Source

    government_a = models.ForeignKey(LocalGovernment, on_delete=models.PROTECT, related_name="+")
    government_b = models.ForeignKey(LocalGovernment, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.SISTER_CITY)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PROPOSED, db_index=True
    )
    since = models.DateField(_("since"), null=True, blank=True)
    fields = models.ManyToManyField(
        CooperationField, verbose_name=_("fields of cooperation"), blank=True, related_name="partnerships"
    )
    basis = models.TextField(
        _("basis"), blank=True, help_text=_("What the two share: former capitals, ports, universities...")
    )
    public = models.BooleanField(
        _("public"), default=True, help_text=_("Shown to everyone, including visitors who are not logged in.")
    )
    notes = models.TextField(_("notes"), blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.MANUAL)
    # An office of either partner confirmed (or corrected) what is recorded: an imported link
    # the office adopted, or one an office entered.
    confirmed_by = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed on"), null=True, blank=True)
    end_reason = models.CharField(_("why it was closed"), max_length=20, choices=EndReason.choices, blank=True)
    end_note = models.CharField(_("note on its closing"), max_length=500, blank=True)
    # The version is kept in each record too: django-simple-history reads the row back for every
    # record of the fields (a query per save) to fill in fields it leaves out of the record.
    history = History(m2m_fields=[fields])

    class Meta:
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        ordering = ["-updated"]
        constraints = [
            models.UniqueConstraint(fields=["government_a", "government_b"], name="partnership_unique_pair"),
            models.CheckConstraint(
                condition=models.Q(government_a__lt=models.F("government_b")), name="partnership_ordered_pair"
            ),
        ]
        # Lists show the latest changes first; without this index every page sorts the whole table.
        indexes = [models.Index(fields=["updated", "id"], name="partnership_updated_id")]

    def __str__(self) -> str:
        return f"{self.government_a.name} – {self.government_b.name}"

    def get_absolute_url(self) -> str:
        return reverse("partnerships:detail", args=[self.pk])

    @property
    def governments(self) -> tuple[LocalGovernment, LocalGovernment]:
        return self.government_a, self.government_b

    @property
    def confirmed(self) -> bool:
        """An office stands behind what is recorded: it confirmed it, or an office entered it."""
        return self.confirmed_at is not None or self.source == Source.MANUAL

    def other(self, government: LocalGovernment) -> LocalGovernment:
        return self.government_b if government.pk == self.government_a_id else self.government_a


class GovernmentMerge(models.Model):
    """A duplicate government merged into another (kembar.partnerships.merge): who, when, what
    moved. The dropped government's own history stays in its historical records."""

    kept = models.ForeignKey(LocalGovernment, verbose_name=_("kept"), on_delete=models.PROTECT, related_name="+")
    dropped_id = models.PositiveBigIntegerField(_("id of the merged government"))
    dropped_name = models.CharField(_("name of the merged government"), max_length=200)
    dropped_place = models.CharField(_("its place"), max_length=250)
    moved = models.JSONField(_("what moved"), default=dict)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("merged by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    merged_at = models.DateTimeField(_("merged at"), auto_now_add=True)

    class Meta:
        verbose_name = _("government merge")
        verbose_name_plural = _("government merges")
        ordering = ["-merged_at", "-id"]

    def __str__(self) -> str:
        return f"{self.dropped_name} → {self.kept.name}"
