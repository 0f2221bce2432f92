"""/api/insights/pivot, /api/insights/sdg and /api/insights/report: the figures of the pages and
the report file, with the same scopes and the same visibility.

No `from __future__ import annotations` (see kembar/api/partnerships.py).
"""

import datetime as dt
from typing import Annotated

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import AuthenticationError

from kembar.accounts import permissions
from kembar.api.auth import READ
from kembar.api.errors import ERRORS
from kembar.api.schemas import MAX_ID

from . import reports
from .pivot import MAX_YEAR, MIN_YEAR, Scope, ScopeError, Tally, pivot, resolve_scope
from .sdg import SdgRow, sdg_report

router = Router(tags=["insights"], auth=READ)
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Year = Annotated[int, Field(ge=MIN_YEAR, le=MAX_YEAR)]
API_FIELDS = {"government": "government_id", "partnership": "partnership_id"}


class ScopeQuery(Schema):
    partnership_id: Id | None = Field(None, description="One partnership.")
    government_id: Id | None = Field(None, description="One government: its partnerships.")
    province: str | None = Field(None, max_length=10, description="An ISO 3166-2 code (ID-JB): every government in it.")
    year: Year | None = Field(None, description="Quarters of this year only (the periods always span every year).")


class ScopeOut(Schema):
    kind: str = Field(description="platform, province, government or partnership")
    label: str
    time_zone: str = Field(description="The zone whose quarters are counted.")


class TallyOut(Schema):
    total: int
    status: dict[str, int] = Field(description="planned, confirmed, held, postponed, cancelled")
    modality: dict[str, int] = Field(description="Of the activities planned, confirmed or held.")
    fields: dict[str, int] = Field(description="Per field of cooperation code ('' when none is given).")
    pivoted: int = Field(description="Planned in person, now virtual or hybrid.")


class QuarterOut(TallyOut):
    year: int
    quarter: int


class PeriodOut(TallyOut):
    key: str = Field(description="before, during or after the pandemic")
    label: str
    first: dt.date | None
    last: dt.date | None


class PivotOut(Schema):
    scope: ScopeOut
    year: int | None
    quarters: list[QuarterOut]
    periods: list[PeriodOut]


class SdgRowOut(Schema):
    code: str
    label: str
    activities: int
    held: int
    with_outcomes: int
    participants: int
    priority_of: int = Field(description="Governments in scope that name the goal a priority.")


class SdgOut(Schema):
    scope: ScopeOut
    year: int | None
    activities: int
    with_sdg: int
    governments: int
    goals: list[SdgRowOut]
    targets: list[SdgRowOut] = Field(description="SDG 11's targets.")


def _scope(request, query: ScopeQuery) -> Scope:
    try:
        return resolve_scope(
            request.user, partnership=query.partnership_id, government=query.government_id, province=query.province
        )
    except ScopeError as error:
        raise ValidationError({API_FIELDS.get(error.field, error.field): [str(error)]}) from None


def _scope_out(scope: Scope) -> dict:
    return {"kind": scope.kind, "label": scope.label, "time_zone": scope.zone.key}


def _tally(t: Tally) -> dict:
    return {"total": t.total, "status": t.status, "modality": t.modality, "fields": t.field, "pivoted": t.pivoted}


def _sdg_row(row: SdgRow) -> dict:
    return {
        "code": row.code,
        "label": row.label,
        "activities": row.activities,
        "held": row.held,
        "with_outcomes": row.with_outcomes,
        "participants": row.participants,
        "priority_of": row.priority_of,
    }


@router.get(
    "/pivot",
    response={200: PivotOut, **ERRORS},
    summary="Activities per quarter and pandemic period",
)
def pivot_figures(request, query: Query[ScopeQuery]):
    """Per quarter (in the scope's time zone) by status, modality and field, and before, during and
    after the pandemic. Only the activities the caller may read are counted."""
    scope = _scope(request, query)
    result = pivot(request.user, scope, year=query.year)
    return {
        "scope": _scope_out(scope),
        "year": query.year,
        "quarters": [{"year": q.year, "quarter": q.quarter, **_tally(q.tally)} for q in result.quarters],
        "periods": [
            {"key": p.key, "label": p.label, "first": p.first, "last": p.last, **_tally(p.tally)}
            for p in result.periods
        ],
    }


@router.get(
    "/sdg",
    response={200: SdgOut, **ERRORS},
    summary="Activities and outcomes per SDG and SDG 11 target",
)
def sdg_figures(request, query: Query[ScopeQuery]):
    scope = _scope(request, query)
    report = sdg_report(request.user, scope, year=query.year)
    return {
        "scope": _scope_out(scope),
        "year": query.year,
        "activities": report.activities,
        "with_sdg": report.with_sdg,
        "governments": report.governments,
        "goals": [_sdg_row(r) for r in report.goals],
        "targets": [_sdg_row(r) for r in report.targets],
    }


class ReportQuery(Schema):
    government_id: Id | None = Field(
        None, description="A government's report; without it (and without `province`) the platform's roll-up."
    )
    province: str | None = Field(None, max_length=10, description="A province's roll-up (ISO 3166-2 code).")
    year: Year | None = Field(None, description="Default: this year.")
    format: str = Field("pdf", description="pdf or xlsx")
    language: str = Field("id", description="id or en")


@router.get(
    "/report",
    response=ERRORS,
    summary="The periodic report as PDF or XLSX",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The report file.",
                "content": {
                    reports.CONTENT_TYPES[f]: {"schema": {"type": "string", "format": "binary"}}
                    for f in reports.FORMATS
                },
            }
        }
    },
)
def report_file(request, query: Query[ReportQuery]):
    """A government's report for its office, oversight bodies and platform administrators; a
    roll-up (province, platform) for oversight bodies and platform administrators."""
    if not request.user.is_authenticated:
        raise AuthenticationError()
    scope = _scope(request, ScopeQuery(government_id=query.government_id, province=query.province))
    try:
        fmt, language = reports.check_options(query.format, query.language)
    except reports.ReportError as error:
        raise ValidationError({error.field: [str(error)]}) from None
    if not permissions.can_download_report(request.user, scope.government):
        raise PermissionDenied(
            _(
                "Only the government's own office, oversight bodies and platform administrators "
                "may download this report."
            )
        )
    year = query.year or timezone.now().year
    response = HttpResponse(
        reports.write_report(request.user, scope, year, fmt, language), content_type=reports.CONTENT_TYPES[fmt]
    )
    response["Content-Disposition"] = f'attachment; filename="{reports.filename(scope, year, fmt)}"'
    return response
