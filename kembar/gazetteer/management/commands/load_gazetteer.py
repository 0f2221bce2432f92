import json
import time

from django.core.management.base import BaseCommand

from kembar.gazetteer.services import load_gazetteer
from kembar.gazetteer.traits import load_traits


class Command(BaseCommand):
    help = "Load GeoNames cities (population >= 500), ISO 3166-2 subdivisions and second-level divisions. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--min-population", type=int, default=500, choices=[500, 1000, 5000, 15000])
        parser.add_argument(
            "--country",
            action="append",
            dest="countries",
            metavar="CC",
            help="only this country (repeatable), e.g. --country ID --country JP",
        )
        parser.add_argument("--no-progress", action="store_true")
        parser.add_argument("--json", action="store_true", help="print the report as JSON on the last line")
        parser.add_argument("--no-traits", action="store_true", help="skip the traits from data (`load-traits`)")

    def handle(self, *args, min_population, countries, no_progress, json: bool = False, no_traits=False, **options):
        started = time.monotonic()
        report = load_gazetteer(min_population=min_population, countries=countries, progress=not no_progress)
        traits = None if no_traits else load_traits()
        seconds = time.monotonic() - started
        if json:
            extra = {"traits": traits.as_dict()} if traits else {}
            self.stdout.write(_json({**report.as_dict(), **extra, "seconds": round(seconds, 1)}))
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Places created {report.created}, updated {report.updated}, unchanged {report.unchanged}; "
                    f"names created {report.names_created}; "
                    + (f"traits created {traits.created}, deleted {traits.deleted}; " if traits else "")
                    + f"{seconds:.1f} s"
                )
            )


def _json(data) -> str:
    return json.dumps(data, ensure_ascii=False)
