from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from kembar.accounts import permissions
from kembar.core.views import editable_or_403, filter_values, page_and_query, readable_or_404, submitted
from kembar.gazetteer.countries import country_code
from kembar.partnerships.models import Partnership

from . import services
from .forms import AssessmentForm, CallFilterForm, GrantCallForm
from .models import GrantCall, SelfAssessment
from .presenters import assessment_rows, call_facts

PAGE_SIZE = 25


def _can_read(user, _call) -> bool:
    return permissions.can_read_grant_calls(user)


def _call_or_404(request, pk: int) -> GrantCall:
    return readable_or_404(request.user, services.call_queryset(), pk, _can_read)


@login_required
@require_safe
def call_list(request):
    form = CallFilterForm(request.GET or None)
    data = filter_values(form)
    country = data.get("country", "").strip()
    f = services.CallFilter(
        q=data.get("q", ""),
        funder_type=data.get("funder_type", ""),
        field=data.get("field", ""),
        country=(country_code(country) or "??") if country else "",
        closed=bool(data.get("closed")),
    )
    queryset = services.filter_calls(services.call_queryset(), f)
    page, query = page_and_query(request, queryset.order_by("closes_at", "id"), PAGE_SIZE)
    return render(
        request,
        "grants/list.html",
        {"form": form, "page": page, "query": query, "can_create": permissions.can_enter_grant_call(request.user)},
    )


def _form_page(request, instance: GrantCall | None = None):
    if instance is None:
        if not permissions.can_enter_grant_call(request.user):
            raise PermissionDenied
    else:
        editable_or_403(request.user, instance, permissions.can_edit_grant_call)
    form = GrantCallForm(request.POST if request.method == "POST" else None, user=request.user, instance=instance)

    def save():
        data = form.data_for_service()
        if instance is None:
            return services.create_call(request.user, office=form.cleaned_data.get("office"), **data)
        return services.update_call(request.user, instance, expected_version=form.cleaned_data["version"], **data)

    call = submitted(request, form, save, _("Saved."))
    if call:
        return redirect(call)
    if instance is not None and not form.is_bound:
        form.initial["version"] = instance.version
    return render(request, "grants/form.html", {"form": form, "item": instance, "creating": instance is None})


@login_required
def call_create(request):
    return _form_page(request)


@login_required
def call_edit(request, pk: int):
    return _form_page(request, _call_or_404(request, pk))


@login_required
@require_safe
def call_detail(request, pk: int):
    call = _call_or_404(request, pk)
    return render(
        request,
        "grants/detail.html",
        {
            "call": call,
            "facts": call_facts(call),
            "fits": services.partnerships_for_call(request.user, call),
            "can_edit": permissions.can_edit_grant_call(request.user, call),
            "history": call.history.select_related("history_user").order_by("-history_date")[:20],
        },
    )


def _partnership_or_404(request, partnership_id: int) -> Partnership:
    queryset = Partnership.objects.select_related("government_a__place", "government_b__place")
    return readable_or_404(request.user, queryset, partnership_id, permissions.can_view_partnership)


@login_required
@require_safe
def partnership_page(request, partnership_id: int):
    """A partnership's grant calls that fit and, for its two offices, its yearly self-assessment."""
    partnership = _partnership_or_404(request, partnership_id)
    can_view = permissions.can_view_assessments(request.user, partnership)
    sides = permissions.assessment_sides(request.user, partnership)
    return render(
        request,
        "grants/partnership.html",
        {
            "partnership": partnership,
            "fits": services.calls_for_partnership(request.user, partnership),
            "can_view_assessments": can_view,
            "rows": assessment_rows(partnership, services.assessment_years(request.user, partnership)),
            "dimensions": services.dimension_labels(),
            "answer_sides": [g for g in partnership.governments if g.pk in sides],
        },
    )


@login_required
def assessment_answer(request, partnership_id: int, government_id: int):
    """This year's self-assessment of one side: its office's editors answer it, until the year ends."""
    partnership = _partnership_or_404(request, partnership_id)
    if government_id not in (partnership.government_a_id, partnership.government_b_id):
        raise Http404
    if not permissions.can_answer_assessment(request.user, partnership, government_id):
        raise PermissionDenied
    government = partnership.government_a if government_id == partnership.government_a_id else partnership.government_b
    year = services.local_year(partnership, government_id)
    instance = SelfAssessment.objects.filter(partnership=partnership, government_id=government_id, year=year).first()
    form = AssessmentForm(request.POST if request.method == "POST" else None, instance=instance)

    def save():
        return services.answer_assessment(
            request.user,
            partnership,
            government_id,
            form.answers(),
            year=year,
            expected_version=form.cleaned_data.get("version") if instance is not None else None,
        )

    saved = submitted(request, form, save, _("Self-assessment saved."), whole_form=True)
    if saved:
        return redirect("grants:assessments", partnership_id=partnership.pk)
    return render(
        request,
        "grants/assessment_form.html",
        {"form": form, "partnership": partnership, "government": government, "year": year, "instance": instance},
    )
