import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext

from kembar.accounts import permissions
from kembar.gazetteer.services import country_param
from kembar.insights.health import score
from kembar.partnerships.services import GovernmentLookupError, government_lookup_message, resolve_government


class Command(BaseCommand):
    help = (
        "Count the registry's partnerships (those not ended) by health state: thriving, slowing, struggling, "
        'dormant, no_record. --json prints one object {"by_state": {STATE: count}}.'
    )

    def add_arguments(self, parser):
        parser.add_argument("--country", default="", help="Only partnerships with a side in this country (ISO code)")
        parser.add_argument(
            "--government",
            default="",
            help='Only the partnerships of one government: "NAME,CC", "NAME (LEVEL),CC" or "#ID"',
        )
        parser.add_argument("--json", action="store_true", help='Print one JSON object {"by_state": {…}}')

    def handle(self, *args, country: str, government: str, **options):
        try:
            code = country_param(country)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        found = None
        if government:
            try:
                found = resolve_government(government)
            except GovernmentLookupError as error:
                raise CommandError(government_lookup_message(error)) from None
        # The operator reads the whole registry, as an oversight body does.
        report = score.HealthReport(
            permissions.console_reader(), score.Filters(country=code, government=found.pk if found else None)
        )
        counts = score.state_counts(report)
        if options["json"]:
            self.stdout.write(json.dumps({"by_state": {state: n for state, _label, n in counts}}))
            return
        total = sum(n for _state, _label, n in counts)
        self.stdout.write(
            ngettext("%(n)d partnership (not ended) by health:", "%(n)d partnerships (not ended) by health:", total)
            % {"n": total}
        )
        for state, label, n in counts:
            self.stdout.write(f"  {label}{f' ({state})' if label != state else ''}: {n:,}")
