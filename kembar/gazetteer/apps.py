from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GazetteerConfig(AppConfig):
    name = "kembar.gazetteer"
    verbose_name = _("Gazetteer")
