import json

from django.core.management.base import BaseCommand, CommandError

from kembar.partnerships import services, traits


class Command(BaseCommand):
    help = (
        "Show a place's traits with their sources: those from data (ports, capitals, coast, islands...) "
        "and, for a registered government, those its office recorded or withdrew. The place is given "
        'as "NAME,CC", "NAME (LEVEL),CC" or "#ID" (a government), e.g. "Surabaya,ID".'
    )

    def add_arguments(self, parser):
        parser.add_argument("place", help='"NAME,CC", "NAME (LEVEL),CC" or "#ID", e.g. "Kyoto,JP"')
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, place: str, json: bool = False, **options):
        try:
            found = traits.resolve_place_or_government(place)
        except services.GovernmentLookupError as error:
            raise CommandError(services.government_lookup_message(error)) from None
        except LookupError as error:
            raise CommandError(str(error)) from None
        data = traits.traits_report(found)
        if json:
            self.stdout.write(_json(data))
            return
        p = data["place"]
        self.stdout.write(f"{p['name']},{p['country']} ({p['kind']})")
        for t in data["traits"]:
            if t["source"] == "office":
                self.stdout.write(f"  {t['trait']}\trecorded by the office")
            else:
                state = f"\twithdrawn: {t['withdrawn']['reason']}" if "withdrawn" in t else ""
                detail = f" ({t['detail']})" if t.get("detail") else ""
                self.stdout.write(f"  {t['trait']}\t{t['source_name']}, as of {t['as_of']}{detail}{state}")
        if not data["traits"]:
            self.stdout.write("  no traits known")


def _json(data) -> str:
    return json.dumps(data, ensure_ascii=False)
