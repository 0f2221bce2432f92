from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from kembar.core.outputs import check_output, write_output
from kembar.insights.analytics import reports
from kembar.insights.analytics.pivot import ScopeError, parse_year, resolve_scope


class Command(BaseCommand):
    help = (
        "Write the periodic report of a local government for a year, as PDF or XLSX: "
        'kembar report --government "Bandung,ID" --year 2026 --format pdf --output FILE. '
        'With --province (ISO 3166-2 code, e.g. ID-JB, or name, e.g. "Jawa Barat") or neither, '
        "a roll-up of the province or the platform."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--government", help='"NAME,CC", "NAME (LEVEL),CC" or "#ID", e.g. "Bandung,ID", "Kyoto (prefecture),JP"'
        )
        parser.add_argument(
            "--province", help='An ISO 3166-2 code (ID-JB) or a name ("Jawa Barat") for a province\'s roll-up'
        )
        parser.add_argument("--year", required=True, help="The year reported on, e.g. 2026")
        parser.add_argument("--format", dest="fmt", default="pdf", help="pdf (default) or xlsx")
        parser.add_argument("--language", default="id", help="id (Bahasa Indonesia, default), en or ja")
        parser.add_argument("--output", required=True, help="The file to write")

    def handle(self, *args, government, province, year, fmt, language, output, **options):
        if government and province:
            raise CommandError(_("Give either --government or --province, not both."))
        try:
            year_value = parse_year(year)
            scope = resolve_scope(reports.OPERATOR, government=government, province=province)
            fmt, language = reports.check_options(fmt, language)
        except (ScopeError, reports.ReportError) as error:
            raise CommandError(str(error)) from None
        if year_value > timezone.now().year + 1:
            raise CommandError(_("%(year)s has not begun yet: nothing can be reported on it.") % {"year": year_value})
        check_output(output)
        content = reports.write_report(reports.OPERATOR, scope, year_value, fmt, language)
        write_output(output, content)
        self.stdout.write(f"{output}: {scope.label}, {year_value}, {fmt.upper()} ({language}), {len(content):,} bytes")
