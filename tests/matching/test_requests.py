"""The partner-request board: who may publish, who may express interest, who is told."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from kembar.matching import services
from kembar.matching.models import Interest, PartnerRequest
from tests.support.builders import make_user
from tests.support.queries import assert_constant_queries


@pytest.fixture
def published(governments):
    return PartnerRequest.objects.create(
        government=governments["bandung"],
        title="Creative city seeks partner in design",
        offers="Design festival, craft training",
        seeks="A creative city in Japan or Germany",
        preferred_countries=["JP", "DE"],
        contact_email="ks@bandung.go.id",
    )


def test_editors_publish_for_their_own_government_only(users, governments):
    services.create_request(
        users["bandung_editor"], governments["bandung"], title="T", offers="o", seeks="s", contact_email="a@b.id"
    )
    for who in ["bandung_viewer", "oversight", "surabaya_editor"]:
        with pytest.raises(PermissionDenied):
            services.create_request(
                users[who], governments["bandung"], title="T", offers="o", seeks="s", contact_email="a@b.id"
            )


def test_interest_notifies_the_requesters_office(
    users, orgs, governments, published, django_capture_on_commit_callbacks, settings
):
    settings.KEMBAR_SITE_URL = "https://kerjasama.example.go.id"
    orgs["bandung"].email = "kerjasama@bandung.go.id"
    orgs["bandung"].save()
    governments["braunschweig"].contact_email = "partnerschaft@braunschweig.de"
    governments["braunschweig"].save()
    with django_capture_on_commit_callbacks(execute=True):
        services.express_interest(users["braunschweig_editor"], published, governments["braunschweig"], "Gern!")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert set(message.to) == {"ks@bandung.go.id", "kerjasama@bandung.go.id"}
    assert "Braunschweig" in message.subject and "Gern!" in message.body
    # A reply goes to the interested office; the mail links the request.
    assert message.reply_to == ["partnerschaft@braunschweig.de"]
    # Written in the requesting office's language (Bandung: Indonesian), not the sender's.
    assert "Kontak: partnerschaft@braunschweig.de" in message.body
    assert f"Permintaannya: https://kerjasama.example.go.id{published.get_absolute_url()}" in message.body
    # Twice is refused, and the requester cannot be interested in its own request.
    with pytest.raises(ValidationError, match="already"):
        services.express_interest(users["braunschweig_editor"], published, governments["braunschweig"])
    with pytest.raises(PermissionDenied):
        services.express_interest(users["bandung_editor"], published, governments["bandung"])
    with pytest.raises(PermissionDenied):  # viewers and oversight only read
        services.express_interest(users["oversight"], published, governments["surabaya"])


def test_drafts_are_visible_to_their_office_only(client, users, governments, published):
    published.status = PartnerRequest.Status.DRAFT
    published.save()
    url = published.get_absolute_url()
    assert client.get(url).status_code == 404
    client.force_login(users["surabaya_editor"])
    assert client.get(url).status_code == 404
    client.force_login(users["bandung_viewer"])
    assert client.get(url).status_code == 200


def test_board_pages(client, users, governments, published, django_assert_num_queries):
    for i in range(3):
        PartnerRequest.objects.create(
            government=governments["busan"], title=f"Port city {i}", offers="o", seeks="s", contact_email="x@busan.kr"
        )
    with django_assert_num_queries(3):
        page = client.get("/matching/requests/")
    assert page.status_code == 200 and "Creative city seeks" in page.content.decode()
    assert "Port city 2" not in client.get("/matching/requests/", {"country": "ID"}).content.decode()
    # Open to partners in a country: it is preferred, or nothing is (Busan's requests name none).
    japan = client.get("/matching/requests/", {"seeking": "JP"}).content.decode()
    assert "Creative city seeks" in japan and "Port city 2" in japan
    korea = client.get("/matching/requests/", {"seeking": "KR"}).content.decode()
    assert "Creative city seeks" not in korea and "Port city 2" in korea
    client.force_login(users["braunschweig_editor"])
    detail = client.get(published.get_absolute_url())
    assert "Express interest" in detail.content.decode()
    reply = client.post(
        f"/matching/requests/{published.pk}/interest/",
        {"government": governments["braunschweig"].pk, "message": "Hallo"},
    )
    assert reply.status_code == 302
    assert Interest.objects.filter(request=published, government=governments["braunschweig"]).exists()
    # Surabaya's editor cannot write in Braunschweig's name.
    client.force_login(users["surabaya_editor"])
    client.post(f"/matching/requests/{published.pk}/interest/", {"government": governments["braunschweig"].pk})
    assert Interest.objects.count() == 1
    client.force_login(users["bandung_editor"])
    page = client.get("/matching/requests/new/")
    assert page.status_code == 200
    reply = client.post(
        "/matching/requests/new/",
        {
            "government": governments["bandung"].pk,
            "title": "Heritage",
            "offers": "o",
            "seeks": "s",
            "contact_email": "ks@bandung.go.id",
            "fields": ["culture"],
            "preferred_countries": ["JP"],
        },
    )
    assert reply.status_code == 302
    assert PartnerRequest.objects.filter(title="Heritage", government=governments["bandung"]).exists()


def test_after_expressing_interest(client, users, governments, published):
    """The interested office sees that it wrote instead of the form again; the requester's
    office (its viewers too) and oversight see who wrote; other offices do not."""
    url = published.get_absolute_url()
    services.express_interest(users["braunschweig_editor"], published, governments["braunschweig"], "Gern!")
    client.force_login(users["braunschweig_editor"])
    page = client.get(url).content.decode()
    assert "Braunschweig expressed interest on" in page and "Express interest" not in page
    assert "Interested governments" not in page
    for who in ["bandung_editor", "bandung_viewer", "oversight"]:
        client.force_login(users[who])
        page = client.get(url).content.decode()
        assert "Interested governments" in page and "Gern!" in page, who
    client.force_login(users["surabaya_editor"])
    page = client.get(url).content.decode()
    assert "Interested governments" not in page and "Express interest" in page
    # Closed: still there, marked closed, for the office that wrote (not for others); a draft is not.
    published.status = PartnerRequest.Status.CLOSED
    published.save()
    assert client.get(url).status_code == 404
    client.force_login(users["braunschweig_editor"])
    page = client.get(url).content.decode()
    assert "Closed" in page and "Braunschweig expressed interest on" in page and "Express interest" not in page
    published.status = PartnerRequest.Status.DRAFT
    published.save()
    assert client.get(url).status_code == 404


def test_the_requesters_dashboard_shows_who_is_interested(client, users, governments, published):
    """The in-app side of the notice: the office's open requests and who wrote, on its dashboard."""
    services.express_interest(users["braunschweig_editor"], published, governments["braunschweig"], "Gern!")
    services.express_interest(users["surabaya_editor"], published, governments["surabaya"])
    PartnerRequest.objects.create(
        government=governments["bandung"],
        title="Old request",
        offers="o",
        seeks="s",
        contact_email="ks@bandung.go.id",
        status="closed",
    )
    client.force_login(users["bandung_viewer"])
    page = client.get("/").content.decode()
    panel = page[page.index("Our partner requests") :]
    assert "Creative city seeks partner in design" in panel and "2 governments interested" in panel
    assert panel.index("Surabaya") < panel.index("Braunschweig")  # newest first
    assert "Old request" not in panel  # closed ones leave the dashboard
    # Two queries for the panel, whatever the number of requests and interests.
    for i in range(3):
        extra = PartnerRequest.objects.create(
            government=governments["bandung"], title=f"R{i}", offers="o", seeks="s", contact_email="ks@bandung.go.id"
        )
        services.express_interest(users["braunschweig_editor"], extra, governments["braunschweig"])
    with assert_constant_queries(allow_fewer=True) as queries:
        with queries.few() as before:
            client.get("/")
        assert len(before) <= 60, before.captured_queries
        services.express_interest(users["surabaya_editor"], extra, governments["surabaya"])
        PartnerRequest.objects.create(
            government=governments["bandung"], title="R9", offers="o", seeks="s", contact_email="ks@bandung.go.id"
        )
        with queries.many():
            client.get("/")
    client.force_login(users["surabaya_editor"])
    assert "Our partner requests" not in client.get("/").content.decode()


