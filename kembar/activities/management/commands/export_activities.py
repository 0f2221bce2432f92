from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kembar.activities import exchange, ical, queries
from kembar.partnerships.services import GovernmentLookupError, government_lookup_message, resolve_government


class Command(BaseCommand):
    help = (
        "Export one government's activities (--government NAME,CC), or every public activity, "
        "as CSV, XLSX or iCalendar."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--government", help='"NAME,CC", "NAME (LEVEL),CC" or "#ID", e.g. "Bandung,ID", "Kyoto (prefecture),JP"'
        )
        parser.add_argument("--format", choices=["csv", "xlsx", "ics"], required=True)
        parser.add_argument("--output", required=True, help="File to write ('-' for standard output; not for xlsx)")
        parser.add_argument("--base-url", default="http://127.0.0.1:8000/", help="Links in the calendar")

    def handle(self, *args, **options):
        government = None
        if options["government"]:
            try:
                government = resolve_government(options["government"])
            except GovernmentLookupError as exc:
                raise CommandError(government_lookup_message(exc)) from None
        out = options["output"]
        if options["format"] == "ics":
            activities = queries.public_activities().order_by("start", "id")
            if government is not None:
                from django.db.models import Q

                activities = activities.filter(
                    Q(partnership__government_a=government) | Q(partnership__government_b=government)
                )
            name = government.name if government else "kembar"
            data = ical.calendar(activities, name=name, base_url=options["base_url"]).to_ical()
            if out == "-":
                self.stdout.write(data.decode())
            else:
                Path(out).write_bytes(data)
            self.stderr.write(f"{len(list(activities))} activities written to {out}")
            return
        activities = exchange.export_queryset(government)
        if options["format"] == "xlsx":
            if out == "-":
                raise CommandError("XLSX needs a file: give --output FILE.xlsx")
            n = exchange.write_xlsx(activities, out)
        elif out == "-":
            n = exchange.write_csv(activities, self.stdout)
        else:
            with open(out, "w", newline="", encoding="utf-8") as f:
                n = exchange.write_csv(activities, f)
        self.stderr.write(f"{n} activities written to {out}")
