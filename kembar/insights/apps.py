from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "kembar.insights"
    verbose_name = _("Insights")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        """Every process that can write (app servers, commands, workers) notes changes in the
        insights' caches, not only those that happened to import the pages."""
        from .analytics import pivot, sdg
        from .health import score

        score.connect_signals()
        pivot.connect_signals()
        sdg.connect_signals()

        from kembar.core import stamps

        from .models import ReportFile

        stamps.quiet(ReportFile)  # a requested report's file: on no kept page
