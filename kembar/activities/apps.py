from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "kembar.activities"
    verbose_name = _("Programmes and activities")

    def ready(self):
        from kembar.core import reminders

        reminders.register("kembar.activities.reminders.due")

        from django.db.models.signals import post_delete, post_save

        from kembar.partnerships.models import Partnership

        from .models import Activity, ActivityChange
        from .queries import portal_changed

        for model in (Activity, ActivityChange, Partnership):
            for signal in (post_save, post_delete):
                signal.connect(portal_changed, sender=model, dispatch_uid=f"activities-portal-{model._meta.label}")
