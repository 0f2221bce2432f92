from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kembar.accounts import permissions
from kembar.accounts.models import Organisation
from kembar.core.caching import for_visitors, kept_each
from kembar.core.versioning import ConcurrentEdit
from kembar.core.views import filter_values, page_and_query, readable_or_404, submitted, typed_text
from kembar.gazetteer.models import Place

from . import claims, merge, opendata, services, traits
from .forms import (
    CloseForm,
    ConfirmForm,
    ConfirmManyForm,
    LocalGovernmentForm,
    PartnershipCreateForm,
    PartnershipEditForm,
    PartnershipFilterForm,
)
from .models import LocalGovernment, Partnership
from .presenters import history_entries, map_data, sdg_labels

PAGE_SIZE = 25
MERGE_CANDIDATES = 200
CONFIRM_PAGE = 50


def partnership_or_404(request, pk: int) -> Partnership:
    """The partnership, when the user may read it (the pages of its activities and agreements
    ask the same); 404 otherwise."""
    return readable_or_404(request.user, services.partnership_queryset(), pk, permissions.can_view_partnership)


# The services' field names that the forms name otherwise.
FORM_FIELDS = {"level": "partner_level"}


@require_safe
@for_visitors
def partnership_list(request):
    form = PartnershipFilterForm(request.GET or None)
    filters = services.PartnershipFilter(**filter_values(form))
    ids = services.filter_partnerships(
        permissions.visible_partnerships(request.user, Partnership.objects.all()), filters
    ).order_by("-updated", "-id")
    page, query = page_and_query(request, ids.values_list("pk", flat=True), PAGE_SIZE)
    page.object_list = _list_rows(list(page.object_list))
    return render(
        request,
        "partnerships/list.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "can_create": permissions.can_create_partnership(request.user),
        },
    )


def _list_rows(ids: list[int]) -> list[str]:
    """The list's rows, each kept in the cache until its partnership changes (`kept_each`): a
    row looks the same to everyone who may see it, in a given language; only the rows not kept
    are read (one query and the fields') and rendered."""
    language = get_language()

    def render_rows(missing: list[int]) -> dict[int, str]:
        shown = services.partnership_queryset().filter(pk__in=missing)
        return {p.pk: render_to_string("partnerships/_list_row.html", {"item": p}) for p in shown}

    return kept_each(
        ids, lambda pk: f"kembar:partnerships:row:{language}:{pk}", lambda pk: ("partnership", pk), render_rows
    )


@require_safe
@for_visitors(subjects=lambda request, pk: [("partnership", pk)])
def partnership_detail(request, pk: int):
    partnership = partnership_or_404(request, pk)
    return render(
        request,
        "partnerships/detail.html",
        {
            "partnership": partnership,
            "can_edit": permissions.can_edit_partnership(request.user, partnership),
            "can_confirm": not partnership.confirmed
            and claims.confirming_office(request.user, partnership) is not None,
            "facts_source": claims.facts_source(partnership),
            "history": history_entries(partnership),
            "map": map_data(partnership.government_a, [partnership]),
        },
    )


@login_required
def partnership_create(request):
    if not permissions.can_create_partnership(request.user):
        raise PermissionDenied
    initial = PartnershipCreateForm.initial_from_link(request.GET) if request.method != "POST" else {}
    form = PartnershipCreateForm(request.POST or None, user=request.user, initial=initial)

    def create():
        data = form.cleaned_data
        with transaction.atomic():  # a refused partnership must not leave its partner government behind
            partner = services.government_for_place(data["partner_place"], data["partner_level"] or None)
            return services.create_partnership(
                request.user, data["government"], partner, fields=data["fields"], **form.partnership_data()
            )

    partnership = submitted(
        request,
        form,
        create,
        lambda partnership: _("Partnership %(name)s created.") % {"name": partnership},
        fields=FORM_FIELDS,
    )
    if partnership:
        return redirect(partnership)
    partner = form.cleaned_data.get("partner_place") if form.is_bound and hasattr(form, "cleaned_data") else None
    if "partner_place" in initial:  # proposed from a link: show whom
        partner = Place.objects.filter(pk=initial["partner_place"]).first()
    return render(request, "partnerships/form.html", {"form": form, "partner": partner, "creating": True})


@login_required
def partnership_edit(request, pk: int):
    partnership = partnership_or_404(request, pk)
    if not permissions.can_edit_partnership(request.user, partnership):
        raise PermissionDenied
    form = PartnershipEditForm.for_partnership(partnership, request.POST or None)

    def save():
        return services.update_partnership(
            request.user,
            partnership,
            expected_version=form.cleaned_data["version"],
            fields=form.cleaned_data["fields"],
            **form.partnership_data(),
        )

    if submitted(request, form, save, _("Changes saved."), fields=FORM_FIELDS):
        return redirect(partnership)
    return render(request, "partnerships/form.html", {"form": form, "partnership": partnership})


