"""/api/insights: partnership health (one, or a list worst first) and the health map's lines.
The same visibility and figures as the pages (`insights.health.score`, `accounts.permissions`).

No `from __future__ import annotations`: ninja reads the annotations at import.
"""

import datetime as dt
from typing import Literal

from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema

from kembar.accounts import permissions
from kembar.api import params
from kembar.api.auth import READ
from kembar.api.errors import ERRORS
from kembar.api.pagination import MAX_LIMIT
from kembar.api.schemas import MAX_ID
from kembar.gazetteer.services import country_param
from kembar.partnerships.models import Partnership

from . import score

router = Router(tags=["insights"], auth=READ)
NOT_FOUND = gettext_lazy("No partnership with id %(id)s.")


class FactorOut(Schema):
    code: Literal["recency", "frequency", "agreement", "procedure", "actions", "two_sided", "plan"] = Field(
        description="plan: the plan of action in force, extra points shown to readers of the plan."
    )
    label: str
    points: int
    max: int
    text: str


class StepOut(Schema):
    text: str
    url: str = Field(description="The page where to do it (empty when the reader may not act).")


class HealthOut(Schema):
    partnership_id: int
    partners: str
    score: int = Field(description="0–100, the sum of the factors' points.")
    level: Literal["good", "fair", "poor"] = Field(description="The band of the score (its colour).")
    state: Literal["thriving", "slowing", "struggling", "dormant", "no_record"] = Field(
        description="The health state: no_record when nothing was recorded for the partnership (an imported link "
        "with no activity, agreement or meeting, confirmed or not); dormant when it has a record but no held activity "
        "within the dormancy period (KEMBAR_DORMANT_MONTHS); otherwise the band of the score."
    )
    dormant: bool = Field(
        description="No held activity within the dormancy period (KEMBAR_DORMANT_MONTHS), for a partnership with a "
        "record: false when the state is no_record."
    )
    last_held: dt.datetime | None
    factors: list[FactorOut]
    next_step: StepOut
    steps: list[StepOut]


class HealthPage(Schema):
    count: int
    items: list[HealthOut]


class MapOut(Schema):
    levels: list[str]
    states: list[str]
    lines: list[list[float]] = Field(
        description="[lat_a, lng_a, lat_b, lng_b, level index, partnership id, state index], in the order of the "
        "states (the healthiest last)."
    )


def _out(h: score.Health) -> dict:
    p = h.partnership
    steps = [{"text": s.text, "url": s.url} for s in h.steps]
    return {
        "partnership_id": p.pk,
        "partners": f"{p.government_a.name} – {p.government_b.name}",
        "score": h.score,
        "level": h.level,
        "state": h.state,
        "dormant": h.dormant,
        "last_held": h.last_held,
        "factors": [
            {"code": f.code, "label": f.label, "points": f.points, "max": f.max, "text": f.text} for f in h.factors
        ],
        "next_step": steps[0],
        "steps": steps,
    }


@router.get(
    "/health",
    response={200: HealthPage, **ERRORS},
    summary="Partnership health, worst first",
)
def health_list(
    request,
    government: int | None = Query(None, ge=1, le=MAX_ID, description="Either side is this government."),
    country: str = Query("", description="Either side in this country (ISO code or name)."),
    province: str = Query(
        "", max_length=30, description="Either side's first-level division, as COUNTRY.CODE (e.g. ID.30)."
    ),
    dormant: bool = Query(False, description="Only dormant partnerships (never those with no record)."),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=2**63 - 1),
):
    """The partnerships the caller sees (an office: its own; oversight bodies and platform
    administrators: all; without a token: public ones): those with a record worst first, then
    those with no record yet; each with its state, factors and next step."""
    filters = score.Filters(
        government=government, country=country_param(country), province=province, dormant_only=dormant
    )
    report = score.HealthReport(request.auth, filters)
    return {"count": report.count(), "items": [_out(h) for h in report.rows(offset=offset, limit=limit)]}


@router.get(
    "/health/{partnership_id}",
    response={200: HealthOut, **ERRORS},
    summary="One partnership's health",
)
def health_one(request, partnership_id: int):
    p = params.get_or_404(
        permissions.visible_partnerships(
            request.auth, Partnership.objects.select_related("government_a__place", "government_b__place")
        ),
        partnership_id,
        NOT_FOUND,
    )
    return _out(score.health_of(request.auth, p))


@router.get(
    "/map",
    response={200: MapOut, **ERRORS},
    summary="The health map's lines",
)
def health_map(request, government: int | None = Query(None, ge=1, le=MAX_ID)):
    """Every partnership the caller sees (of one government, if given) with both ends located."""
    report = score.HealthReport(request.auth, score.Filters(government=government))
    return {
        "levels": [name for _, name in reversed(score.LEVELS)],
        "states": list(score.MAP_STATES),
        "lines": score.map_lines(report),
    }
