"""Drafts and templates of an agreement on file: the LoI and MoU drafts, a terms-of-reference
(KAK) outline and the stage checklist of its procedure, bilingual, as .docx or PDF
(docs/agreements.md#drafts-and-templates).

The page (`agreements:template`), the API (`GET /api/agreements/{id}/template`) and the command
(`kembar agreement-template`) all call `generate`; who may is
`permissions.can_download_agreement_drafts`. A document is made in the request: it reads one
agreement and its stages (a fixed number of queries) and takes a few tens of milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from ..models import Agreement
from . import content, render

KINDS = ("loi", "mou", "tor", "checklist")
FORMATS = ("docx", "pdf")


class DraftError(ValueError):
    """An option that names no kind or format of document."""


@dataclass
class GeneratedFile:
    content: bytes
    filename: str
    content_type: str


def check_options(kind: str, fmt: str) -> tuple[str, str]:
    """The kind and format, lower-cased; a clear error naming the allowed values otherwise."""
    kind, fmt = (kind or "").strip().lower(), (fmt or "").strip().lower()
    if kind not in KINDS:
        raise DraftError(
            _("Unknown kind of document “%(kind)s”: use one of %(kinds)s.") % {"kind": kind, "kinds": ", ".join(KINDS)}
        )
    if fmt not in FORMATS:
        raise DraftError(
            _("Unknown format “%(format)s”: use one of %(formats)s.") % {"format": fmt, "formats": ", ".join(FORMATS)}
        )
    return kind, fmt


def default_kind(agreement: Agreement) -> str:
    """What the agreement's page offers first: its own kind's draft (an arrangement: the MoU)."""
    return "loi" if agreement.kind == "loi" else "mou"


def generate(agreement: Agreement, kind: str, fmt: str, *, zone: str = "UTC") -> GeneratedFile:
    """The document of `kind` for `agreement` in format `fmt` (checked: DraftError). `zone`
    names the time zone the checklist's dates are shown in."""
    from ..services import stages_of

    kind, fmt = check_options(kind, fmt)
    draft = content.build(kind, content.gather(agreement, stages_of(agreement), zone))
    if fmt == "docx":
        return GeneratedFile(render.to_docx(draft), f"{draft.filename_stem}.docx", render.DOCX_TYPE)
    return GeneratedFile(render.to_pdf(draft), f"{draft.filename_stem}.pdf", render.PDF_TYPE)
