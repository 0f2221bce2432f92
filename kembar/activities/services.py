"""Activities, calls and aid: the writes (create, update, postpone, convert, delete, attach) and
the rules they check, which pages, the API, the CLI and the importer all go through.

A series' occurrences are in `recurrence`, the read queries (lists, the public portal, the
dashboard's next events) in `queries`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

import pycountry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
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
from .recurrence import UTC, _iso, is_occurrence, parse_moment, parse_rule
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
EARLIEST, LATEST = 1900, 2200  # years an activity may be in
MAX_COUNT = 2_147_483_647  # the largest number the database stores in a count


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


def _add_items(shipment: AidShipment, items: list[dict]) -> None:
    """The shipment's items as the form, the API and the importer give them: name, quantity, unit."""
    AidItem.objects.bulk_create(
        [
            AidItem(
                shipment=shipment, name=i["name"].strip(), quantity=i["quantity"], unit=(i.get("unit") or "").strip()
            )
            for i in items
        ]
    )


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
        _add_items(shipment, items)
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
            _add_items(current, item_list)
    return current


def attach_aid_document(user, shipment: AidShipment, upload, checked: CheckedUpload) -> AidDocument:
    _require_edit(user, shipment.partnership)
    return AidDocument.objects.create(
        shipment=shipment, file=upload, name=checked.name, content_type=checked.content_type, size=checked.size
    )
