from django.core.management.base import BaseCommand, CommandError

from kembar.partnerships import services


class Command(BaseCommand):
    help = (
        "List the partnerships of a registered local government, given by its address: "
        '"NAME,CC", "NAME (LEVEL),CC" or "#ID" (e.g. "Bandung,ID", "Kyoto (prefecture),JP").'
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "government", help='"NAME,CC", "NAME (LEVEL),CC" or "#ID", e.g. "Bandung,ID", "Kyoto (prefecture),JP"'
        )

    def handle(self, *args, government: str, **options):
        try:
            found = services.resolve_government(government)
        except services.GovernmentLookupError as error:
            raise CommandError(services.government_lookup_message(error)) from None
        partnerships = services.partnership_queryset().filter(services.involving(found)).order_by("since", "id")
        self.stdout.write(
            f"{found.name},{found.country_code} ({found.get_level_display()}): {partnerships.count()} partnerships"
        )
        for p in partnerships:
            other = p.other(found)
            since = p.since.year if p.since else "—"
            self.stdout.write(
                f"  {other.name},{other.country_code}\t{p.get_kind_display()}\t{p.get_status_display()}\t{since}"
            )
