"""A conversation per partnership: messages between the two partner offices (and their
colleagues), with attachments, read state per reader, and each member's choice of e-mail.

Only the two offices read a conversation (and platform administrators); an oversight body reads
it only while one of the offices shares it (`Conversation.shared_with_oversight`). The rules are
kembar.accounts.permissions' (`visible_conversations`, `can_read_conversation`, ...)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kembar.core.models import StoredFile, stored_file_field

from .vocab import Delivery

# The longest message: a long e-mail, not a document (documents are attachments).
MAX_BODY = 10_000


class Conversation(models.Model):
    """The settings of one partnership's conversation; the row exists once someone changed them."""

    partnership = models.OneToOneField(
        "partnerships.Partnership", verbose_name=_("partnership"), on_delete=models.CASCADE, related_name="conversation"
    )
    shared_with_oversight = models.BooleanField(_("shared with oversight"), default=False)
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sharing set by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    shared_changed = models.DateTimeField(_("sharing set at"), null=True, blank=True)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")

    def __str__(self) -> str:
        return str(self.partnership)


class Message(models.Model):
    partnership = models.ForeignKey(
        "partnerships.Partnership", verbose_name=_("partnership"), on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The side the author wrote for; empty for a platform administrator without an office.
    government = models.ForeignKey(
        "partnerships.LocalGovernment",
        verbose_name=_("side"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    body = models.TextField(_("message"), max_length=MAX_BODY)
    created = models.DateTimeField(_("sent at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created", "id"]
        indexes = [models.Index(fields=["partnership", "id"], name="conversations_message_thread")]

    def __str__(self) -> str:
        return self.body[:80]

    def get_absolute_url(self) -> str:
        return reverse("conversations:thread", args=[self.partnership_id]) + f"#message-{self.pk}"


class MessageAttachment(StoredFile):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = stored_file_field("conversations")

    class Meta(StoredFile.Meta):
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class ReadMark(models.Model):
    """How far a reader has read a partnership's conversation: every message up to `last_read`
    (message ids grow with time)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    partnership = models.ForeignKey("partnerships.Partnership", on_delete=models.CASCADE, related_name="+")
    last_read = models.PositiveBigIntegerField(_("last message read"), default=0)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("read mark")
        verbose_name_plural = _("read marks")
        constraints = [models.UniqueConstraint(fields=["user", "partnership"], name="conversations_readmark_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.partnership_id}: {self.last_read}"


class NotificationChoice(models.Model):
    """A member's choice of e-mail about new messages; without a row, an e-mail per message."""

    Delivery = Delivery

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    delivery = models.CharField(
        _("e-mail about new messages"), max_length=10, choices=Delivery.choices, default=Delivery.IMMEDIATE
    )

    class Meta:
        verbose_name = _("notification choice")
        verbose_name_plural = _("notification choices")

    def __str__(self) -> str:
        return f"{self.user}: {self.delivery}"
