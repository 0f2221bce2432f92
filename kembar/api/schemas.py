"""Request and response shapes. Codes (kind, status, level, fields, traits) are enums from
`kembar.partnerships.vocab`, so the OpenAPI document lists the allowed values."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import BeforeValidator, StrictBool
from pydantic_core import PydanticCustomError

from kembar.partnerships.vocab import Field as CooperationField
from kembar.partnerships.vocab import Kind, Level, Status, Trait

Sdg = Annotated[int, Field(ge=1, le=17, description="A Sustainable Development Goal, 1–17.")]
MAX_ID = 2**63 - 1  # the database's largest key; larger numbers are refused, not overflowed
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class InputSchema(Schema):
    """A request body: unknown properties are refused rather than silently ignored."""

    model_config = {"extra": "forbid"}


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def omitted(description: str = "", **kwargs: Any) -> Any:
    """A PATCH property: leave it out to keep the current value; null is not a value."""
    return Field(None, description=description or None, json_schema_extra=_no_default, **kwargs)


_NUMBER = re.compile(r"\s*[-+]?\d+(\.\d*)?\s*")


def _date_as_text(value: Any) -> Any:
    """A date is "YYYY-MM-DD" (a moment ISO 8601 with its offset): a number, or a string of digits,
    would otherwise be read as seconds since 1970 (found by fuzzing: "due": 0 made 1970-01-01)."""
    if isinstance(value, (int, float)) or (isinstance(value, str) and _NUMBER.fullmatch(value)):
        raise PydanticCustomError(
            "date_type", "Give the date as YYYY-MM-DD (a moment as YYYY-MM-DDTHH:MM with its offset)."
        )
    return value


Date = Annotated[dt.date, BeforeValidator(_date_as_text)]
DateOrNull = Annotated[dt.date | None, BeforeValidator(_date_as_text)]
DateTime = Annotated[dt.datetime, BeforeValidator(_date_as_text)]
DateTimeOrNull = Annotated[dt.datetime | None, BeforeValidator(_date_as_text)]


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
    version: int = Field(description="Send it back with a PATCH to refuse the change if someone saved in between.")
    created: dt.datetime
    updated: dt.datetime

    @staticmethod
    def resolve_fields(obj) -> list[str]:
        return [f.code for f in obj.fields.all()]


class PartnershipIn(InputSchema):
    government_a_id: Id
    government_b_id: Id
    kind: Kind = Kind.SISTER_CITY
    status: Status = Status.ACTIVE
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
    version: int | None = Field(None, description="The version you read; a stale one gets 409 Conflict.")
