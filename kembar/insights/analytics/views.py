"""Pages of the pivot analytics and the SDG report, and the report download. Views only read
the request and call pivot, sdg and reports (the API and `kembar report` call the same)."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from kembar.accounts import permissions
from kembar.core.widgets import Autocomplete
from kembar.gazetteer.models import Place
from kembar.partnerships.models import LocalGovernment

from . import charts, reports
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
        "form": ScopeForm(params),
        "partnership": params.get("partnership", ""),
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
