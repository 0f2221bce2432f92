from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from kembar.accounts import permissions
from kembar.core.caching import for_readers, for_visitors
from kembar.core.uploads import download_response
from kembar.core.views import filter_values, readable_or_404, submitted
from kembar.partnerships import concerns
from kembar.partnerships import services as partnership_services
from kembar.partnerships.models import LocalGovernment, Partnership
from kembar.partnerships.views import partnership_or_404

from . import ical, queries, recurrence, services
from .forms import (
    ActivityEditForm,
    ActivityForm,
    AidEditForm,
    AidForm,
    AttachmentForm,
    CallEditForm,
    CallForm,
    ConvertForm,
    PortalFilterForm,
    PostponeForm,
    format_items,
    in_zone,
)
from .models import Activity, ActivityAttachment, AidDocument, AidShipment, Call, government_zone
from .presenters import activity_rows, history_entries, participant_lines, sdg_labels

UPCOMING_SHOWN = 6


def _item(request, queryset, pk: int):
    return readable_or_404(request.user, queryset, pk, permissions.can_view_under_partnership)


def _editable(request, partnership: Partnership) -> None:
    if not permissions.can_edit_partnership(request.user, partnership):
        raise PermissionDenied


def _activity(request, pk: int) -> Activity:
    return _item(request, queries.activity_queryset().prefetch_related("changes"), pk)


def _record(request, pk: int, form_class, form_data, create, recorded: str, template: str):
    """The page that records a new activity, call or aid shipment of a partnership the user
    edits: `form_data(form)` is what `create(user, partnership, …)` takes, `recorded` the
    message (with the new item's %(title)s)."""
    partnership = partnership_or_404(request, pk)
    _editable(request, partnership)
    form = form_class(request.POST or None, partnership=partnership)
    item = submitted(
        request,
        form,
        lambda: create(request.user, partnership, **form_data(form)),
        lambda item: recorded % {"title": item.title},
    )
    if item:
        return redirect(item)
    return render(request, template, {"form": form, "partnership": partnership, "creating": True})


@require_safe
@for_readers(subjects=lambda request, pk: [("partnership", pk)])
def partnership_activities(request, pk: int):
    partnership = partnership_or_404(request, pk)
    activities = queries.partnership_activities(request.user, partnership)
    calls = permissions.visible_under_partnership(request.user, partnership.calls.select_related("host"))
    aid = permissions.visible_under_partnership(
        request.user, partnership.aid_shipments.select_related("donor", "recipient").prefetch_related("items")
    )
    return render(
        request,
        "activities/partnership.html",
        {
            "partnership": partnership,
            "rows": activity_rows(activities),
            "calls": list(calls),
            "aid": list(aid),
            "can_edit": permissions.can_edit_partnership(request.user, partnership),
        },
    )


@login_required
def activity_create(request, pk: int):
    return _record(
        request,
        pk,
        ActivityForm,
        ActivityForm.activity_data,
        services.create_activity,
        _("Activity “%(title)s” recorded."),
        "activities/form.html",
    )


@require_safe
@for_readers(subjects=lambda request, pk: concerns.partnership_of(Activity, pk))
def activity_detail(request, pk: int):
    activity = _activity(request, pk)
    now = timezone.now()
    upcoming = recurrence.occurrences(activity, after=now, limit=UPCOMING_SHOWN) if activity.recurrence else []
    p = activity.partnership
    return render(
        request,
        "activities/detail.html",
        {
            "activity": activity,
            "partnership": p,
            "can_edit": permissions.can_edit_partnership(request.user, p),
            "changes": [c for c in activity.changes.all()],
            "upcoming": upcoming,
            "repeats": recurrence.describe(activity.recurrence),
            "exceptions": [recurrence.parse_moment(e) for e in activity.exceptions or []],
            "participants": participant_lines(activity),
            "attachments": list(activity.attachments.all()),
            "attachment_form": AttachmentForm(),
            "history": history_entries(activity),
            "sdgs": sdg_labels(activity.sdg_targets),
            "zones": sorted({str(g.place.timezone) for g in p.governments if g.place.timezone}),
            "partner_times": [
                (
                    g,
                    activity.start.astimezone(government_zone(g)),
                    activity.end.astimezone(government_zone(g)),
                )
                for g in sorted(p.governments, key=lambda g: g.pk != activity.host_id)  # the host first
            ],
        },
    )


