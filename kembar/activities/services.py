"""Activities, calls and aid: the rules pages, the API, the CLI and the importer all go through.

Times are aware datetimes in UTC; a recurring series is expanded in the host place's own time
zone (an event at 19:00 every other October stays at 19:00 local across daylight saving),
then converted back to UTC.
"""

from __future__ import annotations

import datetime as dt
import functools
import heapq
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import pycountry
from dateutil import rrule as du_rrule
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from kembar.accounts import permissions
from kembar.core.uploads import CheckedUpload
from kembar.core.versioning import locked, record_author, save_version
from kembar.partnerships.models import Partnership
from kembar.partnerships.vocab import Field

from .models import (
    Activity,
    ActivityAttachment,
    ActivityChange,
    AidDocument,
    AidItem,
    AidShipment,
    Call,
    government_zone,
)
from .vocab import (
    AGE_GROUPS,
    GENDERS,
    SDG_CODES,
    ActivityStatus,
    ActivityType,
    AidStatus,
    CallKind,
    CallStatus,
    Modality,
)

UTC = dt.UTC
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
ACTIVITY_FIELDS = [
    "title",
    "type",
    "field",
    "modality",
    "status",
    "host",
    "start",
    "end",
    "recurrence",
    "exceptions",
    "location",
    "description",
    "participants_a",
    "participants_b",
    "breakdown",
    "budget",
    "currency",
    "outcomes",
    "sdg_targets",
    "public",
]
MAX_OCCURRENCES = 500  # a rule such as FREQ=SECONDLY must not expand forever
HORIZON = dt.timedelta(days=10 * 366)
EARLIEST, LATEST = 1900, 2200  # years an activity may be in
MAX_COUNT = 2_147_483_647  # the largest number the database stores in a count  # how far ahead an open-ended series is looked at


def activity_queryset() -> QuerySet[Activity]:
    return Activity.objects.select_related(
        "partnership__government_a__place", "partnership__government_b__place", "host__place"
    )


# --- recurrence -------------------------------------------------------------------------------


def _local_naive(moment: dt.datetime, zone) -> dt.datetime:
    return moment.astimezone(zone).replace(tzinfo=None)


def parse_rule(rule: str, start: dt.datetime, zone) -> du_rrule.rrule:
    """The dateutil rule for an RFC 5545 RRULE value, anchored at the local start.

    Raises ValidationError on `recurrence` when the rule does not parse or yields no date.
    """
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    if any(c in text for c in ":\r\n"):  # a DTSTART or a second rule would override the activity's start
        raise ValidationError({"recurrence": [_("Give one recurrence rule, e.g. FREQ=YEARLY;INTERVAL=2.")]})
    try:
        parsed = du_rrule.rrulestr(text, dtstart=_local_naive(start, zone), forceset=False)
    except Exception as exc:  # dateutil raises ValueError, but also TypeError, IndexError... on odd input
        raise ValidationError(
            {
                "recurrence": [
                    _("The recurrence rule “%(rule)s” is not a valid RFC 5545 rule: %(reason)s")
                    % {"rule": rule, "reason": exc}
                ]
            }
        )
    if not isinstance(parsed, du_rrule.rrule):
        raise ValidationError({"recurrence": [_("Give one recurrence rule, e.g. FREQ=YEARLY;INTERVAL=2.")]})
    if parsed._freq not in (du_rrule.YEARLY, du_rrule.MONTHLY, du_rrule.WEEKLY, du_rrule.DAILY):
        raise ValidationError(
            {
                "recurrence": [
                    _("An activity repeats yearly, monthly, weekly or daily (FREQ=YEARLY, MONTHLY, WEEKLY or DAILY).")
                ]
            }
        )
    if parsed._interval < 1:
        raise ValidationError({"recurrence": [_("The interval of a recurrence rule is at least 1.")]})
    # dateutil walks a rule step by step, and a rule that never matches (30 February) to the
    # year 9999, which takes minutes: such rules are refused before they are walked.
    keys = {part.split("=", 1)[0].strip().upper() for part in text.split(";") if part.strip()}
    unsupported = sorted(keys & UNSUPPORTED_RULE_PARTS)
    if unsupported:
        raise ValidationError(
            {
                "recurrence": [
                    _(
                        "Activities do not recur by %(parts)s; use FREQ, INTERVAL, COUNT, "
                        "UNTIL, BYMONTH, BYMONTHDAY, BYDAY or BYSETPOS."
                    )
                    % {"parts": ", ".join(unsupported)}
                ]
            }
        )
    if not _month_days_possible(parsed):
        raise ValidationError(
            {"recurrence": [_("The recurrence rule “%(rule)s” yields no date from the start on.") % {"rule": rule}]}
        )
    if parsed.after(_local_naive(start, zone), inc=True) is None:
        raise ValidationError(
            {"recurrence": [_("The recurrence rule “%(rule)s” yields no date from the start on.") % {"rule": rule}]}
        )
    return parsed


