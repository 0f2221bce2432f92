"""The one upload check: real files of each type pass, disguised and oversized ones do not."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError

from kembar.core import uploads
from tests.support.files import BUILDERS, docx_bytes, odt_bytes, pdf_bytes, upload


@pytest.mark.parametrize("ext", sorted(BUILDERS))
def test_real_files_of_each_type_pass(ext):
    checked = uploads.check_upload(upload(f"Surat Kuasa.{ext.upper()}", BUILDERS[ext]()))
    assert checked.name == f"Surat_Kuasa.{ext}"
    assert checked.content_type == uploads.DOCUMENT_TYPES[ext]
    assert len(checked.sha256) == 64


def _error(f) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        uploads.check_upload(f)
    return info.value


def test_a_docx_renamed_pdf_is_a_mismatch():
    error = _error(upload("mou.pdf", docx_bytes(), "application/pdf"))
    assert error.code == "mismatch"
    assert "mou.pdf" in error.messages[0] and "DOCX" in error.messages[0]


def test_a_program_renamed_pdf_is_refused_by_content():
    error = _error(upload("mou.pdf", b"MZ\x90\x00" + b"\x00" * 200, "application/pdf"))
    assert error.code == "content"


def test_a_plain_zip_named_docx_is_not_a_docx():
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("word.txt", "not a document")
    assert _error(upload("mou.docx", out.getvalue())).code == "content"


def _odt_saying(mimetype: str, *, first: bool) -> bytes:
    """A real ODT whose `mimetype` member says `mimetype`, stored first (where the magic bytes
    are read) or last (where only reading the archive finds it)."""
    source = zipfile.ZipFile(io.BytesIO(odt_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        if first:
            z.writestr(zipfile.ZipInfo("mimetype"), mimetype)
        for name in source.namelist():
            if name != "mimetype":
                z.writestr(name, source.read(name))
        if not first:
            z.writestr(zipfile.ZipInfo("mimetype"), mimetype)
    return out.getvalue()


@pytest.mark.parametrize(
    "mimetype, first",
    [
        ("application/vnd.oasis.opendocument.spreadsheet", False),
        ("application/vnd.oasis.opendocument.texts", True),
    ],
)
def test_an_odt_whose_mimetype_member_says_otherwise_is_refused(mimetype, first):
    assert _error(upload("nota.odt", _odt_saying(mimetype, first=first))).code == "content"


def test_unsupported_extension_and_empty_file():
    assert _error(upload("setup.exe", pdf_bytes())).code == "extension"
    assert _error(upload("mou", pdf_bytes())).code == "extension"
    assert _error(upload("mou.pdf", b"")).code == "empty"


def test_oversized_file_is_refused(settings):
    settings.KEMBAR_MAX_UPLOAD_MB = 1
    big = pdf_bytes() + b"%" + b"0" * (1024 * 1024)
    error = _error(upload("big.pdf", big))
    assert error.code == "too_large" and "1 MB" in error.messages[0]


@pytest.mark.parametrize(
    "name, safe",
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\dinas\\MoU Bandung–Fort Worth (final).PDF", "MoU_Bandung-Fort_Worth_final.pdf"),
        ("京都市.pdf", "Jing_Du_Shi.pdf"),
        (".pdf", "document.pdf"),
    ],
)
def test_safe_filenames(name, safe):
    assert uploads.safe_filename(name) == safe


def test_upload_path_is_unique_per_file():
    path = uploads.UploadPath("agreements")
    first, second = path(None, "MoU.pdf"), path(None, "MoU.pdf")
    assert first != second and first.startswith("agreements/") and first.endswith("/MoU.pdf")


def _bomb_docx(inflated_mb: int) -> bytes:
    """A DOCX whose word/document.xml inflates from a few hundred KB to `inflated_mb` MB."""
    body = b"<w:document xmlns:w='http://schemas.openxmlformats.org/wordprocessingml/2006/main'><w:body>"
    filler = b" " * (inflated_mb * 2**20)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", body + filler + b"</w:body></w:document>")
    return buffer.getvalue()


def test_a_document_that_unpacks_to_hundreds_of_megabytes_is_refused(settings):
    """An outside test: a 408 KB .docx inflating to 400 MB was accepted, and its text stored."""
    settings.KEMBAR_MAX_UPLOAD_MB = 2  # documents may unpack to 10 MB
    bomb = _bomb_docx(12)
    assert len(bomb) < 100_000
    with pytest.raises(ValidationError) as refused:
        uploads.check_upload(upload("laporan.docx", bomb))
    assert refused.value.code == "too_large_unpacked"
    assert "laporan.docx unpacks to 12 MB; documents may unpack to at most 10 MB." in refused.value.messages[0]


def test_search_text_is_read_through_a_cap():
    from kembar.meetings.services import MAX_SEARCH_TEXT, extract_text

    words = b" ".join(b"<w:t>kota kembar</w:t>" for _ in range(40_000))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<w:document xmlns:w='x'>" + words + b"</w:document>")
    text = extract_text(io.BytesIO(buffer.getvalue()), uploads.DOCX)
    assert text.startswith("kota kembar kota kembar") and len(text) == MAX_SEARCH_TEXT
