import json

from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _

from kembar.accounts import permissions
from kembar.accounts.models import Organisation
from kembar.insights.oversight import rollup


class Command(BaseCommand):
    help = (
        "The oversight roll-up of an oversight body's scope (its country, or its province for a provincial "
        "bureau), as the page /oversight/ shows it. --json prints the object GET /api/oversight/summary answers."
    )

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="The oversight body: its id (#12 or 12) or its exact name")
        parser.add_argument("--json", action="store_true", help="Print one JSON object")

    def handle(self, *args, org: str, **options):
        raw = org.strip().lstrip("#")
        found = Organisation.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
        found = found or Organisation.objects.filter(name=org.strip()).first()
        if found is None:
            raise CommandError(_("No organisation %(org)s.") % {"org": org})
        places = permissions.organisation_scope(found)
        if places is None:
            raise CommandError(
                _("%(org)s is not an oversight body with a scope (a country or a province).") % {"org": found.name}
            )
        scope = rollup.Scope(places, rollup.scope_label(places))
        # The operator reads the body's whole scope, as the body does.
        data = rollup.build(permissions.console_reader(), scope)
        if options["json"]:
            self.stdout.write(json.dumps(rollup.as_json(data), cls=DjangoJSONEncoder))
            return
        for heading, header, rows in rollup.tables(data):
            self.stdout.write(f"\n{heading}")
            self.stdout.write("  " + " | ".join(str(h) for h in header))
            for row in rows:
                self.stdout.write("  " + " | ".join(str(c) for c in row))
