"""`kembar create-token USERNAME NAME`: issue a personal API token and print it once."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kembar.accounts.models import ApiToken


class Command(BaseCommand):
    help = (
        "Create an API token for a user and print it on standard output. Only its digest is "
        "stored, so this is the one time it can be read: hand it over now."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("name", help="What the token is for, e.g. “reporting script”.")

    def handle(self, *args, username: str, name: str, **options):
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist:
            raise CommandError(_("No user called “%(username)s”.") % {"username": username})
        if not user.is_active:
            raise CommandError(
                _("The user “%(username)s” is inactive; a token would not work.") % {"username": username}
            )
        name = name.strip()
        if not name:
            raise CommandError(_("Give the token a name that says what it is for."))
        max_length = ApiToken._meta.get_field("name").max_length
        if len(name) > max_length:
            raise CommandError(_("The name is too long (at most %(max)s characters).") % {"max": max_length})
        api_token, token = ApiToken.issue(user, name)
        # The token alone goes to stdout, so `TOKEN=$(kembar create-token ...)` works.
        if options["verbosity"] >= 1:
            self.stderr.write(
                _(
                    "Token “%(name)s” for %(username)s created. It is shown only this once; "
                    "keep it secret and send it as “Authorization: Bearer <token>”."
                )
                % {"name": api_token.name, "username": username}
            )
        self.stdout.write(token)
