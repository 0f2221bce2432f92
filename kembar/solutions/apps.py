from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SolutionsConfig(AppConfig):
    name = "kembar.solutions"
    verbose_name = _("Solution exchange")

    def ready(self):
        from kembar.core import reminders

        reminders.register("kembar.solutions.reminders.milestones_due")
