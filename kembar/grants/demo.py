"""Demo data of grant calls and the yearly self-assessment, so matching and the side-by-side
scores show something right after `make run`.

The calls are demo text modelled on real kinds of calls (the EU's city-to-city partnerships, an
embassy's small grants for exchanges); no such call exists with these words. Idempotent: a call
is keyed by its title, an assessment by its partnership, side and year.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from kembar.partnerships.models import LocalGovernment, Partnership

from . import services
from .models import GrantCall, SelfAssessment

EU_MEMBERS = "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split()

CALLS = [
    dict(
        title="Demo: EU city partnerships for sustainable urban development",
        funder_name="European Commission (demo call)",
        funder_type="eu",
        description=(
            "DEMO TEXT, not a real call. Co-financing for partnerships between a local authority in an "
            "EU member state and one in a partner country, exchanging practice on smart, green and well-"
            "governed cities: pilots, expert exchanges and staff secondments over 24–36 months."
        ),
        link="https://example.org/demo/eu-city-partnerships",
        partnership_kinds=["sister_city", "sister_province", "cooperation"],
        countries=EU_MEMBERS,
        fields=["smart_city", "environment", "urban"],
        activity_types=["smart_city_project", "expert_dispatch", "information_exchange"],
        amount_min=Decimal("500000"),
        amount_max=Decimal("2000000"),
        currency="EUR",
        days=75,
        time=dt.time(12, 0),
        zone="Europe/Brussels",
    ),
    dict(
        title="Demo: small grants for youth and student exchanges between US and Indonesian cities",
        funder_name="Demo Embassy Public Diplomacy Fund",
        funder_type="bilateral",
        description=(
            "DEMO TEXT, not a real call. Small grants for sister cities of the United States and Indonesia "
            "that send students, teachers or young artists on exchanges, in person or online."
        ),
        link="https://example.org/demo/youth-exchange-small-grants",
        partnership_kinds=["sister_city", "friendship"],
        countries=["US", "ID"],
        fields=["education", "culture", "youth_sport"],
        activity_types=["student_exchange", "language_training", "cultural_event"],
        amount_min=Decimal("10000"),
        amount_max=Decimal("50000"),
        currency="USD",
        days=25,
        time=None,
        zone="Asia/Jakarta",
    ),
]

# Bandung's and Fort Worth's answers: (last year, this year), in the order of vocab.QUESTIONS.
ANSWERS = {
    "bandung": ([4, 4, 3, 3, 2, 1, 4, 3, 3, 2], [4, 5, 4, 3, 2, 2, 4, 4, 4, 3]),
    "fort_worth": ([3, 3, 3, 2, 2, 2, 3, 4, 3, 2], None),
}


def _answers(scores: list[int]) -> dict:
    from .vocab import QUESTION_CODES

    out = {code: {"score": s} for code, s in zip(QUESTION_CODES, scores)}
    out["financing_external"]["comment"] = "Demo: no outside funding found yet; the EU call is worth a try."
    return out


def load(governments: dict[str, LocalGovernment], now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    # The demo's platform administrator enters the calls and answers for both sides (history needs a user).
    admin = get_user_model().objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    made = {"grant calls": 0, "self-assessments": 0}
    if admin is None:
        return made
    for spec in CALLS:
        if GrantCall.objects.filter(title=spec["title"]).exists():
            continue
        data = {k: v for k, v in spec.items() if k not in {"days", "time", "zone"}}
        services.create_call(
            admin,
            deadline=(now + dt.timedelta(days=spec["days"])).date(),
            deadline_time=spec["time"],
            deadline_zone=spec["zone"],
            **data,
        )
        made["grant calls"] += 1
    bandung, fort_worth = governments.get("bandung"), governments.get("fort_worth")
    if bandung is None or fort_worth is None:
        return made
    partnership = Partnership.objects.filter(
        Q(government_a=bandung, government_b=fort_worth) | Q(government_a=fort_worth, government_b=bandung)
    ).first()
    if partnership is None:
        return made
    for key, government in (("bandung", bandung), ("fort_worth", fort_worth)):
        for moment, scores in zip((now.replace(month=6, day=30) - dt.timedelta(days=365), now), ANSWERS[key]):
            if scores is None:
                continue
            year = services.local_year(partnership, government.pk, moment)
            if SelfAssessment.objects.filter(partnership=partnership, government=government, year=year).exists():
                continue
            services.answer_assessment(admin, partnership, government.pk, _answers(scores), year=year, now=moment)
            made["self-assessments"] += 1
    return made
