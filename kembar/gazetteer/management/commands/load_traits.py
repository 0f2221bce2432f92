import json
import time

from django.core.management.base import BaseCommand

from kembar.gazetteer.traits import load_traits


class Command(BaseCommand):
    help = (
        "Give the loaded places their traits from sourced data (Natural Earth ports and land, GeoNames "
        "capitals, former capitals). Idempotent; `load-gazetteer` runs it too."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args, json: bool = False, **options):
        started = time.monotonic()
        report = load_traits()
        seconds = time.monotonic() - started
        if json:
            self.stdout.write(_json({**report.as_dict(), "seconds": round(seconds, 1)}))
        else:
            counts = ", ".join(f"{t} {n}" for t, n in sorted(report.by_trait.items()))
            self.stdout.write(
                self.style.SUCCESS(
                    f"Traits created {report.created}, updated {report.updated}, deleted {report.deleted}, "
                    f"unchanged {report.unchanged} ({counts}); {seconds:.1f} s"
                )
            )


def _json(data) -> str:
    return json.dumps(data, ensure_ascii=False)
