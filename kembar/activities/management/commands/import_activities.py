import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kembar.activities import exchange


class Command(BaseCommand):
    help = (
        "Import activities from a CSV (or XLSX) in the format of export-activities: a row with the id of an "
        "existing activity updates it, any other row creates one; each row is reported."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--json",
            action="store_true",
            help='End with one JSON object {"rows_read", "created", "updated", "rejected"}',
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            report = exchange.import_rows(exchange.read_rows(path))
        except (UnicodeDecodeError, ValueError) as exc:
            raise CommandError(f"{path}: cannot be read as the export's CSV or XLSX format ({exc})")
        out = self.stderr if options["json"] else self.stdout
        for r in report.rows:
            if r.outcome == "rejected":
                out.write(f"row {r.line}: rejected: " + "; ".join(r.errors))
            else:
                out.write(f"row {r.line}: {r.outcome} activity {r.activity_id}")
        summary = report.summary()
        if options["json"]:
            self.stdout.write(json.dumps(summary))
        else:
            self.stdout.write(
                "{rows_read} rows read: {created} created, {updated} updated, {rejected} rejected".format(**summary)
            )
