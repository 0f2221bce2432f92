"""Offices adopt imported partnerships: the list of those to confirm, confirming one or many,
correcting (an office's save confirms), closing as ended or never formalised; who may; what the
pages, the API and the open data then say about where the facts come from."""

import io

import pytest
from django.core.exceptions import PermissionDenied

from kembar.core.versioning import stale_message
from kembar.partnerships import claims, opendata
from kembar.partnerships.models import Partnership
from kembar.partnerships.services import update_partnership
from tests.support.builders import BANDUNG_OFFICE, imported_link

pytestmark = pytest.mark.django_db


def imported(a, b) -> Partnership:
    return imported_link(a, b, status="active")


@pytest.fixture
def links(governments, orgs):
    """Bandung–Kyoto and Bandung–Busan imported; Surabaya–Liverpool imported (not Bandung's)."""
    return {
        "kyoto": imported(governments["bandung"], governments["kyoto"]),
        "busan": imported(governments["bandung"], governments["busan"]),
        "liverpool": imported(governments["surabaya"], governments["liverpool"]),
    }


def test_office_confirms_ticked_partnerships_from_its_list(links, users, client):
    client.force_login(users["bandung_editor"])
    page = client.get("/partnerships/to-confirm/").content.decode()
    assert "Kyoto" in page and "Busan" in page and "Liverpool" not in page
    response = client.post("/partnerships/to-confirm/", {"partnerships": [links["kyoto"].pk]})
    assert response.status_code == 302
    kyoto = Partnership.objects.select_related("confirmed_by").get(pk=links["kyoto"].pk)
    assert kyoto.confirmed and kyoto.confirmed_by.name == BANDUNG_OFFICE
    assert not Partnership.objects.get(pk=links["busan"].pk).confirmed
    after = client.get("/partnerships/to-confirm/").content.decode()
    assert "Busan" in after and "Kyoto" not in after


def test_confirming_nothing_or_anothers_partnership_says_why(links, users, client):
    client.force_login(users["bandung_editor"])
    for ticked in ([], [links["liverpool"].pk]):
        response = client.post("/partnerships/to-confirm/", {"partnerships": ticked})
        assert response.status_code == 200 and 'class="errorlist' in response.content.decode()
    assert not Partnership.objects.filter(confirmed_at__isnull=False).exists()


def test_a_set_with_another_offices_partnership_confirms_none(links, users):
    with pytest.raises(PermissionDenied):
        claims.confirm_many(users["bandung_editor"], [links["kyoto"].pk, links["liverpool"].pk])
    assert not Partnership.objects.filter(confirmed_at__isnull=False).exists()


def test_viewers_see_the_list_but_cannot_confirm(links, users, client):
    client.force_login(users["bandung_viewer"])
    page = client.get("/partnerships/to-confirm/").content.decode()
    assert "Kyoto" in page and 'name="partnerships"' not in page
    assert client.post("/partnerships/to-confirm/", {"partnerships": [links["kyoto"].pk]}).status_code == 403
    assert client.post(f"/partnerships/{links['kyoto'].pk}/confirm/", {"version": 1}).status_code == 403
    assert not Partnership.objects.get(pk=links["kyoto"].pk).confirmed


def test_public_page_says_where_the_facts_come_from(links, users, client):
    url = links["kyoto"].get_absolute_url()
    assert "From a public list" in client.get(url).content.decode()
    client.force_login(users["bandung_editor"])
    assert "Confirm as recorded" in client.get(url).content.decode()
    client.post(f"/partnerships/{links['kyoto'].pk}/confirm/", {"version": links["kyoto"].version})
    client.logout()
    page = client.get(url).content.decode()
    assert f"Confirmed by {BANDUNG_OFFICE}" in page and "From a public list" not in page


def test_a_stale_confirmation_is_refused(links, users, client):
    p = links["kyoto"]
    update_partnership(users["platform_admin"], p, expected_version=p.version, basis="Former capitals")
    client.force_login(users["bandung_editor"])
    response = client.post(f"/partnerships/{p.pk}/confirm/", {"version": p.version}, follow=True)
    assert stale_message(Partnership) in response.content.decode()
    assert not Partnership.objects.get(pk=p.pk).confirmed


