from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "kembar.dashboard"
    verbose_name = _("Dashboard")

    def ready(self):
        from . import checks  # noqa: F401  (registers the deployment checks)
