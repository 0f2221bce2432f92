"""Meetings and library logic: the slot finder for registered governments and gazetteer places,
scheduling, invitations (.ics), minutes and action items, and library search.

Pages, the API and the CLI call these functions; permissions come from
`kembar.accounts.permissions`.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

import holidays as holidays_lib
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from rapidfuzz import fuzz, process
from unidecode import unidecode

from kembar.accounts import permissions
from kembar.accounts.models import Organisation
from kembar.accounts.services import account_languages, government_language
from kembar.core import languages, times
from kembar.core.mail import queue_mail
from kembar.core.uploads import DOCX, ODT, ArchiveTooLarge, check_upload, max_upload_bytes, read_member
from kembar.core.versioning import save_changes
from kembar.gazetteer.models import Place
from kembar.gazetteer.services import parse_place_query, province_code_of, search_places
from kembar.partnerships import services as registry
from kembar.partnerships.models import LocalGovernment, Partnership

from . import slots
from .models import ActionItem, Attachment, LibraryItem, Meeting, OfficeHours, Participant

MAX_TOP = 20


# --- slot finder -----------------------------------------------------------------------------


def _subdivision(place: Place) -> str | None:
    """The place's province in `holidays`' terms (ISO 3166-2 suffixes: Munich is in BY, Fort Worth
    in TX), from the gazetteer's province of the place (`province_code_of`)."""
    iso = place.subdivision_code or province_code_of(place.country_code, place.admin1_code)
    code = iso.split("-", 1)[-1].upper() if iso else (place.admin1_code or "").upper()
    supported = holidays_lib.list_supported_countries().get(place.country_code.upper()) or []
    return code if code in supported else None


def side_for_place(place: Place, name: str | None = None, hours: tuple[dt.time, dt.time] | None = None) -> slots.Side:
    start, end = hours or (slots.DEFAULT_OFFICE_START, slots.DEFAULT_OFFICE_END)
    return slots.Side(
        name=name or place.name,
        timezone=place.timezone,
        country=place.country_code,
        subdivision=_subdivision(place),
        office_start=start,
        office_end=end,
    )


def office_hours(government: LocalGovernment) -> tuple[dt.time, dt.time]:
    """The office hours of the government's office on the platform, or the default."""
    row = OfficeHours.objects.filter(organisation__local_government=government).order_by("organisation_id").first()
    return (row.start, row.end) if row else (slots.DEFAULT_OFFICE_START, slots.DEFAULT_OFFICE_END)


def side_for_government(government: LocalGovernment) -> slots.Side:
    return side_for_place(government.place, government.name, office_hours(government))


def slot_error(error: slots.SlotError, field: str | None = None) -> ValidationError:
    """The slot finder's error as a translated ValidationError on the form field at fault."""
    fields = {
        "reversed_range": "end",
        "empty_range": "start",
        "range_too_long": "end",
        "bad_duration": "duration",
        "duration_too_long": "duration",
        "no_common_day": "end",
    }
    message = error.message(_)
    key = field or fields.get(error.code)
    return ValidationError({key: [message]} if key else message, code=error.code)


def find_slots(
    sides: Sequence[slots.Side], start: dt.date | None, end: dt.date | None, duration: int, top: int = 5
) -> slots.SlotSearch:
    """`slots.find_slots` with translated errors (ValidationError) and holiday names."""
    if not 1 <= top <= MAX_TOP:
        raise ValidationError({"top": [_("Ask for 1 to %(max)d slots.") % {"max": MAX_TOP}]})
    try:
        return slots.find_slots(sides, start, end, duration, top=top, language=(get_language() or "en")[:2])
    except slots.SlotError as error:
        raise slot_error(error) from None


def find_slots_for(governments: Iterable[LocalGovernment], start, end, duration: int, top: int = 5):
    return find_slots([side_for_government(g) for g in governments], start, end, duration, top)


def slot_dict(slot: slots.Slot) -> dict:
    return slot.as_dict(_)


class PlaceLookupError(LookupError):
    def __init__(self, message: str, candidates: list[Place]):
        super().__init__(message)
        self.candidates = candidates


