"""Meetings of partners (slot, agenda, invitations, minutes, decisions, action items) and the
knowledge exchange library. Times are stored in UTC and shown in each side's own time zone."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kembar.core import languages
from kembar.core.models import StoredFile, Versioned, stored_file_field
from kembar.core.uploads import UploadPath

from .slots import DEFAULT_OFFICE_END, DEFAULT_OFFICE_START
from .vocab import ActionStatus, MeetingStatus


class OfficeHours(models.Model):
    """An organisation's office hours for the slot finder (default 08:00–16:00 local)."""

    organisation = models.OneToOneField("accounts.Organisation", on_delete=models.CASCADE, related_name="office_hours")
    start = models.TimeField(_("office hours start"), default=DEFAULT_OFFICE_START)
    end = models.TimeField(_("office hours end"), default=DEFAULT_OFFICE_END)

    class Meta:
        verbose_name = _("office hours")
        verbose_name_plural = _("office hours")
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="office_hours_end_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.start:%H:%M}–{self.end:%H:%M}"


class Meeting(Versioned):
    Status = MeetingStatus

    partnership = models.ForeignKey(
        "partnerships.Partnership", verbose_name=_("partnership"), on_delete=models.CASCADE, related_name="meetings"
    )
    # Further partner cities of a multilateral meeting (the partnership's two are always in).
    extra_governments = models.ManyToManyField(
        "partnerships.LocalGovernment", blank=True, related_name="+", verbose_name=_("further partner governments")
    )
    title = models.CharField(_("title"), max_length=200)
    start = models.DateTimeField(_("start (UTC)"))
    duration = models.PositiveIntegerField(_("duration (minutes)"), default=60)
    video_link = models.URLField(_("video link"), blank=True)
    agenda = models.TextField(_("agenda"), blank=True, help_text=_("One agenda item per line."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED, db_index=True)
    minutes = models.TextField(_("minutes"), blank=True)
    decisions = models.TextField(_("decisions"), blank=True, help_text=_("One decision per line."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-start", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("meetings:detail", args=[self.pk])

    @property
    def end(self) -> dt.datetime:
        return self.start + dt.timedelta(minutes=self.duration)

    @property
    def agenda_items(self) -> list[str]:
        return [line.strip() for line in self.agenda.splitlines() if line.strip()]

    @property
    def decision_items(self) -> list[str]:
        return [line.strip() for line in self.decisions.splitlines() if line.strip()]


class Participant(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participants")
    government = models.ForeignKey(
        "partnerships.LocalGovernment", verbose_name=_("side"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["government__name", "name", "id"]

    def __str__(self) -> str:
        return self.name


class ActionItem(models.Model):
    Status = ActionStatus

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="action_items")
    text = models.CharField(_("action"), max_length=500)
    owner = models.CharField(_("owner"), max_length=200)
    government = models.ForeignKey(
        "partnerships.LocalGovernment", verbose_name=_("side"), on_delete=models.PROTECT, related_name="action_items"
    )
    due = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["due", "id"]

    def __str__(self) -> str:
        return self.text


class Attachment(StoredFile):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments")
    file = stored_file_field("meetings")

    class Meta(StoredFile.Meta):
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class LibraryItem(models.Model):
    """A document or note shared between partners; public items are in the platform-wide library."""

    partnership = models.ForeignKey(
        "partnerships.Partnership",
        verbose_name=_("partnership"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="library_items",
    )
    government = models.ForeignKey(
        "partnerships.LocalGovernment", verbose_name=_("shared by"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary or note"), blank=True)
    # The document's own language: any of the platform's list (a Braunschweig guide in German).
    language = models.CharField(_("language"), max_length=8, choices=languages.choices, default="id")
    fields = models.JSONField(_("fields of cooperation"), default=list, blank=True)
    sdgs = models.JSONField(_("SDGs"), default=list, blank=True)
    public = models.BooleanField(
        _("public"), default=False, help_text=_("Shown in the platform-wide library to everyone.")
    )
    file = models.FileField(upload_to=UploadPath("library"), blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    # What search reads: title, summary and the text extracted from the file, normalised.
    search_text = models.TextField(blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("library item")
        verbose_name_plural = _("library items")
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("meetings:library_item", args=[self.pk])
