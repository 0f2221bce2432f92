"""Request and response shapes every app's API shares: ids, dates, strict input, PATCH properties.

The shapes of one app's records live in that app's api.py."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

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


VERSION_READ = (
    "Required: the `version` you read. The change is refused with 409 Conflict if someone saved "
    "in between, and with 422 naming `version` if it is left out."
)


def version_read() -> Any:
    """The `version` of a versioned record that a PATCH, or a POST action on the record
    (/advance, /postpone, ...), always sends (kembar.core.versioning)."""
    return Field(description=VERSION_READ, ge=1)


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