def resolve_place(text: str) -> Place:
    """A gazetteer city given as NAME,CC ("Fort Worth,US"): the most populous of that name; or the
    place of the registered government a government's address names ("Kyoto (prefecture),JP",
    "#12": `partnerships.services.resolve_government`)."""
    if registry.is_government_address(text):
        try:
            place = registry.resolve_government(text).place
        except registry.GovernmentLookupError as error:
            raise PlaceLookupError(registry.government_lookup_message(error, inline=True), []) from None
        if not place.timezone:
            raise PlaceLookupError(_("The gazetteer has no time zone for %(name)s.") % {"name": place.name}, [])
        return place
    name, country = parse_place_query(text)
    if not name or not country:
        raise PlaceLookupError(_("Give a place as NAME,CC, e.g. “Bandung,ID”."), [])
    found = [p for p in search_places(name, country=country, limit=10) if p.timezone]
    exact = [p for p in found if unidecode(p.name).lower() == unidecode(name).lower()]
    if exact or (
        found
        and len(name) >= 4
        and found[0].population
        and fuzz.ratio(unidecode(found[0].name).lower(), unidecode(name).lower()) >= 90
    ):
        return (exact or found)[0]
    pool = {p.pk: p for p in search_places(name[:3], country=country, limit=60)} if len(name) >= 3 else {}
    pool.update({p.pk: p for p in found})
    ranked = process.extract(name, {pk: p.name for pk, p in pool.items()}, scorer=fuzz.WRatio, limit=5)
    raise PlaceLookupError(
        _("The gazetteer has no place called “%(name)s” in %(country)s.") % {"name": name, "country": country},
        [pool[pk] for _n, _s, pk in ranked],
    )


# --- meetings --------------------------------------------------------------------------------


def meeting_queryset() -> QuerySet[Meeting]:
    return Meeting.objects.select_related(
        "partnership__government_a__place", "partnership__government_b__place"
    ).prefetch_related("extra_governments__place")


def meeting_governments(meeting: Meeting) -> list[LocalGovernment]:
    p = meeting.partnership
    return [p.government_a, p.government_b, *sorted(meeting.extra_governments.all(), key=lambda g: g.name)]


def local_times(meeting: Meeting) -> list[tuple[LocalGovernment, dt.datetime, dt.datetime]]:
    """The meeting's start and end in each side's own time zone."""
    return side_times(meeting_governments(meeting), meeting.start, meeting.end)


def side_times(
    governments: Iterable[LocalGovernment], start: dt.datetime, end: dt.datetime
) -> list[tuple[LocalGovernment, dt.datetime, dt.datetime]]:
    """A start and end in each of these governments' own time zones."""
    out = []
    for g in governments:
        tz = times.zone_of(g.place.timezone)
        out.append((g, start.astimezone(tz), end.astimezone(tz)))
    return out


def organiser_zone(user, partnership: Partnership) -> str:
    """The zone a meeting's time is typed in unless the officer picks another: the organising
    office's, that is the side of the partnership whose office the user edits for (the first
    partner's for a platform administrator, or for an office that edits both sides)."""
    own = permissions.edited_government_ids(user)
    sides = [g for g in partnership.governments if g.pk in own] or [partnership.government_a]
    return sides[0].place.timezone or "UTC"


def zone_choices(partnership: Partnership) -> list[tuple[str, str]]:
    """The zones a meeting's time may be typed in: each partner's ("Asia/Jakarta — Bandung")."""
    names: dict[str, list[str]] = {}
    for g in partnership.governments:
        names.setdefault(g.place.timezone or "UTC", []).append(g.name)
    return [(zone, f"{zone} — {', '.join(sides)}") for zone, sides in names.items()]


def has_started(start: dt.datetime) -> bool:
    """Has a meeting starting then begun (minutes may be recorded, it may count as held)?"""
    return start <= timezone.now()


# Meetings are planned or recorded within these years; older dates fall into the local mean
# time of the time-zone database, which has no RFC 3339 offset.
EARLIEST_YEAR, LATEST_YEAR = 1990, 2100


