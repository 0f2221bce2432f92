"""/api/governments and /api/partnerships: the permission matrix, field-level errors, concurrent
edits, query budgets."""

from __future__ import annotations

import datetime as dt

import pytest

from kembar.activities.models import Activity
from kembar.gazetteer.models import Place
from kembar.meetings.models import ActionItem as MeetingActionItem
from kembar.partnerships.models import LocalGovernment, Partnership
from kembar.partnerships.services import government_for_place
from tests.support.builders import city, private_friendship, sister_cities
from tests.support.clients import errors_by_field, partnership_body
from tests.support.queries import assert_constant_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def sister(governments):
    """Bandung–Braunschweig (public), the pair whose two offices are on the platform."""
    return sister_cities(governments)


@pytest.fixture
def private(governments):
    """Bandung–Kyoto, not public: only Bandung's office, oversight and admins see it."""
    return private_friendship(governments)


# --- local governments ----------------------------------------------------------------------


def test_governments_are_found_by_country_level_and_names_in_other_scripts(api, governments):
    body = api("get", "/api/governments?country=KR").json()
    assert [g["name"] for g in body["items"]] == ["Busan"] and body["count"] == 1
    body = api("get", "/api/governments", query={"q": "京都"}).json()
    assert [g["id"] for g in body["items"]] == [governments["kyoto"].pk]
    body = api("get", "/api/governments?level=city&country=ID").json()
    assert {g["name"] for g in body["items"]} == {"Bandung", "Surabaya"}


def test_a_government_shows_its_place(api, governments):
    body = api("get", f"/api/governments/{governments['busan'].pk}").json()
    assert body["place"]["name"] == "Busan" and body["place"]["timezone"] == "Asia/Seoul"
    assert body["level"] == "city" and body["country_code"] == "KR"


