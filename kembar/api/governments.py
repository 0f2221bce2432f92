"""/api/governments: the local governments of places.

No `from __future__ import annotations` in router modules: ninja evaluates the parameter
annotations of paginated views in its own module, where `Field` means something else.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Query, Router
from ninja.pagination import paginate
from ninja.responses import Status as Reply

from kembar.gazetteer.models import Place
from kembar.partnerships import services as rules
from kembar.partnerships.models import LocalGovernment
from kembar.partnerships.vocab import Level

from . import params
from .auth import READ, WRITE
from .errors import ERRORS, WRITE_ERRORS, ValidationErrors
from .pagination import Pagination
from .schemas import GovernmentIn, GovernmentOut, GovernmentPatch

router = Router(tags=["governments"], auth=READ)

NOT_FOUND = gettext_lazy("No local government with id %(id)s.")


def _queryset():
    return LocalGovernment.objects.select_related("place")


@router.get("", response={200: list[GovernmentOut], 422: ValidationErrors}, summary="Find local governments")
@paginate(Pagination)
def list_governments(
    request,
    q: str = Query("", description="Name, or any spelling of the place's name."),
    country: str = Query("", description="ISO code or English name."),
    level: Level | None = Query(None),
):
    return rules.search_governments(q=q, country=params.country(country), level=level or "")


@router.get("/{government_id}", response={200: GovernmentOut, **ERRORS}, summary="One local government")
def get_government(request, government_id: int):
    return params.get_or_404(_queryset(), government_id, NOT_FOUND)


@router.post("", auth=WRITE, response={201: GovernmentOut, **WRITE_ERRORS}, summary="Register a local government")
def create_government(request, payload: GovernmentIn):
    """Register the government of a gazetteer place at a level.

    Allowed to platform administrators and to editors of any local government office (so an
    office can add a future partner before that partner has its own office here). Viewers
    and oversight bodies may not. A place has at most one government per level.
    """
    place = Place.objects.filter(pk=payload.place_id).first()
    if place is None:
        raise ValidationError({"place_id": [_("No place with id %(id)s.") % {"id": payload.place_id}]})
    data = payload.dict(exclude={"place_id"})
    government = rules.register_government(request.auth, place, **data)
    return Reply(201, _queryset().get(pk=government.pk))


@router.patch(
    "/{government_id}", auth=WRITE, response={200: GovernmentOut, **WRITE_ERRORS}, summary="Change a local government"
)
def update_government(request, government_id: int, payload: GovernmentPatch):
    """Change the name, traits, SDG priorities or contact details. Only editors of an office
    acting for this government (and platform administrators) may. Place and level are fixed."""
    government = params.get_or_404(_queryset(), government_id, NOT_FOUND)
    rules.update_government(request.auth, government, **payload.dict(exclude_unset=True))
    return _queryset().get(pk=government.pk)
