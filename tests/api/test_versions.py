"""Every API change of a versioned record sends the `version` it read.

A PATCH without it answers 422 naming `version`, one with a stale version 409; neither writes
anything. The operations come from the OpenAPI document, so a PATCH added later is checked
without anyone remembering to add it here: a PATCH whose record has a `version` is checked, and
one whose record has none must be listed in NOT_VERSIONED with why. The records and request
bodies are the permission sweep's (tests/test_permission_sweep.py: its world, PATH_VALUES and
API_BODIES).
"""

from __future__ import annotations

import json

import pytest
from ninja.responses import NinjaJSONEncoder

from kembar.api.errors import MISSING_VERSION
from kembar.urls import api as site_api
from tests.support.clients import errors_by_field
from tests.test_permission_sweep import (
    Operation,
    api_body,
    body_schema,
    changed,
    operation_urls,
    resolve_ref,
    snapshot,
    world,  # noqa: F401  # the sweep's fixture: a record of every kind
)

pytestmark = pytest.mark.django_db

# PATCH operations of records without a version, each with why.
NOT_VERSIONED = {
    "/api/meetings/{meeting_id}/participants/{participant_id}": "a participant is one person's row, not a shared text",
}


def _spec() -> dict:
    """The OpenAPI document as /api/openapi.json serves it (there, status codes are strings)."""
    return json.loads(json.dumps(site_api.get_openapi_schema(path_prefix="/api/"), cls=NinjaJSONEncoder))


def _returns_a_version(operation: dict, spec: dict) -> bool:
    content = operation["responses"]["200"]["content"]["application/json"]["schema"]
    return "version" in resolve_ref(content, spec).get("properties", {})


def patch_operations(spec: dict) -> dict[str, bool]:
    """Every PATCH's path, and whether the record it changes has a version."""
    return {path: _returns_a_version(ops["patch"], spec) for path, ops in spec["paths"].items() if "patch" in ops}


VERSIONED = sorted(path for path, versioned in patch_operations(_spec()).items() if versioned)


def test_every_patch_is_checked_or_listed_with_why(client):
    spec = client.get("/api/openapi.json").json()
    found = patch_operations(spec)
    assert sorted(path for path, versioned in found.items() if versioned) == VERSIONED
    assert {path for path, versioned in found.items() if not versioned} == set(NOT_VERSIONED), (
        "A PATCH of a record without a version: give the record one (kembar.core.models.Versioned) "
        "or list the operation in NOT_VERSIONED with why."
    )
    # Partnerships, governments, agreements, activities, meetings, solutions, needs, pilots,
    # partner requests.
    assert len(VERSIONED) >= 9


@pytest.mark.parametrize("path", VERSIONED)
def test_a_change_without_its_version_or_with_a_stale_one_is_refused(world, client, api, path):  # noqa: F811
    spec = client.get("/api/openapi.json").json()
    op = Operation("patch", path, True, spec["paths"][path]["patch"])
    schema = body_schema(op, spec)
    assert "version" in schema.get("required", []), "the OpenAPI document says `version` is required"
    assert "required" in schema["properties"]["version"]["description"].lower()
    assert {"409", "422"} <= set(op.spec["responses"]), "the OpenAPI document lists the refusals"

    url, kwargs = operation_urls(op, spec, world)[0]
    body = api_body(op, spec, world, kwargs)
    assert "version" in body, f"API_BODIES[('patch', {path!r})] in tests/test_permission_sweep.py sends no version"
    del body["version"]
    read = api("get", url, "platform_admin").json()["version"]  # as a client reads it first

    before = snapshot()
    missing = api("patch", url, "platform_admin", body)
    assert errors_by_field(missing) == {"version": str(MISSING_VERSION)}
    assert not changed(before, snapshot()), "a change without its version wrote something"

    saved = api("patch", url, "platform_admin", {**body, "version": read})
    assert saved.status_code == 200, saved.content
    assert saved.json()["version"] == read + 1

    before = snapshot()
    stale = api("patch", url, "platform_admin", {**body, "version": read})
    assert stale.status_code == 409, stale.content
    assert "Someone else changed this" in stale.json()["detail"]
    assert not changed(before, snapshot()), "a change with a stale version wrote something"


def test_a_null_version_is_refused_like_a_missing_one(api, users, governments):
    bandung = governments["bandung"]
    response = api("patch", f"/api/governments/{bandung.pk}", "bandung_editor", {"name": "X", "version": None})
    assert set(errors_by_field(response)) == {"version"}
    bandung.refresh_from_db()
    assert (bandung.name, bandung.version) == ("Bandung", 1)