def test_preferred_countries_and_refusals_read_as_words(client, users, published):
    page = client.get(published.get_absolute_url()).content.decode()
    assert "Japan, Germany" in page
    client.force_login(users["bandung_viewer"])
    refused = client.get("/matching/requests/new/", HTTP_ACCEPT_LANGUAGE="id")
    assert refused.status_code == 403
    text = refused.content.decode()
    assert "Tidak diizinkan" in text and "Permintaan mitra" in text  # translated, inside the site's frame
    client.cookies["django_language"] = "id"
    missing = client.get("/matching/requests/999999/")
    assert missing.status_code == 404 and "Tidak ditemukan" in missing.content.decode()


def test_matching_requests_on_the_government_page(client, governments, published):
    kyoto_page = client.get(governments["kyoto"].get_absolute_url()).content.decode()
    assert "Creative city seeks partner" in kyoto_page  # Japan is preferred
    busan_page = client.get(governments["busan"].get_absolute_url()).content.decode()
    assert "Creative city seeks partner" not in busan_page  # Korea is not


def test_the_requesters_office_edits_and_closes_a_request(client, users, governments, published):
    edit = f"/matching/requests/{published.pk}/edit/"
    client.force_login(users["braunschweig_editor"])
    assert client.get(edit).status_code == 403
    assert "Edit or close" not in client.get(published.get_absolute_url()).content.decode()
    client.force_login(users["bandung_viewer"])
    assert client.get(edit).status_code == 403
    client.force_login(users["bandung_editor"])
    assert "Edit or close" in client.get(published.get_absolute_url()).content.decode()
    form = client.get(edit)
    assert form.status_code == 200 and "Creative city seeks partner in design" in form.content.decode()
    reply = client.post(
        edit,
        {
            "title": "Creative city seeks partner",
            "offers": "Design festival",
            "seeks": "s",
            "contact_email": "ks@bandung.go.id",
            "status": "closed",
            "fields": ["culture"],
            "preferred_countries": ["JP"],
            "version": 1,
        },
    )
    assert reply.status_code == 302
    published.refresh_from_db()
    assert (published.title, published.status, published.preferred_countries) == (
        "Creative city seeks partner",
        "closed",
        ["JP"],
    )
    assert [f.pk for f in published.fields.all()] == ["culture"]
    # Closed: gone from the board for others, and no interest can be expressed any more.
    client.force_login(users["braunschweig_editor"])
    assert client.get(published.get_absolute_url()).status_code == 404
    assert "Creative city" not in client.get("/matching/requests/").content.decode()
    # A bad e-mail changes nothing.
    client.force_login(users["bandung_editor"])
    page = client.post(
        edit,
        {
            "title": "X",
            "offers": "o",
            "seeks": "s",
            "contact_email": "not-an-address",
            "status": "published",
            "version": 2,
        },
    )
    assert page.status_code == 200
    published.refresh_from_db()
    assert published.title == "Creative city seeks partner" and published.status == "closed"


