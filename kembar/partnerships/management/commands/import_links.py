import json
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kembar.partnerships.importer import ImportFileError, import_links

SHOWN_REJECTIONS = 20


class Command(BaseCommand):
    help = (
        "Import a twinning list (CSV: city1,country1,lat1,lng1,city2,country2,lat2,lng2 or "
        "city1,country1,city2,country2) as partnerships. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
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
            _(
                "Rows read %(rows)d: pairs created %(created)d, duplicates merged %(merged)d, "
                "rows rejected %(rejected)d."
            )
            % {
                "rows": report.rows_read,
                "created": report.pairs_created,
                "merged": report.duplicates_merged,
                "rejected": report.rows_rejected,
            }
        )
        self.stdout.write(
            _(
                "Places linked to the gazetteer %(linked)d, unverified %(unverified)d (link rate %(rate).1f%%); "
                "new unverified places %(places)d, new governments %(governments)d; %(seconds).1f s."
            )
            % {
                "linked": report.places_linked,
                "unverified": report.places_unverified,
                "rate": report.link_rate * 100,
                "places": report.places_created,
                "governments": report.governments_created,
                "seconds": seconds,
            }
        )
        if report.rejected:
            self.stdout.write(
                _("Rejected rows (first %(shown)d of %(total)d):")
                % {"shown": min(SHOWN_REJECTIONS, len(report.rejected)), "total": len(report.rejected)}
            )
            for rejection in report.rejected[:SHOWN_REJECTIONS]:
                self.stdout.write(
                    _("  line %(line)d: %(reason)s") % {"line": rejection.line, "reason": rejection.reason}
                )


def _json(data) -> str:
    return json.dumps(data, ensure_ascii=False)
