"""The one upload check: real files of each type pass, disguised and oversized ones do not."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from kembar.core import uploads
from tests.support.files import BUILDERS, docx_bytes, pdf_bytes, upload


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
