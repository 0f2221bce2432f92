import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from kembar.plans import services
from kembar.plans.models import ExchangeRate


class Command(BaseCommand):
    help = (
        "The exchange rates the platform administrator keeps. `kembar rates` lists them; "
        "`kembar rates set EUR IDR 17250.5 --from 2026-01-01` says 1 EUR = 17,250.5 IDR from that day on."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", nargs="?", choices=["list", "set"], default="list")
        parser.add_argument("currency", nargs="?")
        parser.add_argument("quote", nargs="?")
        parser.add_argument("rate", nargs="?")
        parser.add_argument("--from", dest="valid_from", help="YYYY-MM-DD (default: today)")
        parser.add_argument("--source", default="", help="Where the rate comes from")

    def handle(self, *args, action, currency, quote, rate, valid_from, source, **options):
        if action == "list":
            for r in ExchangeRate.objects.all():
                self.stdout.write(f"{r.valid_from}  1 {r.currency} = {r.rate.normalize()} {r.quote}  {r.source}")
            return
        if not (currency and quote and rate):
            raise CommandError("Give CURRENCY QUOTE RATE, e.g. `kembar rates set EUR IDR 17250.5 --from 2026-01-01`.")
        try:
            value = Decimal(rate)
        except InvalidOperation:
            raise CommandError(f"“{rate}” is not a number.") from None
        try:
            day = dt.date.fromisoformat(valid_from) if valid_from else dt.date.today()
        except ValueError:
            raise CommandError("Give --from as YYYY-MM-DD.") from None
        try:
            found = services.set_rate(currency, quote, value, day, source)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(f"{found.valid_from}: 1 {found.currency} = {found.rate.normalize()} {found.quote}")