def test_requests_api_lists_in_constant_queries(api, governments, published, django_assert_max_num_queries):
    for i in range(4):
        PartnerRequest.objects.create(
            government=governments["busan"], title=f"Port city {i}", offers="o", seeks="s", contact_email="x@busan.kr"
        )
    PartnerRequest.objects.create(
        government=governments["busan"],
        title="Busan draft",
        offers="o",
        seeks="s",
        contact_email="x@busan.kr",
        status="draft",
    )
    with django_assert_max_num_queries(4):
        reply = api("get", "/api/partner-requests")
    assert reply.status_code == 200
    titles = [r["title"] for r in reply.json()["items"]]
    assert reply.json()["count"] == 5 and "Busan draft" not in titles
    item = next(r for r in reply.json()["items"] if r["id"] == published.pk)
    assert item["preferred_countries"] == ["JP", "DE"] and item["country"] == "ID"
    assert [r["title"] for r in api("get", "/api/partner-requests", query={"country": "ID"}).json()["items"]] == [
        published.title
    ]
    assert api("get", "/api/partner-requests", query={"country": "Atlantis"}).status_code == 422
    open_to_korea = [r["title"] for r in api("get", "/api/partner-requests", query={"seeking": "KR"}).json()["items"]]
    assert len(open_to_korea) == 4 and published.title not in open_to_korea
    refused = api("get", "/api/partner-requests", query={"seeking": "Atlantis"})
    assert refused.status_code == 422 and "seeking" in refused.content.decode()
    assert api("get", f"/api/partner-requests/{published.pk}").json()["title"] == published.title
    draft = PartnerRequest.objects.get(title="Busan draft")
    assert api("get", f"/api/partner-requests/{draft.pk}").status_code == 404