def _clean_meeting(data: dict) -> None:
    errors: dict[str, list[str]] = {}
    if "title" in data and not (data["title"] or "").strip():
        errors["title"] = [_("Give the meeting a title.")]
    if "duration" in data and not (isinstance(data["duration"], int) and 15 <= data["duration"] <= 12 * 60):
        errors["duration"] = [_("A meeting lasts 15 minutes to 12 hours.")]
    if "start" in data and (data["start"] is None or timezone.is_naive(data["start"])):
        errors["start"] = [_("Give the start with its time zone.")]
    elif "start" in data and not (EARLIEST_YEAR <= data["start"].year <= LATEST_YEAR):
        errors["start"] = [
            _("A meeting starts between %(first)d and %(last)d.") % {"first": EARLIEST_YEAR, "last": LATEST_YEAR}
        ]
    if errors:
        raise ValidationError(errors)


MEETING_FIELDS = ["title", "start", "duration", "video_link", "agenda", "status", "minutes", "decisions"]


def schedule_meeting(
    user,
    partnership: Partnership,
    *,
    title: str,
    start: dt.datetime,
    duration: int = 60,
    video_link: str = "",
    agenda: str = "",
    extra_governments: Iterable[LocalGovernment] = (),
    participants: Iterable[tuple[LocalGovernment, str, str]] = (),
) -> Meeting:
    if not permissions.can_schedule_meeting(user, partnership):
        raise PermissionDenied(_("You may not schedule meetings of this partnership."))
    _clean_meeting({"title": title, "start": start, "duration": duration})
    extra = [g for g in extra_governments if g.pk not in (partnership.government_a_id, partnership.government_b_id)]
    with transaction.atomic():
        meeting = Meeting.objects.create(
            partnership=partnership,
            title=title.strip(),
            start=start.astimezone(dt.UTC),
            duration=duration,
            video_link=video_link,
            agenda=agenda,
            created_by=user if getattr(user, "pk", None) else None,
        )
        meeting.extra_governments.set(extra)
        for government, name, email in participants:
            add_participant(user, meeting, government, name, email)
    return meeting


def update_meeting(user, meeting: Meeting, *, expected_version: int | None = None, **data) -> Meeting:
    """Change a meeting (details or minutes); refused when someone saved in between."""
    if not permissions.can_edit_meeting(user, meeting):
        raise PermissionDenied(_("You may not change this meeting."))
    data = {k: v for k, v in data.items() if k in MEETING_FIELDS}
    _clean_meeting(data)
    if "status" in data and data["status"] not in Meeting.Status.values:
        raise ValidationError({"status": [_("Unknown status “%(value)s”.") % {"value": data["status"]}]})
    if data.get("start"):
        data["start"] = data["start"].astimezone(dt.UTC)
    start = data.get("start") or meeting.start
    if data.get("status", meeting.status) == Meeting.Status.HELD and not has_started(start):
        raise ValidationError(
            {
                "status": [
                    _("The meeting starts on %(when)s: it cannot be held before it has begun.")
                    % {"when": times.moment(start, timezone.get_current_timezone())}
                ]
            }
        )
    with transaction.atomic():
        return save_changes(Meeting, meeting.pk, expected_version, user, data)


def record_minutes(
    user, meeting: Meeting, *, minutes: str, decisions: str = "", expected_version: int | None = None
) -> Meeting:
    """Minutes and decisions after the meeting; the meeting counts as held.

    Refused before the meeting starts: minutes are the record of what was said and decided,
    and marking a meeting weeks ahead as held would count a meeting that has not taken place
    (on the dashboard and in the partnership's health). A meeting that took place earlier
    than planned gets its start corrected first; the agenda is for what is prepared before."""
    if permissions.can_edit_meeting(user, meeting) and not has_started(meeting.start):
        raise ValidationError(
            {
                "minutes": [
                    _(
                        "The meeting starts on %(when)s: minutes are recorded once it has begun. "
                        "If it took place earlier, correct its start first."
                    )
                    % {"when": times.moment(meeting.start, timezone.get_current_timezone())}
                ]
            }
        )
    return update_meeting(
        user,
        meeting,
        expected_version=expected_version,
        minutes=minutes,
        decisions=decisions,
        status=Meeting.Status.HELD,
    )


