"""/api/governments and /api/partnerships: the registry. Views only translate HTTP to
`partnerships.services` and `accounts.permissions`, where the rules live.

No `from __future__ import annotations` in router modules: ninja evaluates the parameter
annotations of paginated views in its own module, where `Field` means something else.
"""

import datetime as dt
from typing import Literal

from django.core.exceptions import ValidationError
from django.db.models import prefetch_related_objects
from django.urls import reverse
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema
from ninja.decorators import decorate_view
from ninja.responses import Status as Reply
from pydantic import StrictBool

from kembar.accounts import permissions
from kembar.api import params
from kembar.api.auth import READ, WRITE
from kembar.api.errors import ERRORS, WRITE_ERRORS, Error, ValidationErrors, renamed_fields
from kembar.api.pagination import Page, kept_page, paged
from kembar.api.schemas import MAX_ID, DateOrNull, Id, InputSchema, Sdg, omitted, version_read
from kembar.core.caching import for_visitors
from kembar.gazetteer.api import PlaceRef
from kembar.gazetteer.models import Place
from kembar.gazetteer.services import country_param

from . import claims, opendata, services, traits
from .models import LocalGovernment, Partnership
from .vocab import EndReason, Kind, Level, Status, Trait
from .vocab import Field as CooperationField

# --- local governments ----------------------------------------------------------------------


class GovernmentRef(Schema):
    """A government as a partnership shows it."""

    id: int
    name: str
    country_code: str
    level: Level
    place_id: int
    latitude: float | None
    longitude: float | None

    @staticmethod
    def resolve_latitude(obj) -> float | None:
        return obj.place.latitude

    @staticmethod
    def resolve_longitude(obj) -> float | None:
        return obj.place.longitude


class GovernmentOut(Schema):
    id: int
    name: str
    level: Level
    country_code: str
    place: PlaceRef
    traits: list[str]
    sdg_priorities: list[int]
    contact_email: str
    contact_phone: str
    website: str
    address: str
    version: int = Field(description="Send it back with a PATCH to refuse the change if someone saved in between.")
    created: dt.datetime
    updated: dt.datetime


class GovernmentIn(InputSchema):
    place_id: Id = Field(description="The gazetteer place this government governs (see /api/places).")
    level: Level | None = Field(
        None,
        description="Defaults to the place's own level: a city for a city, the subdivision type for a subdivision.",
    )
    name: str | None = Field(None, max_length=200, description="Defaults to the place's name.")
    traits: list[Trait] = []
    sdg_priorities: list[Sdg] = []
    contact_email: str = Field("", max_length=254)
    contact_phone: str = Field("", max_length=50)
    website: str = Field("", max_length=200)
    address: str = ""


class GovernmentPatch(InputSchema):
    name: str = omitted(max_length=200)
    traits: list[Trait] = omitted()
    sdg_priorities: list[Sdg] = omitted()
    contact_email: str = omitted(max_length=254)
    contact_phone: str = omitted(max_length=50)
    website: str = omitted(max_length=200)
    address: str = omitted()
    version: int = version_read()


# --- partnerships ---------------------------------------------------------------------------


class PartnershipOut(Schema):
    id: int
    government_a: GovernmentRef
    government_b: GovernmentRef
    kind: Kind
    status: Status
    since: dt.date | None
    fields: list[CooperationField]
    basis: str
    public: bool
    notes: str
    source: Literal["manual", "import"]
    confirmed: bool = Field(description="An office of either partner entered or confirmed what is recorded.")
    confirmed_by: str | None = Field(None, description="The office that confirmed it (an imported partnership).")
    confirmed_at: dt.datetime | None
    end_reason: Literal["", "ended", "never_formalised"] = Field(description="Why an office closed it, if it did.")
    end_note: str
    version: int = Field(description="Send it back with a PATCH to refuse the change if someone saved in between.")
    created: dt.datetime
    updated: dt.datetime

    @staticmethod
    def resolve_fields(obj) -> list[str]:
        return [f.code for f in obj.fields.all()]

    @staticmethod
    def resolve_confirmed_by(obj) -> str | None:
        return obj.confirmed_by.name if obj.confirmed_by else None