@login_required
def activity_edit(request, pk: int):
    activity = _activity(request, pk)
    _editable(request, activity.partnership)
    form = ActivityEditForm.for_activity(activity, request.POST or None)

    def save():
        return services.update_activity(
            request.user, activity, expected_version=form.cleaned_data["version"], **form.activity_data()
        )

    if submitted(request, form, save, _("Changes saved.")):
        return redirect(activity)
    return render(
        request, "activities/form.html", {"form": form, "partnership": activity.partnership, "activity": activity}
    )


@login_required
def activity_postpone(request, pk: int):
    activity = _activity(request, pk)
    _editable(request, activity.partnership)
    now = timezone.now()
    upcoming = recurrence.occurrences(activity, after=now, limit=20) if activity.recurrence else []
    form = PostponeForm(
        request.POST or None, activity=activity, upcoming=upcoming, initial={"version": activity.version}
    )

    def save():
        d = form.cleaned_data
        zone = activity.zone
        return services.postpone(
            request.user,
            activity,
            reason=d["reason"],
            new_start=in_zone(d["new_start"], zone),
            new_end=in_zone(d["new_end"], zone),
            expected_version=d["version"],
            occurrence=recurrence.parse_moment(d["occurrence"]) if d["occurrence"] else None,
        )

    if submitted(request, form, save, _("Postponement recorded.")):
        return redirect(activity)
    return render(request, "activities/postpone.html", {"form": form, "activity": activity})


@login_required
def activity_convert(request, pk: int):
    activity = _activity(request, pk)
    _editable(request, activity.partnership)
    form = ConvertForm(request.POST or None, initial={"version": activity.version})

    def save():
        d = form.cleaned_data
        return services.convert(
            request.user, activity, modality=d["modality"], reason=d["reason"], expected_version=d["version"]
        )

    if submitted(request, form, save, _("Change of modality recorded.")):
        return redirect(activity)
    return render(request, "activities/convert.html", {"form": form, "activity": activity})


def _attach(request, item, attach, added: str):
    """A file posted from an activity's or an aid shipment's page: `attach(user, item, upload,
    checked)` stores it; either way the page is shown again, with `added` or the file's errors."""
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        attach(request.user, item, upload, upload.checked)
        messages.success(request, added)
    else:
        for error in form.errors.get("file", []):
            messages.error(request, error)
    return redirect(item)


@login_required
@require_POST
def activity_attach(request, pk: int):
    activity = _activity(request, pk)
    _editable(request, activity.partnership)
    return _attach(request, activity, services.attach, _("Attachment added."))


@require_safe
def attachment_download(request, file_id: int):
    attachment = get_object_or_404(ActivityAttachment.objects.select_related("activity__partnership"), pk=file_id)
    if not permissions.can_view_under_partnership(request.user, attachment.activity):
        raise Http404
    return download_response(attachment.file, attachment.name, attachment.content_type)


@login_required
@require_POST
def activity_delete(request, pk: int):
    activity = _activity(request, pk)
    partnership = activity.partnership
    services.delete_activity(request.user, activity)
    messages.success(request, _("Activity deleted."))
    return redirect("activities:partnership", partnership.pk)


# Calls


def _call_queryset():
    return Call.objects.select_related("partnership__government_a__place", "partnership__government_b__place", "host")


@login_required
def call_create(request, pk: int):
    return _record(
        request,
        pk,
        CallForm,
        CallForm.call_data,
        services.create_call,
        _("Call “%(title)s” recorded."),
        "activities/call_form.html",
    )


@require_safe
def call_detail(request, pk: int):
    call = _item(request, _call_queryset(), pk)
    return render(
        request,
        "activities/call.html",
        {
            "call": call,
            "partnership": call.partnership,
            "can_edit": permissions.can_edit_partnership(request.user, call.partnership),
        },
    )


@login_required
def call_edit(request, pk: int):
    call = _item(request, _call_queryset(), pk)
    _editable(request, call.partnership)
    initial = {k: getattr(call, k) for k in CallForm.FIELDS + ["version"]}
    initial["host"] = call.host_id
    form = CallEditForm(request.POST or None, initial=initial, partnership=call.partnership)

    def save():
        return services.update_call(
            request.user, call, expected_version=form.cleaned_data["version"], **form.call_data()
        )

    if submitted(request, form, save, _("Changes saved.")):
        return redirect(call)
    return render(request, "activities/call_form.html", {"form": form, "partnership": call.partnership, "call": call})


# Aid


def _aid_queryset():
    return AidShipment.objects.select_related(
        "partnership__government_a__place", "partnership__government_b__place", "donor", "recipient"
    ).prefetch_related("items", "documents")


