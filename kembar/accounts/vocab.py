"""The choices of accounts: codes stored in the database, labels shown in both languages."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    GOVERNMENT = "government", _("Local government office")
    OVERSIGHT = "oversight", _("Oversight body")


class Role(models.TextChoices):
    VIEWER = "viewer", _("Viewer")
    EDITOR = "editor", _("Editor")
    ADMIN = "admin", _("Administrator")


class OversightParty(models.TextChoices):
    """Which body an oversight organisation is: the party whose procedure stages it acts on."""

    KEMENDAGRI = "kemendagri", _("Ministry of Home Affairs (Kemendagri)")
    KEMLU = "kemlu", _("Ministry of Foreign Affairs (Kemlu)")
    PROVINCE = "province", _("Provincial government (cooperation bureau)")

    @classmethod
    def national(cls) -> tuple[str, ...]:
        return (cls.KEMENDAGRI, cls.KEMLU)
