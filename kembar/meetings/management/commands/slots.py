import datetime as dt
import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kembar.meetings import services


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(_("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": text}) from None


class Command(BaseCommand):
    help = (
        "Propose meeting slots for places in different time zones, avoiding weekends and public holidays: "
        'kembar slots --place "Bandung,ID" --place "Fort Worth,US" --from 2026-11-23 --to 2026-11-29 '
        "--duration 60"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--place",
            action="append",
            required=True,
            dest="places",
            help='A gazetteer place as NAME,CC (repeat for each side), e.g. "Fort Worth,US", or the address of a '
            'registered government, e.g. "Kyoto (prefecture),JP" or "#12"',
        )
        parser.add_argument("--from", dest="start", required=True, help="First day (YYYY-MM-DD, UTC)")
        parser.add_argument("--to", dest="end", required=True, help="Last day (YYYY-MM-DD, UTC)")
        parser.add_argument("--duration", type=int, required=True, help="Minutes")
        parser.add_argument("--top", type=int, default=5, help="How many slots (default 5)")
        parser.add_argument("--json", action="store_true", help="Print one JSON array of slots, best first")

    def handle(self, *args, places, start, end, duration, top, **options):
        sides = []
        for text in places:
            try:
                place = services.resolve_place(text)
            except services.PlaceLookupError as error:
                lines = [str(error)]
                if error.candidates:
                    lines.append(_("Close names:"))
                    lines += [f"  {p.name},{p.country_code}" for p in error.candidates]
                raise CommandError("\n".join(lines)) from None
            sides.append(services.side_for_place(place))
        try:
            result = services.find_slots(sides, _date(start), _date(end), duration, top)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        if options["json"]:
            self.stdout.write(_dumps([services.slot_dict(s) for s in result.slots]))
            return
        if result.notice(_):
            self.stdout.write(result.notice(_))
        for number, slot in enumerate(result.slots, 1):
            self.stdout.write(f"{number}. {slot.start:%Y-%m-%d %H:%M}–{slot.end:%H:%M} UTC  {slots_explain(slot)}")


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def slots_explain(slot) -> str:
    from kembar.meetings.slots import explain

    return explain(slot, _)
