import json

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from kembar.partnerships.models import Partnership
from kembar.partnerships.services import GovernmentLookupError, government_lookup_message, resolve_government
from kembar.plans import services


class Command(BaseCommand):
    help = (
        'A partnership\'s plan of action: `kembar plan "Bandung,ID" "Fort Worth,US"`; --json prints '
        '{"targets": [...], "budget": {...}, "funding": [...]} with each target\'s progress.'
    )

    def add_arguments(self, parser):
        for side in ("first", "second"):
            parser.add_argument(side, help='"NAME,CC", "NAME (LEVEL),CC" or "#ID", e.g. "Bandung,ID", "Fort Worth,US"')
        parser.add_argument(
            "--plan", type=int, help="The plan's id (default: the plan covering this year, else the latest)"
        )
        parser.add_argument("--json", action="store_true", help="Print one JSON object")

    def handle(self, *args, first: str, second: str, plan: int | None, **options):
        governments = []
        for text in (first, second):
            try:
                governments.append(resolve_government(text))
            except GovernmentLookupError as error:
                raise CommandError(government_lookup_message(error)) from None
        a, b = governments
        partnership = Partnership.objects.filter(
            Q(government_a=a, government_b=b) | Q(government_a=b, government_b=a)
        ).first()
        if partnership is None:
            raise CommandError(f"{a.name} and {b.name} are not partners.")
        found = partnership.plans.filter(pk=plan).first() if plan else services.current_plan(partnership)
        if found is None:
            raise CommandError(f"{partnership} has no plan of action{f' with id {plan}' if plan else ''}.")
        data = services.plan_json(services.plan_view(found))
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=1))
            return
        p = data["plan"]
        self.stdout.write(f"{p['title']} ({p['first_year']}–{p['last_year']}), progress {p['progress']}%")
        for t in data["targets"]:
            self.stdout.write(
                f"  {t['title']}: {t['achieved']} of {t['target']} {t['unit']} ({t['percent']}%) [{t['indicator']}]"
            )
        budget = data["budget"]
        self.stdout.write(f"Budget: {budget['planned']} {budget['currency']}")
        for f in data["funding"]:
            converted = f" = {f['converted']} {f['converted_currency']} ({f['rate']})" if f["rate"] else ""
            self.stdout.write(f"  {f['on']} {f['kind']} {f['funder']} {f['amount']} {f['currency']}{converted}")
