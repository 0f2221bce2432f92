"""/insights/: the health overview and the world map. Thin: the rules are in `score.py`,
the visibility in `accounts.permissions`."""

from __future__ import annotations

import json

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import get_template
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from kembar.accounts import permissions
from kembar.core.caching import for_readers
from kembar.core.views import page_and_query
from kembar.partnerships.models import LocalGovernment

from ..changes import cache_seconds
from . import score

PAGE_SIZE = 25  # each row carries six factors and a step: a page people read, not a dump
MAP_TABLE_ROWS = 200


class HealthFilterForm(forms.Form):
    government = forms.TypedChoiceField(label=_("Government"), required=False, coerce=int, empty_value=None)
    country = forms.ChoiceField(label=_("Country"), required=False)
    province = forms.ChoiceField(label=_("Province"), required=False)
    dormant = forms.BooleanField(label=_("Dormant only"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from kembar.gazetteer.services import country_choices

        self.fields["country"].choices = [("", _("All countries"))] + country_choices()
        if own_ids := permissions.office_view_government_ids(user):
            own = LocalGovernment.objects.filter(pk__in=own_ids).order_by("name")
            self.fields["government"].choices = [("", _("All our governments"))] + [(g.pk, g.name) for g in own]
        else:  # the whole platform: too many for a list; links (the map's table) carry the id
            self.fields["government"] = forms.IntegerField(
                required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput
            )
        self.fields["province"].choices = [("", _("All provinces"))] + province_choices(
            (self.data.get("country") or "ID").upper()[:2]
        )

    def filters(self) -> score.Filters:
        data = self.cleaned_data if self.is_valid() else {}
        return score.Filters(
            government=data.get("government"),
            country=data.get("country") or "",
            province=data.get("province") or "",
            dormant_only=bool(data.get("dormant")),
        )


def province_choices(country: str) -> list[tuple[str, str]]:
    """The country's provinces by name ("ID-JB", "Jawa Barat"), then, by their GeoNames code and
    largest governments, any first-level division of its registered governments that has no
    ISO 3166-2 counterpart. Two queries, kept in the cache for `cache_seconds()` (the filter is
    on every request of the list; a new government in a new division shows that much later)."""
    seconds = cache_seconds()
    if seconds <= 0:
        return _province_choices(country)
    key = f"kembar:insights:health:provinces:{country}"
    choices = cache.get(key)
    if choices is None:
        choices = _province_choices(country)
        cache.set(key, choices, seconds)
    return choices


def _province_choices(country: str) -> list[tuple[str, str]]:
    from kembar.gazetteer.services import province_names

    provinces = province_names(country)
    choices = sorted(((p.subdivision_code, p.name) for p in provinces.values()), key=lambda c: c[1])
    towns: dict[str, list[str]] = {}
    for code, name in (
        LocalGovernment.objects.filter(country_code=country)
        .exclude(place__admin1_code="")
        .order_by("place__admin1_code", "-place__population")
        .values_list("place__admin1_code", "name")
    ):
        if code not in provinces:
            towns.setdefault(code, []).append(name)
    return choices + [(f"{country}.{code}", f"{country}.{code}: {', '.join(n[:3])}") for code, n in towns.items()]


class _Rows:
    """The report as a sequence Django's Paginator can cut: only the shown page is described,
    each row rendered (insights/health_row.html) and kept in the cache with its health."""

    def __init__(self, report: score.HealthReport):
        self.report = report

    def count(self) -> int:
        return self.report.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, page: slice) -> list[str]:
        ids = self.report.ids(offset=page.start or 0, limit=(page.stop or 0) - (page.start or 0))
        row = get_template("insights/health_row.html")
        return self.report.rendered(ids, "list-row", lambda h: row.render({"h": h}))


@require_safe
@for_readers
def health_overview(request):
    """Partnerships worst first, with the score's factors and the next step of each."""
    form = HealthFilterForm(request.GET or None, user=request.user)
    report = score.HealthReport(request.user, form.filters())
    page, query = page_and_query(request, _Rows(report), PAGE_SIZE)
    return render(
        request,
        "insights/health.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "dormant_months": score.dormant_months(),
            "explanation": score.explanation(),
        },
    )


def _map_government(request) -> LocalGovernment | None:
    raw = request.GET.get("government", "")
    if not raw.isdigit():
        return None
    return LocalGovernment.objects.filter(pk=int(raw)).select_related("place").first()


@require_safe
def health_map(request):
    """The partnerships of a government (or the whole platform) on a world map, coloured by
    health; the lines come from `map_json`, the table below is the same data without a map."""
    government = _map_government(request)
    filters = score.Filters(government=government.pk if government else None)
    report = score.HealthReport(request.user, filters)
    table = report.rows(limit=MAP_TABLE_ROWS) if government else []
    summary = score.state_counts(report) if not government else None
    return render(
        request,
        "insights/map.html",
        {
            "government": government,
            "table": table,
            "summary": summary,
            "count": report.count(),
            "dormant_months": score.dormant_months(),
            "tiles": settings.MAP_TILES,
            "attribution": settings.MAP_ATTRIBUTION,
            "more": government is not None and report.count() > MAP_TABLE_ROWS,
        },
    )


@require_safe
def map_json(request):
    """Compact lines for the map: [[lat_a, lng_a, lat_b, lng_b, level, id, state], …], level 0
    poor, 1 fair, 2 good; state an index in `states` (see `score.map_lines`)."""
    government = _map_government(request)
    report = score.HealthReport(request.user, score.Filters(government=government.pk if government else None))
    body = report.cached(
        "map-json:states",
        lambda: json.dumps(  # ~1 MB for the whole platform: serialised once
            {
                "levels": [name for _, name in reversed(score.LEVELS)],
                "states": list(score.MAP_STATES),
                "lines": score.map_lines(report),
            },
            separators=(",", ":"),
        ),
    )
    return HttpResponse(body, content_type="application/json")