@login_required
@require_POST
def partnership_delete(request, pk: int):
    partnership = partnership_or_404(request, pk)
    services.delete_partnership(request.user, partnership)
    messages.success(request, _("Partnership %(name)s deleted.") % {"name": partnership})
    return redirect("partnerships:list")


@require_safe
def government_suggestions(request):
    """Suggestions for a government field (core's Autocomplete widget); with ?public=1 only
    governments of a public partnership (the portal's filter). Governments are public."""
    query = typed_text(request)
    governments = services.suggest_governments(query, in_public_partnership=request.GET.get("public") == "1")
    return render(request, "partnerships/_government_suggestions.html", {"governments": governments, "query": query})


@require_safe
def partnership_suggestions(request):
    """Suggestions for a partnership field (core's Autocomplete widget): those the user reads."""
    query = typed_text(request)
    partnerships = services.suggest_partnerships(request.user, query)
    return render(request, "partnerships/_partnership_suggestions.html", {"partnerships": partnerships, "query": query})


@require_safe
@for_visitors(subjects=lambda request, pk: [("government", pk)])
def government_detail(request, pk: int):
    government = get_object_or_404(LocalGovernment.objects.select_related("place"), pk=pk)
    partnerships = list(
        permissions.visible_partnerships(
            request.user, services.partnership_queryset().filter(services.involving(government))
        ).order_by("-since", "id")
    )
    return render(
        request,
        "partnerships/government.html",
        {
            "government": government,
            "partners": [(p, p.other(government)) for p in partnerships],
            "can_edit": permissions.can_edit_government(request.user, government),
            # A government with an office on the platform takes proposals from outside (kembar.proposals).
            "takes_proposals": Organisation.objects.filter(
                kind=Organisation.Kind.GOVERNMENT, local_government=government
            ).exists(),
            "map": map_data(government, partnerships),
            "traits": traits.government_trait_lines(government),
            "sdgs": sdg_labels(government),
        },
    )


@login_required
@require_POST
def government_trait_correction(request, pk: int, trait: str):
    """An office withdraws a trait the data gives its place (with a reason), or restores it."""
    government = get_object_or_404(LocalGovernment.objects.select_related("place"), pk=pk)
    if not permissions.can_edit_government(request.user, government):
        raise PermissionDenied
    try:
        if request.POST.get("action") == "restore":
            traits.restore_trait(request.user, government, trait)
            messages.success(request, _("The trait from data holds again."))
        else:
            traits.withdraw_trait(request.user, government, trait, request.POST.get("reason", ""))
            messages.success(request, _("Correction recorded: the trait no longer counts for your place."))
    except ValidationError as e:
        for errors in e.message_dict.values():
            for error in errors:
                messages.error(request, error)
    return redirect(government)


@login_required
def government_edit(request, pk: int):
    government = get_object_or_404(LocalGovernment.objects.select_related("place"), pk=pk)
    if not permissions.can_edit_government(request.user, government):
        raise PermissionDenied
    form = LocalGovernmentForm(request.POST or None, instance=government, initial={"version": government.version})

    def save():
        data = form.cleaned_data
        return services.update_government(
            request.user,
            government,
            expected_version=data["version"],
            **{f: data[f] for f in services.GOVERNMENT_FIELDS if f in data},
        )

    if submitted(request, form, save, _("Changes saved."), fields=FORM_FIELDS):
        return redirect(government)
    return render(request, "partnerships/government_form.html", {"form": form, "government": government})


@require_safe
def open_data(request):
    """The registry as open data: the published files, what they hold, their licences. A
    registry changed since the files were built queues a rebuild (the old files stay served)."""
    publication = opendata.current_publication()
    return render(
        request,
        "partnerships/open_data.html",
        {
            "publication": publication,
            "building": publication.stale,
        },
    )


@require_safe
def open_data_file(request, fmt: str):
    path = opendata.published_file(fmt)
    if path is None:
        raise Http404(_("This file is not published yet."))
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=path.name, content_type=opendata.CONTENT_TYPES[fmt]
    )


@login_required
@require_safe
def duplicates(request):
    """For platform admins: what looks duplicated, each with a link to review the merge."""
    if not permissions.can_merge_duplicates(request.user):
        raise PermissionDenied
    return render(request, "partnerships/duplicates.html", {"candidates": merge.candidates()[:MERGE_CANDIDATES]})


