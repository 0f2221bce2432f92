"""Demo agreements (called by kembar.dashboard.demo.load_demo), walked through the real workflow.

* Bandung–Fort Worth: an MoU that went through every KSDPL stage with its evidence, signed two
  years ago for five years: in force, with its end date.
* Surabaya–Liverpool: an LoI in procedure, stuck at the assessment with the Ministry of Foreign
  Affairs for 150 days (usually 60): the dashboard and `kembar remind` flag it.
* Bandung–Braunschweig: an MoU ending within 90 days (renewal reminder).

Dates are relative to today so the demo always shows these situations. The evidence files are
small generated PDFs marked as demo documents.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kembar.core.pdf import one_page_pdf

from . import services
from .models import Agreement, AgreementStage, ProcedureTemplate


def _walk(
    user, agreement: Agreement, stages: int, signed_on: dt.date | None = None, validity_years: int | None = None
) -> Agreement:
    """Start the procedure and complete `stages` stages, each with a demo evidence document."""
    agreement = services.advance(user, agreement)
    for _ in range(stages):
        stage = agreement.stages.select_related("template_stage").get(status="active")
        text = f"Demo document - {stage.template_stage.name_en} - {agreement.title}"
        services.upload_document(
            user,
            stage,
            SimpleUploadedFile(f"{stage.template_stage.code}.pdf", one_page_pdf(text)),
            title=stage.template_stage.evidence_en or stage.template_stage.name_en,
        )
        agreement = services.advance(user, agreement, signed_on=signed_on, validity_years=validity_years)
    return agreement


def load(user, partnerships: dict[tuple[str, str], object]) -> int:
    """Create the demo agreements that do not exist yet; returns how many were created."""
    ksdpl = ProcedureTemplate.objects.get(code="ksdpl")
    today = timezone.now().date()
    created = 0
    signing = ksdpl.stages.get(is_signing=True).position

    def new(key, title, kind, fields, languages):
        partnership = partnerships.get(key)
        if partnership is None or Agreement.objects.filter(partnership=partnership, title=title).exists():
            return None
        return services.create_agreement(
            user, partnership, template=ksdpl, title=title, kind=kind, fields=fields, languages=languages
        )

    a = new(
        ("bandung", "fort_worth"),
        "MoU Bandung – Fort Worth on education and culture",
        "mou",
        ["education", "culture", "trade"],
        ["id", "en"],
    )
    if a:
        _walk(user, a, signing, signed_on=today - dt.timedelta(days=730), validity_years=5)
        created += 1
    a = new(
        ("surabaya", "liverpool"),
        "Letter of Intent Surabaya – Liverpool (ports and creative economy)",
        "loi",
        ["trade", "culture", "smart_city"],
        ["id", "en"],
    )
    if a:
        a = _walk(user, a, 3)  # exploration, plan, submission done: at the assessment
        stage = AgreementStage.objects.get(agreement=a, status="active")
        # The demo's point: the file has been with the ministries for 150 days (usually 60).
        AgreementStage.objects.filter(pk=stage.pk).update(started_at=timezone.now() - dt.timedelta(days=150))
        created += 1
    a = new(
        ("bandung", "braunschweig"),
        "MoU Bandung – Braunschweig on vocational education",
        "mou",
        ["education", "science"],
        ["id", "de", "en"],
    )
    if a:
        _walk(user, a, signing, signed_on=today.replace(year=today.year - 5) + dt.timedelta(days=60), validity_years=5)
        created += 1
    return created
