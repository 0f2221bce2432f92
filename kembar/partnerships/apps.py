from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnershipsConfig(AppConfig):
    name = "kembar.partnerships"
    verbose_name = _("Partnerships")

    def ready(self):
        from .concerns import describe_own

        describe_own()  # what a change concerns (kembar.core.stamps)
