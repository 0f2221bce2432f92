from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "kembar.meetings"
    verbose_name = _("Meetings and library")

    def ready(self):
        from kembar.core import reminders

        reminders.register("kembar.meetings.reminders.overdue_action_items")
