"""/api/governments/{id}/recommendations: partner suggestions with their reasons.

No `from __future__ import annotations` in router modules (see governments.py).
"""
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Query, Router, Schema
from ninja.responses import Status as Reply

from kembar.matching import services
from kembar.partnerships.models import LocalGovernment
from kembar.partnerships.vocab import Field, Trait

from . import params
from .auth import READ
from .errors import ERRORS, Error

router = Router(tags=["matchmaking"], auth=READ)

NOT_FOUND = gettext_lazy("No local government with id %(id)s.")


class SuggestionOut(Schema):
    place_id: int
    place_name: str
    country: str
    population: int
    government_id: int | None
    government_name: str | None
    score: float
    reasons: list[str]


@router.get("/{government_id}/recommendations", response={200: list[SuggestionOut], 409: Error, **ERRORS},
            summary="Suggested partners of a local government")
def recommendations(request, government_id: int,
                    country: str = Query("", description="Only places in this country (ISO code or name)."),
                    population_min: int | None = Query(None, ge=0),
                    population_max: int | None = Query(None, ge=0),
                    traits: list[Trait] = Query([], description="Only places whose government has all these traits."),
                    field: Field | None = Query(None, description="Only places cooperating in this field."),
                    top: int = Query(10, ge=1, le=100)):
    """Places ranked by the matchmaking model, best first, each with its reasons. Current
    partners are never suggested. 409 when no model has been built yet (`kembar match-train`)."""
    government = params.get_or_404(LocalGovernment.objects.select_related("place"), government_id, NOT_FOUND)
    if population_min is not None and population_max is not None and population_min > population_max:
        raise ValidationError({"population_max": [_("The maximum is below the minimum.")]})
    filters = services.SuggestionFilter(country=params.country(country), population_min=population_min,
                                        population_max=population_max, traits=[str(t) for t in traits],
                                        field=str(field or ""))
    try:
        found = services.suggest(government, filters, top=top)
    except (services.ModelMissing, services.NotInModel) as error:
        return Reply(409, {"detail": str(error)})
    return [{"place_id": s.place.pk, "place_name": s.place.name, "country": s.place.country_code,
             "population": s.place.population, "government_id": s.government.pk if s.government else None,
             "government_name": s.government.name if s.government else None, "score": round(s.score, 4),
             "reasons": s.reasons} for s in found]
