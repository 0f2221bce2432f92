from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "kembar.matching"
    verbose_name = _("Partner matchmaking")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from kembar.partnerships.concerns import describe

        from .models import Interest, PartnerRequest

        # What a change concerns (kembar.core.stamps).
        describe(PartnerRequest, governments=["government_id"])
        describe(Interest, governments=["request.government_id", "government_id"])