class PartnershipIn(InputSchema):
    government_a_id: Id
    government_b_id: Id
    kind: Kind = Kind.SISTER_CITY
    status: Status = Field(Status.PROPOSED, description="Recorded status; a new partnership starts as proposed.")
    since: DateOrNull = Field(None, description="When the partnership began; not in the future.")
    fields: list[CooperationField] = Field([], description="Fields of cooperation.")
    basis: str = Field("", description="What the two share: former capitals, ports, universities...")
    public: StrictBool = Field(True, description="Shown to everyone, including anonymous callers.")
    notes: str = ""


class PartnershipPatch(InputSchema):
    kind: Kind = omitted()
    status: Status = omitted()
    since: DateOrNull = omitted("null clears the date.")
    fields: list[CooperationField] = omitted("Replaces the whole list.")
    basis: str = omitted()
    public: StrictBool = omitted()
    notes: str = omitted()
    version: int = version_read()


# --- routes: governments ---------------------------------------------------------------------

governments_router = Router(tags=["governments"], auth=READ)

GOVERNMENT_NOT_FOUND = gettext_lazy("No local government with id %(id)s.")
PLACE_NOT_FOUND = gettext_lazy("No place with id %(id)s.")


def _queryset():
    return LocalGovernment.objects.select_related("place")


@governments_router.get(
    "", response={200: paged(GovernmentOut), 422: ValidationErrors}, summary="Find local governments"
)
@decorate_view(for_visitors)
def list_governments(
    request,
    *,
    q: str = Query("", description="Name, or any spelling of the place's name."),
    country: str = Query("", description="ISO code or English name."),
    level: Level | None = Query(None),
    page: Query[Page],
):
    found = services.search_governments(q=q, country=country_param(country), level=level or "")
    return kept_page(
        request, found, page, GovernmentOut, lambda ids: _queryset().filter(pk__in=ids), subject="government"
    )


@governments_router.get("/{government_id}", response={200: GovernmentOut, **ERRORS}, summary="One local government")
def get_government(request, government_id: int):
    return params.get_or_404(_queryset(), government_id, GOVERNMENT_NOT_FOUND)


@governments_router.post(
    "", auth=WRITE, response={201: GovernmentOut, **WRITE_ERRORS}, summary="Register a local government"
)
def create_government(request, payload: GovernmentIn):
    """Register the government of a gazetteer place at a level.

    Allowed to platform administrators and to editors of any local government office (so an
    office can add a future partner before that partner has its own office here). Viewers
    and oversight bodies may not. A place has at most one government per level.
    """
    place = params.get_or_invalid(Place.objects.all(), payload.place_id, "place_id", PLACE_NOT_FOUND)
    data = payload.dict(exclude={"place_id"})
    government = services.register_government(request.auth, place, **data)
    return Reply(201, _queryset().get(pk=government.pk))


@governments_router.patch(
    "/{government_id}",
    auth=WRITE,
    response={200: GovernmentOut, 409: Error, **WRITE_ERRORS},
    summary="Change a local government",
)
def update_government(request, government_id: int, payload: GovernmentPatch):
    """Change the name, traits, SDG priorities or contact details. Only editors of an office
    acting for this government (and platform administrators) may. Place and level are fixed.
    Send the `version` you read: a stale one is refused with 409 Conflict."""
    government = params.get_or_404(_queryset(), government_id, GOVERNMENT_NOT_FOUND)
    data, version = params.sent_changes(payload)
    services.update_government(request.auth, government, expected_version=version, **data)
    return _queryset().get(pk=government.pk)


class TraitWithdrawal(Schema):
    at: dt.datetime | None
    reason: str


class TraitOut(Schema):
    trait: str = Field(description="A trait code (port, capital, former_capital, coastal, island, ...)")
    source: str = Field(description='The data source\'s code, or "office" for a trait the office recorded')
    source_name: str | None = None
    licence: str | None = None
    attribution: str | None = None
    as_of: dt.date | None = Field(None, description="When the source was read")
    detail: str | None = None
    id: int | None = Field(None, description="The data trait's id")
    withdrawn: TraitWithdrawal | None = Field(None, description="The office's correction, if it withdrew it")


class TraitCorrectionIn(InputSchema):
    action: Literal["withdraw", "restore"] = "withdraw"
    reason: str = Field("", max_length=300, description="Why the data is wrong for the place (to withdraw)")


def _trait_rows(government) -> list[dict]:
    return [{**line.as_dict(), "id": line.id} for line in traits.government_trait_lines(government)]


