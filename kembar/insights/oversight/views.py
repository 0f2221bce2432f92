"""/oversight/: an oversight body's roll-up of its scope, its files and its map's lines. Thin:
the figures are `rollup.build`'s, who may see them `accounts.permissions.rollup_scope`."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from kembar.gazetteer.services import country_choices, province_names
from kembar.insights.analytics import report_files, reports
from kembar.insights.health import score

from . import rollup


def _country(value: str | None) -> str:
    """The country an administrator narrowed to ("" for none or an unknown code)."""
    country = (value or "").strip().upper()
    return country if country in {code for code, _name in country_choices()} else ""


def _scope_or_404(request) -> rollup.Scope:
    """The user's scope; a 404 for those who have no roll-up (an office's members, visitors are
    sent to sign in first). A platform administrator narrows by `?country=`."""
    scope = rollup.scope_for(request.user, _country(request.GET.get("country")))
    if scope is None:
        raise Http404(_("Only oversight bodies and platform administrators have a roll-up."))
    return scope


def _health_query(scope: rollup.Scope) -> str:
    """The health list's filters for the same scope (one country, or its province)."""
    if scope.single is None:
        return ""
    country, admin1 = scope.single
    if not admin1:
        return f"?country={country}"
    place = province_names(country).get(admin1)
    return f"?country={country}&province={place.subdivision_code if place else f'{country}.{admin1}'}"


@login_required
@require_safe
def summary(request):
    scope = _scope_or_404(request)
    data = rollup.build(request.user, scope)
    query = f"?country={scope.places[0][0]}" if request.GET.get("country") and scope.places else ""
    return render(
        request,
        "insights/oversight.html",
        {
            "r": data,
            "query": query,
            "picks_country": scope.places == () or bool(query),
            "countries": country_choices() if not scope.places or query else [],
            "chosen": scope.places[0][0] if query else "",
            "dormant_months": score.dormant_months(),
            "health_query": _health_query(scope),
            "tiles": settings.MAP_TILES,
            "attribution": settings.MAP_ATTRIBUTION,
        },
    )


@login_required
@require_POST
def export(request):
    """Ask for the roll-up's tables as a file: the job queue writes it, the report status page
    follows it (kembar.insights.analytics.report_files)."""
    try:
        report = report_files.request_rollup(
            request.user,
            _country(request.POST.get("country")),
            request.POST.get("format", ""),
            request.POST.get("language"),
        )
    except reports.ReportError as error:
        return render(request, "insights/report_error.html", {"error": error}, status=400)
    return redirect("insights:report_status", report.pk)


@login_required
@require_safe
def map_json(request):
    """The scope's partnerships on the map, as the health map draws them (`score.map_lines`)."""
    scope = _scope_or_404(request)
    report = rollup.health_report(request.user, scope)
    body = json.dumps(
        {
            "levels": [name for _, name in reversed(score.LEVELS)],
            "states": list(score.MAP_STATES),
            "lines": score.map_lines(report),
        },
        separators=(",", ":"),
    )
    return HttpResponse(body, content_type="application/json")
