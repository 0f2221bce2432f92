import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kembar.dashboard import generate


class Command(BaseCommand):
    help = (
        "Add generated volume (activities, agreements, meetings) to the imported registry, for "
        "benchmarks and load tests only; every generated title starts with “[generated]”."
    )

    def add_arguments(self, parser):
        parser.add_argument("--activities", type=int, default=100_000)
        parser.add_argument("--agreements", type=int, default=10_000)
        parser.add_argument("--meetings", type=int, default=20_000)
        parser.add_argument("--seed", type=int, default=2026, help="The same seed gives the same rows (default 2026).")
        parser.add_argument(
            "--today", type=dt.date.fromisoformat, default=None, help="The day the data is generated for (YYYY-MM-DD)."
        )
        parser.add_argument("--dry-run", action="store_true", help="Say what would be created; create nothing.")

    def handle(self, *args, **options):
        for name in ("activities", "agreements", "meetings"):
            if not 0 <= options[name] <= 10_000_000:
                raise CommandError(_("--%(option)s must be between 0 and 10,000,000.") % {"option": name})
        plan = generate.Plan(options["activities"], options["agreements"], options["meetings"], options["seed"])
        if options["today"]:
            plan.today = options["today"]
        try:
            partnerships = generate.registry_partnerships()
        except generate.RegistryMissing as error:
            raise CommandError(str(error)) from error
        if options["dry_run"]:
            self.stdout.write(generate.plan_summary(plan, len(partnerships)))
            return
        started = time.perf_counter()
        created = generate.generate(plan, log=lambda line: self.stderr.write(line), rows=partnerships)
        seconds = time.perf_counter() - started
        counts = ", ".join(f"{what.replace('_', ' ')} {n:,}" for what, n in created.as_dict().items())
        self.stdout.write(
            self.style.SUCCESS(
                _("Generated in %(seconds)s s: %(counts)s") % {"seconds": f"{seconds:.1f}", "counts": counts}
            )
        )
