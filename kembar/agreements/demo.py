"""Demo agreements (called by kembar.dashboard.demo.load_demo), walked through the real workflow.

* Bandung–Fort Worth: an MoU that went through every KSDPL stage with its evidence, signed two
  years ago for five years: in force, with its end date.
* Surabaya–Liverpool: an LoI on KSDPL's lighter LoI path, stuck at Kemendagri's consideration
  for 150 days (usually 30): Kemendagri's queue, the dashboard and `kembar remind` flag it.
* Bandung–Braunschweig: an MoU ending within 90 days (renewal reminder).
* Bandung–Suwon: an MoU waiting 12 days at the governor's stage (Jawa Barat's bureau, `jabar`).
* Surabaya–Busan: a renewed MoU waiting 20 days for Kemlu's full power (`kemlu`).

Dates are relative to today so the demo always shows these situations; each walk is then
moved back in time (`_backdate`) so the stages, documents and history carry plausible dates
(Fort Worth's exploration months before its signing, not today). The evidence files are small
generated PDFs marked as demo documents.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kembar.core.pdf import one_page_pdf

from . import services
from .models import Agreement, AgreementStage, ProcedureTemplate, StageDocument, StageTransition


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


def _backdate(agreement: Agreement, first: dt.date, last: dt.date) -> None:
    """Move every moment of the new agreement's life so far onto the days `first`..`last`
    (09:00 UTC on the first, 03:00 UTC on the last), keeping their order: its creation, stage
    starts and completions, uploads, transitions and the change history. A signed agreement's
    signing stage is completed on `last` (its signing day): what came before falls before it."""
    until = timezone.now()
    since = min(agreement.created, Agreement.history.filter(id=agreement.pk).earliest("history_date").history_date)
    start = dt.datetime.combine(first, dt.time(9), tzinfo=dt.UTC)
    end = dt.datetime.combine(last, dt.time(3), tzinfo=dt.UTC)
    signing = agreement.stages.filter(template_stage__is_signing=True, completed_at__isnull=False).first()
    # Two straight pieces: up to the signing onto first..last, the few moments after it onto last.
    pin = signing.completed_at if signing is not None else until
    after = dt.datetime.combine(last, dt.time(3, 30), tzinfo=dt.UTC)

    def moved(moment):
        if moment is None or moment < since:
            return moment
        if moment <= pin:
            return start + (end - start) * ((moment - since) / ((pin - since) or dt.timedelta(microseconds=1)))
        return end + (after - end) * ((moment - pin) / ((until - pin) or dt.timedelta(microseconds=1)))

    def move(queryset, *names):
        for row in queryset:
            type(row).objects.filter(pk=row.pk).update(**{n: moved(getattr(row, n)) for n in names})

    stage_ids = list(agreement.stages.values_list("pk", flat=True))
    move(Agreement.objects.filter(pk=agreement.pk), "created", "updated")
    move(AgreementStage.objects.filter(pk__in=stage_ids), "started_at", "completed_at")
    move(StageDocument.objects.filter(stage__in=stage_ids), "uploaded_at")
    move(StageTransition.objects.filter(agreement=agreement), "at")
    move(Agreement.history.filter(id=agreement.pk), "history_date")
    move(AgreementStage.history.filter(id__in=stage_ids), "history_date")
    move(StageDocument.history.filter(stage_id__in=stage_ids), "history_date")


def _waiting_since(agreement: Agreement, days: int) -> None:
    """The stage in progress started `days` ago (its queue shows how long it has waited)."""
    AgreementStage.objects.filter(agreement=agreement, status="active").update(
        started_at=timezone.now() - dt.timedelta(days=days)
    )


def load(user, partnerships: dict[tuple[str, str], object]) -> int:
    """Create the demo agreements that do not exist yet; returns how many were created."""
    ksdpl = ProcedureTemplate.objects.get(code="ksdpl")
    today = timezone.now().date()
    created = 0
    signing = ksdpl.stages.get(is_signing=True).position

    def new(key, title, kind, fields, languages, template=ksdpl):
        partnership = partnerships.get(key)
        if partnership is None or Agreement.objects.filter(partnership=partnership, title=title).exists():
            return None
        return services.create_agreement(
            user, partnership, template=template, title=title, kind=kind, fields=fields, languages=languages
        )

    a = new(
        ("bandung", "fort_worth"),
        "MoU Bandung – Fort Worth on education and culture",
        "mou",
        ["education", "culture", "trade"],
        ["id", "en"],
    )
    if a:
        signed_on = today - dt.timedelta(days=730)
        _walk(user, a, signing, signed_on=signed_on, validity_years=5)
        _backdate(a, signed_on - dt.timedelta(days=420), signed_on)
        created += 1
    loi_path = ProcedureTemplate.objects.filter(code="ksdpl-loi").first() or ksdpl
    a = new(
        ("surabaya", "liverpool"),
        "Letter of Intent Surabaya – Liverpool (ports and creative economy)",
        "loi",
        ["trade", "culture", "smart_city"],
        ["id", "en"],
        template=loi_path,
    )
    if a:
        a = _walk(user, a, 2)  # exploration and the governor's submission done: at Kemendagri
        _backdate(a, today - dt.timedelta(days=240), today - dt.timedelta(days=150))
        _waiting_since(a, 150)  # the demo's point: with the ministry for 150 days (usually 30)
        created += 1
    a = new(
        ("bandung", "suwon"),
        "MoU Bandung – Suwon on smart city and education",
        "mou",
        ["smart_city", "education"],
        ["id", "ko", "en"],
    )
    if a:
        a = _walk(user, a, 2)  # exploration and plan done: at the governor's stage (Jawa Barat)
        _backdate(a, today - dt.timedelta(days=130), today - dt.timedelta(days=12))
        _waiting_since(a, 12)
        created += 1
    a = new(
        ("surabaya", "busan"),
        "MoU Surabaya – Busan (renewal: ports, industry and culture)",
        "mou",
        ["trade", "industry", "culture"],
        ["id", "ko", "en"],
    )
    if a:
        full_power = ksdpl.stages.get(code="full_power").position
        a = _walk(user, a, full_power - 1)  # every stage before the full power: at Kemlu
        _backdate(a, today - dt.timedelta(days=380), today - dt.timedelta(days=20))
        _waiting_since(a, 20)
        created += 1
    a = new(
        ("bandung", "braunschweig"),
        "MoU Bandung – Braunschweig on vocational education",
        "mou",
        ["education", "science"],
        ["id", "de", "en"],
    )
    if a:
        signed_on = today.replace(year=today.year - 5) + dt.timedelta(days=60)
        _walk(user, a, signing, signed_on=signed_on, validity_years=5)
        _backdate(a, signed_on - dt.timedelta(days=365), signed_on)
        created += 1
    return created