@governments_router.get(
    "/{government_id}/traits",
    response={200: list[TraitOut], **ERRORS},
    summary="A local government's traits, with their sources",
)
def government_traits(request, government_id: int):
    """The traits sourced data gives the government's place (each with its source, licence and
    date; a withdrawn one with the office's correction), then those its office recorded."""
    government = params.get_or_404(_queryset(), government_id, GOVERNMENT_NOT_FOUND)
    return _trait_rows(government)


@governments_router.post(
    "/{government_id}/traits/{trait}/correction",
    auth=WRITE,
    response={200: list[TraitOut], **WRITE_ERRORS},
    summary="Withdraw or restore a trait from data",
)
def correct_government_trait(request, government_id: int, trait: Trait, payload: TraitCorrectionIn):
    """An office corrects the data for its own place: `withdraw` (with a `reason`) or `restore`
    a data trait. Only editors of the government's office (and platform administrators) may;
    the correction is recorded and kept when the traits are loaded again."""
    government = params.get_or_404(_queryset(), government_id, GOVERNMENT_NOT_FOUND)
    if payload.action == "restore":
        traits.restore_trait(request.auth, government, trait)
    else:
        traits.withdraw_trait(request.auth, government, trait, payload.reason)
    return _trait_rows(government)


# --- routes: partnerships --------------------------------------------------------------------

router = Router(tags=["partnerships"], auth=READ)

PARTNERSHIP_NOT_FOUND = gettext_lazy("No partnership with id %(id)s.")
# The services speak of the model's fields; the client sent the *_id properties.
REQUEST_NAMES = {"government_a": "government_a_id", "government_b": "government_b_id"}


def visible_partnership(user, partnership_id: int):
    """A partnership the caller may read, with its governments and their places (what rights,
    names and time zones need; not its fields); one they may not read does not exist for them
    (a 404). The other apps' routers find the partnership in their paths and bodies with it too."""
    found = Partnership.objects.select_related("government_a__place", "government_b__place")
    return params.get_or_404(permissions.visible_partnerships(user, found), partnership_id, PARTNERSHIP_NOT_FOUND)


@router.get("", response={200: paged(PartnershipOut), 422: ValidationErrors}, summary="List partnerships")
@decorate_view(for_visitors)
def list_partnerships(
    request,
    *,
    q: str = Query("", description="Words in either government's name, the basis or the notes."),
    country: str = Query("", description="Either side in this country (ISO code or name)."),
    kind: Kind | None = Query(None),
    status: Status | None = Query(None),
    field: CooperationField | None = Query(None, description="A field of cooperation."),
    government: int | None = Query(None, ge=1, le=MAX_ID, description="Either side is this government."),
    page: Query[Page],
):
    """Partnerships the caller may read: public ones, plus for members those of their own
    government, and for oversight bodies and platform administrators all of them."""
    f = services.PartnershipFilter(
        q=q,
        country=country_param(country),
        kind=kind or "",
        status=status or "",
        field=field or "",
        government=government,
    )
    found = services.filter_partnerships(
        permissions.visible_partnerships(request.auth, Partnership.objects.all()), f
    ).order_by("-updated", "-id")
    return kept_page(
        request,
        found,
        page,
        PartnershipOut,
        lambda ids: services.partnership_queryset().filter(pk__in=ids),
        subject="partnership",
    )


@router.get("/{partnership_id}", response={200: PartnershipOut, **ERRORS}, summary="One partnership")
def get_partnership(request, partnership_id: int):
    shown = permissions.visible_partnerships(request.auth, services.partnership_queryset())
    return params.get_or_404(shown, partnership_id, PARTNERSHIP_NOT_FOUND)


@router.post("", auth=WRITE, response={201: PartnershipOut, **WRITE_ERRORS}, summary="Create a partnership")
def create_partnership(request, payload: PartnershipIn):
    """Register a partnership between two local governments, given in either order.

    The caller must be an editor of an office acting for one of the two (or a platform
    administrator). A government cannot partner itself, and a pair exists once.
    """
    data = payload.dict()
    ids = {"government_a_id": data.pop("government_a_id"), "government_b_id": data.pop("government_b_id")}
    found = LocalGovernment.objects.select_related("place").in_bulk(ids.values())
    missing = {name: [GOVERNMENT_NOT_FOUND % {"id": pk}] for name, pk in ids.items() if pk not in found}
    if missing:
        raise ValidationError(missing)
    with renamed_fields(REQUEST_NAMES):
        partnership = services.create_partnership(
            request.auth, found[ids["government_a_id"]], found[ids["government_b_id"]], **data
        )
    prefetch_related_objects([partnership], services.fields_in_order())
    return Reply(201, partnership)


