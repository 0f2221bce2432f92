import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kembar.activities import exchange


class Command(BaseCommand):
    help = (
        "Import activities from a CSV (or XLSX) in the format of export-activities: a row with the id of an "
        "existing activity updates it, any other row creates one; each row is reported. All or nothing: the "
        "whole file is read first, and if any row is rejected nothing is imported (exit status 1)."
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
            report = exchange.import_rows(exchange.read_file(path))
        except exchange.ImportFileError as exc:
            raise CommandError(f"{path}: {exc}")
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
        if report.rolled_back:
            raise CommandError(
                _(
                    "Nothing was imported: %(rejected)d of %(rows)d rows were rejected. Correct them and import the file again."
                )
                % {"rejected": summary["rejected"], "rows": summary["rows_read"]}
            )
