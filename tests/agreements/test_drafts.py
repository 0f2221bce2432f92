"""Drafts and templates of an agreement (LoI, MoU, terms of reference, stage checklist): what the
documents say in both languages, that Word and PDF readers open them, who may download them
from the page, the API and the command line, and the errors for a bad kind or format."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import docx
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from pypdf import PdfReader

from kembar.agreements import drafts, services
from kembar.agreements.models import ProcedureTemplate
from kembar.partnerships import services as partnership_services
from tests.support.clients import errors_by_field, logged_in
from tests.support.files import pdf_bytes, upload
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
# Who downloads the drafts of an agreement of the private Bandung–Busan partnership: its
# office's members, oversight and platform administrators (signed in, reading it).
DOWNLOADS_PRIVATE = {"bandung_editor", "bandung_viewer", "oversight", "platform_admin"}


@pytest.fixture
def ksdpl():
    return ProcedureTemplate.objects.get(code="ksdpl")


@pytest.fixture
def mou(governments, users, ksdpl):
    """Bandung–Braunschweig (public), its text recorded in Indonesian, German and English."""
    admin = users["platform_admin"]
    p = partnership_services.create_partnership(admin, governments["bandung"], governments["braunschweig"], public=True)
    a = services.create_agreement(
        admin,
        p,
        template=ksdpl,
        title="MoU Bandung–Braunschweig on vocational education",
        kind="mou",
        fields=["education", "industry"],
        languages=["id", "de", "en"],
        validity_years=5,
        effective_on=dt.date(2026, 3, 1),
        signatories="Muhammad Farhan, Wali Kota Bandung\nThorsten Kornblum, Oberbürgermeister",
    )
    return services.advance(admin, a)


@pytest.fixture
def private(governments, users, ksdpl):
    admin = users["platform_admin"]
    p = partnership_services.create_partnership(admin, governments["bandung"], governments["busan"], public=False)
    return services.create_agreement(
        admin, p, template=ksdpl, kind="loi", title="LoI Bandung–Busan", languages=["id", "en"]
    )


def docx_text(content: bytes) -> str:
    """Every paragraph of the body, its tables and its header, as Word would read them."""
    assert zipfile.is_zipfile(io.BytesIO(content))
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert {"[Content_Types].xml", "word/document.xml"} <= set(archive.namelist())
        assert archive.testzip() is None
    document = docx.Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    parts += [p.text for p in document.sections[0].header.paragraphs]
    return "\n".join(parts)


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF-")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return " ".join(text.split())  # a title set on two lines reads as one


# --- what the documents say ------------------------------------------------------------------------


def test_the_mou_draft_names_the_parties_in_both_languages_and_is_marked_a_draft(mou):
    made = drafts.generate(mou, "mou", "docx")
    assert made.content_type == drafts.render.DOCX_TYPE
    assert made.filename == f"mou-{mou.pk}-bandung-braunschweig.docx"
    text = docx_text(made.content)
    for words in (
        "NOTA KESEPAHAMAN",
        "MEMORANDUM OF UNDERSTANDING",
        "Pemerintah Kota Bandung, Republik Indonesia",
        "the Government of the City of Bandung, the Republic of Indonesia",
        "Pemerintah Kota Braunschweig, Jerman",
        "the Government of the City of Braunschweig, Germany",
        "RANCANGAN / DRAFT",
        "ditelaah oleh bagian hukum",
        "reviewed by the legal section",
        # the fields, the duration, the basis, the amicable settlement, the authentic versions
        "pendidikan dan perindustrian",
        "education and industry",
        "1 Maret 2026",
        "5 tahun",
        "5 years",
        "Peraturan Pemerintah Nomor 28 Tahun 2018 tentang Kerja Sama Daerah",
        "Regulation of the Minister of Home Affairs No. 25 of 2020",
        "diselesaikan secara damai",
        "settled amicably",
        "all texts being equally authentic",
        "the English text shall prevail",
        "Muhammad Farhan, Wali Kota Bandung; Thorsten Kornblum, Oberbürgermeister",
    ):
        assert words in text, words
    # German is recorded but the drafts exist in Indonesian and English only: the document says so.
    assert "The German text is to be prepared" in text
    assert "Naskah bahasa Jerman masih harus disiapkan" in text


def test_a_partner_writing_english_gets_no_note_about_a_missing_language(private):
    text = docx_text(drafts.generate(private, "loi", "docx").content)
    assert "SURAT PERNYATAAN KEHENDAK" in text and "LETTER OF INTENT" in text
    assert "Pemerintah Kota Bandung" in text and "the Government of the City of Busan, South Korea" in text
    assert "is to be prepared" not in text
    assert "creates no rights or obligations" in text


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("loi", ["SURAT PERNYATAAN KEHENDAK", "LETTER OF INTENT", "Pemerintah Kota Braunschweig"]),
        ("mou", ["NOTA KESEPAHAMAN", "MEMORANDUM OF UNDERSTANDING", "Pasal 5", "Article 5"]),
        ("tor", ["KERANGKA ACUAN KERJA (KAK)", "TERMS OF REFERENCE", "Dasar hukum", "Legal basis", "Penjajakan"]),
        ("checklist", ["DAFTAR PERIKSA TAHAPAN PROSEDUR", "STAGE CHECKLIST", "Penjajakan", "Exploration"]),
    ],
)
def test_every_kind_as_a_pdf_with_text_in_both_languages(mou, kind, expected):
    made = drafts.generate(mou, kind, "pdf", zone="Asia/Jakarta")
    assert made.content_type == "application/pdf" and made.filename.endswith(".pdf")
    text = pdf_text(made.content)
    for words in expected:
        assert words in text, words


def test_the_checklist_gives_each_stage_its_evidence_state_and_dates(mou):
    text = docx_text(drafts.generate(mou, "checklist", "docx", zone="Asia/Jakarta").content)
    assert "surat minat atau notula penjajakan" in text and "letter of intent or minutes of the exploration" in text
    assert "[…] Sedang berjalan" in text or "[…] In progress" in text  # the stage in progress
    assert "[ ] Not started" in text
    assert "Asia/Jakarta" in text
    assert "RANCANGAN" not in text  # a record, not a draft


def test_a_bad_kind_or_format_is_named(mou):
    with pytest.raises(drafts.DraftError, match="Unknown kind of document “memo”: use one of loi, mou, tor, checklist"):
        drafts.generate(mou, "memo", "pdf")
    with pytest.raises(drafts.DraftError, match="Unknown format “odt”: use one of docx, pdf"):
        drafts.generate(mou, "mou", "odt")


# --- who may download ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_downloading_from_the_page(client, users, private, role):
    c = logged_in(client, users, role)
    url = reverse("agreements:template", args=[private.pk])
    response = c.get(url, {"kind": "mou", "format": "docx"})
    page = c.get(reverse("agreements:detail", args=[private.pk]))
    if role == "anonymous":
        assert response.status_code == 302 and "/login" in response["Location"]
        assert page.status_code == 404
    elif role in DOWNLOADS_PRIVATE:
        assert response.status_code == 200
        assert response["Content-Type"] == drafts.render.DOCX_TYPE
        assert response["Content-Disposition"] == f'attachment; filename="mou-{private.pk}-bandung-busan.docx"'
        assert "Pemerintah Kota Bandung" in docx_text(response.content)
        assert f"{url}?kind=checklist&amp;format=pdf" in page.content.decode()
    else:  # another office: the partnership does not exist for it
        assert response.status_code == 404 and page.status_code == 404


def test_the_page_offers_the_documents_to_signed_in_readers_only(client, users, mou):
    url = reverse("agreements:detail", args=[mou.pk])
    assert "Drafts and templates" not in client.get(url).content.decode()  # a visitor reads the page
    page = logged_in(client, users, "surabaya_editor").get(url).content.decode()  # another office, public
    assert "Drafts and templates" in page
    for kind in drafts.KINDS:
        assert f"?kind={kind}&amp;format=docx" in page and f"?kind={kind}&amp;format=pdf" in page


def test_the_page_defaults_to_the_agreements_own_kind_as_pdf_and_refuses_a_bad_kind(client, users, private):
    c = logged_in(client, users, "bandung_editor")
    url = reverse("agreements:template", args=[private.pk])
    response = c.get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert "SURAT PERNYATAAN KEHENDAK" in pdf_text(response.content)
    bad = c.get(url, {"kind": "memo", "format": "pdf"})
    assert bad.status_code == 400 and "use one of loi, mou, tor, checklist" in bad.content.decode()
    bad = c.get(url, {"kind": "mou", "format": "rtf"})
    assert bad.status_code == 400 and "use one of docx, pdf" in bad.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_downloading_through_the_api(api, private, role):
    path = f"/api/agreements/{private.pk}/template"
    response = api("get", path, as_=None if role == "anonymous" else role, query={"kind": "tor", "format": "pdf"})
    if role == "anonymous":
        assert response.status_code == 401
    elif role in DOWNLOADS_PRIVATE:
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert "KERANGKA ACUAN KERJA" in pdf_text(response.content)
    else:
        assert response.status_code == 404
        assert response.json() == {"detail": f"No agreement with id {private.pk}."}


def test_the_api_names_a_bad_kind_or_format(api, private):
    path = f"/api/agreements/{private.pk}/template"
    assert set(errors_by_field(api("get", path, as_="bandung_editor", query={"kind": "memo"}))) == {"kind"}
    assert set(errors_by_field(api("get", path, as_="bandung_editor", query={"format": "odt"}))) == {"format"}


# --- the command line ------------------------------------------------------------------------------


def test_the_command_writes_a_docx_and_a_pdf(mou, tmp_path, capsys):
    docx_path, pdf_path = tmp_path / "mou.docx", tmp_path / "checklist.pdf"
    call_command("agreement_template", agreement=str(mou.pk), kind="mou", fmt="docx", output=str(docx_path))
    call_command("agreement_template", agreement=str(mou.pk), kind="checklist", fmt="pdf", output=str(pdf_path))
    assert "Pemerintah Kota Braunschweig" in docx_text(docx_path.read_bytes())
    assert "Penjajakan" in pdf_text(pdf_path.read_bytes())
    assert f"{docx_path}: MoU Bandung–Braunschweig" in capsys.readouterr().out
    assert not list(tmp_path.glob("*.part"))


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"kind": "memo", "fmt": "pdf"}, "Unknown kind of document “memo”: use one of loi, mou, tor, checklist."),
        ({"kind": "mou", "fmt": "odt"}, "Unknown format “odt”: use one of docx, pdf."),
    ],
)
def test_the_command_refuses_a_bad_kind_or_format_and_writes_nothing(mou, tmp_path, options, message):
    out = tmp_path / "x"
    with pytest.raises(CommandError, match=message):
        call_command("agreement_template", agreement=str(mou.pk), output=str(out), **options)
    assert not list(tmp_path.iterdir())


def test_the_command_names_an_unknown_agreement_and_a_missing_folder(mou, tmp_path):
    with pytest.raises(CommandError, match="No agreement with id 999999."):
        call_command("agreement_template", agreement="999999", kind="mou", fmt="pdf", output=str(tmp_path / "x.pdf"))
    with pytest.raises(CommandError, match="the folder .* does not exist"):
        call_command(
            "agreement_template", agreement=str(mou.pk), kind="mou", fmt="pdf", output=str(tmp_path / "no" / "x.pdf")
        )


def test_a_checklist_costs_as_many_queries_with_many_documents_as_with_one(client, users, mou):
    c = logged_in(client, users, "bandung_editor")
    url = reverse("agreements:template", args=[mou.pk])
    admin = users["platform_admin"]
    with assert_constant_queries() as queries:
        c.get(url, {"kind": "checklist", "format": "docx"})
        with queries.few():
            assert c.get(url, {"kind": "checklist", "format": "docx"}).status_code == 200
        agreement = mou
        for n in range(3):
            stage = agreement.stages.get(status="active")
            services.upload_document(admin, stage, upload(f"evidence-{n}.pdf", pdf_bytes()), title=f"Evidence {n}")
            agreement = services.advance(admin, agreement)
        with queries.many():
            response = c.get(url, {"kind": "checklist", "format": "docx"})
            assert response.status_code == 200
    assert docx_text(response.content).count("[x] Complete") == 3  # the three stages just completed