@router.patch(
    "/{partnership_id}",
    auth=WRITE,
    response={200: PartnershipOut, 409: Error, **WRITE_ERRORS},
    summary="Change a partnership",
)
def update_partnership(request, partnership_id: int, payload: PartnershipPatch):
    """Change some properties; leave out the ones to keep. Always send the `version` you read:
    the change is refused (409) if someone saved in between. Only editors of either partner's
    office (and platform administrators) may."""
    partnership = visible_partnership(request.auth, partnership_id)
    data, version = params.sent_changes(payload)
    current = services.update_partnership(request.auth, partnership, expected_version=version, **data)
    prefetch_related_objects([current], services.fields_in_order())
    return current


@router.delete("/{partnership_id}", auth=WRITE, response={204: None, **ERRORS}, summary="Delete a partnership")
def delete_partnership(request, partnership_id: int):
    """Only editors of either partner's office (and platform administrators) may."""
    services.delete_partnership(request.auth, visible_partnership(request.auth, partnership_id))
    return Reply(204, None)


class ConfirmIn(InputSchema):
    version: int = version_read()


class CloseIn(InputSchema):
    version: int = version_read()
    reason: EndReason = Field(description="ended, or never_formalised.")
    note: str = Field("", max_length=claims.MAX_NOTE, description="What the office knows of it.")


@router.post(
    "/{partnership_id}/confirm",
    auth=WRITE,
    response={200: PartnershipOut, 409: Error, **WRITE_ERRORS},
    summary="Confirm a partnership as recorded",
)
def confirm_partnership(request, partnership_id: int, payload: ConfirmIn):
    """An editor of either partner's office stands behind what is recorded (an imported
    partnership: the office adopts it); its office becomes the source of its facts."""
    partnership = visible_partnership(request.auth, partnership_id)
    claims.confirm(request.auth, partnership, expected_version=payload.version)
    return services.partnership_queryset().get(pk=partnership.pk)


@router.post(
    "/{partnership_id}/close",
    auth=WRITE,
    response={200: PartnershipOut, 409: Error, **WRITE_ERRORS},
    summary="Record that a partnership ended or was never formalised",
)
def close_partnership(request, partnership_id: int, payload: CloseIn):
    """An editor of either partner's office: the status becomes ended, with the reason and note."""
    partnership = visible_partnership(request.auth, partnership_id)
    claims.close(request.auth, partnership, reason=payload.reason, note=payload.note, expected_version=payload.version)
    return services.partnership_queryset().get(pk=partnership.pk)


# --- open data --------------------------------------------------------------------------------

registry_router = Router(tags=["open data"], auth=READ)


class OpenDataFile(Schema):
    format: Literal["csv", "geojson", "datapackage"]
    filename: str
    size: int = Field(description="Bytes.")
    content_type: str
    url: str = Field(description="Where to download it (public, no token needed).")


class OpenDataOut(Schema):
    built: dt.datetime | None = Field(description="When the files were built (UTC); null before the first build.")
    partnerships: int = Field(description="Public partnerships in the files.")
    stale: bool = Field(description="The registry changed since; a rebuild is queued and the files stay served.")
    files: list[OpenDataFile]


@registry_router.get("/open-data", response={200: OpenDataOut, **ERRORS}, summary="The registry as open data")
def open_data(request):
    """Every public partnership with its governments, stable ids (kembar, GeoNames, ISO 3166-2) and
    sources, as CSV, GeoJSON and a Frictionless data package. The files are rebuilt by the job
    queue when the registry changed; `files` is empty until the first build."""
    publication = opendata.current_publication()
    return {
        "built": publication.built,
        "partnerships": publication.partnerships,
        "stale": publication.stale,
        "files": [
            {
                "format": f.fmt,
                "filename": f.filename,
                "size": f.size,
                "content_type": f.content_type,
                "url": reverse("partnerships:open_data_file", args=[f.fmt]),
            }
            for f in publication.files
        ],
    }