UNSUPPORTED_RULE_PARTS = {"BYYEARDAY", "BYWEEKNO", "BYHOUR", "BYMINUTE", "BYSECOND", "BYEASTER"}
DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]


def _month_days_possible(parsed: du_rrule.rrule) -> bool:
    """Whether the rule's months have its days of the month at all (no 30 February)."""
    days = list(parsed._bymonthday or ()) + list(parsed._bynmonthday or ())
    if not days:
        return True
    months = parsed._bymonth or range(1, 13)
    return any(abs(d) <= DAYS_IN_MONTH[m - 1] for m in months for d in days)


def _aware(local: dt.datetime, zone) -> dt.datetime:
    return local.replace(tzinfo=zone).astimezone(UTC)


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_moment(value) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if timezone.is_aware(value) else value.replace(tzinfo=UTC)
    text = str(value).strip().replace("Z", "+00:00")
    moment = dt.datetime.fromisoformat(text)
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=UTC)


@dataclass
class Occurrence:
    activity: Activity
    planned_start: dt.datetime  # identifies the occurrence within its series (UTC)
    start: dt.datetime
    end: dt.datetime
    postponed: bool = False
    date_tbd: bool = False
    reason: str = ""

    @property
    def local_start(self) -> dt.datetime:
        return self.start.astimezone(self.activity.zone)

    @property
    def local_end(self) -> dt.datetime:
        return self.end.astimezone(self.activity.zone)

    @property
    def virtual(self) -> bool:
        return self.activity.modality in (Modality.VIRTUAL, Modality.HYBRID)

    @property
    def cancelled(self) -> bool:
        return self.activity.status == ActivityStatus.CANCELLED


def occurrence_changes(activity: Activity) -> dict[dt.datetime, ActivityChange]:
    """The latest postponement of each single occurrence, by its planned start.

    Uses a prefetched `changes` if there is one (lists and feeds stay at a constant query count).
    """
    latest: dict[dt.datetime, ActivityChange] = {}
    for change in activity.changes.all():
        if change.occurrence is not None and change.kind == ActivityChange.Kind.POSTPONED:
            latest[change.occurrence.astimezone(UTC)] = change
    return latest


def occurrences(
    activity: Activity,
    after: dt.datetime | None = None,
    before: dt.datetime | None = None,
    limit: int = MAX_OCCURRENCES,
    *,
    past: dt.datetime | None = None,
) -> list[Occurrence]:
    """The occurrences of an activity overlapping [after, before), exceptions left out, single
    postponed occurrences at their new date (or at the planned one, marked "to be decided").

    A series is walked from its first occurrence and stops at `before` (by default
    HORIZON after `after`, or after the start) or after `limit` occurrences in the window:
    dateutil walks a rule step by step, so an open-ended rule must never be walked far.
    With `past`, the walk also stops where every further occurrence starts after `past`: the
    occurrences starting at `past` or before are exactly those of the walk without it.
    """
    duration = activity.end - activity.start
    excluded = {parse_moment(e) for e in activity.exceptions or []}
    changes = occurrence_changes(activity) if activity.recurrence else {}
    # A postponed occurrence may have moved out of its planned place: look that much wider.
    lead = max([abs(c.new_start - p) for p, c in changes.items() if c.new_start] or [dt.timedelta(0)])
    if activity.recurrence:
        zone = activity.zone
        if before is None:
            before = max(after or activity.start, activity.start) + HORIZON
        rule = _series_rule(activity.recurrence, _local_naive(activity.start, zone), zone)
        planned_iter = (
            _aware(local, zone)
            for local in rule.xafter(
                _local_naive((after - duration - lead) if after else activity.start, zone), inc=True
            )
        )
    else:
        planned_iter = iter([activity.start])
    out: list[Occurrence] = []
    for start in planned_iter:
        if before is not None and start >= before + lead:
            break
        if past is not None and start - lead > past:
            break
        if start in excluded:
            continue
        occ = Occurrence(
            activity,
            start,
            start,
            start + duration,
            postponed=activity.status == ActivityStatus.POSTPONED,
            date_tbd=activity.date_tbd,
        )
        change = changes.get(start)
        if change is not None:
            occ.postponed, occ.reason = True, change.reason
            if change.new_start is None:
                occ.date_tbd = True
            else:
                occ.start, occ.end = change.new_start, change.new_end or change.new_start + duration
        # A single event postponed to a date not yet decided stays "upcoming" until it is decided.
        if after is not None and occ.end < after and not (occ.date_tbd and not activity.recurrence):
            continue
        if before is not None and occ.start >= before:
            continue
        out.append(occ)
        if len(out) >= limit:
            break
    return sorted(out, key=lambda o: o.start)


