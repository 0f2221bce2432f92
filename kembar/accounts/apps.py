from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "kembar.accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from . import services

        def started(sender, request, user, **kwargs):
            if request is not None and hasattr(request, "session"):
                services.start_session(request, user)

        def ended(sender, request, user, **kwargs):
            if request is not None and hasattr(request, "session"):
                services.end_session(request.session.session_key)

        user_logged_in.connect(started, dispatch_uid="kembar.accounts.start_session")
        user_logged_out.connect(ended, dispatch_uid="kembar.accounts.end_session")

        from kembar.core import stamps

        from .models import AccountSession, ApiToken, Profile

        stamps.quiet(AccountSession, ApiToken, Profile)  # shown on no kept page (kembar.core.stamps)