@login_required
def aid_create(request, pk: int):
    return _record(
        request,
        pk,
        AidForm,
        AidForm.aid_data,
        services.create_aid,
        _("Aid shipment “%(title)s” recorded."),
        "activities/aid_form.html",
    )


@require_safe
def aid_detail(request, pk: int):
    shipment = _item(request, _aid_queryset(), pk)
    return render(
        request,
        "activities/aid.html",
        {
            "shipment": shipment,
            "partnership": shipment.partnership,
            "attachment_form": AttachmentForm(),
            "can_edit": permissions.can_edit_partnership(request.user, shipment.partnership),
        },
    )


@login_required
def aid_edit(request, pk: int):
    shipment = _item(request, _aid_queryset(), pk)
    _editable(request, shipment.partnership)
    initial = {
        k: getattr(shipment, k)
        for k in ["title", "status", "pledged_on", "shipped_on", "received_on", "notes", "public", "version"]
    }
    initial.update(donor=shipment.donor_id, items=format_items(shipment))
    form = AidEditForm(request.POST or None, initial=initial, partnership=shipment.partnership)

    def save():
        return services.update_aid(
            request.user, shipment, expected_version=form.cleaned_data["version"], **form.aid_data()
        )

    if submitted(request, form, save, _("Changes saved.")):
        return redirect(shipment)
    return render(
        request, "activities/aid_form.html", {"form": form, "partnership": shipment.partnership, "shipment": shipment}
    )


@login_required
@require_POST
def aid_attach(request, pk: int):
    shipment = _item(request, _aid_queryset(), pk)
    _editable(request, shipment.partnership)
    return _attach(request, shipment, services.attach_aid_document, _("Document added."))


@require_safe
def aid_document_download(request, document_id: int):
    document = get_object_or_404(AidDocument.objects.select_related("shipment__partnership"), pk=document_id)
    if not permissions.can_view_under_partnership(request.user, document.shipment):
        raise Http404
    return download_response(document.file, document.name, document.content_type)


# The public portal: no login, public items of public partnerships only, whoever asks.


@require_safe
@for_visitors
def portal(request):
    form = PortalFilterForm(request.GET or None)
    cleaned = filter_values(form)
    city = cleaned.get("city")
    f = queries.PortalFilter(
        city=city.pk if city else None,
        country=cleaned.get("country") or "",
        field=cleaned.get("field") or "",
        month=cleaned.get("month") or "",
    )
    return render(
        request,
        "activities/portal.html",
        {
            "form": form,
            # Read only when the page is not in the cache: visitors who are not logged in all
            # see the same list (a logged-in user also sees their office's times).
            "events": SimpleLazyObject(lambda: queries.upcoming_events(f)),
            "events_key": "" if request.user.is_authenticated else queries.portal_key(f),
            "calls": list(queries.open_calls(f)),
            "city": city,
        },
    )


def _public_partnership(pk: int) -> Partnership:
    partnership = get_object_or_404(partnership_services.partnership_queryset(), pk=pk)
    if not partnership.public:
        raise Http404
    return partnership


@require_safe
@for_visitors
def portal_partnership(request, pk: int):
    partnership = _public_partnership(pk)
    activities = list(queries.public_activities().filter(partnership=partnership).order_by("-start", "-id"))
    calls = Call.objects.filter(partnership=partnership, public=True).select_related("host").order_by("-deadline")
    aid = (
        AidShipment.objects.filter(partnership=partnership, public=True)
        .select_related("donor", "recipient")
        .prefetch_related("items")
    )
    return render(
        request,
        "activities/portal_partnership.html",
        {"partnership": partnership, "rows": activity_rows(activities), "calls": list(calls), "aid": list(aid)},
    )


def _feed(request, activities, name: str, filename: str) -> HttpResponse:
    cal = ical.calendar(activities, name=name, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_safe
def feed_partnership(request, pk: int):
    partnership = _public_partnership(pk)
    return _feed(
        request,
        queries.public_activities().filter(partnership=partnership),
        str(partnership),
        f"partnership-{partnership.pk}.ics",
    )


@require_safe
def feed_government(request, pk: int):
    government = get_object_or_404(LocalGovernment, pk=pk)
    return _feed(
        request,
        queries.public_activities().filter(_involving(government)),
        government.name,
        f"government-{government.pk}.ics",
    )


def _involving(government):
    return Q(partnership__government_a=government) | Q(partnership__government_b=government)
