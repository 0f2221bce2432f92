import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from kembar.accounts import permissions
from kembar.accounts.models import Organisation
from kembar.core import times
from kembar.core.caching import for_readers
from kembar.core.form_errors import add_errors
from kembar.core.uploads import download_response
from kembar.core.views import editable_or_403, filter_values, page_and_query, readable_or_404, submitted
from kembar.partnerships import concerns
from kembar.partnerships import services as registry
from kembar.partnerships.vocab import SDG_GOALS, Field

from . import services
from .forms import (
    ActionItemForm,
    ActionStatusForm,
    AttachmentForm,
    LibraryItemForm,
    LibrarySearchForm,
    MeetingEditForm,
    MeetingForm,
    MinutesForm,
    OfficeHoursForm,
    ParticipantForm,
    SlotSearchForm,
)
from .models import ActionItem, Attachment, LibraryItem, Meeting, Participant

PAGE_SIZE = 25


def _editable_partnerships(user):
    qs = permissions.editable_partnerships(user, registry.partnership_queryset())
    return qs.order_by("government_a__name", "government_b__name")


def _own(user, partnership=None) -> set[int]:
    """The governments a meeting's "further partner cities" leave out: the office's own and the
    partnership's two."""
    own = set(permissions.edited_government_ids(user))
    return own | {partnership.government_a_id, partnership.government_b_id} if partnership else own


def _meeting_or_404(request, pk: int) -> Meeting:
    return readable_or_404(request.user, services.meeting_queryset(), pk, permissions.can_view_meeting)


def _editable_meeting(request, pk: int) -> Meeting:
    return editable_or_403(request.user, _meeting_or_404(request, pk), permissions.can_edit_meeting)


# --- slot finder and meetings ----------------------------------------------------------------