def _merge_pair(request):
    """The pair named by the query or form: ("government", keep, drop) or ("place", into, place)."""
    data = request.POST if request.method == "POST" else request.GET
    kind = data.get("kind")
    model = {"government": LocalGovernment, "place": Place}.get(kind)
    try:
        keep, drop = (get_object_or_404(model, pk=int(data.get(k, ""))) for k in ("keep", "drop"))
    except (TypeError, ValueError):
        raise Http404 from None
    return kind, keep, drop


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def merge_review(request):
    """What a merge moves (computed and rolled back), and the button that does it."""
    if not permissions.can_merge_duplicates(request.user):
        raise PermissionDenied
    kind, keep, drop = _merge_pair(request)
    preview = request.method != "POST"
    context = {"kind": kind, "keep": keep, "drop": drop}
    try:
        report = merge.merge_pair(kind, keep, drop, user=request.user, preview=preview)
    except ValidationError as error:
        return render(request, "partnerships/merge.html", {**context, "refused": error.messages}, status=400)
    if not preview:
        messages.success(
            request, _("%(dropped)s is merged into %(kept)s.") % {"dropped": report.dropped, "kept": report.kept}
        )
        return redirect("partnerships:duplicates")
    return render(request, "partnerships/merge.html", {**context, "report": report})


@login_required
@require_safe
def unverified_places(request):
    """For platform admins: the imported places the gazetteer did not know, each with its best
    gazetteer candidates, one click away from confirmation."""
    if not permissions.can_merge_duplicates(request.user):
        raise PermissionDenied
    places = Place.objects.filter(kind=Place.Kind.UNVERIFIED).order_by("country_code", "name", "pk")
    page, query = page_and_query(request, places, PAGE_SIZE)
    ranked = merge.review_queue(list(page.object_list))
    rows = [(place, ranked.get(place.pk, [])) for place in page.object_list]
    return render(request, "partnerships/unverified_places.html", {"page": page, "query": query, "rows": rows})


@login_required
@require_POST
def confirm_place(request):
    """Merge an unverified place into the gazetteer place chosen for it (`merge_place`)."""
    if not permissions.can_merge_duplicates(request.user):
        raise PermissionDenied
    try:
        place = get_object_or_404(Place, pk=int(request.POST.get("place", "")), kind=Place.Kind.UNVERIFIED)
        into = get_object_or_404(
            Place.objects.exclude(kind=Place.Kind.UNVERIFIED), pk=int(request.POST.get("into", ""))
        )
    except (TypeError, ValueError):
        raise Http404 from None
    try:
        report = merge.merge_place(place, into, user=request.user)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(
            request, _("%(dropped)s is confirmed as %(kept)s.") % {"dropped": report.dropped, "kept": report.kept}
        )
    page = request.POST.get("page", "")
    target = reverse("partnerships:unverified_places")
    return redirect(f"{target}?page={page}" if page.isdigit() else target)


@login_required
def to_confirm(request):
    """The office's imported partnerships that no office has confirmed yet: tick and confirm,
    or open one to correct or close it."""
    queryset = claims.unclaimed(request.user)
    form = ConfirmManyForm(request.POST if request.method == "POST" else None, queryset=queryset)
    if request.method == "POST":
        if not permissions.edits_an_office(request.user):
            raise PermissionDenied
        if form.is_valid():
            count = claims.confirm_many(request.user, [p.pk for p in form.cleaned_data["partnerships"]])
            messages.success(
                request,
                ngettext("%(n)d partnership confirmed.", "%(n)d partnerships confirmed.", count) % {"n": count},
            )
            return redirect("partnerships:to_confirm")
    page, query = page_and_query(request, queryset, CONFIRM_PAGE)
    return render(
        request,
        "partnerships/to_confirm.html",
        {"form": form, "page": page, "query": query, "can_confirm": permissions.edits_an_office(request.user)},
    )


@login_required
@require_POST
def partnership_confirm(request, pk: int):
    partnership = partnership_or_404(request, pk)
    if not permissions.can_edit_partnership(request.user, partnership):
        raise PermissionDenied
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The page was out of date; look again and confirm."))
        return redirect(partnership)
    try:
        claims.confirm(request.user, partnership, expected_version=form.cleaned_data["version"])
    except ConcurrentEdit as error:
        messages.error(request, " ".join(error.messages))
        return redirect(partnership)
    messages.success(request, _("Partnership confirmed as recorded."))
    return redirect(partnership)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def partnership_close(request, pk: int):
    partnership = partnership_or_404(request, pk)
    if not permissions.can_edit_partnership(request.user, partnership):
        raise PermissionDenied
    form = CloseForm(request.POST or None, initial={"version": partnership.version})

    def close():
        return claims.close(
            request.user,
            partnership,
            reason=form.cleaned_data["end_reason"],
            note=form.cleaned_data["end_note"],
            expected_version=form.cleaned_data["version"],
        )

    if submitted(request, form, close, _("The partnership is closed.")):
        return redirect(partnership)
    return render(request, "partnerships/close.html", {"form": form, "partnership": partnership})
