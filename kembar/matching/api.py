"""/api/governments/{id}/recommendations: partner suggestions with their reasons; /api/partner-requests:
the partner-request board.

No `from __future__ import annotations` in router modules (see governments.py).
"""

import datetime as dt
from typing import Annotated

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field as PydanticField
from ninja import Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status as Reply

from kembar.accounts import permissions
from kembar.api import params
from kembar.api.auth import READ, WRITE
from kembar.api.errors import ERRORS, WRITE_ERRORS, Error, ValidationErrors
from kembar.api.pagination import Pagination
from kembar.api.schemas import MAX_ID, InputSchema, omitted, version_read
from kembar.core.languages import Language
from kembar.gazetteer.services import country_param
from kembar.partnerships.models import LocalGovernment
from kembar.partnerships.vocab import Field, Trait

from . import services
from .models import LANGUAGES_NOTE_MAX

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
    unrecorded: list[str]


@router.get(
    "/{government_id}/recommendations",
    response={200: list[SuggestionOut], 409: Error, **ERRORS},
    summary="Suggested partners of a local government",
)
def recommendations(
    request,
    government_id: int,
    country: str = Query("", description="Only places in this country (ISO code or name)."),
    region: str = Query(
        "",
        description="Only places in this first-level division of `country` "
        "(GeoNames admin1 code, e.g. 30, or ISO 3166-2 code, e.g. ID-JB, for Jawa Barat in ID).",
    ),
    population_min: int | None = Query(None, ge=0),
    population_max: int | None = Query(None, ge=0),
    traits: list[Trait] = Query(
        [],
        description="Places known to have all these traits first, then those of which they are not recorded "
        "(`unrecorded` lists them); places known to lack one are left out.",
    ),
    field: Field | None = Query(
        None,
        description="Places known to cooperate in this field first, then those of which it is not recorded; "
        "places known to cooperate in other fields only are left out.",
    ),
    domestic: bool = Query(
        False,
        description="Also places in the government's own country "
        "(otherwise only places abroad, unless `country` names it).",
    ),
    all_levels: bool = Query(
        False,
        description="Places of every level of government (otherwise only those of the government's own: "
        "provinces, prefectures, states for a province; cities, municipalities for a city or regency).",
    ),
    top: int = Query(10, ge=1, le=100),
):
    """Places ranked by the matchmaking model, best first, each with its reasons. Current
    partners are never suggested, nor places linked through a partner at another level (the
    cities of a partner prefecture), nor places in the government's own country unless asked
    for; only places of the government's level unless `all_levels`.
    409 when no model has been built yet (`kembar match-train`)."""
    government = params.get_or_404(LocalGovernment.objects.select_related("place"), government_id, NOT_FOUND)
    if population_min is not None and population_max is not None and population_min > population_max:
        raise ValidationError({"population_max": [_("The maximum is below the minimum.")]})
    if region and not country:
        raise ValidationError({"region": [_("Choose a country for the region.")]})
    filters = services.SuggestionFilter(
        country=country_param(country),
        region=region.strip(),
        population_min=population_min,
        population_max=population_max,
        traits=[str(t) for t in traits],
        field=str(field or ""),
        domestic=domestic,
        all_levels=all_levels,
    )
    try:
        found = services.suggest(government, filters, top=top)
    except (services.ModelMissing, services.NotInModel) as error:
        return Reply(409, {"detail": str(error)})
    return [
        {
            "place_id": s.place.pk,
            "place_name": s.place.name,
            "country": s.place.country_code,
            "population": s.place.population,
            "government_id": s.government.pk if s.government else None,
            "government_name": s.government.name if s.government else None,
            "score": round(s.score, 4),
            "reasons": [str(r) for r in s.reasons],
            "unrecorded": s.unrecorded,
        }
        for s in found
    ]


# /api/partner-requests: the partner-request board.

requests_router = Router(tags=["partner requests"], auth=READ)
REQUEST_NOT_FOUND = gettext_lazy("No partner request with id %(id)s.")
Id = Annotated[int, PydanticField(ge=1, le=MAX_ID)]
Email = Annotated[str, PydanticField(max_length=254)]
NOTE = "A language the list of codes lacks, or how the office works: “Japanese through an interpreter”."


class PartnerRequestOut(Schema):
    id: int
    government_id: int
    government_name: str
    country: str
    title: str
    offers: str
    seeks: str
    preferred_countries: list[str]
    fields: list[str]
    languages: list[str] = PydanticField(description="ISO 639-1 codes of the working languages.")
    languages_note: str = PydanticField(description="Languages the list lacks, as the requester wrote them.")
    contact_email: str
    status: str
    version: int = PydanticField(
        description="Send it back with a PATCH to refuse the change if someone saved in between."
    )
    created: dt.datetime
    updated: dt.datetime

    @staticmethod
    def resolve_government_name(obj) -> str:
        return obj.government.name

    @staticmethod
    def resolve_country(obj) -> str:
        return obj.government.country_code

    @staticmethod
    def resolve_fields(obj) -> list[str]:
        return sorted(f.pk for f in obj.fields.all())


