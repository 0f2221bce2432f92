"""/api/insights/pivot, /api/insights/sdg and /api/insights/reports: the figures of the pages and
the report files (asked for, built by the job queue, then downloaded), with the same scopes and
the same visibility. The old GET /api/insights/report answers 410 Gone.

No `from __future__ import annotations` (see kembar/api/partnerships.py).
"""

import datetime as dt
from typing import Annotated

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status as Reply

from kembar.api.auth import READ, WRITE
from kembar.api.errors import ERRORS, WRITE_ERRORS, Error
from kembar.api.schemas import MAX_ID
from kembar.core.uploads import download_response
from kembar.insights.models import ReportFile

from . import report_files, reports
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


class ReportRequest(Schema):
    government_id: Id | None = Field(
        None, description="A government's report; without it (and without `province`) the platform's roll-up."
    )
    province: str | None = Field(None, max_length=10, description="A province's roll-up (ISO 3166-2 code).")
    year: Year | None = Field(None, description="Default: this year.")
    format: str = Field("pdf", max_length=10, description="pdf or xlsx")
    language: str = Field("id", max_length=10, description="A language of the interface: id, en or ja.")


class ReportOut(Schema):
    id: int
    status: str = Field(description="queued, building, ready or failed")
    url: str = Field(description="This report's status (GET it again until it is ready or failed).")
    file: str | None = Field(description="Where to download the file, once it is ready.")
    page: str = Field(description="The same status as a page, for a browser.")
    scope: str = Field(description="What the report is about: a government, a province or the platform.")
    year: int
    format: str
    language: str
    size: int | None = Field(description="Bytes of the file, once it is ready.")
    failure: str | None = Field(description="Why it failed: access, stale, queue or error.")
    error: str | None = Field(description="Why it failed, in words (the caller's language).")
    created: dt.datetime = Field(description="When it was asked for (UTC).")
    finished: dt.datetime | None = Field(description="When it was ready or failed (UTC).")


def _report_out(report: ReportFile) -> dict:
    failed = report.status == ReportFile.Status.FAILED
    ready = report.status == ReportFile.Status.READY
    return {
        "id": report.pk,
        "status": report.status,
        "url": reverse("api:insights_report_status", args=[report.pk]),
        "file": reverse("api:insights_report_download", args=[report.pk]) if ready else None,
        "page": reverse("insights:report_status", args=[report.pk]),
        "scope": report.scope_label,
        "year": report.year,
        "format": report.format,
        "language": report.language,
        "size": report.size if ready else None,
        "failure": (report.failure or None) if failed else None,
        "error": report_files.failure_message(report) if failed else None,
        "created": report.created,
        "finished": report.finished,
    }


# A report belongs to whoever asked for it: every report operation needs a token or a session.
@router.post(
    "/reports",
    auth=WRITE,
    response={202: ReportOut, **WRITE_ERRORS},
    url_name="insights_report_request",
    summary="Ask for the periodic report (PDF or XLSX), built in the background",
)
def report_request(request, body: ReportRequest, response: HttpResponse):
    """A government's report for its office, oversight bodies and platform administrators; a
    roll-up (province, platform) for oversight bodies and platform administrators. The job queue
    builds it: the answer is 202 with the report's status and its `url` (also the `Location`
    header); GET that until `status` is `ready`, then download `file`. The same request made
    within the hour by the same caller answers with the same report (waiting or ready)."""
    scope = _scope(request, ScopeQuery(government_id=body.government_id, province=body.province))
    year = body.year or timezone.now().year
    try:
        report = report_files.request_report(request.user, scope, year, body.format, body.language)
    except reports.ReportError as error:
        raise ValidationError({error.field: [str(error)]}) from None
    out = _report_out(report)
    response["Location"] = out["url"]
    return Reply(202, out)


@router.get(
    "/reports/{report_id}",
    auth=WRITE,
    response={200: ReportOut, **ERRORS},
    url_name="insights_report_status",
    summary="Where a requested report stands",
)
def report_status(request, report_id: Id):
    """The report's status (404 for anyone but the caller who asked for it)."""
    return _report_out(report_files.visible_report(request.user, report_id))


@router.get(
    "/reports/{report_id}/file",
    auth=WRITE,
    response={409: Error, **ERRORS},
    url_name="insights_report_download",
    summary="Download a requested report",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The report file, as an attachment (private, not cached).",
                "content": {
                    reports.CONTENT_TYPES[f]: {"schema": {"type": "string", "format": "binary"}}
                    for f in reports.FORMATS
                },
            }
        }
    },
)
def report_download(request, report_id: Id):
    """The file once the report is ready; 409 while it is waiting or being built, or when it failed."""
    report = report_files.visible_report(request.user, report_id)
    if report.status == ReportFile.Status.FAILED:
        return Reply(409, {"detail": report_files.failure_message(report)})
    if report.status != ReportFile.Status.READY or not report.file:
        return Reply(
            409,
            {
                "detail": _("The report is not ready yet (%(status)s): ask for its status again in a few seconds.")
                % {"status": report.get_status_display()}
            },
        )
    return download_response(report.file, report.file.name.rsplit("/", 1)[-1], reports.CONTENT_TYPES[report.format])


@router.get(
    "/report",
    response={410: Error},
    summary="Gone: ask for the report with POST /api/insights/reports",
    deprecated=True,
)
def report_gone(request):
    """Reports are built in the background now: POST /api/insights/reports, then follow the
    report's status and download its file."""
    return Reply(
        410,
        {
            "detail": _(
                "This operation is gone: reports are built in the background. Ask for one with "
                "POST /api/insights/reports, then follow its url until it is ready and download its file."
            )
        },
    )
