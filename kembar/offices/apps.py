from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OfficesConfig(AppConfig):
    name = "kembar.offices"
    verbose_name = _("Offices and invitations")

    def ready(self):
        from kembar.partnerships.concerns import describe

        from .models import Invitation

        # What a change concerns (kembar.core.stamps).
        describe(Invitation, partnership="partnership_id", governments=["government_id"])
