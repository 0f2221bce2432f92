"""Every API change of a versioned record sends the `version` it read.

A PATCH, or a POST action on an existing record (/advance, /back, /postpone, /convert), without
it answers 422 naming `version`, one with a stale version 409; neither writes anything. The
operations come from the OpenAPI document, so one added later is checked without anyone
remembering to add it here: a PATCH or action whose record has a `version` is checked, and one
whose record has none must be listed in NOT_VERSIONED with why. An action is a POST on a path
with the record's id that answers 200 with the record; a POST that answers 201 creates a new
record (an attachment, a participant) and overwrites nothing. The records and request bodies are
the permission sweep's (tests/test_permission_sweep.py: its world, PATH_VALUES and API_BODIES).
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

# PATCH operations and POST actions of records without a version, each with why.
NOT_VERSIONED = {
    ("patch", "/api/meetings/{meeting_id}/participants/{participant_id}"): (
        "a participant is one person's row, not a shared text"
    ),
    ("patch", "/api/offices/{organisation_id}/members/{membership_id}"): (
        "a member's role is one value an administrator sets whole; the last administrator is kept by a lock"
    ),
    ("post", "/api/meetings/{meeting_id}/invitations"): (
        "mails the meeting as it stands when sent; changes nothing a client read and could overwrite"
    ),
    ("post", "/api/governments/{government_id}/traits/{trait}/correction"): (
        "withdraws or restores one trait the data gives the office's own place, a flag set whole with "
        "who and why; no shared text a client read and could overwrite"
    ),
    ("post", "/api/conversations/{partnership_id}/sharing"): (
        "one flag set whole (shared or not), with who and when; no shared text a client read and could overwrite"
    ),
    ("post", "/api/conversations/{partnership_id}/read"): (
        "the caller's own read state, which only moves forward; nobody else's text to overwrite"
    ),
}


# Records that no PATCH changes: how someone else saves one in between (a POST action of theirs
# that leaves the record open to the action under test), keyed by the record's path.
SAVED_IN_BETWEEN = {
    "/api/proposals/{proposal_id}": ("/ask", {"message": "Anything else?"}),
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


def post_actions(spec: dict) -> dict[str, bool]:
    """Every POST action's path (a POST on an existing record, answering 200 with what it
    changed), and whether that record has a version."""
    return {
        path: _returns_a_version(ops["post"], spec)
        for path, ops in spec["paths"].items()
        if "post" in ops and "{" in path and "200" in ops["post"]["responses"]
    }


VERSIONED = sorted(path for path, versioned in patch_operations(_spec()).items() if versioned)
VERSIONED_ACTIONS = sorted(path for path, versioned in post_actions(_spec()).items() if versioned)


def test_every_patch_and_action_is_checked_or_listed_with_why(client):
    spec = client.get("/api/openapi.json").json()
    found = {("patch", path): versioned for path, versioned in patch_operations(spec).items()}
    found |= {("post", path): versioned for path, versioned in post_actions(spec).items()}
    assert sorted(path for (method, path), versioned in found.items() if versioned and method == "patch") == VERSIONED
    assert sorted(path for (method, path), versioned in found.items() if versioned and method == "post") == (
        VERSIONED_ACTIONS
    )
    assert {key for key, versioned in found.items() if not versioned} == set(NOT_VERSIONED), (
        "A PATCH or POST action of a record without a version: give the record one "
        "(kembar.core.models.Versioned) or list the operation in NOT_VERSIONED with why."
    )
    # Partnerships, governments, agreements, activities, meetings, solutions, needs, pilots,
    # partner requests.
    assert len(VERSIONED) >= 9
    assert {
        "/api/agreements/{agreement_id}/advance",
        "/api/agreements/{agreement_id}/back",
        "/api/activities/{activity_id}/postpone",
        "/api/activities/{activity_id}/convert",
    } <= set(VERSIONED_ACTIONS)


def _without_version(spec: dict, w, method: str, path: str) -> tuple[str, dict, dict]:
    """The operation's URL, path values and the sweep's valid body without its `version`, after
    checking that the OpenAPI document requires `version` and lists the refusals."""
    op = Operation(method, path, True, spec["paths"][path][method])
    schema = body_schema(op, spec)
    assert "version" in schema.get("required", []), "the OpenAPI document says `version` is required"
    assert "required" in schema["properties"]["version"]["description"].lower()
    assert {"409", "422"} <= set(op.spec["responses"]), "the OpenAPI document lists the refusals"
    url, kwargs = operation_urls(op, spec, w)[0]
    body = api_body(op, spec, w, kwargs)
    assert "version" in body, f"API_BODIES[({method!r}, {path!r})] in tests/test_permission_sweep.py sends no version"
    del body["version"]
    return url, kwargs, body


@pytest.mark.parametrize("path", VERSIONED)
def test_a_change_without_its_version_or_with_a_stale_one_is_refused(world, client, api, path):  # noqa: F811
    spec = client.get("/api/openapi.json").json()
    url, _kwargs, body = _without_version(spec, world, "patch", path)
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


def _record_url(action_url: str) -> str:
    """/api/agreements/5/advance -> /api/agreements/5: where the record is read and PATCHed."""
    return action_url.rsplit("/", 1)[0]


@pytest.mark.parametrize("path", VERSIONED_ACTIONS)
def test_an_action_without_its_version_or_with_a_stale_one_is_refused(world, client, api, path):  # noqa: F811
    spec = client.get("/api/openapi.json").json()
    url, kwargs, body = _without_version(spec, world, "post", path)
    record = _record_url(url)
    read = api("get", record, "platform_admin").json()["version"]  # as a client reads it first

    before = snapshot()
    missing = api("post", url, "platform_admin", body)
    assert errors_by_field(missing) == {"version": str(MISSING_VERSION)}
    assert not changed(before, snapshot()), "an action without its version wrote something"

    # Someone else saves the record in between (its own PATCH, as the sweep sends it; or, for a
    # record no PATCH changes, another action of theirs).
    if "patch" in spec["paths"][_record_url(path)]:
        patch = Operation("patch", _record_url(path), True, spec["paths"][_record_url(path)]["patch"])
        other = api("patch", record, "platform_admin", api_body(patch, spec, world, kwargs))
    else:
        action, other_body = SAVED_IN_BETWEEN[_record_url(path)]
        other = api("post", record + action, "platform_admin", {**other_body, "version": read})
    assert other.status_code == 200 and other.json()["version"] == read + 1, other.content

    before = snapshot()
    stale = api("post", url, "platform_admin", {**body, "version": read})
    assert stale.status_code == 409, stale.content
    assert "Someone else changed this" in stale.json()["detail"]
    assert not changed(before, snapshot()), "an action with a stale version wrote something"

    done = api("post", url, "platform_admin", {**body, "version": read + 1})
    assert done.status_code == 200, done.content
    assert done.json()["version"] == read + 2


def test_a_null_version_is_refused_like_a_missing_one(api, users, governments):
    bandung = governments["bandung"]
    response = api("patch", f"/api/governments/{bandung.pk}", "bandung_editor", {"name": "X", "version": None})
    assert set(errors_by_field(response)) == {"version"}
    bandung.refresh_from_db()
    assert (bandung.name, bandung.version) == ("Bandung", 1)
