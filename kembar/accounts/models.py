import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kembar.core import languages

from .vocab import OrganisationKind, OversightParty, Role


class Organisation(models.Model):
    """Who logs in: the office acting for one local government, or an oversight body."""

    Kind = OrganisationKind
    Party = OversightParty

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.GOVERNMENT)
    local_government = models.ForeignKey(
        "partnerships.LocalGovernment",
        verbose_name=_("local government"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
        help_text=_("The government this office acts for; empty for an oversight body."),
    )
    # An oversight body's scope: a national party (Kemendagri, Kemlu) covers its country, a
    # province's cooperation bureau its province (the governments of the places in it).
    party = models.CharField(
        _("party"),
        max_length=12,
        choices=OversightParty.choices,
        blank=True,
        help_text=_(
            "Which body this oversight organisation is: the procedure stages it acts on. "
            "Empty: it reads its scope and acts on no stage."
        ),
    )
    country_code = models.CharField(
        _("country"),
        max_length=2,
        blank=True,
        help_text=_("ISO code of the country an oversight body covers (for a province: the province's country)."),
    )
    province = models.ForeignKey(
        "gazetteer.Place",
        verbose_name=_("province"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The province a provincial bureau covers: its regencies and cities."),
    )
    email = models.EmailField(_("e-mail"), blank=True)
    # ISO 639-1 codes of kembar.core.languages: what the office reads and writes in.
    languages = models.JSONField(
        _("working languages"), default=list, blank=True, validators=[languages.validate_codes]
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="government", local_government__isnull=False)
                    | models.Q(kind="oversight", local_government__isnull=True)
                ),
                name="organisation_kind_matches_government",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        """An oversight body says what it covers (a country, or a provincial bureau its province)
        and which party it is, if it acts on procedure stages (without a party it only reads
        its scope); an office has neither."""
        from django.core.exceptions import ValidationError

        errors: dict[str, str] = {}
        if self.kind == self.Kind.OVERSIGHT:
            if self.party == self.Party.PROVINCE:
                if self.province is None:
                    errors["province"] = _("Choose the province a provincial bureau covers.")
                elif self.province.kind != "subdivision" or not self.province.admin1_code:
                    errors["province"] = _("Choose a first-level subdivision (a province).")
                else:
                    self.country_code = self.province.country_code
            elif self.province_id is not None:
                errors["province"] = _("Only a provincial bureau covers a province.")
            if self.party != self.Party.PROVINCE and not self.country_code:
                errors["country_code"] = _("Give the country a national body covers.")
        elif self.party or self.province_id is not None:
            errors["party"] = _("Only an oversight body has a party and a scope.")
        if errors:
            raise ValidationError(errors)


class Membership(models.Model):
    """A user's place in an office. Changes are kept (history): an office's administrators add
    members by invitation (kembar.offices), change their roles and remove them."""

    Role = Role

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.VIEWER)
    # Who joined, changed role or was removed, and by whom (the office page shows it).
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.role})"

    @property
    def can_edit(self) -> bool:
        return self.role in (self.Role.EDITOR, self.Role.ADMIN)


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the token is shown once at creation."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=8, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, user, name: str) -> tuple["ApiToken", str]:
        token = "kmb_" + secrets.token_urlsafe(32)
        return cls.objects.create(user=user, name=name, prefix=token[:8], digest=cls.hash(token)), token


class Profile(models.Model):
    """What a person sets for their own account: the language and time zone of every page
    (empty: the site's language or the header's switch, and the zone of the user's office),
    and which e-mail address they proved to receive."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    language = models.CharField(
        _("language"), max_length=8, blank=True, choices=languages.interface_choices, help_text=_("Pages and e-mails.")
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        help_text=_("How times read on pages; empty: the time zone of your office's place."),
    )
    verified_email = models.EmailField(_("verified e-mail"), blank=True, editable=False)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return str(self.user)


class AccountSession(models.Model):
    """A signed-in browser session of a user, so that its owner can see it and sign it out.
    The session itself lives in Django's session store; this row names it (the key, as stored
    there) with what the owner needs to recognise it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    signed_in = models.DateTimeField(_("signed in"), auto_now_add=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["-signed_in", "-pk"]

    def __str__(self) -> str:
        return f"{self.user} {self.signed_in:%Y-%m-%d %H:%M}"
