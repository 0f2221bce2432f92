"""Agreement pages and API: who sees and changes what, uploads and downloads, concurrent edits,
error messages, and constant query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kembar.agreements import services
from kembar.agreements.models import Agreement, ProcedureTemplate, StageDocument
from kembar.partnerships import services as partnership_services
from tests.support.clients import logged_in
from tests.support.files import BUILDERS, docx_bytes, pdf_bytes, upload
from tests.support.queries import assert_constant_queries

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "bandung_editor",
    "braunschweig_editor",
    "surabaya_editor",
    "bandung_viewer",
    "oversight",
    "platform_admin",
]
MAY_EDIT = {"bandung_editor", "braunschweig_editor", "platform_admin"}
# Who reads an agreement of the private Bandung–Busan partnership.
READS_PRIVATE = {"bandung_editor", "bandung_viewer", "oversight", "platform_admin"}


@pytest.fixture
def ksdpl():
    return ProcedureTemplate.objects.get(code="ksdpl")


@pytest.fixture
def public(governments, users, ksdpl):
    p = partnership_services.create_partnership(
        users["platform_admin"], governments["bandung"], governments["braunschweig"], public=True
    )
    return services.create_agreement(users["platform_admin"], p, template=ksdpl, title="MoU Bandung–Braunschweig")


@pytest.fixture
def private(governments, users, ksdpl):
    p = partnership_services.create_partnership(
        users["platform_admin"], governments["bandung"], governments["busan"], public=False
    )
    a = services.create_agreement(users["platform_admin"], p, template=ksdpl, title="LoI Bandung–Busan SECRET")
    a = services.advance(users["platform_admin"], a)
    services.upload_document(
        users["platform_admin"], a.stages.get(status="active"), upload("LoI.pdf", pdf_bytes()), title="Letter of intent"
    )
    return a


@pytest.mark.parametrize("role", ROLES)
def test_reading_a_private_partnerships_agreement_and_its_documents(client, users, private, role):
    c = logged_in(client, users, role)
    page = c.get(reverse("agreements:detail", args=[private.pk]))
    document = StageDocument.objects.get(stage__agreement=private)
    download = c.get(reverse("agreements:document", args=[document.pk]))
    listing = c.get(reverse("agreements:list")).content.decode()
    if role in READS_PRIVATE:
        assert page.status_code == 200 and "LoI Bandung–Busan SECRET" in page.content.decode()
        assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
        assert download["Content-Disposition"] == 'attachment; filename="LoI.pdf"'
        assert "LoI Bandung–Busan SECRET" in listing
    else:
        assert page.status_code == 404 and download.status_code == 404
        assert "SECRET" not in listing


@pytest.mark.parametrize("role", ROLES)
def test_changing_an_agreement_matrix(client, users, public, role):
    c = logged_in(client, users, role)
    response = c.post(reverse("agreements:advance", args=[public.pk]), {"version": public.version})
    public.refresh_from_db()
    if role in MAY_EDIT:
        assert response.status_code == 302 and public.status == "in_procedure"
    else:
        assert public.status == "draft"
        assert response.status_code == (302 if role == "anonymous" else 403)
    page = c.get(reverse("agreements:detail", args=[public.pk])).content.decode()
    assert ("Upload" in page or "Start the procedure" in page) == (role in MAY_EDIT)


@pytest.mark.parametrize("role", ROLES)
def test_uploading_matrix(client, users, public, role):
    services.advance(users["platform_admin"], public)
    stage = public.stages.get(status="active")
    c = logged_in(client, users, role)
    response = c.post(
        reverse("agreements:upload", args=[stage.pk]), {"title": "LoI", "file": upload("LoI.pdf", pdf_bytes())}
    )
    assert StageDocument.objects.filter(stage=stage).exists() == (role in MAY_EDIT)
    if role not in MAY_EDIT:
        assert response.status_code == (302 if role == "anonymous" else 403)


def test_an_office_walks_an_agreement_through_the_pages(client, users, governments, ksdpl):
    p = partnership_services.create_partnership(
        users["platform_admin"], governments["bandung"], governments["braunschweig"], public=True
    )
    client.force_login(users["bandung_editor"])
    response = client.post(
        reverse("agreements:create", args=[p.pk]),
        {
            "template": ksdpl.pk,
            "kind": "mou",
            "title": "MoU on vocational education",
            "fields": ["education"],
            "languages": ["id", "de"],
            "validity_years": 5,
        },
    )
    agreement = Agreement.objects.get()
    assert response["Location"] == agreement.get_absolute_url()
    client.post(reverse("agreements:advance", args=[agreement.pk]), {"version": 1})
    # Without its evidence the stage stays, with the reason on the page.
    page = client.post(reverse("agreements:advance", args=[agreement.pk]), {"version": 2}).content.decode()
    assert "cannot be completed without its evidence" in page and "letter of intent" in page
    # A disguised file is refused with what it really is.
    stage = agreement.stages.get(status="active")
    page = client.post(
        reverse("agreements:upload", args=[stage.pk]), {"title": "LoI", "file": upload("LoI.pdf", docx_bytes())}
    ).content.decode()
    assert "its content is Word (DOCX)" in page and not StageDocument.objects.exists()
    client.post(reverse("agreements:upload", args=[stage.pk]), {"title": "LoI", "file": upload("LoI.pdf", pdf_bytes())})
    assert client.post(reverse("agreements:advance", args=[agreement.pk]), {"version": 2}).status_code == 302
    page = client.post(reverse("agreements:back", args=[agreement.pk]), {"version": 3, "reason": ""}).content.decode()
    assert "Say why the procedure goes back a stage." in page
    page = client.get(agreement.get_absolute_url()).content.decode()
    assert 'data-stage="cooperation_plan" data-stage-status="active"' in page
    assert "bandung_editor" in page and "In procedure" in page


def test_a_concurrent_edit_gets_a_message_not_an_overwrite(client, users, public):
    services.update_agreement(users["braunschweig_editor"], public, expected_version=1, title="Their title")
    client.force_login(users["bandung_editor"])
    page = client.post(
        reverse("agreements:edit", args=[public.pk]), {"kind": "mou", "title": "My title", "version": 1}
    ).content.decode()
    assert "Someone else changed this agreement" in page
    public.refresh_from_db()
    assert public.title == "Their title"


def test_the_agreement_list_has_a_constant_number_of_queries(client, users, public, ksdpl):
    client.force_login(users["bandung_editor"])

    def listed() -> None:
        assert client.get(reverse("agreements:list")).status_code == 200

    listed()  # the first request of a session also touches the session
    with assert_constant_queries() as queries:
        with queries.few():
            listed()
        for i in range(8):
            a = services.create_agreement(
                users["platform_admin"],
                public.partnership,
                template=ksdpl,
                title=f"A{i}",
                fields=["culture", "education"],
            )
        with queries.many():
            listed()
    client.get(reverse("agreements:partnership", args=[public.partnership_id]))
    with assert_constant_queries() as queries:
        with queries.few():
            client.get(reverse("agreements:partnership", args=[public.partnership_id]))
        services.create_agreement(users["platform_admin"], public.partnership, template=ksdpl, title="more")
        with queries.many():
            client.get(reverse("agreements:partnership", args=[public.partnership_id]))
    assert a.pk


def test_the_detail_page_shows_times_in_the_offices_time_zone(client, users, public):
    services.advance(users["bandung_editor"], public)
    client.force_login(users["bandung_editor"])
    assert "Asia/Jakarta" in client.get(public.get_absolute_url()).content.decode()
    client.force_login(users["braunschweig_editor"])
    assert "Europe/Berlin" in client.get(public.get_absolute_url()).content.decode()


@pytest.mark.parametrize("ext", sorted(BUILDERS))
def test_each_accepted_document_type_uploads(users, public, ext):
    services.advance(users["platform_admin"], public)
    stage = public.stages.get(status="active")
    content = BUILDERS[ext]()  # built once: a ZIP (DOCX, ODT) carries the time it was made
    doc = services.upload_document(users["platform_admin"], stage, upload(f"Bukti kerja sama.{ext}", content))
    assert doc.filename == f"Bukti_kerja_sama.{ext}" and doc.file.read() == content


def test_an_oversized_file_is_refused(settings, users, public):
    settings.KEMBAR_MAX_UPLOAD_MB = 1
    services.advance(users["platform_admin"], public)
    big = pdf_bytes() + b"%" * (1024 * 1024)
    with pytest.raises(ValidationError, match="files may be at most 1 MB"):
        services.upload_document(users["platform_admin"], public.stages.get(status="active"), upload("big.pdf", big))
    assert not StageDocument.objects.exists()


# --- API ------------------------------------------------------------------------------------


def test_api_walks_the_procedure_with_409_and_422(api, users, public):
    url = f"/api/agreements/{public.pk}"
    response = api("post", url + "/advance", body={"version": 1}, as_="bandung_editor")
    assert response.status_code == 200 and response.json()["status"] == "in_procedure"
    stages = response.json()["stages"]
    assert stages[0]["code"] == "exploration" and stages[0]["status"] == "active"
    response = api("post", url + "/advance", body={"version": 2}, as_="bandung_editor")
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "evidence"
    response = api("post", url + "/advance", body={"version": 1}, as_="bandung_editor")
    assert response.status_code == 409 and "Someone else changed" in response.json()["detail"]
    response = api(
        "patch", url, body={"ends_on": "2020-01-01", "effective_on": "2021-01-01", "version": 2}, as_="bandung_editor"
    )
    assert response.status_code == 422
    assert api("post", url + "/advance", body={"version": 2}, as_="surabaya_editor").status_code == 403
    response = api(
        "post",
        "/api/agreements",
        body={"partnership_id": public.partnership_id, "procedure": "nope", "title": "x"},
        as_="bandung_editor",
    )
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "procedure"
    response = api(
        "post",
        "/api/agreements",
        body={
            "partnership_id": public.partnership_id,
            "procedure": "generic",
            "title": "LoI",
            "kind": "loi",
            "validity_years": 2,
        },
        as_="braunschweig_editor",
    )
    assert response.status_code == 201 and [s["code"] for s in response.json()["stages"]] == [
        "council_approval",
        "signing",
        "implementation",
    ]


def test_api_history_and_private_agreements(api, users, public, private):
    history = api("get", f"/api/agreements/{private.pk}/history", as_="bandung_viewer").json()
    assert any(e["object"].startswith("Document: Letter of intent") and e["user"] == "platform_admin" for e in history)
    assert api("get", f"/api/agreements/{private.pk}").status_code == 404
    assert api("get", f"/api/agreements/{private.pk}/history", as_="surabaya_editor").status_code == 404
    listed = {a["id"] for a in api("get", "/api/agreements").json()["items"]}
    assert listed == {public.pk}
    listed = {a["id"] for a in api("get", "/api/agreements", as_="oversight").json()["items"]}
    assert listed == {public.pk, private.pk}


def test_api_reports_the_status_from_the_dates(api, users, governments):
    p = partnership_services.create_partnership(
        users["platform_admin"], governments["surabaya"], governments["liverpool"], public=True
    )
    a = services.create_agreement(
        users["platform_admin"], p, template=ProcedureTemplate.objects.get(code="generic"), title="MoU"
    )
    a = services.advance(users["platform_admin"], a)
    for _ in range(2):
        services.upload_document(users["platform_admin"], a.stages.get(status="active"), upload("x.pdf", pdf_bytes()))
        a = services.advance(users["platform_admin"], a, signed_on=dt.date(2018, 5, 1), validity_years=5)
    body = api("get", f"/api/agreements/{a.pk}").json()
    assert (body["status"], body["ends_on"]) == ("expired", "2023-05-01")


def test_the_detail_page_queries_do_not_grow_with_the_history(client, users, public):
    admin = users["platform_admin"]
    client.force_login(users["bandung_editor"])

    def shown() -> None:
        assert client.get(public.get_absolute_url()).status_code == 200

    agreement = services.advance(admin, public)
    client.get(public.get_absolute_url())
    services.upload_document(admin, agreement.stages.get(status="active"), upload("a.pdf", pdf_bytes()))
    agreement = services.advance(admin, agreement)
    agreement = services.update_agreement(admin, agreement, fields=["culture"])
    with assert_constant_queries() as queries:
        with queries.few():
            shown()
        for _ in range(3):
            services.upload_document(admin, agreement.stages.get(status="active"), upload("a.pdf", pdf_bytes()))
            agreement = services.advance(admin, agreement)
        agreement = services.update_agreement(admin, agreement, fields=["culture", "trade"], title="Renamed")
        with queries.many():
            shown()


def test_an_upload_to_a_stage_not_started_is_refused_where_the_officer_sees_it(client, tokens, users, public):
    """An outside test: the page accepted the post and showed nothing; the API stored the file."""
    services.advance(users["platform_admin"], public)
    pending = public.stages.filter(status="pending").first()
    refusal = f"The stage “{pending.name}” has not started yet"
    client.force_login(users["bandung_editor"])
    page = client.post(
        reverse("agreements:upload", args=[pending.pk]), {"title": "DPRD", "file": upload("DPRD.pdf", pdf_bytes())}
    ).content.decode()
    assert refusal in page.replace("&ldquo;", "“").replace("&rdquo;", "”")
    response = client.post(
        f"/api/agreements/stages/{pending.pk}/documents",
        {"title": "DPRD", "file": upload("DPRD.pdf", pdf_bytes())},
        HTTP_AUTHORIZATION=f"Bearer {tokens['bandung_editor']}",
    )
    assert response.status_code == 422 and refusal in response.json()["detail"][0]["message"]
    assert not StageDocument.objects.filter(stage=pending).exists()
