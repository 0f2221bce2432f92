from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from kembar.accounts import permissions
from kembar.core.uploads import download_response
from kembar.core.views import submitted
from kembar.partnerships.views import partnership_or_404

from . import presenters, services
from .forms import AdvanceForm, AgreementCreateForm, AgreementEditForm, BackForm, TerminateForm, UploadForm
from .models import AgreementStage, StageDocument, StageStatus

PAGE_SIZE = 25


def _visible_or_404(request, pk: int):
    agreement = get_object_or_404(services.agreement_queryset(), pk=pk)
    if not permissions.can_view_agreement(request.user, agreement):
        raise Http404
    return agreement


def _editable_or_403(request, pk: int):
    agreement = _visible_or_404(request, pk)
    if not permissions.can_edit_agreement(request.user, agreement):
        raise PermissionDenied
    return agreement


@require_safe
def agreement_list(request):
    """The office's agreements (everyone else: every agreement they may read)."""
    queryset = services.office_agreements(request.user).order_by("ends_on", "-updated", "-id")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "agreements/list.html", {"page": page, "partnership": None})


@require_safe
def partnership_agreements(request, partnership_id: int):
    partnership = partnership_or_404(request, partnership_id)
    queryset = services.agreement_queryset().filter(partnership=partnership).order_by("-updated", "-id")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
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


def _detail(request, agreement, **forms):
    stages = services.stages_of(agreement)
    active = next((s for s in stages if s.status == StageStatus.ACTIVE), None)
    can_edit = permissions.can_edit_agreement(request.user, agreement)
    context = {
        "agreement": agreement,
        "partnership": agreement.partnership,
        "stages": stages,
        "active": active,
        "can_edit": can_edit and agreement.status != "terminated",
        "transitions": list(
            agreement.transitions.select_related("from_stage__template_stage", "to_stage__template_stage", "user")
            .prefetch_related("evidence")
            .order_by("-at", "-id")
        ),
        "audit": presenters.audit_trail(agreement),
        "tz": presenters.viewer_timezone(request.user, agreement),
        "advance_form": forms.get("advance_form") or AdvanceForm(initial={"version": agreement.version}),
        "back_form": forms.get("back_form") or BackForm(initial={"version": agreement.version}),
        "terminate_form": forms.get("terminate_form") or TerminateForm(initial={"version": agreement.version}),
        "upload_form": forms.get("upload_form") or UploadForm(),
        "upload_stage": forms.get("upload_stage"),
        "can_go_back": bool(active and any(s.position < active.position for s in stages)),
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


def _workflow(request, pk: int, form_class, form_name: str, action, success: str):
    agreement = _editable_or_403(request, pk)
    form = form_class(request.POST)

    def act():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        return action(request.user, agreement, expected_version=version, **data)

    if submitted(request, form, act, success):
        return redirect(agreement)
    agreement = _visible_or_404(request, pk)
    return _detail(request, agreement, **{form_name: form})


@login_required
@require_POST
def agreement_advance(request, pk: int):
    return _workflow(request, pk, AdvanceForm, "advance_form", services.advance, _("The procedure moved on."))


@login_required
@require_POST
def agreement_back(request, pk: int):
    return _workflow(request, pk, BackForm, "back_form", services.go_back, _("The procedure went back one stage."))


@login_required
@require_POST
def agreement_terminate(request, pk: int):
    return _workflow(
        request, pk, TerminateForm, "terminate_form", services.terminate, _("The agreement is terminated.")
    )


@login_required
@require_POST
def document_upload(request, stage_id: int):
    stage = get_object_or_404(AgreementStage.objects.select_related("template_stage"), pk=stage_id)
    agreement = _editable_or_403(request, stage.agreement_id)
    form = UploadForm(request.POST, request.FILES)

    def upload():
        return services.upload_document(
            request.user, stage, form.cleaned_data["file"], title=form.cleaned_data["title"]
        )

    def uploaded(document) -> str:
        return _("%(title)s (version %(version)s) uploaded to “%(stage)s”.") % {
            "title": document.title,
            "version": document.version,
            "stage": stage.name,
        }

    if submitted(request, form, upload, uploaded):
        return redirect(agreement)
    return _detail(request, agreement, upload_form=form, upload_stage=stage.pk)


@require_safe
def document_download(request, document_id: int):
    document = get_object_or_404(StageDocument.objects.select_related("stage__agreement__partnership"), pk=document_id)
    if not permissions.can_view_agreement(request.user, document.stage.agreement):
        raise Http404
    return download_response(document.file, document.filename, document.content_type)
