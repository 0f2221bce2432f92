"""/api/places: the gazetteer, searched by any name in any script."""

from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema

from kembar.gazetteer.models import Place
from kembar.gazetteer.services import search_places

from . import params
from .auth import READ
from .errors import ERRORS, ValidationErrors
from .schemas import PlaceDetailOut, PlaceOut

router = Router(tags=["places"], auth=READ)


class PlaceList(Schema):
    count: int
    items: list[PlaceOut]


@router.get("", response={200: PlaceList, 422: ValidationErrors}, summary="Search the gazetteer")
def list_places(
    request,
    q: str = Query(..., min_length=1, description="Any name in any script: “京都市”, “Kyōto”, “kyoto, JP”."),
    country: str = Query("", description="ISO code or English name."),
    limit: int = Query(10, ge=1, le=50),
):
    """Places whose name in any language or script starts with `q`, biggest first.

    Not paged: a search returns its best `limit` matches; `count` is how many came back.
    """
    places = search_places(q, limit=limit, country=params.country(country) or None)
    return {"count": len(places), "items": places}


@router.get("/{place_id}", response={200: PlaceDetailOut, **ERRORS}, summary="One place")
def get_place(request, place_id: int):
    return params.get_or_404(Place.objects.prefetch_related("names"), place_id, _("No place with id %(id)s."))
