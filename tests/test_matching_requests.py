"""The partner-request board: who may publish, who may express interest, who is told."""
from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from kembar.accounts.models import Organisation
from kembar.matching import services
from kembar.matching.models import Interest, PartnerRequest


@pytest.fixture
def published(governments):
    return PartnerRequest.objects.create(
        government=governments["bandung"], title="Creative city seeks partner in design",
        offers="Design festival, craft training", seeks="A creative city in Japan or Germany",
        preferred_countries=["JP", "DE"], contact_email="ks@bandung.go.id")


def test_editors_publish_for_their_own_government_only(users, governments):
    services.create_request(users["bandung_editor"], governments["bandung"], title="T", offers="o", seeks="s",
                            contact_email="a@b.id")
    for who in ["bandung_viewer", "oversight", "surabaya_editor"]:
        with pytest.raises(PermissionDenied):
            services.create_request(users[who], governments["bandung"], title="T", offers="o", seeks="s",
                                    contact_email="a@b.id")


def test_interest_notifies_the_requesters_office(users, orgs, governments, published, django_capture_on_commit_callbacks):
    orgs["bandung"].email = "kerjasama@bandung.go.id"
    orgs["bandung"].save()
    with django_capture_on_commit_callbacks(execute=True):
        services.express_interest(users["braunschweig_editor"], published, governments["braunschweig"], "Gern!")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert set(message.to) == {"ks@bandung.go.id", "kerjasama@bandung.go.id"}
    assert "Braunschweig" in message.subject and "Gern!" in message.body
    # Twice is refused, and the requester cannot be interested in its own request.
    with pytest.raises(Exception, match="already"):
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
        PartnerRequest.objects.create(government=governments["busan"], title=f"Port city {i}", offers="o",
                                      seeks="s", contact_email="x@busan.kr")
    with django_assert_num_queries(3):
        page = client.get("/matching/requests/")
    assert page.status_code == 200 and "Creative city seeks" in page.content.decode()
    assert "Port city 2" not in client.get("/matching/requests/", {"country": "ID"}).content.decode()
    client.force_login(users["braunschweig_editor"])
    detail = client.get(published.get_absolute_url())
    assert "Express interest" in detail.content.decode()
    reply = client.post(f"/matching/requests/{published.pk}/interest/",
                        {"government": governments["braunschweig"].pk, "message": "Hallo"})
    assert reply.status_code == 302
    assert Interest.objects.filter(request=published, government=governments["braunschweig"]).exists()
    # Surabaya's editor cannot write in Braunschweig's name.
    client.force_login(users["surabaya_editor"])
    client.post(f"/matching/requests/{published.pk}/interest/", {"government": governments["braunschweig"].pk})
    assert Interest.objects.count() == 1
    client.force_login(users["bandung_editor"])
    page = client.get("/matching/requests/new/")
    assert page.status_code == 200
    reply = client.post("/matching/requests/new/", {
        "government": governments["bandung"].pk, "title": "Heritage", "offers": "o", "seeks": "s",
        "contact_email": "ks@bandung.go.id", "fields": ["culture"], "preferred_countries": ["JP"]})
    assert reply.status_code == 302
    assert PartnerRequest.objects.filter(title="Heritage", government=governments["bandung"]).exists()


def test_matching_requests_on_the_government_page(client, governments, published):
    kyoto_page = client.get(governments["kyoto"].get_absolute_url()).content.decode()
    assert "Creative city seeks partner" in kyoto_page  # Japan is preferred
    busan_page = client.get(governments["busan"].get_absolute_url()).content.decode()
    assert "Creative city seeks partner" not in busan_page  # Korea is not
