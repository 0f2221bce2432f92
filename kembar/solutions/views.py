from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from kembar.accounts import permissions
from kembar.core.uploads import download_response
from kembar.core.views import editable_or_403, filter_values, page_and_query, readable_or_404, submitted

from . import services
from .forms import (
    InterestForm,
    MilestoneForm,
    MilestoneStatusForm,
    NeedForm,
    OfferFilterForm,
    PilotForm,
    SolutionForm,
    TrackActivityForm,
)
from .models import Milestone, Pilot, Solution
from .presenters import history_entries
from .vocab import SDG_CODES

PAGE_SIZE = 25


# The services' field names that the forms name otherwise.
FORM_FIELDS = {"government_id": "government", "need_id": "need"}


def _visible_or_404(request, queryset, pk: int):
    return readable_or_404(request.user, queryset, pk, permissions.can_view_offer)


def _pilot_or_404(request, pk: int) -> Pilot:
    return readable_or_404(request.user, services.pilot_queryset(), pk, permissions.can_view_pilot)


def _editable_pilot(request, pk: int) -> Pilot:
    return editable_or_403(request.user, _pilot_or_404(request, pk), permissions.can_edit_pilot)


def _list(request, queryset, template: str, text_fields: tuple[str, ...], extra: dict):
    form = OfferFilterForm(request.GET or None)
    data = filter_values(form)
    f = services.OfferFilter(
        q=data.get("q", ""), field=data.get("field", ""), sdg=data.get("sdg", ""), government=data.get("government")
    )
    queryset = services.filter_offers(permissions.visible_offers(request.user, queryset), f, text_fields)
    page, query = page_and_query(request, queryset.order_by("-updated", "-id"), PAGE_SIZE)
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "query": query,
            "can_create": permissions.can_create_offer(request.user),
            **extra,
        },
    )


@require_safe
def solution_list(request):
    return _list(request, services.solution_queryset(), "solutions/list.html", ("title", "summary", "problem"), {})


@require_safe
def need_list(request):
    return _list(request, services.need_queryset(), "solutions/need_list.html", ("title", "description"), {})


def _form_page(request, form_class, create, update, template: str, instance=None):
    if instance is None:
        if not permissions.can_create_offer(request.user):
            raise PermissionDenied
    elif not permissions.can_edit_offer(request.user, instance):
        raise PermissionDenied
    posted = request.method == "POST"
    form = form_class(
        request.POST if posted else None, request.FILES if posted else None, user=request.user, instance=instance
    )

    def save():
        data = form.data_for_service()
        attachments = form.cleaned_data.get("attachments") or []
        kwargs = {"attachments": attachments} if "attachments" in form.fields else {}
        if instance is None:
            return create(request.user, form.cleaned_data["government"], **kwargs, **data)
        return update(request.user, instance, expected_version=form.cleaned_data["version"], **kwargs, **data)

    item = submitted(request, form, save, _("Saved."), fields=FORM_FIELDS)
    if item:
        return redirect(item)
    if instance is not None and not form.is_bound:
        form.initial["version"] = instance.version
    return render(request, template, {"form": form, "item": instance, "creating": instance is None})


@login_required
def solution_create(request):
    return _form_page(request, SolutionForm, services.create_solution, services.update_solution, "solutions/form.html")


@login_required
def solution_edit(request, pk: int):
    solution = _visible_or_404(request, services.solution_queryset(), pk)
    return _form_page(
        request, SolutionForm, services.create_solution, services.update_solution, "solutions/form.html", solution
    )


@login_required
def need_create(request):
    return _form_page(request, NeedForm, services.create_need, services.update_need, "solutions/need_form.html")


@login_required
def need_edit(request, pk: int):
    need = _visible_or_404(request, services.need_queryset(), pk)
    return _form_page(request, NeedForm, services.create_need, services.update_need, "solutions/need_form.html", need)


def _solution_page(request, solution: Solution, interest_form=None, status=200):
    user = request.user
    can_interest = permissions.can_express_interest(user, solution)
    if can_interest and interest_form is None:
        interest_form = InterestForm(user=user, solution=solution)
    return render(
        request,
        "solutions/detail.html",
        {
            "solution": solution,
            "sdgs": services.sdg_list(solution.sdg_targets),
            "attachments": list(solution.attachments.all()),
            "can_edit": permissions.can_edit_offer(user, solution),
            "adoptions": services.adoptions(user, solution),
            "needs": services.needs_for_solution(user, solution) if user.is_authenticated else [],
            "interest_form": interest_form if can_interest else None,
            "history": history_entries(solution),
        },
        status=status,
    )


@require_safe
def solution_detail(request, pk: int):
    return _solution_page(request, _visible_or_404(request, services.solution_queryset(), pk))


