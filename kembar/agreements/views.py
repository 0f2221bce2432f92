from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from kembar.accounts import permissions
from kembar.core.uploads import download_response
from kembar.core.views import editable_or_403, readable_or_404, submitted
from kembar.partnerships.views import partnership_or_404

from . import drafts, presenters, services
from .forms import AdvanceForm, AgreementCreateForm, AgreementEditForm, BackForm, RejectForm, TerminateForm, UploadForm
from .models import AgreementStage, StageDocument, StageStatus

PAGE_SIZE = 25


def _visible_or_404(request, pk: int):
    return readable_or_404(request.user, services.agreement_queryset(), pk, permissions.can_view_agreement)


def _editable_or_403(request, pk: int):
    return editable_or_403(request.user, _visible_or_404(request, pk), permissions.can_edit_agreement)


def _decider_or_403(request, pk: int):
    """The agreement when the user decides its stage in progress (its party; before the start,
    the office's editors); a 403 otherwise."""
    return editable_or_403(request.user, _visible_or_404(request, pk), services.acts_on_current_stage)


@require_safe
def agreement_list(request):
    """The office's agreements (everyone else: every agreement they may read)."""
    queryset = services.office_agreements(request.user).order_by("ends_on", "-updated", "-id")
    page = _with_days_waiting(
        Paginator(services.with_waiting_stage(queryset), PAGE_SIZE).get_page(request.GET.get("page"))
    )
    return render(request, "agreements/list.html", {"page": page, "partnership": None})


def _mark_waiting(stages) -> None:
    """Each stage in progress with its days waiting and whether it is overdue (lists, queues)."""
    now = timezone.now()
    for stage in stages:
        stage.days_waiting = services.days_waiting(stage, now)
        stage.overdue = services.is_overdue(stage, now)


def _with_days_waiting(page):
    """Where each agreement of the page waits and for how many days (list column)."""
    _mark_waiting(stage for agreement in page.object_list for stage in agreement.waiting)
    return page


@require_safe
def partnership_agreements(request, partnership_id: int):
    partnership = partnership_or_404(request, partnership_id)
    queryset = services.agreement_queryset().filter(partnership=partnership).order_by("-updated", "-id")
    page = _with_days_waiting(
        Paginator(services.with_waiting_stage(queryset), PAGE_SIZE).get_page(request.GET.get("page"))
    )
    return render(
        request,
        "agreements/list.html",
        {
            "page": page,
            "partnership": partnership,
            "can_create": permissions.can_edit_partnership(request.user, partnership),
        },
    )


@login_required
def agreement_create(request, partnership_id: int):
    partnership = partnership_or_404(request, partnership_id)
    if not permissions.can_edit_partnership(request.user, partnership):
        raise PermissionDenied
    template, kind = services.default_procedure(request.user, partnership)
    form = AgreementCreateForm(
        request.POST or None, partnership=partnership, initial={"template": template, "kind": kind}
    )

    def create():
        return services.create_agreement(
            request.user,
            partnership,
            template=form.cleaned_data["template"],
            fields=form.cleaned_data["fields"],
            **form.agreement_data(),
        )

    agreement = submitted(
        request, form, create, lambda agreement: _("Agreement “%(title)s” created.") % {"title": agreement.title}
    )
    if agreement:
        return redirect(agreement)
    return render(request, "agreements/form.html", {"form": form, "partnership": partnership, "creating": True})


def _detail(request, agreement, *, failed: str = "", **forms):
    """The agreement's page. `failed` names the form whose action was just refused (its
    errors are shown where it sits, and the page opens there: the form's action carries the
    anchor)."""
    stages = services.stages_of(agreement)
    allowed = services.allowed(request.user, agreement, stages)
    # Messages of a move of the procedure are shown where it happened (their extra tag is the
    # anchor the page opens at); the others at the top.
    notes: dict[str, list] = {}
    for message in messages.get_messages(request):
        notes.setdefault(message.extra_tags or "", []).append(message)
    upload_stage = forms.get("upload_stage")
    rows = []
    for stage in stages:
        anchor = f"stage-{stage.position}"
        rows.append(
            {
                "stage": stage,
                "anchor": anchor,
                "notes": notes.get(anchor, []),
                "documents": list(stage.documents.all()),
                "open": stage.status == StageStatus.ACTIVE or anchor in notes or upload_stage == stage.pk,
                "upload": stage.pk in allowed.upload,
                "failed": upload_stage == stage.pk,
            }
        )
    active = next((s for s in stages if s.status == StageStatus.ACTIVE), None)
    returned = services.last_return([active]).get(active.pk) if active is not None else None
    context = {
        "waiting_days": services.days_waiting(active) if active is not None else None,
        "overdue": active is not None and services.is_overdue(active),
        # The notes the file came back with, while the stage they returned it to is in progress.
        "returned": returned if returned is not None and returned.at >= active.started_at else None,
        "reject_form": forms.get("reject_form") or RejectForm(initial={"version": agreement.version}),
        "agreement": agreement,
        "partnership": agreement.partnership,
        "rows": rows,
        "active": active,
        "allowed": allowed,
        "top_notes": notes.get("", []),
        "procedure_notes": notes.get("procedure", []),
        "failed": failed,
        "history": presenters.history(agreement),
        "tz": presenters.viewer_timezone(request.user, agreement),
        "successors": list(agreement.successors.order_by("id")),
        "advance_form": forms.get("advance_form") or AdvanceForm(initial={"version": agreement.version}),
        "back_form": forms.get("back_form") or BackForm(initial={"version": agreement.version}),
        "terminate_form": forms.get("terminate_form") or TerminateForm(initial={"version": agreement.version}),
        "upload_form": forms.get("upload_form") or UploadForm(),
        "draft_links": _draft_links(request.user, agreement),
    }
    return render(request, "agreements/detail.html", context)


