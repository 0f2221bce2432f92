from django.shortcuts import render
from django.views.decorators.http import require_safe

from kembar.core.views import typed_text

from .services import search_places


@require_safe
def autocomplete(request):
    """Suggestions for a place field (htmx): any name in any script, biggest places first."""
    query = typed_text(request)
    places = search_places(query, limit=10, country=request.GET.get("country") or None) if query else []
    return render(request, "gazetteer/_suggestions.html", {"places": places, "query": query})


@require_safe
def province_suggestions(request):
    """Suggestions for a province field (core's Autocomplete widget): subdivisions by any of
    their names, each picked as its ISO 3166-2 code (ID-JB)."""
    query = typed_text(request)
    places = search_places(query, limit=10, country=request.GET.get("country") or None, provinces=True) if query else []
    return render(request, "gazetteer/_province_suggestions.html", {"places": places, "query": query})


@require_safe
def search(request):
    query = request.GET.get("q", "")
    places = search_places(query, limit=50) if query else []
    return render(request, "gazetteer/search.html", {"places": places, "query": query})
