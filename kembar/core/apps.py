from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kembar.core"
    verbose_name = _("Core")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.core.signals import request_finished
        from django.db.models.signals import pre_save

        from . import caching, stamps
        from .logs import forget_request_id
        from .validation import refuse_bad_text

        request_finished.connect(forget_request_id, dispatch_uid="kembar.core.logs.forget_request_id")
        pre_save.connect(refuse_bad_text, dispatch_uid="kembar.core.validation.refuse_bad_text")
        caching.connect_signals()
        stamps.connect_signals()
        from .models import OutgoingMail, SentReminder

        stamps.quiet(OutgoingMail, SentReminder)