def _check_side(meeting: Meeting, government: LocalGovernment, field: str) -> None:
    if government.pk not in permissions.meeting_government_ids(meeting):
        raise ValidationError({field: [_("%(name)s is not a side of this meeting.") % {"name": government.name}]})


def _clean_participant(meeting: Meeting, government: LocalGovernment, name: str, email: str) -> None:
    errors: dict[str, list[str]] = {}
    if not (name or "").strip():
        errors["name"] = [_("Give the participant's name.")]
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = [_("“%(value)s” is not an e-mail address.") % {"value": email}]
    if errors:
        raise ValidationError(errors)
    _check_side(meeting, government, "government")


def add_participant(user, meeting: Meeting, government: LocalGovernment, name: str, email: str = "") -> Participant:
    if not permissions.can_edit_meeting(user, meeting):
        raise PermissionDenied(_("You may not change this meeting."))
    _clean_participant(meeting, government, name, email)
    return Participant.objects.create(meeting=meeting, government=government, name=name.strip(), email=email or "")


def update_participant(
    user,
    participant: Participant,
    *,
    government: LocalGovernment | None = None,
    name: str | None = None,
    email: str | None = None,
) -> Participant:
    """Change a participant's side, name or e-mail (None keeps it)."""
    meeting = participant.meeting
    if not permissions.can_edit_meeting(user, meeting):
        raise PermissionDenied(_("You may not change this meeting."))
    government = government if government is not None else participant.government
    name = name if name is not None else participant.name
    email = email if email is not None else participant.email
    _clean_participant(meeting, government, name, email)
    participant.government, participant.name, participant.email = government, name.strip(), email
    participant.save(update_fields=["government", "name", "email"])
    return participant


def remove_participant(user, participant: Participant) -> None:
    if not permissions.can_edit_meeting(user, participant.meeting):
        raise PermissionDenied(_("You may not change this meeting."))
    participant.delete()


def add_action_item(
    user, meeting: Meeting, *, text: str, owner: str, government: LocalGovernment, due: dt.date
) -> ActionItem:
    if not permissions.can_edit_meeting(user, meeting):
        raise PermissionDenied(_("You may not change this meeting."))
    errors = {}
    if not (text or "").strip():
        errors["text"] = [_("Say what is to be done.")]
    if not (owner or "").strip():
        errors["owner"] = [_("Name who does it.")]
    if due is None:
        errors["due"] = [_("Give a due date.")]
    if errors:
        raise ValidationError(errors)
    _check_side(meeting, government, "government")
    return ActionItem.objects.create(
        meeting=meeting, text=text.strip(), owner=owner.strip(), government=government, due=due
    )


def set_action_status(user, item: ActionItem, status: str) -> ActionItem:
    if not permissions.can_edit_meeting(user, item.meeting):
        raise PermissionDenied(_("You may not change this meeting."))
    if status not in ActionItem.Status.values:
        raise ValidationError({"status": [_("Unknown status “%(value)s”.") % {"value": status}]})
    item.status = status
    item.save(update_fields=["status"])  # a saved signal: the caches that show the item notice it
    return item


def add_attachment(user, meeting: Meeting, upload) -> Attachment:
    if not permissions.can_edit_meeting(user, meeting):
        raise PermissionDenied(_("You may not change this meeting."))
    checked = getattr(upload, "checked", None) or check_upload(upload)
    with transaction.atomic():
        return Attachment.objects.create(
            meeting=meeting, file=upload, name=checked.name, content_type=checked.content_type, size=checked.size
        )


# --- invitations -----------------------------------------------------------------------------