@login_required
@require_safe
def slot_finder(request):
    if not permissions.can_schedule_meetings(request.user):
        raise PermissionDenied
    partnerships = _editable_partnerships(request.user)
    if "start" in request.GET or "end" in request.GET:
        form = SlotSearchForm(request.GET, partnerships=partnerships, leave_out=_own(request.user))
    else:  # coming from a partnership's page: preselect it, nothing to complain about yet
        form = SlotSearchForm(
            initial={"partnership": request.GET.get("partnership"), "duration": 60},
            partnerships=partnerships,
            leave_out=_own(request.user),
        )
    result, rows, governments = None, [], []
    if form.is_bound and form.is_valid():
        p = form.cleaned_data["partnership"]
        governments = [p.government_a, p.government_b]
        governments += [g for g in form.cleaned_data["also"] if g.pk not in (p.government_a_id, p.government_b_id)]
        try:
            result = services.find_slots_for(
                governments, form.cleaned_data["start"], form.cleaned_data["end"], form.cleaned_data["duration"]
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            from .slots import explain

            # Each side's reason in the page's language (a slot's own words are English).
            rows = [(slot, [(s, s.reason(_)) for s in slot.sides], explain(slot, _)) for slot in result.slots]
    return render(
        request,
        "meetings/slots.html",
        {
            "form": form,
            "result": result,
            "rows": rows,
            "governments": governments,
            "notice": result.notice(_) if result else "",
            "also": "".join(f"&also={g.pk}" for g in governments[2:]),
        },
    )


@login_required
@require_safe
def meeting_list(request):
    queryset = permissions.visible_meetings(request.user, services.meeting_queryset()).order_by("-start", "-id")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    office = timezone.get_current_timezone()  # the office's zone (kembar.accounts.middleware), else UTC
    page.object_list = list(page.object_list)
    for meeting in page.object_list:
        meeting.office_time = times.moment(meeting.start, office, weekday=True)
        meeting.side_times = [
            (g.name, times.moment(s, s.tzinfo, weekday=True))
            for g, s, _e in services.local_times(meeting)
            if str(s.tzinfo) != str(office)
        ]
    return render(
        request,
        "meetings/list.html",
        {
            "page": page,
            "office_zone": str(office),
            "can_schedule": permissions.can_schedule_meetings(request.user),
        },
    )


@login_required
def meeting_create(request):
    partnerships = _editable_partnerships(request.user)
    partnership = None
    pid = request.POST.get("partnership") or request.GET.get("partnership")
    if pid:
        partnership = partnerships.filter(pk=pid).first() if str(pid).isdigit() else None
        if partnership is None:
            raise PermissionDenied
    if partnership is None:
        if not partnerships.exists():
            raise PermissionDenied
        return render(request, "meetings/pick_partnership.html", {"partnerships": partnerships[:200]})
    zone = services.organiser_zone(request.user, partnership)
    initial = {
        "duration": request.GET.get("duration") or 60,
        "extra_governments": [v for v in request.GET.getlist("also") if v.isdigit()],
    }
    slot = _utc(request.GET.get("start", ""))  # a slot from the slot finder, in UTC
    if slot:
        initial["start"] = _typed(slot, zone)
    form = MeetingForm(
        request.POST or None,
        initial=initial,
        partnerships=partnerships,
        leave_out=_own(request.user, partnership),
        zones=services.zone_choices(partnership),
        default_zone=zone,
    )
    meeting = submitted(
        request,
        form,
        lambda: services.schedule_meeting(request.user, partnership, **form.meeting_data()),
        lambda meeting: _("Meeting %(title)s scheduled.") % {"title": meeting.title},
    )
    if meeting:
        return redirect(meeting)
    return render(
        request,
        "meetings/form.html",
        {"form": form, "partnership": partnership, "preview": _preview(form, partnership, slot)},
    )


def _utc(text: str) -> dt.datetime | None:
    """'2026-11-23T23:00Z' (or without the Z) as that moment in UTC; None if it is not one."""
    try:
        return dt.datetime.fromisoformat(text.strip().removesuffix("Z")[:19]).replace(tzinfo=dt.UTC)
    except ValueError:
        return None


def _typed(moment: dt.datetime, zone: str) -> str:
    """The moment as the form's field shows it, in that zone's wall-clock time."""
    return moment.astimezone(times.zone_of(zone)).strftime("%Y-%m-%dT%H:%M")


def _preview(form: MeetingForm, partnership, start=None, duration: int = 60, extra=()) -> list[tuple[str, str]]:
    """(side, its local time) for each side and UTC, of the start typed in the form (or of
    `start` while the form is not yet sent); nothing while what is typed is not a time."""
    if form.is_bound:
        if not form.is_valid():
            return []
        start, duration = form.cleaned_data["start"], form.cleaned_data["duration"]
        extra = form.cleaned_data["extra_governments"]
    if start is None:
        return []
    governments = [*partnership.governments, *(g for g in extra if g not in partnership.governments)]
    end = start + dt.timedelta(minutes=duration)
    rows = [
        (g.name, times.span(s, e, s.tzinfo, weekday=True)) for g, s, e in services.side_times(governments, start, end)
    ]
    return [*rows, ("UTC", times.span(start, end, "UTC", weekday=True))]


@login_required
@require_safe
def meeting_times(request):
    """The times being typed in the meeting form, in each side's zone (htmx, as it changes)."""
    pid = request.GET.get("partnership", "")
    partnership = _editable_partnerships(request.user).filter(pk=pid).first() if pid.isdigit() else None
    if partnership is None:
        raise Http404
    zone = services.organiser_zone(request.user, partnership)
    form = MeetingForm(
        {**request.GET.dict(), "title": "-", "extra_governments": request.GET.getlist("extra_governments")},
        partnerships=_editable_partnerships(request.user),
        leave_out=_own(request.user, partnership),
        zones=services.zone_choices(partnership),
        default_zone=zone,
    )
    return render(request, "meetings/_times.html", {"preview": _preview(form, partnership)})


@login_required
@require_safe
@for_readers(subjects=lambda request, pk: concerns.partnership_of(Meeting, pk))
def meeting_detail(request, pk: int):
    meeting = _meeting_or_404(request, pk)
    governments = services.meeting_governments(meeting)
    can_edit = permissions.can_edit_meeting(request.user, meeting)
    return render(
        request,
        "meetings/detail.html",
        {
            "meeting": meeting,
            "times": services.local_times(meeting),
            "started": services.has_started(meeting.start),
            "today": timezone.localdate(),  # an open action item due before it is overdue
            "participants": meeting.participants.select_related("government"),
            "action_items": meeting.action_items.select_related("government"),
            "attachments": meeting.attachments.all(),
            "can_edit": can_edit,
            "participant_form": ParticipantForm(governments=governments) if can_edit else None,
            "action_form": ActionItemForm(governments=governments) if can_edit else None,
            "attachment_form": AttachmentForm() if can_edit else None,
            "statuses": ActionItem.Status.choices,
        },
    )


@login_required
def meeting_edit(request, pk: int):
    meeting = _editable_meeting(request, pk)
    zone = services.organiser_zone(request.user, meeting.partnership)
    initial = {
        "title": meeting.title,
        "start": _typed(meeting.start, zone),
        "duration": meeting.duration,
        "status": meeting.status,
        "video_link": meeting.video_link,
        "agenda": meeting.agenda,
        "version": meeting.version,
        "extra_governments": [g.pk for g in meeting.extra_governments.all()],
    }
    form = MeetingEditForm(
        request.POST or None,
        initial=initial,
        partnerships=_editable_partnerships(request.user),
        leave_out=_own(request.user, meeting.partnership),
        zones=services.zone_choices(meeting.partnership),
        default_zone=zone,
    )

    def save():
        data = form.meeting_data()
        version, extra = data.pop("version"), data.pop("extra_governments")
        with transaction.atomic():
            saved = services.update_meeting(request.user, meeting, expected_version=version, **data)
            p = saved.partnership
            saved.extra_governments.set([g for g in extra if g.pk not in (p.government_a_id, p.government_b_id)])
        return saved

    saved = submitted(request, form, save, _("Changes saved."))
    if saved:
        return redirect(saved)
    preview = _preview(form, meeting.partnership, meeting.start, meeting.duration, meeting.extra_governments.all())
    return render(
        request,
        "meetings/edit.html",
        {"form": form, "meeting": meeting, "partnership": meeting.partnership, "preview": preview},
    )


@login_required
def meeting_minutes(request, pk: int):
    meeting = _editable_meeting(request, pk)
    form = MinutesForm(
        request.POST or None,
        initial={"version": meeting.version, "minutes": meeting.minutes, "decisions": meeting.decisions},
    )

    def save():
        data = form.cleaned_data
        return services.record_minutes(
            request.user,
            meeting,
            minutes=data["minutes"],
            decisions=data["decisions"],
            expected_version=data["version"],
        )

    if submitted(request, form, save, _("Minutes saved.")):
        return redirect(meeting)
    return render(
        request,
        "meetings/minutes.html",
        {"form": form, "meeting": meeting, "started": services.has_started(meeting.start)},
    )


def _detail_with_error(request, meeting, form):
    messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(meeting)


def _add_to_meeting(request, pk: int, form_class, add):
    """A participant or an action item added from the meeting's page, which shows a refusal."""
    meeting = _editable_meeting(request, pk)
    form = form_class(request.POST, governments=services.meeting_governments(meeting))
    if submitted(request, form, lambda: add(request.user, meeting, **form.cleaned_data)):
        return redirect(meeting)
    return _detail_with_error(request, meeting, form)


@login_required
@require_POST
def participant_add(request, pk: int):
    return _add_to_meeting(request, pk, ParticipantForm, services.add_participant)


@login_required
@require_POST
def action_add(request, pk: int):
    return _add_to_meeting(request, pk, ActionItemForm, services.add_action_item)


@login_required
@require_POST
def action_status(request, action_id: int):
    item = get_object_or_404(ActionItem.objects.select_related("meeting"), pk=action_id)
    meeting = _editable_meeting(request, item.meeting_id)
    form = ActionStatusForm(request.POST)
    if form.is_valid():
        services.set_action_status(request.user, item, form.cleaned_data["status"])
        return redirect(meeting)
    return _detail_with_error(request, meeting, form)


@login_required
@require_POST
def attachment_add(request, pk: int):
    meeting = _editable_meeting(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        services.add_attachment(request.user, meeting, form.cleaned_data["file"])
        return redirect(meeting)
    return _detail_with_error(request, meeting, form)


@login_required
@require_safe
def attachment_download(request, attachment_id: int):
    attachment = get_object_or_404(Attachment, pk=attachment_id)
    _meeting_or_404(request, attachment.meeting_id)
    return download_response(attachment.file, attachment.name, attachment.content_type)


@login_required
@require_POST
def send_invitations(request, pk: int):
    meeting = _editable_meeting(request, pk)
    count = services.send_invitations(request.user, meeting)
    messages.success(request, _("Invitations queued for sending: %(count)d.") % {"count": count})
    return redirect(meeting)


@login_required
@require_safe
def invitation(request, participant_id: int):
    participant = get_object_or_404(Participant.objects.select_related("government__place"), pk=participant_id)
    meeting = _meeting_or_404(request, participant.meeting_id)
    response = HttpResponse(services.invitation_ics(meeting, participant), content_type="text/calendar")
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_safe
def office_hours_home(request):
    """Our office's hours: the first office the user edits for."""
    office = permissions.edited_offices(request.user).order_by("name").first()
    if office is None:
        raise PermissionDenied
    return redirect("meetings:office_hours", organisation_id=office.pk)


@login_required
def office_hours(request, organisation_id: int):
    office = get_object_or_404(Organisation, pk=organisation_id, local_government__isnull=False)
    if not permissions.can_act_for(request.user, office.local_government_id):
        raise PermissionDenied
    start, end = services.office_hours(office.local_government)
    form = OfficeHoursForm(request.POST or None, initial={"start": start, "end": end})

    def save():
        return services.set_office_hours(request.user, office, form.cleaned_data["start"], form.cleaned_data["end"])

    if submitted(request, form, save, _("Office hours saved.")):
        return redirect("meetings:office_hours", organisation_id=office.pk)
    return render(request, "meetings/office_hours.html", {"form": form, "office": office})


# --- library ---------------------------------------------------------------------------------


@require_safe
def library(request):
    form = LibrarySearchForm(request.GET or None)
    data = filter_values(form)
    queryset = permissions.visible_library(
        request.user,
        LibraryItem.objects.select_related("government", "partnership__government_a", "partnership__government_b"),
    )
    queryset = services.search_library(queryset, data.get("q", ""), data.get("field", ""), data.get("sdg"))
    partnership = request.GET.get("partnership", "")
    if partnership.isdigit():  # one partnership's shelf (the partnership page links here)
        queryset = queryset.filter(partnership_id=int(partnership))
    if not data.get("q"):
        queryset = queryset.order_by("-created", "-id")
    page, query = page_and_query(request, queryset, PAGE_SIZE)
    return render(
        request,
        "meetings/library.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "can_share": permissions.can_share_in_library(request.user),
        },
    )


def _library_item_or_404(request, pk: int) -> LibraryItem:
    items = LibraryItem.objects.select_related("government", "partnership__government_a", "partnership__government_b")
    return readable_or_404(request.user, items, pk, permissions.can_view_library_item)


@require_safe
def library_item(request, pk: int):
    item = _library_item_or_404(request, pk)
    return render(
        request,
        "meetings/library_item.html",
        {
            "item": item,
            "fields": [Field(f).label for f in item.fields if f in Field.values],
            "sdgs": [f"{n}. {SDG_GOALS[n]}" for n in item.sdgs if n in SDG_GOALS],
            "can_edit": permissions.can_edit_library_item(request.user, item),
        },
    )


@require_safe
def library_download(request, pk: int):
    item = _library_item_or_404(request, pk)
    if not item.file:
        raise Http404
    return download_response(item.file, item.file_name, item.content_type)


@login_required
def library_share(request):
    if not permissions.can_share_in_library(request.user):
        raise PermissionDenied
    governments = permissions.library_governments(request.user)
    form = LibraryItemForm(
        request.POST or None,
        request.FILES or None,
        governments=governments.order_by("name"),
        partnerships=_editable_partnerships(request.user),
    )

    def share():
        data = dict(form.cleaned_data)
        upload = data.pop("file") or None
        return services.share_item(request.user, upload=upload, **data)

    item = submitted(request, form, share, _("Shared in the library."))
    if item:
        return redirect(item)
    return render(request, "meetings/library_form.html", {"form": form})


@login_required
@require_POST
def library_delete(request, pk: int):
    item = _library_item_or_404(request, pk)
    services.delete_item(request.user, item)
    messages.success(request, _("Removed from the library."))
    return redirect("meetings:library")