@functools.lru_cache(maxsize=512)
def _series_rule(recurrence: str, local_start: dt.datetime, zone) -> du_rrule.rrule:
    """The parsed rule of a series, kept per process with the dates it has yielded (dateutil's
    cache), so the pages listing many series do not walk each rule from its start every time."""
    rule = parse_rule(recurrence, local_start.replace(tzinfo=zone), zone)
    return rule.replace(cache=True)


def is_occurrence(activity: Activity, moment: dt.datetime) -> bool:
    """Whether the series has a (not excepted) occurrence planned to start at `moment`."""
    zone = activity.zone
    rule = parse_rule(activity.recurrence, activity.start, zone)
    excluded = {parse_moment(e) for e in activity.exceptions or []}
    return moment not in excluded and _local_naive(moment, zone) in rule


# --- validation -------------------------------------------------------------------------------


def _add(errors: dict, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _no_nul(errors: dict, data: dict) -> None:
    """PostgreSQL cannot store a NUL character in text; say so instead of failing."""
    for name, value in data.items():
        values = value if isinstance(value, list) else [value]
        if any(isinstance(v, str) and "\x00" in v for v in values):
            _add(errors, name, _("The text contains a NUL character."))


def check_currency(code: str) -> str:
    code = (code or "").strip().upper()
    if code and pycountry.currencies.get(alpha_3=code) is None:
        raise ValidationError(
            {"currency": [_("“%(code)s” is not an ISO 4217 currency code (IDR, JPY, USD, EUR...).") % {"code": code}]}
        )
    return code


def _clean_activity(partnership: Partnership, data: dict) -> dict:
    errors: dict[str, list[str]] = {}
    _no_nul(errors, data)
    if not (data.get("title") or "").strip():
        _add(errors, "title", _("Give the activity a title."))
    if data.get("type") not in ActivityType.values:
        _add(errors, "type", _("Unknown activity type “%(value)s”.") % {"value": data.get("type")})
    if data.get("field") and data["field"] not in Field.values:
        _add(errors, "field", _("Unknown field of cooperation “%(value)s”.") % {"value": data["field"]})
    if data.get("modality") not in Modality.values:
        _add(errors, "modality", _("Unknown modality “%(value)s”.") % {"value": data.get("modality")})
    if data.get("status") not in ActivityStatus.values:
        _add(errors, "status", _("Unknown status “%(value)s”.") % {"value": data.get("status")})
    host = data.get("host")
    if host is None or host.pk not in (partnership.government_a_id, partnership.government_b_id):
        _add(errors, "host", _("The host must be one of the two partners."))
    # Whole seconds: RFC 5545 and rrule know no fractions, and an occurrence is named by its start.
    for name in ("start", "end"):
        if data.get(name) is not None:
            data[name] = data[name].replace(microsecond=0)
    for name in ("start", "end"):
        if data.get(name) is not None and not EARLIEST <= data[name].year <= LATEST:
            _add(errors, name, _("Give a date between %(first)s and %(last)s.") % {"first": EARLIEST, "last": LATEST})
            data[name] = None
    start, end = data.get("start"), data.get("end")
    if start is None and "start" not in errors:
        _add(errors, "start", _("Give the start."))
    if end is None and "end" not in errors:
        _add(errors, "end", _("Give the end."))
    if start is not None and end is not None and end < start:
        _add(errors, "end", _("The end is before the start."))
    for side in ("participants_a", "participants_b"):
        if data.get(side) is not None and data[side] < 0:
            _add(errors, side, _("The number of participants cannot be negative."))
        elif data.get(side) is not None and data[side] > MAX_COUNT:
            _add(errors, side, _("The number is too large."))
    breakdown = data.get("breakdown") or {}
    if not isinstance(breakdown, dict):
        _add(errors, "breakdown", _("The breakdown must map each side to counts."))
        breakdown = {}
    for side, counts in breakdown.items():
        if side not in ("a", "b") or not isinstance(counts, dict):
            _add(errors, "breakdown", _("The breakdown must map each side to counts."))
            continue
        for key, n in counts.items():
            if key not in GENDERS + AGE_GROUPS:
                _add(errors, "breakdown", _("Unknown group “%(value)s” in the breakdown.") % {"value": key})
            elif not isinstance(n, int) or n < 0:
                _add(errors, "breakdown", _("The number of participants cannot be negative."))
            elif n > MAX_COUNT:
                _add(errors, "breakdown", _("The number is too large."))
    if data.get("budget") is not None and Decimal(data["budget"]) < 0:
        _add(errors, "budget", _("The budget cannot be negative."))
    elif data.get("budget") is not None and Decimal(data["budget"]) >= Decimal(10) ** 14:
        _add(errors, "budget", _("The number is too large."))
    if data.get("budget") is not None and not data.get("currency"):
        _add(errors, "currency", _("Give the budget's currency."))
    try:
        data["currency"] = check_currency(data.get("currency") or "")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    unknown = [t for t in data.get("sdg_targets") or [] if str(t) not in SDG_CODES]
    if unknown:
        _add(
            errors, "sdg_targets", _("Unknown SDG goal or target: %(codes)s.") % {"codes": ", ".join(map(str, unknown))}
        )
    data["sdg_targets"] = sorted(
        {str(t) for t in data.get("sdg_targets") or [] if str(t) in SDG_CODES},
        key=lambda c: [int(p) if p.isdigit() else ord(p) for p in c.split(".")],
    )
    exceptions = []
    for value in data.get("exceptions") or []:
        try:
            exceptions.append(_iso(parse_moment(value)))
        except ValueError:
            _add(errors, "exceptions", _("“%(value)s” is not a date and time (ISO 8601).") % {"value": value})
    data["exceptions"] = sorted(set(exceptions))
    rule = (data.get("recurrence") or "").strip()
    if rule.upper().startswith("RRULE:"):
        rule = rule[6:]
    data["recurrence"] = rule
    if rule and start is not None and host is not None and "host" not in errors:
        try:
            parse_rule(rule, start, government_zone(host))
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if exceptions and not rule:
        _add(errors, "exceptions", _("Only a recurring activity has exceptions."))
    if errors:
        raise ValidationError(errors)
    return data


def _require_edit(user, partnership: Partnership) -> None:
    if not permissions.can_edit_partnership(user, partnership):
        raise PermissionDenied(_("You may not change the activities of this partnership."))


def create_activity(user, partnership: Partnership, *, check_permission: bool = True, **data) -> Activity:
    if check_permission:
        _require_edit(user, partnership)
    data = {k: v for k, v in data.items() if k in ACTIVITY_FIELDS}
    data.setdefault("modality", Modality.IN_PERSON)
    data.setdefault("status", ActivityStatus.PLANNED)
    data = _clean_activity(partnership, data)
    with transaction.atomic():
        activity = Activity(partnership=partnership, **data)
        activity.planned_start, activity.planned_end, activity.planned_modality = (
            activity.start,
            activity.end,
            activity.modality,
        )
        record_author(activity, user)
        activity.save()
    return activity


def update_activity(
    user, activity: Activity, *, expected_version: int | None = None, check_permission: bool = True, **data
) -> Activity:
    """Change an activity. Postponing and converting have their own functions (they keep records)."""
    if check_permission:
        _require_edit(user, activity.partnership)
    with transaction.atomic():
        current = locked(Activity.objects.select_related("host__place"), activity.pk, expected_version)
        merged = {k: getattr(current, k) for k in ACTIVITY_FIELDS}
        merged.update({k: v for k, v in data.items() if k in ACTIVITY_FIELDS})
        merged = _clean_activity(activity.partnership, merged)
        never_moved = not current.changes.exists()
        for key, value in merged.items():
            setattr(current, key, value)
        if never_moved:  # correcting the plan before anything happened to it is the plan
            current.planned_start, current.planned_end, current.planned_modality = (
                current.start,
                current.end,
                current.modality,
            )
        save_version(current, user)
    return current


def postpone(
    user,
    activity: Activity,
    *,
    reason: str,
    new_start: dt.datetime | None = None,
    new_end: dt.datetime | None = None,
    occurrence: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Activity:
    """Postpone an activity (or, with `occurrence`, one occurrence of its series) to a new date,
    or to a date still to be decided (new_start None). The original plan is kept."""
    _require_edit(user, activity.partnership)
    errors: dict[str, list[str]] = {}
    _no_nul(errors, {"reason": reason})
    if not (reason or "").strip():
        _add(errors, "reason", _("Say why the activity is postponed."))
    if new_start is not None and new_end is not None and new_end < new_start:
        _add(errors, "new_end", _("The end is before the start."))
    for name, value in (("new_start", new_start), ("new_end", new_end)):
        if value is not None and not EARLIEST <= value.year <= LATEST:
            _add(errors, name, _("Give a date between %(first)s and %(last)s.") % {"first": EARLIEST, "last": LATEST})
    if activity.status == ActivityStatus.CANCELLED:
        _add(errors, "reason", _("A cancelled activity cannot be postponed."))
    if occurrence is not None:
        occurrence = occurrence.astimezone(UTC)
        if not activity.recurrence:
            _add(errors, "occurrence", _("Only a recurring activity has occurrences to postpone one by one."))
        elif not is_occurrence(activity, occurrence):
            _add(
                errors,
                "occurrence",
                _("The series has no occurrence starting at %(when)s.")
                % {"when": occurrence.astimezone(activity.zone).strftime("%Y-%m-%d %H:%M")},
            )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = locked(Activity.objects.select_related("host__place"), activity.pk, expected_version)
        duration = current.end - current.start
        if occurrence is not None:
            old_start, old_end = occurrence, occurrence + duration
        else:
            old_start, old_end = current.start, current.end
        if new_start is not None and new_end is None:
            new_end = new_start + duration
        ActivityChange.objects.create(
            activity=current,
            kind=ActivityChange.Kind.POSTPONED,
            occurrence=occurrence,
            reason=reason.strip(),
            old_start=old_start,
            old_end=old_end,
            new_start=new_start,
            new_end=new_end,
            user=user if getattr(user, "is_authenticated", False) else None,
        )
        if occurrence is None:
            current.status = ActivityStatus.POSTPONED
            current.date_tbd = new_start is None
            if new_start is not None:
                current.start, current.end = new_start, new_end
        save_version(current, user)
    return current


def convert(
    user, activity: Activity, *, modality: str, reason: str = "", expected_version: int | None = None
) -> Activity:
    """Change the modality (in person to virtual or hybrid...), recording the change."""
    _require_edit(user, activity.partnership)
    if modality not in Modality.values:
        raise ValidationError({"modality": [_("Unknown modality “%(value)s”.") % {"value": modality}]})
    if "\x00" in (reason or ""):
        raise ValidationError({"reason": [_("The text contains a NUL character.")]})
    if modality == activity.modality:
        raise ValidationError(
            {"modality": [_("The activity is already %(modality)s.") % {"modality": Modality(modality).label.lower()}]}
        )
    with transaction.atomic():
        current = locked(Activity, activity.pk, expected_version)
        ActivityChange.objects.create(
            activity=current,
            kind=ActivityChange.Kind.CONVERTED,
            reason=(reason or "").strip(),
            old_modality=current.modality,
            new_modality=modality,
            user=user if getattr(user, "is_authenticated", False) else None,
        )
        current.modality = modality
        save_version(current, user)
    return current


def delete_activity(user, activity: Activity) -> None:
    _require_edit(user, activity.partnership)
    record_author(activity, user)
    activity.delete()


def attach(user, activity: Activity, upload, checked: CheckedUpload) -> ActivityAttachment:
    _require_edit(user, activity.partnership)
    return ActivityAttachment.objects.create(
        activity=activity, file=upload, name=checked.name, content_type=checked.content_type, size=checked.size
    )


# --- calls --------------------------------------------------------------------------------------

CALL_FIELDS = [
    "title",
    "kind",
    "field",
    "host",
    "quota",
    "eligibility",
    "opens",
    "deadline",
    "closed_on",
    "how_to_apply",
    "status",
    "awarded",
    "public",
]


def _clean_call(partnership: Partnership, data: dict) -> dict:
    errors: dict[str, list[str]] = {}
    _no_nul(errors, data)
    if not (data.get("title") or "").strip():
        _add(errors, "title", _("Give the call a title."))
    if data.get("kind") not in CallKind.values:
        _add(errors, "kind", _("Unknown kind of call “%(value)s”.") % {"value": data.get("kind")})
    if data.get("status") not in CallStatus.values:
        _add(errors, "status", _("Unknown status “%(value)s”.") % {"value": data.get("status")})
    host = data.get("host")
    if host is None or host.pk not in (partnership.government_a_id, partnership.government_b_id):
        _add(errors, "host", _("The call must be offered by one of the two partners."))
    if not (data.get("how_to_apply") or "").strip():
        _add(errors, "how_to_apply", _("Say how to apply: a link or a contact."))
    deadline, opens, closed = data.get("deadline"), data.get("opens"), data.get("closed_on")
    if deadline is None:
        _add(errors, "deadline", _("Give the deadline."))
    elif opens and deadline < opens:
        _add(errors, "deadline", _("The deadline is before the call opens."))
    if deadline and closed and deadline > closed:
        _add(
            errors,
            "deadline",
            _("The deadline is after the day the call closed (%(closed)s).") % {"closed": closed.isoformat()},
        )
    if data.get("status") == CallStatus.OPEN and closed:
        _add(errors, "closed_on", _("An open call has no closing day; set the status to closed."))
    for name in ("quota", "awarded"):
        if data.get(name) is not None and data[name] < 0:
            _add(errors, name, _("The number cannot be negative."))
        elif data.get(name) is not None and data[name] > MAX_COUNT:
            _add(errors, name, _("The number is too large."))
    if data.get("awarded") and data.get("quota") is not None and data["awarded"] > data["quota"]:
        _add(
            errors,
            "awarded",
            _("More awarded (%(awarded)s) than places (%(quota)s).")
            % {"awarded": data["awarded"], "quota": data["quota"]},
        )
    if data.get("awarded") and data.get("status") != CallStatus.AWARDED:
        _add(errors, "awarded", _("Record the numbers awarded once the call's status is awarded."))
    if errors:
        raise ValidationError(errors)
    return data


def create_call(user, partnership: Partnership, **data) -> Call:
    _require_edit(user, partnership)
    data = {k: v for k, v in data.items() if k in CALL_FIELDS}
    data.setdefault("status", CallStatus.OPEN)
    data = _clean_call(partnership, data)
    with transaction.atomic():
        call = Call(partnership=partnership, **data)
        record_author(call, user)
        call.save()
    return call


def update_call(user, call: Call, *, expected_version: int | None = None, **data) -> Call:
    _require_edit(user, call.partnership)
    with transaction.atomic():
        current = locked(Call, call.pk, expected_version)
        merged = {k: getattr(current, k) for k in CALL_FIELDS}
        merged.update({k: v for k, v in data.items() if k in CALL_FIELDS})
        for key, value in _clean_call(call.partnership, merged).items():
            setattr(current, key, value)
        save_version(current, user)
    return current


# --- aid ---------------------------------------------------------------------------------------

AID_FIELDS = ["title", "donor", "status", "pledged_on", "shipped_on", "received_on", "notes", "public"]


def _clean_aid(partnership: Partnership, data: dict, items: list[dict]) -> dict:
    errors: dict[str, list[str]] = {}
    _no_nul(errors, data)
    _no_nul(errors, {"items": [v for i in items for v in i.values()]})
    if not (data.get("title") or "").strip():
        _add(errors, "title", _("Give the shipment a title."))
    donor = data.get("donor")
    if donor is None or donor.pk not in (partnership.government_a_id, partnership.government_b_id):
        _add(errors, "donor", _("The donor must be one of the two partners."))
    else:
        data["recipient"] = partnership.other(donor)
    if data.get("status") not in AidStatus.values:
        _add(errors, "status", _("Unknown status “%(value)s”.") % {"value": data.get("status")})
    order = [("pledged_on", _("pledged")), ("shipped_on", _("shipped")), ("received_on", _("received"))]
    dates = [(name, label, data.get(name)) for name, label in order if data.get(name)]
    for (n1, l1, d1), (n2, l2, d2) in zip(dates, dates[1:]):
        if d2 < d1:
            _add(errors, n2, _("The day %(later)s is before the day %(earlier)s.") % {"later": l2, "earlier": l1})
    if data.get("status") == AidStatus.SHIPPED and not data.get("shipped_on"):
        _add(errors, "shipped_on", _("Give the day the goods were shipped."))
    if data.get("status") == AidStatus.RECEIVED and not data.get("received_on"):
        _add(errors, "received_on", _("Give the day the goods were received."))
    if not items:
        _add(errors, "items", _("List at least one item with its quantity."))
    for i, item in enumerate(items, 1):
        if not (item.get("name") or "").strip():
            _add(errors, "items", _("Item %(n)s has no name.") % {"n": i})
        if item.get("quantity") is None or Decimal(item["quantity"]) <= 0:
            _add(errors, "items", _("Item %(n)s needs a quantity above zero.") % {"n": i})
        elif Decimal(item["quantity"]) >= Decimal(10) ** 12:
            _add(errors, "items", _("The number is too large."))
    if errors:
        raise ValidationError(errors)
    return data


def create_aid(user, partnership: Partnership, *, items: Iterable[dict], **data) -> AidShipment:
    _require_edit(user, partnership)
    items = list(items)
    data = {k: v for k, v in data.items() if k in AID_FIELDS}
    data.setdefault("status", AidStatus.PLEDGED)
    data = _clean_aid(partnership, data, items)
    with transaction.atomic():
        shipment = AidShipment(partnership=partnership, **data)
        record_author(shipment, user)
        shipment.save()
        AidItem.objects.bulk_create(
            [
                AidItem(
                    shipment=shipment,
                    name=i["name"].strip(),
                    quantity=i["quantity"],
                    unit=(i.get("unit") or "").strip(),
                )
                for i in items
            ]
        )
    return shipment


def update_aid(
    user, shipment: AidShipment, *, expected_version: int | None = None, items: Iterable[dict] | None = None, **data
) -> AidShipment:
    _require_edit(user, shipment.partnership)
    with transaction.atomic():
        current = locked(AidShipment, shipment.pk, expected_version)
        merged = {k: getattr(current, k) for k in AID_FIELDS}
        merged.update({k: v for k, v in data.items() if k in AID_FIELDS})
        item_list = (
            list(items)
            if items is not None
            else [{"name": i.name, "quantity": i.quantity, "unit": i.unit} for i in current.items.all()]
        )
        for key, value in _clean_aid(shipment.partnership, merged, item_list).items():
            setattr(current, key, value)
        save_version(current, user)
        if items is not None:
            current.items.all().delete()
            AidItem.objects.bulk_create(
                [
                    AidItem(
                        shipment=current,
                        name=i["name"].strip(),
                        quantity=i["quantity"],
                        unit=(i.get("unit") or "").strip(),
                    )
                    for i in item_list
                ]
            )
    return current


def attach_aid_document(user, shipment: AidShipment, upload, checked: CheckedUpload) -> AidDocument:
    _require_edit(user, shipment.partnership)
    return AidDocument.objects.create(
        shipment=shipment, file=upload, name=checked.name, content_type=checked.content_type, size=checked.size
    )


# --- the public portal ---------------------------------------------------------------------------


@dataclass
class PortalFilter:
    city: int | None = None  # a government id
    country: str = ""
    field: str = ""
    month: str = ""  # YYYY-MM


EXPANSION_FIELDS = ("start", "end", "recurrence", "exceptions", "status", "date_tbd", "host__place__timezone")


def public_activities() -> QuerySet[Activity]:
    return activity_queryset().filter(public=True, partnership__public=True).prefetch_related("changes")


def _month_bounds(month: str) -> tuple[dt.datetime, dt.datetime] | None:
    try:
        first = dt.datetime.strptime(month, "%Y-%m").replace(tzinfo=UTC)
    except ValueError:
        return None
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following


def _filter_partnership_side(qs: QuerySet, f: PortalFilter, prefix: str = "partnership__") -> QuerySet:
    if f.city:
        qs = qs.filter(Q(**{prefix + "government_a": f.city}) | Q(**{prefix + "government_b": f.city}))
    if f.country:
        cc = f.country.upper()
        qs = qs.filter(
            Q(**{prefix + "government_a__country_code": cc}) | Q(**{prefix + "government_b__country_code": cc})
        )
    if f.field:
        qs = qs.filter(field=f.field)
    return qs


def upcoming_events(f: PortalFilter, now: dt.datetime | None = None, limit: int = 100) -> list[Occurrence]:
    """Public occurrences from now on (or within the month), postponed ones included and marked."""
    now = now or timezone.now()
    after, before = now, None
    bounds = _month_bounds(f.month) if f.month else None
    if bounds:
        after, before = bounds
    qs = _filter_partnership_side(public_activities(), f).exclude(status=ActivityStatus.CANCELLED)
    # A series may have occurrences ahead however long ago it began; single events only if not over.
    qs = qs.filter(Q(end__gte=after) | ~Q(recurrence="") | Q(date_tbd=True))
    if before is not None:
        qs = qs.filter(start__lt=before)
    return _first_events(qs, after, before or after + dt.timedelta(days=3 * 366), limit)


def _first_events(qs: QuerySet[Activity], after: dt.datetime, before: dt.datetime, limit: int) -> list[Occurrence]:
    """`earliest` over these activities (not cancelled, not over unless a series or to be
    decided). Single events come sorted and limited from the database, series are expanded here;
    the expansion reads the few columns it needs, and the activities shown are then read whole
    (a constant number of queries)."""
    qs = qs.select_related(None).select_related("host__place").only(*EXPANSION_FIELDS).prefetch_related(None)
    activities = [*qs.filter(recurrence="").order_by("start", "id")[:limit], *qs.exclude(recurrence="")]
    prefetch_related_objects(activities, "changes")
    out = earliest(activities, after, before, limit)
    shown = activity_queryset().in_bulk({o.activity.pk for o in out})
    out = [o for o in out if o.activity.pk in shown]  # not deleted in between
    for occurrence in out:
        occurrence.activity = shown[occurrence.activity.pk]
    return out


def earliest(activities: Iterable[Activity], after: dt.datetime, before: dt.datetime, limit: int) -> list[Occurrence]:
    """The first `limit` occurrences in [after, before) of all these activities, by start (then
    activity): those of `occurrences(a, after, before, limit)` for each, without walking a series
    further than the occurrences it could still add."""
    out: list[Occurrence] = []
    latest: list[dt.timedelta] = []  # the `limit` earliest starts so far as EPOCH - start: [0] is the latest
    for activity in activities:
        past = EPOCH - latest[0] if len(latest) >= limit else None
        for occurrence in occurrences(activity, after=after, before=before, limit=limit, past=past):
            out.append(occurrence)
            key = EPOCH - occurrence.start
            if len(latest) < limit:
                heapq.heappush(latest, key)
            elif key > latest[0]:
                heapq.heapreplace(latest, key)
    out.sort(key=lambda o: (o.start, o.activity.pk))
    return out[:limit]


def open_calls(f: PortalFilter, today: dt.date | None = None) -> QuerySet[Call]:
    today = today or timezone.now().date()
    qs = Call.objects.select_related(
        "partnership__government_a__place", "partnership__government_b__place", "host"
    ).filter(public=True, partnership__public=True, status=CallStatus.OPEN, deadline__gte=today)
    qs = _filter_partnership_side(qs, f)
    if f.month:
        bounds = _month_bounds(f.month)
        if bounds:
            qs = qs.filter(deadline__gte=bounds[0].date(), deadline__lt=bounds[1].date())
    return qs.order_by("deadline", "id")


DASHBOARD_SHOWN = 5


def dashboard_events(user, government_ids, now: dt.datetime | None = None) -> list[Occurrence]:
    """The next few occurrences for the dashboard: of the office's own partnerships (public or
    not), or the public ones for everyone else."""
    now = now or timezone.now()
    if government_ids:
        qs = permissions.visible_under_partnership(
            user,
            activity_queryset()
            .prefetch_related("changes")
            .filter(Q(partnership__government_a__in=government_ids) | Q(partnership__government_b__in=government_ids)),
        )
    else:
        qs = public_activities()
    qs = qs.exclude(status=ActivityStatus.CANCELLED).filter(Q(end__gte=now) | ~Q(recurrence="") | Q(date_tbd=True))
    return _first_events(qs, now, now + dt.timedelta(days=2 * 366), DASHBOARD_SHOWN)
