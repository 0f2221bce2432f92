from django.db import models
from django.utils.translation import gettext_lazy as _


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