def invitation_ics(meeting: Meeting, participant: Participant | None = None) -> bytes:
    """An iCalendar invitation; the times are in the participant's side's time zone (with its
    VTIMEZONE), so calendars show them correctly whatever the DST rules."""
    from icalendar import Calendar, Event, vCalAddress, vText

    tzname = (participant.government.place.timezone if participant else "") or "UTC"
    tz = ZoneInfo(tzname)
    cal = Calendar()
    cal.add("prodid", "-//kembar//meetings//EN")
    cal.add("version", "2.0")
    cal.add("method", "REQUEST")
    event = Event()
    event.add("uid", f"meeting-{meeting.pk}@kembar")
    event.add("summary", meeting.title)
    event.add("dtstart", meeting.start.astimezone(tz))
    event.add("dtend", meeting.end.astimezone(tz))
    event.add("dtstamp", timezone.now())
    event.add("sequence", meeting.version)
    description = "\n".join([*(f"- {item}" for item in meeting.agenda_items)])
    if meeting.video_link:
        event.add("location", meeting.video_link)
        event.add("url", meeting.video_link)
        description = f"{meeting.video_link}\n\n{description}"
    event.add("description", description)
    if participant and participant.email:
        attendee = vCalAddress(f"mailto:{participant.email}")
        attendee.params["cn"] = vText(participant.name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        event.add("attendee", attendee, encode=0)
    cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()


def send_invitations(user, meeting: Meeting) -> int:
    """Queue for every participant with an address their invitation (.ics attached), written in
    the participant's office's language with the time in its zone; returns how many were queued.

    The mails wait in the queue while no mail server is reachable (kembar.core.mail): this never
    fails because of the mail server. A planned meeting then counts as invited."""
    if not permissions.can_edit_meeting(user, meeting):
        raise PermissionDenied(_("You may not change this meeting."))
    participants = list(meeting.participants.select_related("government__place").exclude(email=""))
    times = {g.pk: (s, e) for g, s, e in local_times(meeting)}
    # A participant with an account reads their own language; anyone else their office's.
    known = account_languages(p.email for p in participants)
    offices = {g: government_language(g) for g in {p.government_id for p in participants} if g}
    with transaction.atomic():
        for participant in participants:
            start, _end = times.get(participant.government_id, (meeting.start, meeting.end))
            language = known.get(participant.email) or offices.get(participant.government_id) or settings.LANGUAGE_CODE
            with translation.override(language):
                body = _("You are invited to “%(title)s” on %(when)s (%(tz)s).") % {
                    "title": meeting.title,
                    "when": start.strftime("%Y-%m-%d %H:%M"),
                    "tz": start.tzname(),
                }
                if meeting.video_link:
                    body += "\n" + _("Video link: %(link)s") % {"link": meeting.video_link}
                if meeting.agenda_items:
                    body += "\n\n" + _("Agenda:") + "\n" + "\n".join(f"- {item}" for item in meeting.agenda_items)
                subject = _("Invitation: %(title)s") % {"title": meeting.title}
            ics = invitation_ics(meeting, participant).decode()
            queue_mail(
                subject,
                body,
                [participant.email],
                attachments=[("invitation.ics", ics, "text/calendar; method=REQUEST")],
            )
        if participants and meeting.status == Meeting.Status.PLANNED:
            Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.INVITED)
    return len(participants)


# --- library ---------------------------------------------------------------------------------

_WORD = re.compile(r"\w+", re.UNICODE)


def normalise_text(text: str) -> str:
    """Lower-case ASCII words separated by single spaces: what search compares."""
    text = unicodedata.normalize("NFKC", text or "")
    return " ".join(_WORD.findall(unidecode(text).lower()))


# What search keeps of a document's text: enough for any real document, never a flood.
MAX_SEARCH_TEXT = 200_000


def extract_text(upload, content_type: str) -> str:
    """The text of a DOCX or ODT file (its XML, read through the unpacked-size cap), for search,
    at most MAX_SEARCH_TEXT characters; other types give ''."""
    member = {DOCX: "word/document.xml", ODT: "content.xml"}.get(content_type)
    if not member:
        return ""
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            root = ElementTree.fromstring(read_member(archive, member, max_upload_bytes()))
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, OSError, ArchiveTooLarge):
        return ""
    finally:
        upload.seek(0)
    return " ".join(t for t in root.itertext() if t.strip())[:MAX_SEARCH_TEXT]


