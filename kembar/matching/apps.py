from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "kembar.matching"
    verbose_name = _("Partner matchmaking")
    default_auto_field = "django.db.models.BigAutoField"
