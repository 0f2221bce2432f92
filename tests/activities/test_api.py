"""/api/activities: reading by permission, writing with the services' rules, 422 and 409 shapes."""

from __future__ import annotations

import datetime as dt

import pytest

from kembar.activities import services
from kembar.partnerships import services as partnership_services
from tests.support.clients import bearer

pytestmark = pytest.mark.django_db
UTC = dt.UTC


@pytest.fixture
def setup(users, governments):
    admin = users["platform_admin"]
    p = partnership_services.create_partnership(admin, governments["bandung"], governments["braunschweig"])
    start = dt.datetime(2026, 8, 17, 12, tzinfo=UTC)
    hidden = services.create_activity(
        admin, p, title="Hidden", type="other", host=governments["bandung"], start=start, end=start, public=False
    )
    return p, hidden


def test_create_read_postpone_and_conflict(client, users, governments, setup):
    p, hidden = setup
    editor = bearer(users["bandung_editor"])
    response = client.post(
        f"/api/partnerships/{p.pk}/activities",
        {
            "title": "Angklung workshop",
            "type": "cultural_event",
            "host_id": governments["bandung"].pk,
            "start": "2026-09-01T19:00:00",
            "end": "2026-09-01T21:00:00",
            "recurrence": "FREQ=YEARLY",
            "budget": "1500000",
            "currency": "idr",
        },
        content_type="application/json",
        **editor,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["start"].startswith("2026-09-01T12:00:00") and body["start_local"] == "2026-09-01T19:00:00+07:00"
    assert body["timezone"] == "Asia/Jakarta" and body["currency"] == "IDR" and body["version"] == 1
    assert body["public"] is False  # private until the office publishes it
    a = body["id"]
    response = client.post(
        f"/api/activities/{a}/postpone",
        {"reason": "Rain", "occurrence": "2027-09-01T19:00:00", "version": 1},
        content_type="application/json",
        **editor,
    )
    assert response.status_code == 200 and response.json()["changes"][0]["occurrence"].startswith("2027-09-01T12:00")
    response = client.patch(
        f"/api/activities/{a}", {"title": "Old", "version": 1}, content_type="application/json", **editor
    )
    assert response.status_code == 409
    anonymous = client.get(f"/api/partnerships/{p.pk}/activities").json()
    assert anonymous["items"] == []
    version = client.get(f"/api/activities/{a}", **editor).json()["version"]
    response = client.patch(
        f"/api/activities/{a}", {"public": True, "version": version}, content_type="application/json", **editor
    )
    assert response.status_code == 200, response.content
    anonymous = client.get(f"/api/partnerships/{p.pk}/activities").json()
    assert [i["title"] for i in anonymous["items"]] == ["Angklung workshop"]
    assert client.get(f"/api/activities/{hidden.pk}").status_code == 404
    assert client.get(f"/api/activities/{hidden.pk}", **bearer(users["bandung_viewer"])).status_code == 200


def test_postponing_with_a_stale_version_is_a_409_and_changes_nothing(client, users, setup):
    p, hidden = setup
    services.update_activity(users["platform_admin"], hidden, expected_version=1, title="Hidden, renamed")
    response = client.post(
        f"/api/activities/{hidden.pk}/postpone",
        {"reason": "Rain", "new_start": "2026-09-01T19:00:00", "version": 1},
        content_type="application/json",
        **bearer(users["bandung_editor"]),
    )
    assert response.status_code == 409, response.content
    hidden.refresh_from_db()
    assert (hidden.status, hidden.version, hidden.start) == ("planned", 2, dt.datetime(2026, 8, 17, 12, tzinfo=UTC))
    assert not hidden.changes.exists()


@pytest.mark.parametrize(
    "change, field",
    [
        ({"end": "2026-09-01T18:00:00"}, "end"),
        ({"recurrence": "FREQ=SOMETIMES"}, "recurrence"),
        ({"participants_a": -1}, "participants_a"),
        ({"currency": "ABC", "budget": "5"}, "currency"),
        ({"host_id": 999999}, "host_id"),
        ({"start": "0001-01-01T00:00:00"}, "start"),  # in Jakarta's zone that is before the year 1 in UTC
        ({"end": "9999-12-31T23:00:00-05:00"}, "end"),
        ({"title": "Angklung\u0000"}, "title"),  # PostgreSQL cannot store it
    ],
)
def test_bad_input_is_a_422_naming_the_field(client, users, governments, setup, change, field):
    p, _ = setup
    data = {
        "title": "X",
        "type": "other",
        "host_id": governments["bandung"].pk,
        "start": "2026-09-01T19:00:00",
        "end": "2026-09-01T21:00:00",
        **change,
    }
    response = client.post(
        f"/api/partnerships/{p.pk}/activities", data, content_type="application/json", **bearer(users["bandung_editor"])
    )
    assert response.status_code == 422 and [e["field"] for e in response.json()["detail"]] == [field]


def test_an_unrelated_editor_cannot_write(client, users, governments, setup):
    p, hidden = setup
    response = client.post(
        f"/api/partnerships/{p.pk}/activities",
        {
            "title": "X",
            "type": "other",
            "host_id": governments["bandung"].pk,
            "start": "2026-09-01T19:00:00",
            "end": "2026-09-01T21:00:00",
        },
        content_type="application/json",
        **bearer(users["surabaya_editor"]),
    )
    assert response.status_code == 403


def test_an_unknown_sdg_target_is_named_not_a_server_error(client, users, governments, setup):
    """Found by fuzzing: an empty or word-like target broke the sorting of the targets."""
    p, _hidden = setup
    response = client.post(
        f"/api/partnerships/{p.pk}/activities",
        {
            "title": "Angklung workshop",
            "type": "other",
            "host_id": governments["bandung"].pk,
            "start": "2026-09-01T19:00:00",
            "end": "2026-09-01T21:00:00",
            "sdg_targets": ["", "11.5", "abc"],
        },
        content_type="application/json",
        **bearer(users["bandung_editor"]),
    )
    assert response.status_code == 422
    assert response.json()["detail"] == [{"field": "sdg_targets", "message": "Unknown SDG goal or target: , abc."}]
