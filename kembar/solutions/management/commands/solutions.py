from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kembar.accounts import permissions
from kembar.partnerships import services as registry
from kembar.solutions import services


class Command(BaseCommand):
    help = (
        "The solution exchange. `match --government NAME,CC`: that government's needs, each with the "
        "best-fitting solutions of its partners and the reasons."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        m = sub.add_parser("match", help="needs of a government with their best-fitting partner solutions")
        m.add_argument(
            "--government",
            required=True,
            help='"NAME,CC", "NAME (LEVEL),CC" or "#ID", e.g. "Bandung,ID", "Kyoto (prefecture),JP"',
        )
        m.add_argument("--limit", type=int, default=3, help="solutions shown per need (default 3)")

    def handle(self, *args, action: str, government: str, limit: int, **options):
        try:
            found = registry.resolve_government(government)
        except registry.GovernmentLookupError as error:
            raise CommandError(registry.government_lookup_message(error)) from None
        # The command line is trusted: the operator reads every solution of the partners.
        report = services.matches_for_government(permissions.console_administrator(), found, limit=max(1, limit))
        self.stdout.write(
            _("%(government)s: %(count)d needs")
            % {"government": f"{found.name},{found.country_code}", "count": len(report)}
        )
        for need, fits in report:
            self.stdout.write(f"\n{need.title}")
            if not fits:
                self.stdout.write("  " + _("no fitting solution among the partners"))
            for fit in fits:
                g = fit.item.government
                self.stdout.write(f"  {fit.score:.2f}  {fit.item.title} ({g.name},{g.country_code})")
                self.stdout.write("        " + "; ".join(fit.reasons))
