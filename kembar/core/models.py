from django.db import models
from django.utils.translation import gettext_lazy as _

from .uploads import UploadPath


class SentReminder(models.Model):
    """A reminder e-mail that went out: `kembar remind` never sends the same key twice."""

    key = models.CharField(_("event"), max_length=200, unique=True)
    sent_at = models.DateTimeField(_("sent at"))
    recipients = models.TextField(_("recipients"))
    subject = models.CharField(_("subject"), max_length=300)

    class Meta:
        verbose_name = _("sent reminder")
        verbose_name_plural = _("sent reminders")
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return self.key


class Versioned(models.Model):
    """A record edited by people who may work at the same time: `version` counts saves, so a
    change made against a stale version is refused (kembar.core.versioning)."""

    version = models.PositiveIntegerField(default=1, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


def stored_file_field(folder: str) -> models.FileField:
    """The file of a StoredFile, kept under MEDIA_ROOT/<folder>/ (kembar.core.uploads)."""
    return models.FileField(upload_to=UploadPath(folder), max_length=300)


class StoredFile(models.Model):
    """An uploaded document as the upload check accepted it. A subclass adds the record it
    belongs to and its `file = stored_file_field("<folder>")`."""

    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["uploaded", "id"]


class OutgoingMail(models.Model):
    """An e-mail waiting for, or past, the mail server (kembar.core.mail). The row is written in
    the transaction of what the mail tells about, so a mail is never lost: a worker delivers it,
    retrying with back-off while the server cannot be reached."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting")
        SENDING = "sending", _("being sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"))
    to = models.JSONField(_("recipients"), default=list)
    reply_to = models.JSONField(default=list, blank=True)
    # [{"name": "invitation.ics", "content": "...", "mimetype": "text/calendar"}]: small text files.
    attachments = models.JSONField(default=list, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="core_mail_due")]

    def __str__(self) -> str:
        return self.subject
