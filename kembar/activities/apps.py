from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "kembar.activities"
    verbose_name = _("Programmes and activities")

    def ready(self):
        from kembar.core import reminders

        reminders.register("kembar.activities.reminders.due")

        from django.db.models.signals import post_delete, post_save, pre_save

        from kembar.partnerships.models import Partnership

        from .models import Activity, ActivityChange
        from .queries import note_portal_change, portal_changed, portal_deleted, portal_saved

        for model in (Activity, Partnership):
            uid = f"activities-portal-{model._meta.label}"
            pre_save.connect(note_portal_change, sender=model, dispatch_uid=f"{uid}-pre")
            post_save.connect(portal_saved, sender=model, dispatch_uid=uid)
            post_delete.connect(portal_deleted, sender=model, dispatch_uid=uid)
        for signal in (post_save, post_delete):
            signal.connect(portal_changed, sender=ActivityChange, dispatch_uid="activities-portal-change")
        from kembar.partnerships.concerns import describe

        from .models import ActivityAttachment, AidDocument, AidItem, AidShipment, Call

        # What a change concerns (kembar.core.stamps).
        describe(Activity, partnership="partnership_id", governments=["host_id"])
        describe(ActivityChange, partnership="activity.partnership_id")
        describe(ActivityAttachment, partnership="activity.partnership_id")
        describe(Call, partnership="partnership_id", governments=["host_id"])
        describe(AidShipment, partnership="partnership_id", governments=["donor_id", "recipient_id"])
        describe(AidItem, partnership="shipment.partnership_id")
        describe(AidDocument, partnership="shipment.partnership_id")