def share_item(
    user,
    *,
    government: LocalGovernment,
    title: str,
    summary: str = "",
    partnership: Partnership | None = None,
    language: str = "id",
    fields: Sequence[str] = (),
    sdgs: Sequence[int] = (),
    public: bool = False,
    upload=None,
) -> LibraryItem:
    if not permissions.can_act_for(user, government.pk):
        raise PermissionDenied(_("You may not share material for %(name)s.") % {"name": government.name})
    errors: dict[str, list[str]] = {}
    if not (title or "").strip():
        errors["title"] = [_("Give the item a title.")]
    if partnership is not None and government.pk not in (partnership.government_a_id, partnership.government_b_id):
        errors["partnership"] = [_("%(name)s is not a side of this partnership.") % {"name": government.name}]
    if partnership is None and not public:
        errors["public"] = [_("Material outside a partnership is shared with everyone: mark it public.")]
    if not summary and upload is None:
        errors["summary"] = [_("Write a note or attach a document.")]
    if any(not (isinstance(s, int) and 1 <= s <= 17) for s in sdgs):
        errors["sdgs"] = [_("SDGs are numbered 1 to 17.")]
    if language not in languages.CODES:
        errors["language"] = [_("“%(value)s” is not a language of the list.") % {"value": language}]
    checked = None
    if upload is not None:
        try:
            checked = getattr(upload, "checked", None) or check_upload(upload)
        except ValidationError as error:
            errors["file"] = error.messages
    if errors:
        raise ValidationError(errors)
    body = extract_text(upload, checked.content_type) if checked else ""
    with transaction.atomic():
        item = LibraryItem(
            partnership=partnership,
            government=government,
            title=title.strip(),
            summary=summary,
            language=language,
            fields=list(fields),
            sdgs=sorted(set(sdgs)),
            public=public,
            created_by=user if getattr(user, "pk", None) else None,
            search_text=normalise_text(" ".join([title, summary, body])),
        )
        if checked:
            item.file = upload
            item.file_name = checked.name
            item.content_type = checked.content_type
        item.save()
    return item


MAX_SEARCH_WORDS = 8


def search_library(queryset: QuerySet[LibraryItem], q: str = "", field: str = "", sdg: int | None = None):
    """Items matching every word of `q` (Bahasa Indonesia or English) in title, note or document.

    On PostgreSQL this is full-text search with the 'simple' configuration (no stemming, which
    suits Indonesian), ranked; elsewhere every normalised word must occur in the indexed text.
    """
    if field:
        queryset = (
            queryset.filter(fields__contains=[field])
            if connection.vendor == "postgresql"
            else queryset.filter(fields__icontains=f'"{field}"')
        )
    if sdg:
        queryset = (
            queryset.filter(sdgs__contains=[sdg])
            if connection.vendor == "postgresql"
            else queryset.filter(
                Q(sdgs__icontains=f"[{sdg},")
                | Q(sdgs__icontains=f" {sdg},")
                | Q(sdgs__icontains=f" {sdg}]")
                | Q(sdgs=[sdg])
            )
        )
    words = normalise_text(q).split()[:MAX_SEARCH_WORDS]
    if not words:
        return queryset
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = SearchVector("search_text", config="simple")
        query = SearchQuery(" ".join(words), config="simple", search_type="plain")
        return (
            queryset.annotate(search=vector, rank=SearchRank(vector, query))
            .filter(search=query)
            .order_by("-rank", "-created", "-id")
        )
    for word in words:
        queryset = queryset.filter(
            Q(search_text__startswith=word + " ")
            | Q(search_text__contains=" " + word + " ")
            | Q(search_text__endswith=" " + word)
            | Q(search_text=word)
        )
    return queryset


def delete_item(user, item: LibraryItem) -> None:
    if not permissions.can_edit_library_item(user, item):
        raise PermissionDenied(_("You may not remove this item."))
    item.delete()


def organisation_for(user, government: LocalGovernment) -> Organisation | None:
    return Organisation.objects.filter(local_government=government).order_by("pk").first()


def set_office_hours(user, organisation: Organisation, start: dt.time, end: dt.time) -> OfficeHours:
    if not permissions.can_act_for(user, organisation.local_government_id):
        raise PermissionDenied(_("You may not change this office's hours."))
    if start is None or end is None or end <= start:
        raise ValidationError({"end": [_("Office hours must end after they start.")]})
    row, _created = OfficeHours.objects.update_or_create(
        organisation=organisation, defaults={"start": start, "end": end}
    )
    return row
