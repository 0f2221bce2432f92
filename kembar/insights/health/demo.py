"""Demo data for partnership health: Bandung – Braunschweig is the lively one (activities held
in recent months, hosted by both cities), next to Bandung – Fort Worth, whose last activity was
in 2020 (dormant), and the exploration with Suwon (nothing held yet). Dates are relative to the
day the demo is loaded, so the spread stays true; idempotent by title."""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.db.models import Q
from django.utils import timezone

from kembar.activities.models import Activity
from kembar.activities.services import create_activity
from kembar.partnerships.models import LocalGovernment, Partnership

LIVELY = [  # (months ago, host, title, type, field, modality)
    (
        2,
        "braunschweig",
        "Vocational training exchange at TU Braunschweig",
        "student_exchange",
        "education",
        "in_person",
    ),
    (5, "bandung", "Bandung smart-city lab: joint online workshop", "information_exchange", "smart_city", "virtual"),
    (
        9,
        "braunschweig",
        "Braunschweig delegation at the Bandung Culture Festival",
        "cultural_event",
        "culture",
        "in_person",
    ),
    (15, "bandung", "Expert visit on urban mobility", "expert_dispatch", "urban", "hybrid"),
]


def load(governments: dict[str, LocalGovernment]) -> int:
    """Add the held activities that are missing; returns how many were created."""
    bandung, braunschweig = governments["bandung"], governments["braunschweig"]
    partnership = Partnership.objects.filter(
        Q(government_a=bandung, government_b=braunschweig) | Q(government_a=braunschweig, government_b=bandung)
    ).first()
    if partnership is None:
        return 0
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    created = 0
    for months, host, title, kind, field, modality in LIVELY:
        if Activity.objects.filter(partnership=partnership, title=title).exists():
            continue
        start = now - relativedelta(months=months)
        create_activity(
            None,
            partnership,
            check_permission=False,
            title=title,
            type=kind,
            field=field,
            modality=modality,
            status="held",
            host=governments[host],
            start=start,
            end=start + dt.timedelta(hours=6),
            public=True,
            sdg_targets=["4", "11.3", "17"],
            description="Demo data.",
        )
        created += 1
    return created
