"""Demo data for the oversight roll-up: links of the real twinning list (source "import", nothing
recorded under them: "no record yet", never dormant) between DKI Jakarta and cities of the
gazetteer's demo countries, and the value of the masks Busan sent Surabaya in 2020 (a money
line of the shipment), so each section of /oversight/ shows something. Idempotent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model

from kembar.activities.models import AidShipment
from kembar.gazetteer.models import Place
from kembar.partnerships.models import LocalGovernment, Partnership
from kembar.partnerships.services import government_for_place
from kembar.plans import services as plan_services
from kembar.plans.models import MoneyLine

# (demo government key, city, country): pairs of the real twinning list (twin_cities.csv).
LISTED = [("jakarta", "Seoul", "KR"), ("jakarta", "Tokyo", "JP"), ("jakarta", "Los Angeles", "US")]
MASKS = "Surgical masks for Surabaya"


def load(governments: dict[str, LocalGovernment]) -> int:
    """Add the missing imported links and the shipment's value; returns how many links were made."""
    created = 0
    for key, name, country in LISTED:
        place = (
            Place.objects.filter(kind=Place.Kind.CITY, name=name, country_code=country).order_by("-population").first()
        )
        if place is None or key not in governments:
            continue
        other = LocalGovernment.objects.filter(place=place).first() or government_for_place(place)
        first, second = sorted((governments[key], other), key=lambda g: g.pk)
        _link, made = Partnership.objects.get_or_create(
            government_a=first, government_b=second, defaults={"source": Partnership.Source.IMPORT}
        )
        created += made
    shipment = AidShipment.objects.filter(title=MASKS).first()
    admin = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    if shipment and admin and not MoneyLine.objects.filter(aid=shipment).exists():
        plan_services.add_line(
            admin,
            shipment,
            side=shipment.donor,
            kind="spent",
            funder="partner_city",
            amount=Decimal("25000"),
            currency="USD",
            on=shipment.shipped_on or dt.date(2020, 4, 9),
            note="Demo data.",
        )
    return created
