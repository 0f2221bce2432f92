from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrantsConfig(AppConfig):
    name = "kembar.grants"
    verbose_name = _("Grant calls and self-assessment")

    def ready(self):
        from kembar.core import reminders

        reminders.register("kembar.grants.reminders.deadlines")

        from kembar.partnerships.concerns import describe

        from .models import SelfAssessment

        # What a change concerns (kembar.core.stamps); a grant call may fit anyone: everything.
        describe(SelfAssessment, partnership="partnership_id", governments=["government_id"])
