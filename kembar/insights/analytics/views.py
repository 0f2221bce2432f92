"""Pages of the pivot analytics and the SDG report, and the report download. Views only read
the request and call pivot, sdg and reports (the API and `kembar report` call the same)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from kembar.accounts import permissions

from . import charts, reports
from .pivot import ScopeError, parse_year, pivot, resolve_scope
from .sdg import sdg_report


def _figure(chart: charts.Chart) -> dict:
    return {
        "chart": chart,
        "uri": None if chart.empty else charts.svg_data_uri(chart),
        "narrow_uri": None if chart.empty else charts.svg_data_uri(chart, narrow=True),
        "headers": [label for label, _values in chart.series],
        "rows": chart.rows(),
    }


def _scope_and_year(request):
    """(scope, year, error): a bad parameter gives the platform scope and a message for the form."""
    params = request.GET
    try:
        year = parse_year(params.get("year"))
        scope = resolve_scope(
            request.user,
            partnership=params.get("partnership"),
            government=params.get("government"),
            province=params.get("province"),
        )
        return scope, year, None
    except ScopeError as error:
        return resolve_scope(request.user), None, error


def _download_links(request, scope, year) -> list[dict]:
    if scope.kind == "partnership" or not permissions.can_download_report(request.user, scope.government):
        return []
    query = {**scope.query(), "year": year or timezone.now().year}
    return [
        {"format": fmt, "url": reverse("insights:report") + "?" + urlencode({**query, "format": fmt})}
        for fmt in reports.FORMATS
    ]


def _context(request, scope, year, error) -> dict:
    params = request.GET
    return {
        "scope": scope,
        "year": year,
        "error": error,
        "form": {key: params.get(key, "") for key in ("government", "province", "partnership", "year")},
        "downloads": _download_links(request, scope, year),
        "scope_query": urlencode(scope.query()),
    }


def _analysis_page(request, template: str, name: str, analyse, charts_of):
    """The page of one analysis (`analyse(user, scope, year=…)`) of the scope and year the
    request asks for: the result as `name`, with its charts (`charts_of(result)`)."""
    scope, year, error = _scope_and_year(request)
    result = analyse(request.user, scope, year=year)
    figures = {key: _figure(chart) for key, chart in charts_of(result).items()}
    return render(request, template, {**_context(request, scope, year, error), name: result, "figures": figures})


@require_safe
def pivot_page(request):
    return _analysis_page(request, "insights/pivot.html", "pivot", pivot, charts.pivot_charts)


@require_safe
def sdg_page(request):
    return _analysis_page(request, "insights/sdg.html", "report", sdg_report, charts.sdg_charts)


@login_required
@require_safe
def report_download(request):
    """A government's report (its office, oversight, administrators) or a roll-up (oversight,
    administrators) as PDF or XLSX."""
    params = request.GET
    try:
        year = parse_year(params.get("year")) or timezone.now().year
        scope = resolve_scope(request.user, government=params.get("government"), province=params.get("province"))
        fmt, language = reports.check_options(params.get("format", "pdf"), params.get("language"))
    except (ScopeError, reports.ReportError) as error:
        return render(request, "insights/report_error.html", {"error": error}, status=400)
    if not permissions.can_download_report(request.user, scope.government):
        raise PermissionDenied
    content = reports.write_report(request.user, scope, year, fmt, language)
    response = HttpResponse(content, content_type=reports.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{reports.filename(scope, year, fmt)}"'
    return response
