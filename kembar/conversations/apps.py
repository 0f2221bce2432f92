from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConversationsConfig(AppConfig):
    name = "kembar.conversations"
    verbose_name = _("Conversations")

    def ready(self):
        from kembar.core import reminders

        reminders.register("kembar.conversations.reminders.daily_digests")

        from kembar.core import stamps
        from kembar.partnerships.concerns import describe

        from .models import Conversation, Message, MessageAttachment, NotificationChoice, ReadMark

        # What a change concerns (kembar.core.stamps); what one reader has read: no kept page.
        describe(Conversation, partnership="partnership_id")
        describe(Message, partnership="partnership_id", governments=["government_id"])
        describe(MessageAttachment, partnership="message.partnership_id")
        stamps.quiet(ReadMark, NotificationChoice)