@login_required
@require_POST
def solution_interest(request, pk: int):
    solution = _visible_or_404(request, services.solution_queryset(), pk)
    if not permissions.can_express_interest(request.user, solution):
        raise PermissionDenied
    form = InterestForm(request.POST, user=request.user, solution=solution)

    def express():
        return services.express_interest(
            request.user, solution, form.cleaned_data["government"], form.cleaned_data["need"]
        )

    def sent(pilot) -> str:
        return _("Interest sent to %(government)s; the pilot is open.") % {"government": solution.government.name}

    pilot = submitted(request, form, express, sent, fields=FORM_FIELDS)
    if pilot:
        return redirect(pilot)
    return _solution_page(request, solution, form)


@require_safe
def attachment_download(request, pk: int, attachment_id: int):
    solution = _visible_or_404(request, Solution.objects.all(), pk)
    attachment = get_object_or_404(solution.attachments, pk=attachment_id)
    return download_response(attachment.file, attachment.name, attachment.content_type)


@require_safe
def need_detail(request, pk: int):
    need = _visible_or_404(request, services.need_queryset(), pk)
    user = request.user
    matches = services.both_matches_for_need(user, need)
    return render(
        request,
        "solutions/need_detail.html",
        {
            "need": need,
            "sdgs": services.sdg_list(need.sdg_targets),
            "can_edit": permissions.can_edit_offer(user, need),
            "partner_matches": matches[services.PARTNERS],
            "platform_matches": matches[services.PLATFORM],
            "history": history_entries(need),
        },
    )


def _pilot_page(request, pilot: Pilot, form=None, milestone_form=None, activity_form=None):
    can_edit = permissions.can_edit_pilot(request.user, pilot)
    if can_edit:
        form = form or PilotForm(
            initial={"version": pilot.version, "status": pilot.status, "outcome": pilot.outcome, "public": pilot.public}
        )
        milestone_form = milestone_form or MilestoneForm()
        if not pilot.activity_id and services.pilot_partnership(pilot) is not None:
            activity_form = activity_form or TrackActivityForm()
    return render(
        request,
        "solutions/pilot.html",
        {
            "pilot": pilot,
            "can_edit": can_edit,
            "form": form,
            "milestone_form": milestone_form,
            "activity_form": activity_form,
            "milestones": list(pilot.milestones.all()),
            "status_form": MilestoneStatusForm(),
            "history": history_entries(pilot),
        },
    )


@require_safe
def pilot_detail(request, pk: int):
    return _pilot_page(request, _pilot_or_404(request, pk))


def _pilot_form(request, pk: int, form_class, form_name: str, save, success: str):
    """A form posted from the pilot's page: `save(user, pilot, **data)` calls the service; a
    refusal shows the page again with the form (as `form_name`) and its errors."""
    pilot = _editable_pilot(request, pk)
    form = form_class(request.POST)
    if submitted(request, form, lambda: save(request.user, pilot, **form.cleaned_data), success, fields=FORM_FIELDS):
        return redirect(pilot)
    return _pilot_page(request, pilot, **{form_name: form})


def _update_pilot(user, pilot: Pilot, *, version: int, **data) -> Pilot:
    """The pilot's form names the version it was read at `version`."""
    return services.update_pilot(user, pilot, expected_version=version, **data)


@login_required
@require_POST
def pilot_edit(request, pk: int):
    return _pilot_form(request, pk, PilotForm, "form", _update_pilot, _("Saved."))


@login_required
@require_POST
def pilot_track(request, pk: int):
    """Track the pilot as an activity of the two governments' partnership."""
    return _pilot_form(
        request,
        pk,
        TrackActivityForm,
        "activity_form",
        services.track_as_activity,
        _("The pilot is now an activity of the partnership."),
    )


@login_required
@require_POST
def milestone_add(request, pk: int):
    return _pilot_form(request, pk, MilestoneForm, "milestone_form", services.add_milestone, _("Milestone added."))


@login_required
@require_POST
def milestone_status(request, pk: int, milestone_id: int):
    pilot = _editable_pilot(request, pk)
    milestone = get_object_or_404(Milestone.objects.select_related("pilot__solution"), pk=milestone_id, pilot=pilot)
    form = MilestoneStatusForm(request.POST)
    if form.is_valid():
        services.set_milestone_status(request.user, milestone, form.cleaned_data["status"])
        messages.success(request, _("Saved."))
        return redirect(pilot)
    return _pilot_page(request, pilot)


@require_safe
def catalogue(request):
    """The public catalogue: public solutions only, whoever asks (logged in or not)."""
    form = OfferFilterForm(request.GET or None)
    data = filter_values(form)
    solutions = services.catalogue(field=data.get("field", ""), sdg=data.get("sdg", ""))
    groups: dict[str, list] = {}
    for s in solutions:
        labels = [f.label for f in s.fields.all()] or [_("Other")]
        for label in labels:
            groups.setdefault(str(label), []).append(s)
    return render(
        request,
        "solutions/catalogue.html",
        {"form": form, "groups": sorted(groups.items()), "count": len(solutions), "sdg_codes": SDG_CODES},
    )
