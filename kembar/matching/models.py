from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kembar.core import languages
from kembar.core.models import Versioned
from kembar.partnerships.models import CooperationField, LocalGovernment

from .vocab import RequestStatus

LANGUAGES_NOTE_MAX = 200


class PartnerRequest(Versioned):
    """A local government's public call for a partner: what it offers, what it seeks."""

    Status = RequestStatus

    government = models.ForeignKey(
        LocalGovernment, verbose_name=_("local government"), on_delete=models.CASCADE, related_name="partner_requests"
    )
    title = models.CharField(_("title"), max_length=200)
    offers = models.TextField(_("what we offer"))
    seeks = models.TextField(_("what we seek"))
    preferred_countries = models.JSONField(_("preferred countries"), default=list, blank=True)
    fields = models.ManyToManyField(
        CooperationField, verbose_name=_("fields of cooperation"), blank=True, related_name="partner_requests"
    )
    # ISO 639-1 codes of kembar.core.languages, in the requester's order; what the list lacks
    # goes into the note.
    languages = models.JSONField(
        _("working languages"), default=list, blank=True, validators=[languages.validate_codes]
    )
    languages_note = models.CharField(
        _("other languages"),
        max_length=LANGUAGES_NOTE_MAX,
        blank=True,
        help_text=_("What the list of languages lacks."),
    )
    contact_email = models.EmailField(_("contact e-mail"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PUBLISHED, db_index=True
    )

    class Meta:
        verbose_name = _("partner request")
        verbose_name_plural = _("partner requests")
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("matching:request", args=[self.pk])

    def language_names(self) -> str:
        """The working languages' names in the active language: "Korea, Inggris"."""
        return languages.names(self.languages or [])

    def preferred_country_names(self) -> list[str]:
        """The preferred countries' names in the active language."""
        from kembar.gazetteer.countries import country_name

        return [country_name(code) for code in self.preferred_countries]


class Interest(models.Model):
    """A government's expressed interest in a partner request."""

    request = models.ForeignKey(PartnerRequest, on_delete=models.CASCADE, related_name="interests")
    government = models.ForeignKey(
        LocalGovernment, verbose_name=_("local government"), on_delete=models.CASCADE, related_name="+"
    )
    message = models.TextField(_("message"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("interest")
        verbose_name_plural = _("interests")
        constraints = [models.UniqueConstraint(fields=["request", "government"], name="interest_unique")]
