"""/api/partnerships: the registry. Views only translate HTTP to `partnerships.services`
and `accounts.permissions`, where the rules live.

No `from __future__ import annotations` in router modules: ninja evaluates the parameter
annotations of paginated views in its own module, where `Field` means something else.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Query, Router
from ninja.pagination import paginate
from ninja.responses import Status as Reply

from kembar.accounts import permissions
from kembar.partnerships import services
from kembar.partnerships.models import LocalGovernment
from kembar.partnerships.vocab import Field as CooperationField
from kembar.partnerships.vocab import Kind, Status

from . import params
from .auth import READ, WRITE
from .errors import ERRORS, WRITE_ERRORS, Error, ValidationErrors, renamed_fields
from .pagination import Pagination
from .schemas import MAX_ID, PartnershipIn, PartnershipOut, PartnershipPatch

router = Router(tags=["partnerships"], auth=READ)

NOT_FOUND = gettext_lazy("No partnership with id %(id)s.")
# The services speak of the model's fields; the client sent the *_id properties.
REQUEST_NAMES = {"government_a": "government_a_id", "government_b": "government_b_id"}


def _visible(user):
    return permissions.visible_partnerships(user, services.partnership_queryset())


def _get_visible(user, partnership_id: int):
    """A partnership the caller may read; one they may not read does not exist for them."""
    return params.get_or_404(_visible(user), partnership_id, NOT_FOUND)


@router.get("", response={200: list[PartnershipOut], 422: ValidationErrors}, summary="List partnerships")
@paginate(Pagination)
def list_partnerships(
    request,
    q: str = Query("", description="Words in either government's name, the basis or the notes."),
    country: str = Query("", description="Either side in this country (ISO code or name)."),
    kind: Kind | None = Query(None),
    status: Status | None = Query(None),
    field: CooperationField | None = Query(None, description="A field of cooperation."),
    government: int | None = Query(None, ge=1, le=MAX_ID, description="Either side is this government."),
):
    """Partnerships the caller may read: public ones, plus for members those of their own
    government, and for oversight bodies and platform administrators all of them."""
    f = services.PartnershipFilter(
        q=q,
        country=params.country(country),
        kind=kind or "",
        status=status or "",
        field=field or "",
        government=government,
    )
    return services.filter_partnerships(_visible(request.auth), f).order_by("-updated", "-id")


@router.get("/{partnership_id}", response={200: PartnershipOut, **ERRORS}, summary="One partnership")
def get_partnership(request, partnership_id: int):
    return _get_visible(request.auth, partnership_id)


@router.post("", auth=WRITE, response={201: PartnershipOut, **WRITE_ERRORS}, summary="Create a partnership")
def create_partnership(request, payload: PartnershipIn):
    """Register a partnership between two local governments, given in either order.

    The caller must be an editor of an office acting for one of the two (or a platform
    administrator). A government cannot partner itself, and a pair exists once.
    """
    data = payload.dict()
    ids = {"government_a_id": data.pop("government_a_id"), "government_b_id": data.pop("government_b_id")}
    found = LocalGovernment.objects.in_bulk(ids.values())
    missing = {
        name: [_("No local government with id %(id)s.") % {"id": pk}] for name, pk in ids.items() if pk not in found
    }
    if missing:
        raise ValidationError(missing)
    with renamed_fields(REQUEST_NAMES):
        partnership = services.create_partnership(
            request.auth, found[ids["government_a_id"]], found[ids["government_b_id"]], **data
        )
    return Reply(201, services.partnership_queryset().get(pk=partnership.pk))


@router.patch(
    "/{partnership_id}",
    auth=WRITE,
    response={200: PartnershipOut, 409: Error, **WRITE_ERRORS},
    summary="Change a partnership",
)
def update_partnership(request, partnership_id: int, payload: PartnershipPatch):
    """Change some properties; leave out the ones to keep. Send the `version` you read to have
    the change refused (409) if someone saved in between. Only editors of either partner's
    office (and platform administrators) may."""
    partnership = _get_visible(request.auth, partnership_id)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version", None)
    services.update_partnership(request.auth, partnership, expected_version=version, **data)
    return services.partnership_queryset().get(pk=partnership.pk)


@router.delete("/{partnership_id}", auth=WRITE, response={204: None, **ERRORS}, summary="Delete a partnership")
def delete_partnership(request, partnership_id: int):
    """Only editors of either partner's office (and platform administrators) may."""
    services.delete_partnership(request.auth, _get_visible(request.auth, partnership_id))
    return Reply(204, None)
