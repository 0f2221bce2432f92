"""Pages of the pivot analytics and the SDG report, and the reports: asked for by a POST, built
by the job queue, followed on a status page and downloaded from it. Views only read the request
and call pivot, sdg and report_files (the API and `kembar report` call the same)."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from kembar.accounts import permissions
from kembar.core.caching import for_readers
from kembar.core.uploads import download_response
from kembar.core.widgets import Autocomplete
from kembar.gazetteer.models import Place
from kembar.partnerships.models import LocalGovernment

from . import charts, report_files, reports
from .pivot import ScopeError, parse_year, pivot, resolve_scope
from .sdg import sdg_report


def _government_label(value) -> str:
    g = LocalGovernment.objects.filter(pk=int(value)).first() if str(value).isdigit() else None
    return f"{g.name}, {g.country_code}" if g else ""


def _province_label(value) -> str:
    place = Place.objects.filter(kind=Place.Kind.SUBDIVISION, subdivision_code=str(value).upper()).first()
    return f"{place.name}, {place.country_code}" if place else ""


class ScopeForm(forms.Form):
    """What the figures are for, as the page's filter shows it: a government or a province picked
    in an autocomplete (the picked id or ISO 3166-2 code; a name typed without picking one is
    looked up by `resolve_scope`), and a year."""

    government = forms.CharField(
        label=_("Government"),
        required=False,
        widget=Autocomplete(
            "partnerships:government_suggestions", label=_government_label, placeholder=_("Bandung, Kyoto…")
        ),
    )
    province = forms.CharField(
        label=_("Province"),
        required=False,
        widget=Autocomplete("gazetteer:provinces", label=_province_label, placeholder=_("Jawa Barat, Kyoto…")),
    )
    year = forms.CharField(
        label=_("Year"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 6, "placeholder": _("all")}),
    )


def _picked(params, name: str) -> str | None:
    """The autocomplete's picked value, else the text typed in its box."""
    return params.get(name) or params.get(f"{name}_q") or None


def _figure(chart: charts.Chart) -> dict:
    return {
        "key": charts.chart_key(chart),
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
            government=_picked(params, "government"),
            province=_picked(params, "province"),
        )
        return scope, year, None
    except ScopeError as error:
        return resolve_scope(request.user), None, error


def _report_request(request, scope, year) -> dict | None:
    """What the report buttons send (a POST to insights:report_request, one button per format),
    or None when the reader may not have the scope's report."""
    if scope.kind == "partnership" or not permissions.can_download_report(request.user, scope.government):
        return None
    return {"scope": scope.query(), "year": year or timezone.now().year, "formats": reports.FORMATS}


def _context(request, scope, year, error) -> dict:
    params = request.GET
    return {
        "scope": scope,
        "year": year,
        "error": error,
        "form": ScopeForm(params),
        "partnership": params.get("partnership", ""),
        "report_request": _report_request(request, scope, year),
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
@for_readers
def pivot_page(request):
    return _analysis_page(request, "insights/pivot.html", "pivot", pivot, charts.pivot_charts)


@require_safe
@for_readers
def sdg_page(request):
    return _analysis_page(request, "insights/sdg.html", "report", sdg_report, charts.sdg_charts)


@login_required
@require_POST
def report_request(request):
    """Ask for a government's report (its office, oversight, administrators) or a roll-up
    (oversight, administrators) as PDF or XLSX: the job queue builds it, the status page follows it."""
    params = request.POST
    try:
        year = parse_year(params.get("year")) or timezone.now().year
        scope = resolve_scope(request.user, government=params.get("government"), province=params.get("province"))
        report = report_files.request_report(
            request.user, scope, year, params.get("format", "pdf"), params.get("language")
        )
    except (ScopeError, reports.ReportError) as error:
        return render(request, "insights/report_error.html", {"error": error}, status=400)
    return redirect("insights:report_status", report.pk)


@login_required
@require_safe
def report_status(request, pk: int):
    """Where a requested report stands; while it waits, htmx asks again every 2 seconds for the
    status alone (a Refresh link does the same without script)."""
    report = report_files.visible_report(request.user, pk)
    again = {
        "government": report.government_id or "",
        "province": report.province.subdivision_code if report.province_id else "",
    }
    scope = {name: value for name, value in again.items() if value}
    context = {
        "report": report,
        "failure": report_files.failure_message(report) if report.status == report.Status.FAILED else "",
        "zone": timezone.get_current_timezone(),
        "kept_until": report.created + report_files.KEEP_FOR,
        "again": again,
        "back": (
            reverse("oversight:summary") + (f"?country={report.country}" if report.country else "")
            if report.kind == report.Kind.ROLLUP
            else reverse("insights:pivot") + "?" + urlencode({**scope, "year": report.year})
        ),
    }
    partial = request.headers.get("HX-Request") == "true"
    template = "insights/_report_status.html" if partial else "insights/report_status.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_safe
def report_file(request, pk: int):
    """The report's file, for its requester, once it is ready (before, the status page)."""
    report = report_files.visible_report(request.user, pk)
    if report.status != report.Status.READY or not report.file:
        return redirect("insights:report_status", report.pk)
    return download_response(report.file, report.file.name.rsplit("/", 1)[-1], reports.CONTENT_TYPES[report.format])
