"""`kembar invite --government "NAME,CC" --email ADDRESS --role viewer|editor|admin
[--partnership ID] [--language id|en|ja] [--json]`: invite someone into a government's office."""

import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from kembar.accounts.permissions import console_administrator
from kembar.accounts.vocab import Role
from kembar.offices import services
from kembar.partnerships.models import Partnership
from kembar.partnerships.services import GovernmentLookupError, government_lookup_message, resolve_government


class Command(BaseCommand):
    help = (
        "Invite someone into a government's office (created when they accept, if the government has "
        "none yet: they become its administrator). With --partnership, the partner's office is invited "
        "into that partnership. The e-mail goes through the job queue; the link is printed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--government",
            required=True,
            help='"NAME,CC", "NAME (LEVEL),CC" or "#ID", e.g. "Fort Worth,US", "Kyoto (prefecture),JP"',
        )
        parser.add_argument("--email", required=True, help="Where the invitation goes.")
        parser.add_argument("--role", choices=Role.values, default=Role.VIEWER)
        parser.add_argument("--partnership", type=int, help="The partnership (id) the office is invited into.")
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            help="Of the e-mail; by default the government country's language if the interface has it (id, ja), else en.",
        )
        parser.add_argument("--json", action="store_true", help='Print {"url": …, "expires": …} as the last line.')

    def handle(self, *args, **options):
        try:
            government = resolve_government(options["government"])
        except GovernmentLookupError as exc:
            raise CommandError(government_lookup_message(exc)) from None
        partnership = None
        if options["partnership"] is not None:
            partnership = Partnership.objects.filter(pk=options["partnership"]).first()
            if partnership is None:
                raise CommandError(_("No partnership has the id %(id)s.") % {"id": options["partnership"]})
            if government.pk not in (partnership.government_a_id, partnership.government_b_id):
                raise CommandError(
                    _("%(government)s is not a partner in %(partnership)s.")
                    % {"government": government, "partnership": partnership}
                )
        try:
            with transaction.atomic():
                issued = services.invite(
                    console_administrator(),
                    government,
                    email=options["email"],
                    role=options["role"],
                    language=options["language"] or "",
                    partnership=partnership,
                )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        invitation = issued.invitation
        if not settings.KEMBAR_SITE_URL:
            self.stderr.write(_("KEMBAR_SITE_URL is not set: the link has no host."))
        if options["json"]:
            self.stdout.write(json.dumps({"url": issued.url, "expires": invitation.expires.isoformat()}))
            return
        self.stdout.write(
            _("Invitation for %(email)s into the office of %(government)s as %(role)s, valid until %(expires)s UTC:")
            % {
                "email": invitation.email,
                "government": government,
                "role": invitation.get_role_display(),
                "expires": invitation.expires.strftime("%Y-%m-%d %H:%M"),
            }
        )
        self.stdout.write(issued.url)
