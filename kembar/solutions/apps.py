from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SolutionsConfig(AppConfig):
    name = "kembar.solutions"
    verbose_name = _("Solution exchange")

    def ready(self):
        from kembar.core import reminders

        reminders.register("kembar.solutions.reminders.milestones_due")

        from kembar.partnerships.concerns import describe

        from .models import Milestone, Need, Pilot, Solution, SolutionAttachment

        # What a change concerns (kembar.core.stamps).
        describe(Solution, governments=["government_id"])
        describe(SolutionAttachment, governments=["solution.government_id"])
        describe(Need, governments=["government_id"])
        describe(Pilot, governments=["government_id", "solution.government_id", "need.government_id"])
        describe(Milestone, governments=["pilot.government_id"])
