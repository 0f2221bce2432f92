from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    name = "kembar.agreements"
    verbose_name = _("Agreements")

    def ready(self):
        from kembar.core import reminders

        reminders.register("kembar.agreements.reminders.agreement_reminders")

        from kembar.partnerships.concerns import describe

        from .models import Agreement, AgreementStage, StageDocument, StageTransition

        # What a change concerns (kembar.core.stamps); a procedure's template: everything.
        describe(Agreement, partnership="partnership_id")
        describe(AgreementStage, partnership="agreement.partnership_id")
        describe(StageDocument, partnership="stage.agreement.partnership_id")
        describe(StageTransition, partnership="agreement.partnership_id")
