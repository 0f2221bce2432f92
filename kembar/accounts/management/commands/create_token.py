"""`kembar create-token USERNAME NAME`: issue a personal API token and print it once."""
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from kembar.accounts.models import ApiToken


class Command(BaseCommand):
    help = ("Create an API token for a user and print it. Only its digest is stored, so this is "
            "the one time it can be read: hand it over now.")

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("name", help="What the token is for, e.g. “reporting script”.")

    def handle(self, *args, username: str, name: str, **options):
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist:
            raise CommandError(f"No user called “{username}”.")
        if not user.is_active:
            raise CommandError(f"The user “{username}” is inactive; a token would not work.")
        name = name.strip()
        if not name:
            raise CommandError("Give the token a name that says what it is for.")
        if len(name) > ApiToken._meta.get_field("name").max_length:
            raise CommandError("The name is too long (at most 100 characters).")
        api_token, token = ApiToken.issue(user, name)
        if options["verbosity"] >= 1:
            self.stderr.write(f"Token “{api_token.name}” for {username} created. It is shown only "
                              "this once; keep it secret. Use it as “Authorization: Bearer <token>”.")
        self.stdout.write(token)
