from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConversationsConfig(AppConfig):
    name = "kembar.conversations"
    verbose_name = _("Conversations")

    def ready(self):
        from kembar.core import reminders

        reminders.register("kembar.conversations.reminders.daily_digests")
