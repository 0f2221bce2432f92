from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from kembar.accounts import permissions
from kembar.core.views import filter_values, page_and_query, submitted
from kembar.partnerships.models import LocalGovernment

from . import services
from .forms import InterestForm, PartnerRequestEditForm, PartnerRequestForm, RequestFilterForm, SuggestionFilterForm
from .models import PartnerRequest

TOP = 20


@require_safe
def find_partners(request, pk: int):
    """Suggested partners of a government, with filters and reasons. Public: the model learns
    only from public partnerships, so nothing here reveals what a visitor may not read."""
    government = get_object_or_404(LocalGovernment.objects.select_related("place"), pk=pk)
    form = SuggestionFilterForm(request.GET or None)
    # Choosing a country fetches its provinces into the region list (htmx), without filtering yet.
    form.fields["country"].widget.attrs.update(
        {
            "hx-get": request.path,
            "hx-trigger": "change",
            "hx-select": "#id_region",
            "hx-target": "#id_region",
            "hx-swap": "outerHTML",
        }
    )
    suggestions, shared, problem = [], [], ""
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        filters = services.SuggestionFilter(
            country=data.get("country") or "",
            region=data.get("region") or "",
            population_min=data.get("population_min"),
            population_max=data.get("population_max"),
            traits=data.get("traits") or [],
            field=data.get("field") or "",
            domestic=bool(data.get("domestic")),
            all_levels=bool(data.get("all_levels")),
        )
        try:
            suggestions = services.suggest(government, filters, top=TOP)
        except (services.ModelMissing, services.NotInModel) as error:
            problem = str(error)
        shared = services.shared_reasons(suggestions)
    can_propose = bool(suggestions) and services.may_propose(request.user, government)
    if can_propose:
        services.contacts(suggestions)
    return render(
        request,
        "matching/find_partners.html",
        {
            "government": government,
            "form": form,
            "suggestions": suggestions,
            "shared": shared,
            "problem": problem,
            "can_propose": can_propose,
        },
    )


REQUEST_PAGE = 25


@require_safe
def request_list(request):
    form = RequestFilterForm(request.GET or None)
    data = filter_values(form)
    queryset = services.filter_requests(
        permissions.visible_partner_requests(request.user, services.request_queryset()),
        country=data.get("country") or "",
        seeking=data.get("seeking") or "",
        field=data.get("field") or "",
        q=data.get("q") or "",
    ).order_by("-created", "-id")
    page, query = page_and_query(request, queryset, REQUEST_PAGE)
    return render(
        request,
        "matching/request_list.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "can_create": permissions.can_create_partner_request(request.user),
        },
    )


def _visible_request_or_404(request, pk: int) -> PartnerRequest:
    found = permissions.visible_partner_requests(request.user, services.request_queryset()).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def _governments(ids):
    return LocalGovernment.objects.filter(pk__in=ids).select_related("place").order_by("name")


@require_safe
def request_detail(request, pk: int):
    partner_request = _visible_request_or_404(request, pk)
    mine, remaining = services.interest_state(request.user, partner_request)
    form = InterestForm(governments=_governments(remaining)) if remaining else None
    return render(
        request,
        "matching/request_detail.html",
        {
            "req": partner_request,
            "form": form,
            "mine": mine,
            "can_edit": permissions.can_edit_partner_request(request.user, partner_request),
            "interests": (
                partner_request.interests.select_related("government")
                if permissions.can_see_interests(request.user, partner_request)
                else None
            ),
        },
    )


@login_required
def request_create(request):
    if not permissions.can_create_partner_request(request.user):
        raise PermissionDenied
    form = PartnerRequestForm(
        request.POST or None, governments=_governments(permissions.acting_governments(request.user))
    )

    def publish():
        data = dict(form.cleaned_data)
        government, fields = data.pop("government"), data.pop("fields")
        return services.create_request(request.user, government, fields=fields, **data)

    created = submitted(request, form, publish, _("Partner request published."), whole_form=True)
    if created:
        return redirect(created)
    return render(request, "matching/request_form.html", {"form": form})


@login_required
def request_edit(request, pk: int):
    """Change a request, close it or reopen it (editors of the requester's office)."""
    partner_request = _visible_request_or_404(request, pk)
    if not permissions.can_edit_partner_request(request.user, partner_request):
        raise PermissionDenied
    initial = {key: getattr(partner_request, key) for key in [*services.REQUEST_FIELDS, "version"]}
    initial["fields"] = [f.pk for f in partner_request.fields.all()]
    form = PartnerRequestEditForm(request.POST or None, initial=initial)

    def save():
        data = dict(form.cleaned_data)
        return services.update_request(
            request.user,
            partner_request,
            expected_version=data.pop("version"),
            fields=data.pop("fields"),
            **data,
        )

    if submitted(request, form, save, _("Partner request saved."), whole_form=True):
        return redirect(partner_request)
    return render(request, "matching/request_form.html", {"form": form, "req": partner_request})


@login_required
@require_POST
def request_interest(request, pk: int):
    partner_request = _visible_request_or_404(request, pk)
    allowed = permissions.interest_governments(request.user, partner_request)
    if not allowed:
        raise PermissionDenied
    form = InterestForm(request.POST, governments=_governments(allowed))
    if form.is_valid():
        try:
            services.express_interest(
                request.user, partner_request, form.cleaned_data["government"], form.cleaned_data["message"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Your interest was sent to the requester’s office."))
    else:  # a government the user does not edit
        raise PermissionDenied(_("Please choose the government in whose name you write."))
    return redirect(partner_request)
