from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    name = "kembar.agreements"
    verbose_name = _("Agreements")

    def ready(self):
        from kembar.core import reminders

        reminders.register("kembar.agreements.reminders.agreement_reminders")
