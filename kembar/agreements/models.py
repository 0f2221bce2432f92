"""Agreements (LoI, MoU, implementing arrangements) of a partnership, and the national
procedure each one walks through.

A procedure is data, not code: a ProcedureTemplate is an ordered list of TemplateStages, each
saying what evidence it needs, how long it usually takes and whether it must be complete
before signing. An administrator adds another country's procedure in /admin/. Each agreement
copies the stages of its template into AgreementStages when it is created, and every move
between stages is an append-only StageTransition.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kembar.core import languages
from kembar.core.models import Versioned
from kembar.core.uploads import UploadPath
from kembar.core.versioning import History
from kembar.partnerships.models import CooperationField, Partnership

from .vocab import Action, AgreementKind, AgreementStatus, Relation, StageOwner, StageStatus


def _localised(en: str, id_: str) -> str:
    """The Indonesian name when the page is in Indonesian and one is given; in another language
    the English through the catalogue (the shipped procedures' names are in it:
    procedures.TRANSLATABLE), else as written."""
    if (get_language() or "").startswith("id") and id_:
        return id_
    return gettext(en) if en else en


class ProcedureTemplate(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_id = models.CharField(_("name (Indonesian)"), max_length=200, blank=True)
    country_code = models.CharField(
        _("country"),
        max_length=2,
        blank=True,
        help_text=_("ISO code of the country whose procedure this is; empty for a generic procedure."),
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("procedure template")
        verbose_name_plural = _("procedure templates")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return _localised(self.name_en, self.name_id)


class TemplateStage(models.Model):
    template = models.ForeignKey(ProcedureTemplate, on_delete=models.CASCADE, related_name="stages")
    position = models.PositiveSmallIntegerField(_("position"))
    code = models.SlugField(_("code"), max_length=40)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_id = models.CharField(_("name (Indonesian)"), max_length=200, blank=True)
    evidence_en = models.CharField(_("evidence (English)"), max_length=300, blank=True)
    evidence_id = models.CharField(_("evidence (Indonesian)"), max_length=300, blank=True)
    evidence_required = models.BooleanField(
        _("evidence required"), default=True, help_text=_("The stage cannot be completed without a document.")
    )
    expected_days = models.PositiveIntegerField(
        _("expected duration (days)"),
        null=True,
        blank=True,
        help_text=_("A reminder goes out when the stage waits longer."),
    )
    before_signing = models.BooleanField(_("must be complete before signing"), default=True)
    owner = models.CharField(
        _("acted on by"),
        max_length=12,
        choices=StageOwner.choices,
        default=StageOwner.OFFICE,
        help_text=_("The party that completes this stage with its documents and decision."),
    )
    is_signing = models.BooleanField(
        _("signing stage"), default=False, help_text=_("Completing this stage marks the agreement signed.")
    )

    class Meta:
        verbose_name = _("template stage")
        verbose_name_plural = _("template stages")
        ordering = ["template", "position"]
        constraints = [
            models.UniqueConstraint(fields=["template", "position"], name="template_stage_unique_position"),
            models.UniqueConstraint(fields=["template", "code"], name="template_stage_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.name}"

    @property
    def name(self) -> str:
        return _localised(self.name_en, self.name_id)

    @property
    def evidence(self) -> str:
        return _localised(self.evidence_en, self.evidence_id)


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class Agreement(Versioned):
    partnership = models.ForeignKey(
        Partnership, verbose_name=_("partnership"), on_delete=models.CASCADE, related_name="agreements"
    )
    template = models.ForeignKey(
        ProcedureTemplate, verbose_name=_("procedure"), on_delete=models.PROTECT, related_name="agreements"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=AgreementKind.choices, default=AgreementKind.MOU)
    title = models.CharField(_("title"), max_length=300)
    fields = models.ManyToManyField(
        CooperationField, verbose_name=_("fields of cooperation"), blank=True, related_name="agreements"
    )
    signatories = models.TextField(
        _("signatories"), blank=True, help_text=_("Who signs (or signed) for each side, one per line.")
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    effective_on = models.DateField(_("effective from"), null=True, blank=True)
    validity_years = models.PositiveSmallIntegerField(_("validity (years)"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True, db_index=True)
    previous = models.ForeignKey(
        "self",
        verbose_name=_("earlier agreement"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="successors",
        help_text=_("The agreement of the same partnership this one follows or renews."),
    )
    relation = models.CharField(_("link"), max_length=8, choices=Relation.choices, blank=True)
    status = models.CharField(
        _("status"), max_length=14, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT, db_index=True
    )
    languages = models.JSONField(_("languages of the text"), default=list, blank=True)
    # Every field is kept in the records (the pages leave out the version and the moment of the
    # save): django-simple-history reads the row back for each record of the fields to fill in
    # fields it leaves out, a query per save.
    history = History(m2m_fields=[fields])

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["-updated", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("agreements:detail", args=[self.pk])

    @property
    def starts_on(self) -> dt.date | None:
        return self.effective_on or self.signed_on

    def current_status(self, today: dt.date | None = None) -> str:
        """Signed agreements are in force from their start and expired after their end."""
        today = today or timezone.now().date()
        if self.status in (AgreementStatus.SIGNED, AgreementStatus.IN_FORCE, AgreementStatus.EXPIRED):
            if self.ends_on and self.ends_on < today:
                return AgreementStatus.EXPIRED
            if self.starts_on and self.starts_on <= today:
                return AgreementStatus.IN_FORCE
            return AgreementStatus.SIGNED
        return self.status

    def get_current_status_display(self) -> str:
        return AgreementStatus(self.current_status()).label

    def language_labels(self) -> list[str]:
        return [languages.name(code) for code in self.languages]


class AgreementStage(models.Model):
    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="stages"
    )
    template_stage = models.ForeignKey(
        TemplateStage, verbose_name=_("stage"), on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    status = models.CharField(_("status"), max_length=8, choices=StageStatus.choices, default=StageStatus.PENDING)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("completed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("agreement stage")
        verbose_name_plural = _("agreement stages")
        ordering = ["agreement", "position"]
        constraints = [models.UniqueConstraint(fields=["agreement", "position"], name="agreement_stage_unique")]

    def __str__(self) -> str:
        return self.template_stage.name

    @property
    def name(self) -> str:
        return self.template_stage.name

    def due_at(self) -> dt.datetime | None:
        days = self.template_stage.expected_days
        if self.status != StageStatus.ACTIVE or not self.started_at or days is None:
            return None
        return self.started_at + dt.timedelta(days=days)


class StageDocument(models.Model):
    """One version of one document of a stage; a new upload under the same title is the next version."""

    stage = models.ForeignKey(
        AgreementStage, verbose_name=_("stage"), on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(_("title"), max_length=200)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    file = models.FileField(upload_to=UploadPath("agreements"), max_length=300)
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("stage document")
        verbose_name_plural = _("stage documents")
        ordering = ["stage", "title", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["stage", "title", "version"], name="stage_document_unique_version")
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    def get_absolute_url(self) -> str:
        return reverse("agreements:document", args=[self.pk])


class StageTransition(models.Model):
    """One move of the procedure: append-only (never changed, never deleted on its own)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    from_stage = models.ForeignKey(
        AgreementStage, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("from")
    )
    to_stage = models.ForeignKey(
        AgreementStage, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("to")
    )
    reason = models.TextField(_("reason"), blank=True)
    evidence = models.ManyToManyField(StageDocument, verbose_name=_("evidence"), blank=True, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("stage transition")
        verbose_name_plural = _("stage transitions")
        ordering = ["agreement", "at", "id"]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("A recorded transition cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("A recorded transition cannot be deleted."))
