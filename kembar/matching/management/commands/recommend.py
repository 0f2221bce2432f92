"""`kembar recommend "Bandung" --country ID --top 10`: partner suggestions with reasons."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from rapidfuzz import fuzz, process

from kembar.matching import services
from kembar.partnerships.models import LocalGovernment
from kembar.partnerships.services import GovernmentLookupError, government_lookup_message, resolve_government


class Command(BaseCommand):
    help = "Suggest partner places for a registered local government, with reasons."

    def add_arguments(self, parser):
        parser.add_argument(
            "government",
            help='The local government: a name (any spelling of its place), "NAME (LEVEL)" or "#ID"; '
            '"NAME,CC" or --country for the country.',
        )
        parser.add_argument("--country", default="", help="ISO country code of the government, e.g. ID.")
        parser.add_argument("--top", type=int, default=10)
        parser.add_argument("--partner-country", default="", help="Only suggest places in this country.")
        parser.add_argument(
            "--domestic",
            action="store_true",
            help="Also suggest places in the government's own country (otherwise only places abroad, "
            "unless --partner-country names it).",
        )
        parser.add_argument(
            "--all-levels",
            action="store_true",
            help="Places of every level of government (otherwise only the government's own: provinces, "
            "prefectures and states for a province; cities and municipalities for a city or regency).",
        )
        parser.add_argument(
            "--partner-region",
            default="",
            help="Only suggest places in this first-level division of --partner-country "
            "(GeoNames admin1 code, e.g. 30, or ISO 3166-2 code, e.g. ID-JB, for Jawa Barat).",
        )

    def handle(self, *args, **options):
        text = options["government"] + (f",{options['country']}" if options["country"] else "")
        try:
            government = resolve_government(text)
        except GovernmentLookupError as error:
            if error.candidates:
                raise CommandError(government_lookup_message(error)) from None
            close = "; ".join(close_names(options["government"], options["country"]))
            raise CommandError(str(error) + (" " + _("Did you mean: %(names)s?") % {"names": close} if close else ""))
        if options["partner_region"] and not options["partner_country"]:
            raise CommandError(_("Choose a country for the region: --partner-country."))
        filters = services.SuggestionFilter(
            country=options["partner_country"],
            region=options["partner_region"],
            domestic=options["domestic"],
            all_levels=options["all_levels"],
        )
        try:
            suggestions = services.suggest(government, filters, top=options["top"])
        except (services.ModelMissing, services.NotInModel) as error:
            raise CommandError(str(error)) from error
        if not suggestions:
            raise CommandError(_("No place matches these filters."))
        for n, s in enumerate(suggestions, 1):
            self.stdout.write(
                f"{n:2d}. {s.place.name}, {s.place.country_code}"
                + (f" ({s.government.name})" if s.government and s.government.name != s.place.name else "")
            )
            for reason in s.reasons:
                self.stdout.write(f"      - {reason}")


def close_names(name: str, country: str, limit: int = 5) -> list[str]:
    """Registered governments whose name looks like `name` (typos: "Bandnug" → "Bandung, ID")."""
    qs = LocalGovernment.objects.all()
    if country:
        qs = qs.filter(country_code=country.upper())
    choices = {g.pk: str(g) for g in qs.only("name", "country_code")}
    found = process.extract(
        name,
        {pk: text.rsplit(",", 1)[0] for pk, text in choices.items()},
        scorer=fuzz.WRatio,
        limit=limit,
        score_cutoff=70,
    )
    return [choices[pk] for _, _, pk in found]
