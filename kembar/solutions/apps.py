from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SolutionsConfig(AppConfig):
    name = "kembar.solutions"
    verbose_name = _("Solution exchange")