def test_requests_api_create_patch_and_interest(api, users, governments, django_capture_on_commit_callbacks):
    body = {
        "government_id": governments["bandung"].pk,
        "title": "Smart city partner",
        "offers": "Apps",
        "seeks": "Data",
        "contact_email": "ks@bandung.go.id",
        "preferred_countries": ["Japan", "DE"],
        "fields": ["education"],
    }
    assert api("post", "/api/partner-requests", body=body).status_code == 401
    assert api("post", "/api/partner-requests", "surabaya_editor", body).status_code == 403
    bad = api("post", "/api/partner-requests", "bandung_editor", {**body, "contact_email": "nope"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "contact_email"
    assert not PartnerRequest.objects.exists()
    created = api("post", "/api/partner-requests", "bandung_editor", body)
    assert created.status_code == 201
    data = created.json()
    assert data["preferred_countries"] == ["DE", "JP"] and data["fields"] == ["education"]
    url = f"/api/partner-requests/{data['id']}"
    assert api("patch", url, "braunschweig_editor", {"title": "Hijacked", "version": 1}).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        reply = api(
            "post",
            url + "/interest",
            "braunschweig_editor",
            {"government_id": governments["braunschweig"].pk, "message": "Wir sind dabei"},
        )
    assert reply.status_code == 201 and reply.json()["government_id"] == governments["braunschweig"].pk
    assert len(mail.outbox) == 1 and "Wir sind dabei" in mail.outbox[0].body
    again = api("post", url + "/interest", "braunschweig_editor", {"government_id": governments["braunschweig"].pk})
    assert again.status_code == 422 and "already" in again.json()["detail"][0]["message"]
    # In someone else's name: refused.
    assert (
        api("post", url + "/interest", "surabaya_editor", {"government_id": governments["braunschweig"].pk}).status_code
        == 403
    )
    closed = api(
        "patch", url, "bandung_editor", {"status": "closed", "title": "Smart city partner (found)", "version": 1}
    )
    assert closed.status_code == 200 and closed.json()["status"] == "closed" and closed.json()["version"] == 2
    # Closed: the requester's office and the offices that expressed interest, no one else.
    assert api("get", url, "braunschweig_editor").json()["status"] == "closed"
    assert api("get", url, "surabaya_editor").status_code == 404
    assert api("patch", url, "bandung_editor", {"status": "archived", "version": 2}).status_code == 422
    assert PartnerRequest.objects.get(pk=data["id"]).status == "closed"
    assert Interest.objects.count() == 1


def _open_edit_form(client, user, partner_request) -> dict:
    """What an editor's browser would send back from the edit page as it came."""
    client.force_login(user)
    page = client.get(reverse("matching:request_edit", args=[partner_request.pk]))
    assert page.status_code == 200 and 'name="version"' in page.content.decode()
    form = page.context["form"]
    return {name: form[name].value() for name in form.fields if form[name].value() is not None}


def test_two_editors_edit_the_same_request_the_second_save_is_refused(users, orgs, published):
    first, second = Client(), Client()
    colleague = make_user("bandung_editor_2", orgs["bandung"])
    mine = _open_edit_form(first, users["bandung_editor"], published)
    theirs = _open_edit_form(second, colleague, published)
    saved = first.post(reverse("matching:request_edit", args=[published.pk]), {**mine, "title": "Design partner found"})
    assert saved.status_code == 302
    refused = second.post(
        reverse("matching:request_edit", args=[published.pk]), {**theirs, "seeks": "Overwritten", "status": "closed"}
    )
    assert refused.status_code == 200
    assert "Someone else changed this partner request while you were editing it" in refused.content.decode()
    published.refresh_from_db()
    assert (published.title, published.seeks, published.status, published.version) == (
        "Design partner found",
        "A creative city in Japan or Germany",
        "published",
        2,
    )


def test_the_api_refuses_a_change_based_on_a_stale_request(api, published):
    url = f"/api/partner-requests/{published.pk}"
    read_by_both = api("get", url, "bandung_editor").json()["version"]
    first = api("patch", url, "bandung_editor", {"title": "Design partner found", "version": read_by_both})
    assert first.status_code == 200 and first.json()["version"] == read_by_both + 1
    second = api("patch", url, "platform_admin", {"status": "closed", "version": read_by_both})
    assert second.status_code == 409 and "Someone else changed this partner request" in second.json()["detail"]
    published.refresh_from_db()
    assert (published.title, published.status, published.version) == ("Design partner found", "published", 2)


def test_a_platform_admin_writes_in_the_name_of_governments_with_an_office(client, users, orgs, governments, published):
    """Not every government of the registry (an imported network has thousands without an office,
    which could not answer): the offices' governments, without the requester and those that wrote."""
    services.express_interest(users["braunschweig_editor"], published, governments["braunschweig"], "Gern!")
    client.force_login(users["platform_admin"])

    def choices(page: str) -> set[int]:
        return {g.pk for g in governments.values() if f'<option value="{g.pk}"' in page}

    page = client.get(published.get_absolute_url()).content.decode()
    assert choices(page) == {governments["surabaya"].pk}
    with pytest.raises(PermissionDenied):  # Kyoto has no office on the platform
        services.express_interest(users["platform_admin"], published, governments["kyoto"])
    services.express_interest(users["platform_admin"], published, governments["surabaya"])
    assert "Express interest" not in client.get(published.get_absolute_url()).content.decode()
    page = client.get(reverse("matching:request_create")).content.decode()
    assert choices(page) == {governments[k].pk for k in ("bandung", "surabaya", "braunschweig")}
