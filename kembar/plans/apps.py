from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "kembar.plans"
    label = "plans"
    verbose_name = _("Plans and money")

    def ready(self):
        from kembar.partnerships.concerns import describe

        from .models import MoneyLine, Objective, Plan, PlannedActivity, Target, TargetLink

        # What a change concerns (kembar.core.stamps); an exchange rate: everything.
        describe(Plan, partnership="partnership_id")
        describe(Objective, partnership="plan.partnership_id", governments=["side_id"])
        describe(Target, partnership="objective.plan.partnership_id")
        describe(TargetLink, partnership="target.objective.plan.partnership_id")
        describe(PlannedActivity, partnership="objective.plan.partnership_id", governments=["side_id"])
        describe(MoneyLine, partnership="partnership_id", governments=["side_id"])
