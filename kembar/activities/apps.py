from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "kembar.activities"
    verbose_name = _("Programmes and activities")

    def ready(self):
        from kembar.core import reminders

        reminders.register("kembar.activities.reminders.due")
