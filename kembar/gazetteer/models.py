from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .countries import country_name
from .vocab import Trait, TraitSource


class Place(models.Model):
    """A gazetteer entry: a GeoNames city, an ISO 3166-2 subdivision, or an unverified place.

    Unverified places come from imported rows that named a place the gazetteer does not know;
    they keep the row's own coordinates so nothing imported is lost.
    """

    class Kind(models.TextChoices):
        CITY = "city", _("City or town")
        SUBDIVISION = "subdivision", _("Subdivision")
        UNVERIFIED = "unverified", _("Unverified place")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.CITY)
    geonameid = models.PositiveIntegerField(_("GeoNames id"), null=True, blank=True, unique=True)
    subdivision_code = models.CharField(_("ISO 3166-2 code"), max_length=10, null=True, blank=True, unique=True)
    subdivision_type = models.CharField(_("subdivision type"), max_length=60, blank=True)
    name = models.CharField(_("name"), max_length=200)
    country_code = models.CharField(_("country"), max_length=2, db_index=True)
    admin1_code = models.CharField(_("first-level division code"), max_length=20, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    population = models.BigIntegerField(_("population"), default=0, db_index=True)
    timezone = models.CharField(_("time zone"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        indexes = [models.Index(fields=["country_code", "kind"])]

    def __str__(self) -> str:
        return f"{self.name}, {self.country_code}"

    @property
    def verified(self) -> bool:
        return self.kind != self.Kind.UNVERIFIED

    @property
    def country_name(self) -> str:
        return country_name(self.country_code)

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class PlaceName(models.Model):
    """One spelling of a place's name (any language or script), with its search key."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="names")
    name = models.CharField(max_length=200)
    key = models.CharField(max_length=200, db_index=True)

    class Meta:
        verbose_name = _("place name")
        verbose_name_plural = _("place names")

    def __str__(self) -> str:
        return self.name


class PlaceTrait(models.Model):
    """A trait a data source gives a place (a port, a former capital, on the coast...), with the
    date the source was read. Loaded by `kembar load-traits`; an office of a government at the
    place may withdraw one for its own place, which is recorded here (who, when, why) and kept
    when the traits are loaded again."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="data_traits")
    trait = models.CharField(_("trait"), max_length=30, choices=Trait.choices)
    source = models.CharField(_("source"), max_length=30, choices=TraitSource.choices)
    as_of = models.DateField(_("as of"))
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_reason = models.CharField(_("reason for the correction"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("place trait")
        verbose_name_plural = _("place traits")
        constraints = [models.UniqueConstraint(fields=["place", "trait", "source"], name="place_trait_once_per_source")]
        indexes = [models.Index(fields=["trait", "place"])]

    def __str__(self) -> str:
        return f"{self.place}: {self.trait} ({self.source})"

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None