class PartnerRequestIn(InputSchema):
    government_id: Id
    title: str = PydanticField(min_length=1, max_length=200)
    offers: str = PydanticField(min_length=1, max_length=10_000)
    seeks: str = PydanticField(min_length=1, max_length=10_000)
    preferred_countries: list[Annotated[str, PydanticField(max_length=60)]] = PydanticField(
        default_factory=list, max_length=50, description="ISO codes or names; none: any country."
    )
    fields: list[Field] = PydanticField(default_factory=list, max_length=20)
    languages: list[Language] = PydanticField(
        default_factory=list, max_length=len(Language.values), description="ISO 639-1 codes of the working languages."
    )
    languages_note: str = PydanticField("", max_length=LANGUAGES_NOTE_MAX, description=NOTE)
    contact_email: Email
    status: str = PydanticField("published", description="draft or published.", max_length=10)


class PartnerRequestPatch(InputSchema):
    title: str = omitted(min_length=1, max_length=200)
    offers: str = omitted(min_length=1, max_length=10_000)
    seeks: str = omitted(min_length=1, max_length=10_000)
    preferred_countries: list[Annotated[str, PydanticField(max_length=60)]] = omitted(max_length=50)
    fields: list[Field] = omitted(max_length=20)
    languages: list[Language] = omitted("ISO 639-1 codes of the working languages.", max_length=len(Language.values))
    languages_note: str = omitted(NOTE, max_length=LANGUAGES_NOTE_MAX)
    contact_email: Email = omitted()
    status: str = omitted("draft, published or closed.", max_length=10)
    version: int = version_read()


class InterestIn(InputSchema):
    government_id: Id = PydanticField(description="The government in whose name you write (one whose office you edit).")
    message: str = PydanticField("", max_length=5_000)


class InterestOut(Schema):
    id: int
    request_id: int
    government_id: int
    message: str
    created: dt.datetime


def _countries(values: list[str]) -> list[str]:
    return sorted({country_param(v, "preferred_countries") for v in values})


def _request(user, request_id: int):
    return params.get_or_404(
        permissions.visible_partner_requests(user, services.request_queryset()), request_id, REQUEST_NOT_FOUND
    )


def _government(government_id: int) -> LocalGovernment:
    return params.get_or_invalid(LocalGovernment.objects.all(), government_id, "government_id", NOT_FOUND)


@requests_router.get(
    "", response={200: list[PartnerRequestOut], 422: ValidationErrors}, summary="List partner requests"
)
@paginate(Pagination)
def list_requests(
    request,
    country: str = Query("", description="Requests of governments in this country."),
    seeking: str = Query(
        "",
        description="Requests open to partners in this country: it is "
        "among their preferred countries, or they name none.",
    ),
    field: Field | None = Query(None),
    q: str = Query("", max_length=200),
):
    """Published requests (and drafts and closed ones of the caller's offices), newest first."""
    return services.filter_requests(
        permissions.visible_partner_requests(request.auth, services.request_queryset()),
        country=country_param(country),
        seeking=country_param(seeking, "seeking"),
        field=str(field or ""),
        q=q.strip(),
    ).order_by("-created", "-id")


@requests_router.get("/{request_id}", response={200: PartnerRequestOut, **ERRORS}, summary="One partner request")
def get_request(request, request_id: int):
    return _request(request.auth, request_id)


@requests_router.post(
    "", auth=WRITE, response={201: PartnerRequestOut, **WRITE_ERRORS}, summary="Publish a partner request"
)
def create_request(request, payload: PartnerRequestIn):
    """Editors of the government's office publish its requests (or keep them as drafts)."""
    data = payload.dict()
    government = _government(data.pop("government_id"))
    if data["status"] not in ("draft", "published"):
        raise ValidationError({"status": [_("A new request is a draft or published.")]})
    data["preferred_countries"] = _countries(data["preferred_countries"])
    fields = [str(f) for f in data.pop("fields")]
    created = services.create_request(request.auth, government, fields=fields, **data)
    return Reply(201, services.request_queryset().get(pk=created.pk))


@requests_router.patch(
    "/{request_id}",
    auth=WRITE,
    response={200: PartnerRequestOut, 409: Error, **WRITE_ERRORS},
    summary="Change or close a partner request",
)
def update_request(request, request_id: int, payload: PartnerRequestPatch):
    partner_request = _request(request.auth, request_id)
    data, version = params.sent_changes(payload)
    data = {k: v for k, v in data.items() if v is not None}
    if "preferred_countries" in data:
        data["preferred_countries"] = _countries(data["preferred_countries"])
    fields = [str(f) for f in data.pop("fields")] if "fields" in data else None
    services.update_request(request.auth, partner_request, expected_version=version, fields=fields, **data)
    return services.request_queryset().get(pk=partner_request.pk)


@requests_router.post(
    "/{request_id}/interest",
    auth=WRITE,
    response={201: InterestOut, **WRITE_ERRORS},
    summary="Express interest in a partner request",
)
def express_interest(request, request_id: int, payload: InterestIn):
    """In the name of a government whose office you edit; the requester's office is told by e-mail."""
    partner_request = _request(request.auth, request_id)
    interest = services.express_interest(
        request.auth, partner_request, _government(payload.government_id), payload.message
    )
    return Reply(
        201,
        {
            "id": interest.pk,
            "request_id": partner_request.pk,
            "government_id": interest.government_id,
            "message": interest.message,
            "created": interest.created,
        },
    )
