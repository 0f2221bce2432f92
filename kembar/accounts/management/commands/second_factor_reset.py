"""`kembar second-factor-reset USERNAME`: remove a user's lost second factor."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from kembar.accounts import services


class Command(BaseCommand):
    help = (
        "Remove a user's second factor (authenticator and recovery codes) and sign out their sessions, "
        "when both the phone and the recovery codes are lost. A role that requires one sets it up again at the next sign-in."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("No user called “%(username)s”.") % {"username": username})
        with transaction.atomic():
            removed = services.remove_second_factor(user)
            ended = services.sign_out_other_sessions(user, None)
        self.stdout.write(
            _("%(username)s: second factor removed (%(devices)d devices), %(sessions)d sessions signed out.")
            % {"username": username, "devices": removed, "sessions": ended}
        )
