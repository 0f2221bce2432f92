"""The kembar REST API, served at /api/ (documentation at /api/docs)."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from ninja import NinjaAPI

from . import docs, errors
from .auth import READ
from .pagination import RENDERER

DESCRIPTION = """
The sister-city registry of kembar: gazetteer places, local governments and their partnerships.

**Authentication.** Send a personal token as `Authorization: Bearer <token>` (an administrator
creates one with `kembar create-token USERNAME NAME`; it is shown once). A logged-in browser
session works too; with a session, writes also need Django's CSRF token in `X-CSRFToken`.
Reads need no authentication and then return public data only; writes without credentials
get 401. An unknown or revoked token gets 401 even on reads.

**Permissions.** Editors of the office acting for either government of a partnership (and
platform administrators) change it; viewers, oversight bodies and everyone else read.
A partnership that is not public is visible only to members of either partner's office,
oversight bodies and platform administrators; for anyone else it does not exist (404).

**Lists** take `limit` (1–500, default 50) and `offset` and answer
`{"count": <all matches>, "items": [...]}`.

**Errors** are JSON with a `detail`:

* 400 (the body is not JSON), 401, 403, 404, 409: `{"detail": "What went wrong."}`
* 422 (invalid input, from request parsing or from the registry's rules alike):
  `{"detail": [{"field": "government_b_id", "message": "Bandung and Kyoto are already partners."}]}`.
  `field` is the property or parameter as you sent it, dotted into lists (`fields.1`),
  or null when the error is about the request as a whole.
* Every PATCH of a record with a `version` must send the `version` you read: without it the
  answer is a 422 naming `version`, and when it is not the current one a 409 (someone saved in
  between: read again, then retry). Neither writes anything.
"""


class KembarAPI(NinjaAPI):
    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._schemas: dict[tuple, dict] = {}

    def _get_urls(self) -> list:
        return docs.asset_urls() + super()._get_urls()

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> dict:
        """Mark reads as working without credentials too (`{}` in OpenAPI's security list).

        Built once per process, root path and language (it depends on the code only; building
        it takes seconds), so /api/openapi.json and the docs answer at once after the first time."""
        key = (repr(args), repr(sorted(kwargs.items())), translation.get_language())
        if key not in self._schemas:
            self._schemas[key] = self._build_schema(*args, **kwargs)
        return self._schemas[key]

    def _build_schema(self, *args: Any, **kwargs: Any) -> dict:
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema.get("paths", {}).values():
            read = operations.get("get")
            if read is not None and read.get("security") and {} not in read["security"]:
                read["security"].append({})
        return schema


def build_api() -> KembarAPI:
    """The API with its documentation and error handling, without routers: kembar/urls.py mounts
    each app's routers (`<app>/api.py`), so this package imports no app above accounts."""
    api = KembarAPI(
        title="kembar API",
        version="1",
        description=DESCRIPTION,
        auth=READ,
        docs=docs.LocalSwagger(),
        urls_namespace="api",
        renderer=RENDERER,
    )
    errors.install(api)
    return api
