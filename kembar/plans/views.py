"""Pages of plans of action and money. Thin: ask the permission, call the service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from kembar.accounts import permissions
from kembar.activities.models import Activity, AidShipment
from kembar.core.views import submitted
from kembar.partnerships.models import LocalGovernment, Partnership
from kembar.solutions.models import Pilot

from . import services
from .forms import LineForm, LinkForm, ObjectiveForm, PlanForm, PlannedForm, TargetForm, TotalsForm
from .models import MoneyLine, Objective, Plan, PlannedActivity, Target, TargetLink

HISTORY_ROWS = 15


def _readable(request, record):
    """`record` when the user reads its plans and money; 403 when the user may know it exists
    (reads the partnership, or the pilot), 404 otherwise."""
    if services.can_read(request.user, record):
        return record
    partnership = record if isinstance(record, Partnership) else getattr(record, "partnership", None)
    if partnership is not None and permissions.can_view_partnership(request.user, partnership):
        raise PermissionDenied
    if isinstance(record, Pilot) and permissions.can_view_pilot(request.user, record):
        raise PermissionDenied
    raise Http404


def _partnership(request, pk: int) -> Partnership:
    partnership = get_object_or_404(Partnership.objects.select_related("government_a", "government_b"), pk=pk)
    if not permissions.can_read_plans(request.user, (partnership.government_a_id, partnership.government_b_id)):
        if permissions.can_view_partnership(request.user, partnership):
            raise PermissionDenied
        raise Http404
    return partnership


def _plan(request, pk: int) -> Plan:
    plan = get_object_or_404(
        Plan.objects.select_related("partnership__government_a", "partnership__government_b", "agreement"), pk=pk
    )
    _partnership(request, plan.partnership_id)
    return plan


def _editable_sides(request, record) -> list[LocalGovernment]:
    found = services.editable_sides(request.user, record)
    if not found:
        raise PermissionDenied
    return found


@require_safe
@login_required
def partnership_plans(request, pk: int):
    partnership = _partnership(request, pk)
    plans = list(partnership.plans.select_related("agreement").order_by("-first_year", "-id"))
    return render(
        request,
        "plans/partnership.html",
        {
            "partnership": partnership,
            "plans": plans,
            "can_edit": bool(services.editable_sides(request.user, partnership)),
        },
    )


@login_required
def plan_create(request, pk: int):
    partnership = _partnership(request, pk)
    _editable_sides(request, partnership)
    form = PlanForm(request.POST or None, partnership=partnership)
    plan = submitted(
        request,
        form,
        lambda: services.create_plan(request.user, partnership, **form.cleaned_data),
        _("The plan of action was created."),
    )
    if plan is not None:
        return redirect(plan)
    return render(
        request,
        "plans/form.html",
        {"form": form, "heading": _("New plan of action"), "back": partnership, "back_url": _plans_url(partnership)},
    )


def _plans_url(partnership: Partnership) -> str:
    return reverse("plans:partnership", args=[partnership.pk])


@login_required
def plan_edit(request, pk: int):
    plan = _plan(request, pk)
    _editable_sides(request, plan)
    form = PlanForm(request.POST or None, partnership=plan.partnership, plan=plan)

    def save():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        return services.update_plan(request.user, plan, expected_version=version, **data)

    saved = submitted(request, form, save, _("Changes saved."))
    if saved is not None:
        return redirect(saved)
    return render(
        request,
        "plans/form.html",
        {"form": form, "heading": _("Edit the plan of action"), "back": plan, "back_url": plan.get_absolute_url()},
    )


def _plan_page(request, plan: Plan, status: int = 200, **forms):
    view = services.plan_view(plan)
    sides = services.editable_sides(request.user, plan)
    side_ids = {g.pk for g in sides}
    objectives = [o.objective for o in view.objectives]
    context = {
        "plan": plan,
        "partnership": plan.partnership,
        "view": view,
        "sides": sides,
        "side_ids": side_ids,
        "can_edit": bool(sides),
        "objective_form": forms.get("objective_form") or ObjectiveForm(sides=sides),
        "target_form": forms.get("target_form") or TargetForm(),
        "target_objective": forms.get("target_objective"),
        "planned_form": forms.get("planned_form") or PlannedForm(objectives=objectives, sides=sides),
        "line_form": forms.get("line_form") or LineForm(sides=sides, plan=True, initial={"currency": plan.currency}),
        "history": plan.history.select_related("history_user").order_by("-history_date")[:HISTORY_ROWS],
    }
    return render(request, "plans/detail.html", context, status=status)


@require_safe
@login_required
def plan_detail(request, pk: int):
    return _plan_page(request, _plan(request, pk))


@login_required
@require_POST
def objective_add(request, pk: int):
    plan = _plan(request, pk)
    sides = _editable_sides(request, plan)
    form = ObjectiveForm(request.POST, sides=sides)
    done = submitted(
        request, form, lambda: services.add_objective(request.user, plan, **form.cleaned_data), _("Objective added.")
    )
    if done is not None:
        return redirect(plan)
    return _plan_page(request, plan, 422, objective_form=form)


def _objective(request, pk: int) -> Objective:
    objective = get_object_or_404(Objective.objects.select_related("plan__partnership", "side"), pk=pk)
    _partnership(request, objective.plan.partnership_id)
    return objective


@login_required
def objective_edit(request, pk: int):
    objective = _objective(request, pk)
    if not permissions.can_edit_plan_side(request.user, services.sides(objective), objective.side_id):
        raise PermissionDenied
    form = ObjectiveForm(request.POST or None, sides=[], objective=objective)

    def save():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        return services.update_objective(request.user, objective, expected_version=version, **data)

    if submitted(request, form, save, _("Changes saved.")) is not None:
        return redirect(objective.plan)
    return render(
        request,
        "plans/form.html",
        {
            "form": form,
            "heading": _("Edit the objective"),
            "back": objective.plan,
            "back_url": objective.plan.get_absolute_url(),
        },
    )


@login_required
@require_POST
def target_add(request, pk: int):
    objective = _objective(request, pk)
    if not permissions.can_edit_plan_side(request.user, services.sides(objective), objective.side_id):
        raise PermissionDenied
    form = TargetForm(request.POST)
    done = submitted(
        request,
        form,
        lambda: services.add_target(request.user, objective, **form.cleaned_data),
        _("Target added."),
    )
    if done is not None:
        return redirect(objective.plan)
    return _plan_page(request, objective.plan, 422, target_form=form, target_objective=objective.pk)


def _target(request, pk: int) -> Target:
    target = get_object_or_404(Target.objects.select_related("objective__plan__partnership", "objective__side"), pk=pk)
    _partnership(request, target.objective.plan.partnership_id)
    return target


def _target_page(request, target: Target, status: int = 200, form=None, link_form=None):
    can_edit = permissions.can_edit_plan_side(request.user, services.sides(target), target.objective.side_id)
    progress = services.progress([target])[target.pk]
    links = list(target.links.select_related("activity", "aid", "pilot__solution", "pilot__government"))
    return render(
        request,
        "plans/target.html",
        {
            "target": target,
            "plan": target.objective.plan,
            "progress": progress,
            "links": links,
            "can_edit": can_edit,
            "form": form or (TargetForm(target=target) if can_edit else None),
            "link_form": link_form or (LinkForm(records=services.linkable(target)) if can_edit else None),
            "history": target.history.select_related("history_user").order_by("-history_date")[:HISTORY_ROWS],
        },
        status=status,
    )


@login_required
def target_detail(request, pk: int):
    target = _target(request, pk)
    if request.method != "POST":
        return _target_page(request, target)
    if not permissions.can_edit_plan_side(request.user, services.sides(target), target.objective.side_id):
        raise PermissionDenied
    form = TargetForm(request.POST, target=target)

    def save():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        return services.update_target(request.user, target, expected_version=version, **data)

    if submitted(request, form, save, _("Changes saved.")) is not None:
        return redirect("plans:target", target.pk)
    return _target_page(request, target, 422, form=form)


@login_required
@require_POST
def link_add(request, pk: int):
    target = _target(request, pk)
    if not permissions.can_edit_plan_side(request.user, services.sides(target), target.objective.side_id):
        raise PermissionDenied
    records = services.linkable(target)
    form = LinkForm(request.POST, records=records)

    def save():
        name, _sep, record_id = form.cleaned_data["record"].partition(":")
        record = records[name].get(pk=int(record_id))
        return services.link(request.user, target, **{name: record})

    if submitted(
        request,
        form,
        save,
        _("Linked to the target."),
        fields={"activity": "record", "aid": "record", "pilot": "record"},
    ):
        return redirect("plans:target", target.pk)
    return _target_page(request, target, 422, link_form=form)


@login_required
@require_POST
def link_delete(request, pk: int):
    found = get_object_or_404(TargetLink.objects.select_related("target__objective__plan__partnership"), pk=pk)
    target = found.target
    _partnership(request, target.objective.plan.partnership_id)
    services.unlink(request.user, found)
    messages.success(request, _("The link was removed."))
    return redirect("plans:target", target.pk)


@login_required
@require_POST
def planned_add(request, pk: int):
    plan = _plan(request, pk)
    sides = _editable_sides(request, plan)
    objectives = list(plan.objectives.all())
    form = PlannedForm(request.POST, objectives=objectives, sides=sides)

    def save():
        data = dict(form.cleaned_data)
        objective = next(o for o in objectives if o.pk == data.pop("objective"))
        return services.add_planned(request.user, objective, **data)

    if submitted(request, form, save, _("Planned activity added.")) is not None:
        return redirect(plan)
    return _plan_page(request, plan, 422, planned_form=form)


@login_required
@require_POST
def planned_delete(request, pk: int):
    planned = get_object_or_404(PlannedActivity.objects.select_related("objective__plan__partnership"), pk=pk)
    plan = planned.objective.plan
    _partnership(request, plan.partnership_id)
    services.delete_planned(request.user, planned)
    messages.success(request, _("The planned activity was removed."))
    return redirect(plan)


@login_required
@require_POST
def plan_line_add(request, pk: int):
    plan = _plan(request, pk)
    sides = _editable_sides(request, plan)
    form = LineForm(request.POST, sides=sides, plan=True)
    if submitted(
        request, form, lambda: services.add_line(request.user, plan, **form.cleaned_data), _("Budget line added.")
    ):
        return redirect(plan)
    return _plan_page(request, plan, 422, line_form=form)


# --- money of an activity, aid shipment or pilot -----------------------------------------------


def _money_page(request, record):
    _readable(request, record)
    sides = services.editable_sides(request.user, record)
    form = None
    if request.method == "POST":
        if not sides:
            raise PermissionDenied
        form = LineForm(request.POST, sides=sides)
        if submitted(
            request, form, lambda: services.add_line(request.user, record, **form.cleaned_data), _("Line added.")
        ):
            return redirect(request.path)
    elif sides:
        form = LineForm(sides=sides, initial={"currency": getattr(record, "currency", "") or "IDR"})
    currency = _currency(request, "IDR")
    found = services.totals(services.lines_of(record), currency)
    return render(
        request,
        "plans/money.html",
        {
            "record": record,
            "totals": found,
            "form": form,
            "side_ids": {g.pk for g in sides},
        },
        status=422 if form is not None and form.is_bound else 200,
    )


def _currency(request, default: str) -> str:
    code = (request.GET.get("currency") or "").strip().upper()
    try:
        return services.check_currency(code) if code else default
    except Exception:  # noqa: BLE001 - a bad code in the address shows the default
        return default


@login_required
def activity_money(request, pk: int):
    return _money_page(request, get_object_or_404(Activity.objects.select_related("partnership"), pk=pk))


@login_required
def aid_money(request, pk: int):
    return _money_page(request, get_object_or_404(AidShipment.objects.select_related("partnership"), pk=pk))


@login_required
def pilot_money(request, pk: int):
    return _money_page(
        request, get_object_or_404(Pilot.objects.select_related("solution__government", "government"), pk=pk)
    )


@login_required
@require_POST
def line_delete(request, pk: int):
    line = get_object_or_404(MoneyLine.objects.select_related("plan", "activity", "aid", "pilot__solution"), pk=pk)
    record = line.record
    _readable(request, record)
    services.delete_line(request.user, line)
    messages.success(request, _("The line was removed."))
    back = request.POST.get("next", "")
    if back.startswith("/") and not back.startswith("//"):
        return redirect(back)
    return redirect(record.get_absolute_url())


# --- totals by funder and year -----------------------------------------------------------------


def _totals_page(request, title: str, lines, default_currency: str, back, back_url: str):
    form = TotalsForm(request.GET or None)
    currency = _currency(request, default_currency)
    year = None
    if form.is_valid():
        year = form.cleaned_data.get("year")
    if year:
        lines = lines.filter(on__year=year)
    found = services.totals(lines, currency)
    return render(
        request,
        "plans/totals.html",
        {"title": title, "form": form, "totals": found, "back": back, "back_url": back_url, "currency": currency},
    )


@require_safe
@login_required
def partnership_totals(request, pk: int):
    partnership = _partnership(request, pk)
    return _totals_page(
        request,
        _("Money of %(partnership)s by funder and year") % {"partnership": partnership},
        services.partnership_lines(partnership),
        "IDR",
        partnership,
        _plans_url(partnership),
    )


@require_safe
@login_required
def government_totals(request, pk: int):
    government = get_object_or_404(LocalGovernment, pk=pk)
    if not permissions.can_read_office_money(request.user, government):
        raise PermissionDenied
    return _totals_page(
        request,
        _("Money of the partnerships of %(government)s by funder and year") % {"government": government.name},
        services.office_lines(government),
        "IDR",
        government,
        government.get_absolute_url(),
    )