def test_an_editor_registers_a_government_for_a_place(api):
    yogyakarta = city("Yogyakarta", "ID")
    response = api(
        "post",
        "/api/governments",
        as_="bandung_editor",
        body={
            "place_id": yogyakarta.pk,
            "traits": ["former_capital", "heritage"],
            "sdg_priorities": [4, 11],
            "contact_email": "kerjasama@jogjakota.go.id",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "Yogyakarta" and body["level"] == "city" and body["country_code"] == "ID"
    assert body["traits"] == ["former_capital", "heritage"] and body["sdg_priorities"] == [4, 11]


def test_a_subdivision_gets_its_own_level_by_default(api):
    kyoto_prefecture = Place.objects.get(subdivision_code="JP-26")
    response = api("post", "/api/governments", as_="platform_admin", body={"place_id": kyoto_prefecture.pk})
    assert response.status_code == 201, response.content
    assert response.json()["level"] == "prefecture"


@pytest.mark.parametrize(
    "who, status",
    [
        ("bandung_editor", 201),
        ("braunschweig_editor", 201),
        ("surabaya_editor", 201),
        ("bandung_viewer", 403),
        ("oversight", 403),
        (None, 401),
        ("platform_admin", 201),
    ],
)
def test_who_may_register_a_government(api, who, status):
    place = city("Yogyakarta", "ID")
    response = api("post", "/api/governments", as_=who, body={"place_id": place.pk})
    assert response.status_code == status, response.content
    assert LocalGovernment.objects.filter(place=place).exists() == (status == 201)


@pytest.mark.parametrize(
    "body, field",
    [
        ({"place_id": 999999999}, "place_id"),
        ({"traits": ["volcano"]}, "traits.0"),
        ({"sdg_priorities": [18]}, "sdg_priorities.0"),
        ({"contact_email": "not an address"}, "contact_email"),
        ({"level": "galaxy"}, "level"),
        ({}, "level"),  # Bandung already has a city government
    ],
)
def test_registering_a_government_names_the_field_at_fault(api, governments, body, field):
    body = {"place_id": governments["bandung"].place_id, **body}
    response = api("post", "/api/governments", as_="bandung_editor", body=body)
    assert field in errors_by_field(response)


def test_registering_a_government_without_a_place_names_place_id(api):
    response = api("post", "/api/governments", as_="bandung_editor", body={"level": "city"})
    assert "place_id" in errors_by_field(response)


@pytest.mark.parametrize(
    "who, status",
    [
        ("bandung_editor", 200),
        ("braunschweig_editor", 403),
        ("surabaya_editor", 403),
        ("bandung_viewer", 403),
        ("oversight", 403),
        (None, 401),
        ("platform_admin", 200),
    ],
)
def test_who_may_change_a_government(api, governments, sister, who, status):
    bandung = governments["bandung"]
    response = api(
        "patch",
        f"/api/governments/{bandung.pk}",
        as_=who,
        body={"traits": ["university", "creative"], "contact_phone": "+62 22 4234793", "version": bandung.version},
    )
    assert response.status_code == status, response.content
    bandung.refresh_from_db()
    assert (bandung.traits == ["university", "creative"]) == (status == 200)
    if status == 200:
        assert response.json()["contact_phone"] == "+62 22 4234793"


def test_changing_a_government_keeps_what_is_left_out_and_checks_values(api, governments):
    bandung = governments["bandung"]
    bandung.website = "https://bandung.go.id"
    bandung.save()
    url = f"/api/governments/{bandung.pk}"
    response = api("patch", url, as_="bandung_editor", body={"name": "Kota Bandung", "version": 1})
    assert response.json()["name"] == "Kota Bandung" and response.json()["website"] == "https://bandung.go.id"
    response = api("patch", url, as_="bandung_editor", body={"website": "not a url", "name": None, "version": 2})
    assert set(errors_by_field(response)) >= {"name"}
    response = api("patch", url, as_="bandung_editor", body={"website": "not a url", "version": 2})
    assert "website" in errors_by_field(response)
    bandung.refresh_from_db()
    assert bandung.website == "https://bandung.go.id"


# --- partnerships: reading ------------------------------------------------------------------


def test_a_partnership_shows_both_governments_with_coordinates(api, governments, sister):
    body = api("get", f"/api/partnerships/{sister.pk}").json()
    a, b = body["government_a"], body["government_b"]
    assert {a["name"], b["name"]} == {"Bandung", "Braunschweig"}
    assert a["latitude"] is not None and a["longitude"] is not None and a["place_id"]
    assert body["kind"] == "sister_city" and body["status"] == "active" and body["since"] == "1960-01-01"
    assert body["fields"] == ["culture", "education"] and body["basis"] == "University cities"
    assert body["public"] is True and body["source"] == "manual" and body["version"] == 1
    assert body["created"] and body["updated"]


def test_partnerships_are_filtered(api, governments, sister, private):
    def ids(query: str, as_: str | None = "platform_admin") -> set[int]:
        response = api("get", f"/api/partnerships?{query}", as_=as_)
        assert response.status_code == 200, response.content
        return {p["id"] for p in response.json()["items"]}

    assert ids("country=DE") == {sister.pk}
    assert ids("country=Japan") == {private.pk}
    assert ids("kind=friendship") == {private.pk}
    assert ids("field=culture") == {sister.pk}
    assert ids(f"government={governments['bandung'].pk}") == {sister.pk, private.pk}
    assert ids("q=braunschweig") == {sister.pk}
    assert ids("status=suspended") == set()


@pytest.mark.parametrize(
    "who, sees",
    [
        (None, False),
        ("surabaya_editor", False),
        ("braunschweig_editor", False),
        ("bandung_viewer", True),
        ("bandung_editor", True),
        ("oversight", True),
        ("platform_admin", True),
    ],
)
def test_a_partnership_that_is_not_public_exists_only_for_those_who_may_read_it(api, private, who, sees):
    detail = api("get", f"/api/partnerships/{private.pk}", as_=who)
    listed = api("get", "/api/partnerships", as_=who).json()
    assert (private.pk in [p["id"] for p in listed["items"]]) == sees
    if sees:
        assert detail.status_code == 200 and detail.json()["public"] is False
    else:
        missing = api("get", "/api/partnerships/999999999", as_=who)
        assert detail.status_code == missing.status_code == 404
        assert detail.json()["detail"] == f"No partnership with id {private.pk}."


def test_lists_are_paged_with_a_count(api, sister, private):
    body = api("get", "/api/partnerships?limit=1&offset=1", as_="platform_admin").json()
    assert body["count"] == 2 and len(body["items"]) == 1


# --- partnerships: writing ------------------------------------------------------------------


def test_a_partnership_is_created_read_changed_and_deleted(api, governments):
    response = api(
        "post",
        "/api/partnerships",
        as_="bandung_editor",
        body=partnership_body(
            governments,
            "liverpool",
            "bandung",
            kind="cooperation",
            status="proposed",
            since="2021-05-04",
            fields=["trade", "smart_city"],
            basis="Ports",
            public=True,
            notes="Started online",
        ),
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert {created["government_a"]["name"], created["government_b"]["name"]} == {"Bandung", "Liverpool"}
    assert created["fields"] == ["smart_city", "trade"] and created["since"] == "2021-05-04"

    pk = created["id"]
    assert api("get", f"/api/partnerships/{pk}").json() == created

    response = api(
        "patch",
        f"/api/partnerships/{pk}",
        as_="bandung_editor",
        body={"status": "active", "fields": ["trade"], "version": created["version"]},
    )
    assert response.status_code == 200, response.content
    changed = response.json()
    assert changed["status"] == "active" and changed["fields"] == ["trade"]
    assert changed["kind"] == "cooperation" and changed["notes"] == "Started online"
    assert changed["version"] == created["version"] + 1

    response = api("patch", f"/api/partnerships/{pk}", as_="bandung_editor", body={"since": None, "version": 2})
    assert response.json()["since"] is None

    response = api("delete", f"/api/partnerships/{pk}", as_="bandung_editor")
    assert response.status_code == 204
    assert api("get", f"/api/partnerships/{pk}").status_code == 404


@pytest.mark.parametrize(
    "who, status",
    [
        ("bandung_editor", 201),
        ("surabaya_editor", 201),
        ("braunschweig_editor", 403),
        ("bandung_viewer", 403),
        ("oversight", 403),
        (None, 401),
        ("platform_admin", 201),
    ],
)
def test_who_may_create_a_partnership(api, governments, who, status):
    """Bandung–Surabaya: own office, partner office, an unrelated office, and the rest."""
    response = api("post", "/api/partnerships", as_=who, body=partnership_body(governments))
    assert response.status_code == status, response.content
    if status != 201:
        assert isinstance(response.json()["detail"], str)
    assert Partnership.objects.count() == (1 if status == 201 else 0)
    if status == 201:
        assert response.json()["status"] == "proposed"  # not active until the partners say so


@pytest.mark.parametrize(
    "who, status",
    [
        ("bandung_editor", 200),
        ("braunschweig_editor", 200),
        ("surabaya_editor", 403),
        ("bandung_viewer", 403),
        ("oversight", 403),
        (None, 401),
        ("platform_admin", 200),
    ],
)
def test_who_may_change_a_partnership(api, sister, who, status):
    body = {"status": "suspended", "version": sister.version}
    response = api("patch", f"/api/partnerships/{sister.pk}", as_=who, body=body)
    assert response.status_code == status, response.content
    sister.refresh_from_db()
    assert (sister.status == "suspended") == (status == 200)


@pytest.mark.parametrize(
    "who, status",
    [
        ("bandung_editor", 204),
        ("braunschweig_editor", 204),
        ("surabaya_editor", 403),
        ("bandung_viewer", 403),
        ("oversight", 403),
        (None, 401),
        ("platform_admin", 204),
    ],
)
def test_who_may_delete_a_partnership(api, sister, who, status):
    response = api("delete", f"/api/partnerships/{sister.pk}", as_=who)
    assert response.status_code == status, response.content
    assert Partnership.objects.filter(pk=sister.pk).exists() == (status != 204)


@pytest.mark.parametrize("method", ["patch", "delete"])
def test_an_office_cannot_learn_of_a_partnership_it_may_not_read_by_writing_to_it(api, private, method):
    response = api(
        method,
        f"/api/partnerships/{private.pk}",
        as_="surabaya_editor",
        body={"status": "ended", "version": private.version} if method == "patch" else None,
    )
    assert response.status_code == 404
    private.refresh_from_db()
    assert private.status == "active"


# --- partnerships: errors -------------------------------------------------------------------


def test_a_government_cannot_partner_itself(api, governments):
    response = api(
        "post", "/api/partnerships", as_="bandung_editor", body=partnership_body(governments, "bandung", "bandung")
    )
    assert errors_by_field(response)["government_b_id"] == "A government cannot partner itself."


@pytest.mark.parametrize("a, b", [("bandung", "braunschweig"), ("braunschweig", "bandung")])
def test_a_pair_exists_once_in_either_order(api, governments, sister, a, b):
    response = api("post", "/api/partnerships", as_="bandung_editor", body=partnership_body(governments, a, b))
    assert "already partners" in errors_by_field(response)["government_b_id"]
    assert Partnership.objects.count() == 1


@pytest.mark.parametrize(
    "extra, field",
    [
        ({"kind": "marriage"}, "kind"),
        ({"status": "asleep"}, "status"),
        ({"since": (dt.date.today() + dt.timedelta(days=30)).isoformat()}, "since"),
        ({"since": "yesterday"}, "since"),
        ({"since": 86400}, "since"),  # found by fuzzing: a number used to be read as seconds since 1970
        ({"since": "86400"}, "since"),  # … and a string of digits too
        ({"fields": ["culture", "astrology"]}, "fields.1"),
        ({"public": "perhaps"}, "public"),
        ({"public": "yes"}, "public"),  # found by fuzzing: 0, 1 and "yes" used to be taken as booleans
        ({"public": 1}, "public"),
        ({"government_a_id": 999999999}, "government_a_id"),
        ({"government_b_id": "Kyoto"}, "government_b_id"),
    ],
)
def test_bad_partnership_values_name_the_field(api, governments, extra, field):
    response = api("post", "/api/partnerships", as_="bandung_editor", body={**partnership_body(governments), **extra})
    assert field in errors_by_field(response)
    assert Partnership.objects.count() == 0


@pytest.mark.parametrize("value", [0, "0", 1700000000, "1700000000", 1.5])
def test_a_number_is_never_taken_for_a_date_or_a_moment(api, governments, sister, value):
    """Found by fuzzing: an action item "due": 0 was stored as due 1970-01-01 (seconds since 1970)."""
    meeting = api(
        "post",
        "/api/meetings",
        as_="bandung_editor",
        body={"partnership_id": sister.pk, "title": "Rapat", "start": "2026-11-24T23:00:00Z", "agenda": ["Kabar"]},
    ).json()
    action = api(
        "post",
        f"/api/meetings/{meeting['id']}/action-items",
        as_="bandung_editor",
        body={"text": "Kirim draf", "owner": "Siti", "government_id": governments["bandung"].pk, "due": value},
    )
    assert "due" in errors_by_field(action)
    moved = api(
        "post",
        "/api/meetings",
        as_="bandung_editor",
        body={"partnership_id": sister.pk, "title": "Rapat", "start": value},
    )
    assert "start" in errors_by_field(moved)
    slots = api(
        "get",
        "/api/meetings/slots",
        as_="bandung_editor",
        query={"partnership_id": sister.pk, "start": value, "end": "2026-12-31"},
    )
    assert slots.status_code == 422 and "start" in str(slots.json())
    activity = api(
        "post",
        f"/api/partnerships/{sister.pk}/activities",
        as_="bandung_editor",
        body={
            "title": "Pekan budaya",
            "type": "cultural_event",
            "host_id": governments["bandung"].pk,
            "start": value,
            "end": "2026-12-02T12:00",
        },
    )
    assert "start" in errors_by_field(activity)
    assert MeetingActionItem.objects.count() == 0 and Activity.objects.count() == 0


@pytest.mark.parametrize("missing", ["government_a_id", "government_b_id"])
def test_a_missing_property_is_named(api, governments, missing):
    body = partnership_body(governments)
    del body[missing]
    response = api("post", "/api/partnerships", as_="bandung_editor", body=body)
    assert missing in errors_by_field(response)


@pytest.mark.parametrize(
    "body, field",
    [
        ({"kind": None}, "kind"),
        ({"kind": "marriage"}, "kind"),
        ({"fields": ["astrology"]}, "fields.0"),
        ({"since": "2999-01-01"}, "since"),
        ({"version": "latest"}, "version"),
        ({"public": 0}, "public"),
        ({"public": "false"}, "public"),
        ({"since": 0}, "since"),
    ],
)
def test_bad_changes_name_the_field_and_change_nothing(api, sister, body, field):
    response = api("patch", f"/api/partnerships/{sister.pk}", as_="bandung_editor", body={"version": 1, **body})
    assert set(errors_by_field(response)) == {field}
    sister.refresh_from_db()
    assert sister.kind == "sister_city" and sister.version == 1


@pytest.mark.parametrize(
    "query, field",
    [
        ("kind=marriage", "kind"),
        ("field=astrology", "field"),
        ("country=Atlantis", "country"),
        ("limit=0", "limit"),
        ("limit=100000", "limit"),
        ("government=Bandung", "government"),
    ],
)
def test_bad_list_parameters_name_the_parameter(api, query, field):
    response = api("get", f"/api/partnerships?{query}")
    assert field in errors_by_field(response)


def test_changes_made_with_a_token_are_recorded_in_the_history_under_its_user(api, users, sister):
    api(
        "patch", f"/api/partnerships/{sister.pk}", as_="braunschweig_editor", body={"status": "suspended", "version": 1}
    )
    assert sister.history.latest().history_user == users["braunschweig_editor"]


def test_a_stale_version_is_refused_with_409(api, sister):
    first = api(
        "patch",
        f"/api/partnerships/{sister.pk}",
        as_="bandung_editor",
        body={"notes": "Braunschweig's edit", "version": 1},
    )
    assert first.status_code == 200 and first.json()["version"] == 2
    second = api(
        "patch",
        f"/api/partnerships/{sister.pk}",
        as_="braunschweig_editor",
        body={"notes": "Bandung's edit", "version": 1},
    )
    assert second.status_code == 409
    assert "changed" in second.json()["detail"]
    sister.refresh_from_db()
    assert sister.notes == "Braunschweig's edit" and sister.version == 2


# --- query budgets --------------------------------------------------------------------------


def test_a_change_is_saved_and_answered_in_a_fixed_number_of_queries(api, sister, django_assert_max_num_queries):
    """The row is read once under its lock: its next version and what the save changes are known
    from it, not read again, and the answer is the saved row with its fields."""
    sister.fields.set(["culture", "trade"])
    version = api("get", f"/api/partnerships/{sister.pk}", as_="bandung_editor").json()["version"]
    for turn in range(2):
        # the caller (2), the partnership, its office, the row locked, saved, its history record
        # and the record of its fields (read, written), the answer's fields, the transaction (2)
        with django_assert_max_num_queries(12):
            answer = api(
                "patch",
                f"/api/partnerships/{sister.pk}",
                as_="bandung_editor",
                body={"notes": f"Edit {turn}", "status": "active", "version": version + turn},
            )
        assert answer.status_code == 200, answer.content
        body = answer.json()
        assert body["version"] == version + turn + 1 and body["notes"] == f"Edit {turn}"
        assert body["fields"] == ["culture", "trade"] and body["government_a"]["name"]
        assert body["confirmed_by"]  # the office's save is its confirmation
    sister.refresh_from_db()
    assert sister.version == version + 2
    assert [r.version for r in sister.history.order_by("-history_id")[:2]] == [version + 2, version + 1]


def _many_partnerships(total: int, governments: dict) -> None:
    """Partnerships between governments of real places (bulk, so 500 take a moment)."""
    have = Partnership.objects.count()
    places = list(Place.objects.filter(kind=Place.Kind.CITY).order_by("-population", "id")[:40])
    for place in places:
        government_for_place(place)
    ids = sorted(LocalGovernment.objects.values_list("id", flat=True))
    existing = set(Partnership.objects.values_list("government_a_id", "government_b_id"))
    rows = []
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            if (a, b) not in existing and len(rows) < total - have:
                rows.append(
                    Partnership(
                        government_a_id=a,
                        government_b_id=b,
                        kind="friendship",
                        public=len(rows) % 3 != 0,
                        basis="shared",
                    )
                )
    Partnership.objects.bulk_create(rows)
    through = Partnership.fields.through
    through.objects.bulk_create(
        [
            through(partnership_id=p, cooperationfield_id=code)
            for p in Partnership.objects.values_list("id", flat=True)
            for code in ("culture", "trade")
        ],
        ignore_conflicts=True,
    )
    assert Partnership.objects.count() == total


def _listed(client, path: str, headers: dict, expect_items: int) -> None:
    response = client.get(path, **headers)
    assert response.status_code == 200, response.content
    assert len(response.json()["items"]) == expect_items


@pytest.mark.parametrize("who", [None, "bandung_viewer", "oversight"])
def test_the_partnership_list_costs_the_same_queries_for_5_and_500_rows(client, governments, tokens, who):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {tokens[who]}"} if who else {}
    path = "/api/partnerships?limit=500"
    _many_partnerships(5, governments)
    shown = len(client.get(path, **headers).json()["items"])
    with assert_constant_queries() as queries:
        with queries.few():
            _listed(client, path, headers, expect_items=shown)
        _many_partnerships(500, governments)
        count = client.get(path, **headers).json()["count"]
        assert count > 300
        with queries.many() as many:
            _listed(client, path, headers, expect_items=count)
    assert len(many) <= 7  # the caller (3), the count, the page's ids, the rows not kept and their fields


def test_the_government_list_costs_the_same_queries_for_6_and_40_rows(client, governments):
    path = "/api/governments?limit=500"
    with assert_constant_queries() as queries:
        with queries.few():
            _listed(client, path, {}, expect_items=6)
        _many_partnerships(10, governments)
        total = LocalGovernment.objects.count()
        assert total >= 40
        with queries.many():
            _listed(client, path, {}, expect_items=total)
