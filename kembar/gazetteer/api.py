"""/api/places: the gazetteer, searched by any name in any script."""

from typing import Literal

from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema
from ninja.decorators import decorate_view

from kembar.api import params
from kembar.api.errors import ERRORS, ValidationErrors
from kembar.core.caching import for_visitors

from .models import Place
from .services import country_param, search_places

# --- places ---------------------------------------------------------------------------------


class PlaceOut(Schema):
    id: int
    name: str
    kind: Literal["city", "subdivision", "unverified"]
    country_code: str
    country_name: str
    subdivision_code: str | None
    subdivision_type: str
    admin1_code: str
    latitude: float | None
    longitude: float | None
    population: int
    timezone: str


class PlaceDetailOut(PlaceOut):
    names: list[str] = Field(description="Every known spelling, in any language or script.")

    @staticmethod
    def resolve_names(obj) -> list[str]:
        return sorted({n.name for n in obj.names.all()})


class PlaceRef(Schema):
    id: int
    name: str
    kind: Literal["city", "subdivision", "unverified"]
    latitude: float | None
    longitude: float | None
    timezone: str


router = Router(tags=["places"])  # the API's default authentication: READ


def _gazetteer_only(request, *args, **kwargs):
    """A search shows the gazetteer's rows only, whose changes concern everything
    (`kembar.core.stamps`): kept until one of them changes, not on every write elsewhere."""
    return ()


class PlaceList(Schema):
    count: int
    items: list[PlaceOut]


@router.get("", response={200: PlaceList, 422: ValidationErrors}, summary="Search the gazetteer")
@decorate_view(for_visitors(subjects=_gazetteer_only))
def list_places(
    request,
    q: str = Query(..., min_length=1, description="Any name in any script: “京都市”, “Kyōto”, “kyoto, JP”."),
    country: str = Query("", description="ISO code or English name."),
    limit: int = Query(10, ge=1, le=50),
):
    """Places whose name in any language or script starts with `q`, biggest first.

    Not paged: a search returns its best `limit` matches; `count` is how many came back.
    """
    places = search_places(q, limit=limit, country=country_param(country) or None)
    return {"count": len(places), "items": places}


@router.get("/{place_id}", response={200: PlaceDetailOut, **ERRORS}, summary="One place")
def get_place(request, place_id: int):
    return params.get_or_404(Place.objects.prefetch_related("names"), place_id, _("No place with id %(id)s."))
