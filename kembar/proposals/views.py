from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from kembar.accounts import permissions
from kembar.accounts.models import Organisation
from kembar.core.form_errors import add_errors
from kembar.core.security import client_address
from kembar.core.uploads import download_response
from kembar.core.views import page_and_query
from kembar.partnerships.models import LocalGovernment

from . import services
from .forms import AcceptForm, AskForm, DeclineForm, ProposalForm
from .models import ProposalDocument
from .vocab import ProposalState

PER_PAGE = 50


def _receiving(government_id: int) -> LocalGovernment:
    """A government that takes proposals (it has an office on the platform); a 404 otherwise."""
    government = get_object_or_404(LocalGovernment.objects.select_related("place"), pk=government_id)
    if not services.takes_proposals(government):
        raise Http404
    return government


def propose(request, government_id: int):
    """The public page that takes a cooperation proposal, without an account."""
    government = _receiving(government_id)
    form = ProposalForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.trapped:  # a robot: it is told all went well, and nothing is kept
            return redirect("proposals:sent", government_id=government.pk)
        if form.is_valid():
            try:
                services.submit(
                    government,
                    address=client_address(request),
                    language=translation.get_language(),
                    **form.proposal_data(),
                )
            except services.RateLimited as limited:
                form.add_error(None, str(limited))
                status = 429
            except ValidationError as error:
                add_errors(form, error)
            else:
                return redirect("proposals:sent", government_id=government.pk)
    return render(request, "proposals/propose.html", {"form": form, "government": government}, status=status)


@require_safe
def sent(request, government_id: int):
    """What happens next, after a proposal was sent."""
    government = _receiving(government_id)
    return render(request, "proposals/sent.html", {"government": government})


def _office(request, organisation_id: int) -> Organisation:
    """A government's office whose inbox the user reads; a 404 for everyone else."""
    office = get_object_or_404(
        Organisation.objects.select_related("local_government"),
        pk=organisation_id,
        kind=Organisation.Kind.GOVERNMENT,
        local_government__isnull=False,
    )
    if not permissions.can_read_proposals(request.user, office.local_government_id):
        raise Http404
    return office


def _proposal(request, office: Organisation, proposal_id: int):
    proposal = services.proposal_for(request.user, proposal_id)
    if proposal is None or proposal.government_id != office.local_government_id:
        raise Http404
    return proposal


@login_required
@require_safe
def inbox(request, organisation_id: int):
    office = _office(request, organisation_id)
    state = request.GET.get("state", "")
    page, query = page_and_query(request, services.inbox(office.local_government_id, state), PER_PAGE)
    return render(
        request,
        "proposals/inbox.html",
        {"office": office, "page": page, "query": query, "state": state, "states": ProposalState.choices},
    )


def _detail(request, office, proposal, *, forms=None, status=200):
    decides = permissions.can_decide_proposal(request.user, proposal)
    initial = {"version": proposal.version}
    forms = forms or {}
    context = {
        "office": office,
        "proposal": proposal,
        "fields": services.field_labels(proposal),
        "decides": decides and proposal.open,
        # A refused decision's form, whose errors show even when the forms no longer do.
        "refused": next(iter(forms.values()), None),
        "accept_form": forms.get("accept") or AcceptForm(initial=initial, prefix="accept"),
        "ask_form": forms.get("ask") or AskForm(initial=initial, prefix="ask"),
        "decline_form": forms.get("decline") or DeclineForm(initial=initial, prefix="decline"),
    }
    return render(request, "proposals/detail.html", context, status=status)


@login_required
@require_safe
def detail(request, organisation_id: int, proposal_id: int):
    office = _office(request, organisation_id)
    return _detail(request, office, _proposal(request, office, proposal_id))


def _decide(request, organisation_id: int, proposal_id: int, name: str, form_class, action, success: str):
    office = _office(request, organisation_id)
    proposal = _proposal(request, office, proposal_id)
    if not permissions.can_decide_proposal(request.user, proposal):
        raise PermissionDenied
    form = form_class(request.POST, prefix=name)
    if form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            action(request.user, proposal, expected_version=version, **data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, success)
            return redirect("proposals:detail", organisation_id=office.pk, proposal_id=proposal.pk)
    return _detail(request, office, proposal, forms={name: form}, status=400)


@login_required
@require_POST
def accept(request, organisation_id: int, proposal_id: int):
    return _decide(
        request,
        organisation_id,
        proposal_id,
        "accept",
        AcceptForm,
        services.accept,
        _("Proposal accepted: the partnership is proposed and the proposer is told."),
    )


@login_required
@require_POST
def ask(request, organisation_id: int, proposal_id: int):
    return _decide(
        request,
        organisation_id,
        proposal_id,
        "ask",
        AskForm,
        services.ask_more,
        _("Your question was sent to the proposer."),
    )


@login_required
@require_POST
def decline(request, organisation_id: int, proposal_id: int):
    return _decide(
        request,
        organisation_id,
        proposal_id,
        "decline",
        DeclineForm,
        services.decline,
        _("Proposal declined; the proposer is told why."),
    )


@login_required
@require_safe
def document(request, organisation_id: int, proposal_id: int, document_id: int):
    office = _office(request, organisation_id)
    proposal = _proposal(request, office, proposal_id)
    found = get_object_or_404(ProposalDocument, pk=document_id, proposal=proposal)
    return download_response(found.file, found.name, found.content_type)
