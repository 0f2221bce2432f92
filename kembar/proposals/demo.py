"""The demo's proposal from outside: a Japanese city's, waiting in Bandung's inbox."""

from __future__ import annotations

from kembar.core.security import address_digest
from kembar.partnerships.models import LocalGovernment

from .models import Proposal

DEMO_EMAIL = "kokusai@city.kumamoto.example"


def load(governments: dict[str, LocalGovernment]) -> int:
    """One new proposal to Bandung (idempotent); how many were made."""
    bandung = governments.get("bandung")
    if bandung is None or Proposal.objects.filter(government=bandung, email=DEMO_EMAIL).exists():
        return 0
    Proposal.objects.create(
        government=bandung,
        organisation_name="Kumamoto City",
        country_code="JP",
        contact_name="Sato Haruka",
        email=DEMO_EMAIL,
        website="https://www.city.kumamoto.jp",
        fields=["disaster", "education"],
        plan=(
            "Kumamoto rebuilt after the 2016 earthquakes; Bandung lies on the Lembang fault. We propose "
            "an exchange on earthquake preparedness: a joint seminar of both disaster management "
            "offices in 2027, school drills shared between two pilot schools of each city, and a "
            "study visit of Bandung's engineers to Kumamoto's reconstruction projects."
        ),
        language="en",
        address_digest=address_digest("demo", "proposals"),
    )
    return 1
