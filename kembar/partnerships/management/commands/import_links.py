import json
import time

from django.core.management.base import BaseCommand, CommandError

from kembar.partnerships.importer import ImportFileError, import_links

SHOWN_REJECTIONS = 20


class Command(BaseCommand):
    help = ("Import a twinning list (CSV: city1,country1,lat1,lng1,city2,country2,lat2,lng2 or "
            "city1,country1,city2,country2) as partnerships. Idempotent.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file")
        parser.add_argument("--no-progress", action="store_true")
        parser.add_argument("--json", action="store_true", help="print the report as JSON on the last line")

    def handle(self, *args, file, no_progress, json: bool = False, **options):
        started = time.monotonic()
        try:
            report = import_links(file, progress=not no_progress)
        except ImportFileError as error:
            raise CommandError(f"{file}: {error}")
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror or error}")
        seconds = time.monotonic() - started
        if json:
            self.stdout.write(_json({**report.as_dict(), "seconds": round(seconds, 1)}))
            return
        self.stdout.write(
            f"Rows read {report.rows_read}: pairs created {report.pairs_created}, "
            f"duplicates merged {report.duplicates_merged}, rows rejected {report.rows_rejected}.\n"
            f"Places linked to the gazetteer {report.places_linked}, unverified {report.places_unverified} "
            f"(link rate {report.link_rate:.1%}); new unverified places {report.places_created}, "
            f"new governments {report.governments_created}; {seconds:.1f} s")
        if report.rejected:
            self.stdout.write(f"Rejected rows (first {min(SHOWN_REJECTIONS, len(report.rejected))} "
                              f"of {len(report.rejected)}):")
            for rejection in report.rejected[:SHOWN_REJECTIONS]:
                self.stdout.write(f"  line {rejection.line}: {rejection.reason}")
        self.stdout.write(self.style.SUCCESS("Import done."))


def _json(data) -> str:
    return json.dumps(data, ensure_ascii=False)