@require_safe
def agreement_detail(request, pk: int):
    return _detail(request, _visible_or_404(request, pk))


@login_required
def agreement_edit(request, pk: int):
    agreement = _editable_or_403(request, pk)
    form = AgreementEditForm.for_agreement(agreement, request.POST or None)

    def save():
        return services.update_agreement(
            request.user,
            agreement,
            expected_version=form.cleaned_data["version"],
            fields=form.cleaned_data["fields"],
            **form.agreement_data(),
        )

    if submitted(request, form, save, _("Changes saved.")):
        return redirect(agreement)
    return render(
        request, "agreements/form.html", {"form": form, "agreement": agreement, "partnership": agreement.partnership}
    )


def _moved(request, agreement, message: str):
    """Back to the agreement's page, opened at the stage now in progress, with the message there."""
    anchor = presenters.procedure_anchor(agreement)
    messages.success(request, message, extra_tags=anchor)
    return redirect(f"{agreement.get_absolute_url()}#{anchor}")


def _workflow(request, pk: int, form_class, form_name: str, action, success, *, decides: bool = True):
    agreement = _decider_or_403(request, pk) if decides else _editable_or_403(request, pk)
    form = form_class(request.POST)

    def act():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        return action(request.user, agreement, expected_version=version, **data)

    if (result := submitted(request, form, act)) is not None:
        return _moved(request, result, success(result) if callable(success) else success)
    agreement = _visible_or_404(request, pk)
    return _detail(request, agreement, failed=form_name, **{form_name: form})


def _advanced(agreement) -> str:
    if getattr(agreement, "activated_partnership", False):
        return _("The procedure moved on. The agreement is signed, so the partnership is now active.")
    return _("The procedure moved on.")


@login_required
@require_POST
def agreement_advance(request, pk: int):
    return _workflow(request, pk, AdvanceForm, "advance_form", services.advance, _advanced)


@login_required
@require_POST
def agreement_back(request, pk: int):
    return _workflow(request, pk, BackForm, "back_form", services.go_back, _("The procedure went back one stage."))


@login_required
@require_POST
def agreement_terminate(request, pk: int):
    return _workflow(
        request,
        pk,
        TerminateForm,
        "terminate_form",
        services.terminate,
        _("The agreement is terminated."),
        decides=False,
    )


@login_required
@require_POST
def agreement_reject(request, pk: int):
    return _workflow(request, pk, RejectForm, "reject_form", services.reject, _("The agreement is rejected."))


@login_required
@require_safe
def queue(request):
    """What waits for the user's organisation (an oversight body's stages in its scope, an
    office's own stages), and, for an office, where its other agreements wait."""
    if not permissions.has_stage_queue(request.user):
        raise PermissionDenied
    page = Paginator(services.waiting_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    elsewhere = list(services.waiting_elsewhere(request.user)[:PAGE_SIZE])
    _mark_waiting([*page.object_list, *elsewhere])
    return render(request, "agreements/queue.html", {"page": page, "elsewhere": elsewhere})


@login_required
@require_POST
def document_upload(request, stage_id: int):
    stage = get_object_or_404(AgreementStage.objects.select_related("template_stage"), pk=stage_id)
    agreement = _visible_or_404(request, stage.agreement_id)
    if not permissions.can_act_on_stage(request.user, agreement, stage.template_stage.owner):
        raise PermissionDenied
    form = UploadForm(request.POST, request.FILES)

    def upload():
        return services.upload_document(
            request.user, stage, form.cleaned_data["file"], title=form.cleaned_data["title"]
        )

    document = submitted(request, form, upload)
    if document is not None:
        anchor = f"stage-{stage.position}"
        messages.success(
            request,
            _("%(title)s (version %(version)s) uploaded to “%(stage)s”.")
            % {"title": document.title, "version": document.version, "stage": stage.name},
            extra_tags=anchor,
        )
        return redirect(f"{agreement.get_absolute_url()}#{anchor}")
    return _detail(request, agreement, failed="upload_form", upload_form=form, upload_stage=stage.pk)


@require_safe
def document_download(request, document_id: int):
    document = get_object_or_404(StageDocument.objects.select_related("stage__agreement__partnership"), pk=document_id)
    if not permissions.can_view_agreement(request.user, document.stage.agreement):
        raise Http404
    return download_response(document.file, document.filename, document.content_type)


def _draft_links(user, agreement) -> list[dict]:
    """The documents the agreement's page offers to download (none for those who may not)."""
    if not permissions.can_download_agreement_drafts(user, agreement):
        return []
    labels = {
        "loi": _("Letter of intent (draft)"),
        "mou": _("Memorandum of understanding (draft)"),
        "tor": _("Terms of reference (KAK) outline"),
        "checklist": _("Stage checklist"),
    }
    return [{"kind": kind, "label": labels[kind]} for kind in drafts.KINDS]


@login_required
@require_safe
def agreement_template(request, pk: int):
    """A draft, the terms of reference or the stage checklist of the agreement, as .docx or PDF
    (`?kind=loi|mou|tor|checklist&format=docx|pdf`; without them, its own kind's draft as PDF)."""
    agreement = readable_or_404(
        request.user, services.agreement_queryset(), pk, permissions.can_download_agreement_drafts
    )
    try:
        made = drafts.generate(
            agreement,
            request.GET.get("kind") or drafts.default_kind(agreement),
            request.GET.get("format") or "pdf",
            zone=presenters.viewer_timezone(request.user, agreement),
        )
    except drafts.DraftError as error:
        return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")
    response = HttpResponse(made.content, content_type=made.content_type)
    response["Content-Disposition"] = f'attachment; filename="{made.filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