def test_an_offices_correction_confirms_and_an_admins_does_not(links, users):
    p = links["kyoto"]
    update_partnership(users["platform_admin"], p, expected_version=p.version, basis="Former capitals")
    p.refresh_from_db()
    assert not p.confirmed
    update_partnership(users["bandung_editor"], p, expected_version=p.version, kind="friendship")
    p.refresh_from_db()
    assert p.confirmed and p.confirmed_by.name == BANDUNG_OFFICE


def test_office_closes_a_link_that_never_existed(links, users, client):
    p = links["busan"]
    client.force_login(users["surabaya_editor"])  # not a partner
    assert client.get(f"/partnerships/{p.pk}/close/").status_code == 403
    client.force_login(users["bandung_editor"])
    form = client.get(f"/partnerships/{p.pk}/close/").content.decode()
    assert "never formalised" in form
    response = client.post(
        f"/partnerships/{p.pk}/close/",
        {
            "end_reason": "never_formalised",
            "end_note": "A friendship visit in 2009, no agreement.",
            "version": p.version,
        },
    )
    assert response.status_code == 302
    p.refresh_from_db()
    assert (p.status, p.end_reason, p.confirmed) == ("ended", "never_formalised", True)
    page = client.get(p.get_absolute_url()).content.decode()
    assert "It was never formalised: A friendship visit in 2009" in page
    refused = client.post(f"/partnerships/{p.pk}/close/", {"end_reason": "bored", "version": p.version})
    assert refused.status_code == 200 and "bored" in refused.content.decode()


def test_api_confirm_and_close(links, users, api):
    p = links["kyoto"]
    assert api("post", f"/api/partnerships/{p.pk}/confirm", "bandung_editor", {}).status_code == 422
    assert (
        api("post", f"/api/partnerships/{p.pk}/confirm", "bandung_editor", {"version": p.version + 5}).status_code
        == 409
    )
    assert (
        api("post", f"/api/partnerships/{p.pk}/confirm", "surabaya_editor", {"version": p.version}).status_code == 403
    )
    done = api("post", f"/api/partnerships/{p.pk}/confirm", "bandung_editor", {"version": p.version})
    assert done.status_code == 200
    body = done.json()
    assert body["confirmed"] and body["confirmed_by"] == BANDUNG_OFFICE and body["confirmed_at"]
    q = links["busan"]
    bad = api("post", f"/api/partnerships/{q.pk}/close", "bandung_editor", {"version": q.version, "reason": "bored"})
    assert bad.status_code == 422
    closed = api(
        "post",
        f"/api/partnerships/{q.pk}/close",
        "bandung_editor",
        {"version": q.version, "reason": "ended", "note": "2015"},
    )
    assert closed.status_code == 200
    assert (closed.json()["status"], closed.json()["end_reason"], closed.json()["end_note"]) == (
        "ended",
        "ended",
        "2015",
    )
    listed = api("get", "/api/partnerships", None).json()["items"]
    assert {r["id"]: r["confirmed"] for r in listed}[links["liverpool"].pk] is False


def test_open_data_names_the_office_once_confirmed(links, users):
    claims.confirm(users["bandung_editor"], links["kyoto"], expected_version=links["kyoto"].version)
    out = io.StringIO()
    opendata.write_csv(out)
    rows = {int(r.split(",")[0]): r for r in out.getvalue().splitlines()[1:]}
    assert ",office,true," in rows[links["kyoto"].pk]
    assert ",public_list,false," in rows[links["busan"].pk]


def test_a_platform_admin_confirms_for_the_platform(links, users, client):
    p = links["liverpool"]
    claims.confirm(users["platform_admin"], p, expected_version=p.version)
    p.refresh_from_db()
    assert p.confirmed and p.confirmed_by is None
    assert "Confirmed by the platform&#x27;s administrators" in client.get(p.get_absolute_url()).content.decode()


def test_dashboard_invites_the_office_to_confirm(links, users, client):
    client.force_login(users["bandung_editor"])
    page = client.get("/").content.decode()
    assert "2 partnerships from the public twinning lists are waiting" in page
