"""Grant calls and the yearly self-assessment: every rule once, for pages, the API, the CLI and tests.

Permissions are asked of `kembar.accounts.permissions` (`can_enter_grant_call`,
`can_edit_grant_call`, `can_answer_assessment`, `can_view_assessments`); matching is the plain
`match` module, fed here from a constant number of queries whatever the number of rows.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kembar.accounts import permissions
from kembar.accounts.models import Organisation
from kembar.activities.models import Activity
from kembar.core.versioning import locked, record_author, save_version
from kembar.gazetteer.countries import country_code, country_name
from kembar.partnerships.models import CooperationField, Partnership
from kembar.partnerships.vocab import Status
from kembar.plans.models import TargetLink

from . import match
from .models import TEXT_MAX, TITLE_MAX, GrantCall, SelfAssessment
from .vocab import QUESTION_CODES, QUESTIONS, SCORES, ActivityType, Dimension, Field, FunderType, Kind, Level

CALL_FIELDS = [
    "title",
    "funder_name",
    "funder_type",
    "partnership_kinds",
    "levels",
    "countries",
    "activity_types",
    "fields",
    "amount_min",
    "amount_max",
    "currency",
    "deadline",
    "deadline_time",
    "deadline_zone",
    "link",
    "description",
]
REQUIRED = {"title": TITLE_MAX, "funder_name": 200, "link": 500, "description": TEXT_MAX}
LISTS = {
    "partnership_kinds": Kind,
    "levels": Level,
    "activity_types": ActivityType,
    "fields": Field,
}
CURRENCY = re.compile(r"^[A-Z]{3}$")
COMMENT_MAX = 1000
MAX_AMOUNT = Decimal("99999999999999")
# Partnerships whose status is one of these are matched to calls (an ended one applies to nothing).
MATCHED_STATUSES = [Status.PROPOSED, Status.ACTIVE, Status.SUSPENDED]


# --- grant calls -------------------------------------------------------------------------------


def call_queryset() -> QuerySet[GrantCall]:
    return GrantCall.objects.select_related("office", "entered_by").prefetch_related(
        Prefetch("fields", queryset=CooperationField.objects.order_by("code"))
    )


def parse_countries(value) -> list[str]:
    """Country codes from a list or a text of names or codes separated by commas or semicolons
    ("Indonesia; JP, de"); ValidationError naming what is not a country."""
    parts = value if isinstance(value, (list, tuple)) else re.split(r"[,;\n]", str(value or ""))
    codes, unknown = [], []
    for part in parts:
        text = str(part).strip()
        if not text:
            continue
        code = country_code(text)
        if code is None:
            unknown.append(text[:60])
        elif code not in codes:
            codes.append(code)
    if unknown:
        raise ValidationError({"countries": [_("Not a country: %(names)s.") % {"names": ", ".join(unknown)}]})
    return sorted(codes)


def _amount(value, key: str, errors: dict) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        errors[key] = [_("Give an amount such as 50000 or 50000.50.")]
        return None
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
        errors[key] = [_("Give an amount between 0 and %(max)s.") % {"max": f"{MAX_AMOUNT:,.0f}"}]
        return None
    return amount.quantize(Decimal("0.01"))


def closes_at(deadline: dt.date, time: dt.time | None, zone: str) -> dt.datetime:
    """The moment a call closes, in UTC: the deadline's time in its zone, or the end of its day."""
    local = dt.datetime.combine(deadline, time or dt.time(23, 59, 59), tzinfo=zoneinfo.ZoneInfo(zone))
    return local.astimezone(dt.UTC)


def _clean_call(data: dict, *, creating: bool, current: GrantCall | None = None) -> dict:
    """Trimmed, checked values; ValidationError keyed by field naming every problem at once."""
    errors: dict[str, list[str]] = {}
    out = {k: v for k, v in data.items() if k in CALL_FIELDS}
    for key, limit in REQUIRED.items():
        if key not in out and not creating:
            continue
        value = str(out.get(key) or "").strip()
        out[key] = value
        if not value:
            errors[key] = [_("This text cannot be empty.")]
        elif len(value) > limit:
            errors[key] = [
                _("At most %(limit)d characters (this has %(length)d).") % {"limit": limit, "length": len(value)}
            ]
    if out.get("link") and "link" not in errors:
        try:
            URLValidator(schemes=["http", "https"])(out["link"])
        except ValidationError:
            errors["link"] = [_("Give the link as a full address starting with https://.")]
    if "funder_type" in out or creating:
        if out.get("funder_type") not in FunderType.values:
            errors["funder_type"] = [_("Unknown value “%(value)s”.") % {"value": out.get("funder_type") or ""}]
    for key, vocab in LISTS.items():
        if key in out or creating:
            values = list(dict.fromkeys(str(v) for v in out.get(key) or []))
            unknown = [v for v in values if v not in vocab.values]
            if unknown:
                errors[key] = [_("Unknown value “%(value)s”.") % {"value": ", ".join(unknown)[:200]}]
            out[key] = sorted(values)
    if "countries" in out or creating:
        try:
            out["countries"] = parse_countries(out.get("countries") or [])
        except ValidationError as error:
            errors.update(error.message_dict)
    for key in ("amount_min", "amount_max"):
        if key in out or creating:
            out[key] = _amount(out.get(key), key, errors)
    low = out["amount_min"] if "amount_min" in out else getattr(current, "amount_min", None)
    high = out["amount_max"] if "amount_max" in out else getattr(current, "amount_max", None)
    if low is not None and high is not None and low > high and "amount_max" not in errors:
        errors["amount_max"] = [_("The largest grant is smaller than the smallest.")]
    if "currency" in out or creating:
        currency = str(out.get("currency") or "").strip().upper()
        if currency and not CURRENCY.match(currency):
            errors["currency"] = [_("Give the currency as a three-letter code such as EUR, JPY or IDR.")]
        elif not currency and (low is not None or high is not None):
            errors["currency"] = [_("Name the currency of the amounts.")]
        out["currency"] = currency
    if creating and not out.get("deadline"):
        errors["deadline"] = [_("Give the deadline as YYYY-MM-DD.")]
    if "deadline_zone" in out or creating:
        zone = str(out.get("deadline_zone") or "UTC").strip()
        if zone not in zoneinfo.available_timezones():
            errors["deadline_zone"] = [
                _("Unknown time zone “%(zone)s”: use a name such as Europe/Brussels.") % {"zone": zone[:64]}
            ]
        out["deadline_zone"] = zone
    if "deadline_time" in out and out["deadline_time"] in ("",):
        out["deadline_time"] = None
    if errors:
        raise ValidationError(errors)
    return out


def _office_for(user, office: Organisation | None) -> Organisation | None:
    """The office a call is entered in the name of; None for the platform (administrators only)."""
    offices = permissions.grant_call_offices(user)
    if office is not None:
        if not offices.filter(pk=office.pk).exists() and not permissions.can_edit_grant_call(
            user, GrantCall(office=office)
        ):
            raise ValidationError({"office": [_("You can only enter calls for an office you edit for.")]})
        return office
    if permissions.can_edit_grant_call(user, GrantCall(office=None)):
        return None
    own = list(offices[:2])
    if len(own) == 1:
        return own[0]
    raise ValidationError({"office": [_("Choose the office that enters the call.")]})


def create_call(user, *, office: Organisation | None = None, **data) -> GrantCall:
    """Enter a grant call. ValidationError keyed by field for bad input; PermissionDenied for a
    user who may not enter calls (`permissions.can_enter_grant_call`)."""
    if not permissions.can_enter_grant_call(user):
        raise PermissionDenied(_("Only platform administrators and editors of an office enter grant calls."))
    office = _office_for(user, office)
    data = _clean_call(data, creating=True)
    fields = data.pop("fields", [])
    with transaction.atomic():
        call = GrantCall(office=office, entered_by=user if getattr(user, "pk", None) else None, **data)
        call.closes_at = closes_at(call.deadline, call.deadline_time, call.deadline_zone)
        record_author(call, user)
        call.save()
        call.fields.set(fields)
    return call


def update_call(user, call: GrantCall, *, expected_version: int | None = None, **data) -> GrantCall:
    if not permissions.can_edit_grant_call(user, call):
        raise PermissionDenied(
            _("Only whoever entered this call (its office, or a platform administrator) changes it.")
        )
    data = _clean_call(data, creating=False, current=call)
    fields = data.pop("fields", None)
    with transaction.atomic():
        current = locked(GrantCall, call.pk, expected_version)
        for key, value in data.items():
            setattr(current, key, value)
        current.closes_at = closes_at(current.deadline, current.deadline_time, current.deadline_zone)
        current = save_version(current, user)
        if fields is not None:
            current.fields.set(fields)
    return current


@dataclass
class CallFilter:
    q: str = ""
    funder_type: str = ""
    field: str = ""
    country: str = ""
    closed: bool = False  # include calls past their deadline
    office: int | None = None


def filter_calls(queryset: QuerySet[GrantCall], f: CallFilter, now: dt.datetime | None = None) -> QuerySet[GrantCall]:
    now = now or timezone.now()
    if not f.closed:
        queryset = queryset.filter(closes_at__gte=now)
    if f.q:
        words = f.q.strip()[:200]
        queryset = queryset.filter(
            Q(title__icontains=words) | Q(funder_name__icontains=words) | Q(description__icontains=words)
        )
    if f.funder_type:
        queryset = queryset.filter(funder_type=f.funder_type)
    if f.field:
        queryset = queryset.filter(Q(fields=f.field) | Q(fields__isnull=True)).distinct()
    if f.country:
        code = f.country.upper()
        # JSON list membership without database-specific lookups: "any" calls, and lists with the code.
        queryset = queryset.filter(Q(countries=[]) | Q(countries__icontains=f'"{code}"'))
    if f.office:
        queryset = queryset.filter(office_id=f.office)
    return queryset


# --- matching ----------------------------------------------------------------------------------


def call_item(call: GrantCall) -> match.Item:
    return match.Item(
        id=call.pk,
        kinds=frozenset(call.partnership_kinds or []),
        countries=frozenset(call.countries or []),
        levels=frozenset(call.levels or []),
        fields=frozenset(f.code for f in call.fields.all()),
        activity_types=frozenset(call.activity_types or []),
    )


def plan_targets(partnership_ids, year: int) -> dict[int, tuple[match.PlanTarget, ...]]:
    """The targets of each partnership's plans covering `year`, with the fields and kinds of the
    activities serving them (cancelled ones do not count): one query."""
    found: dict[int, dict[int, tuple[str, set[str], set[str]]]] = {}
    rows = (
        TargetLink.objects.filter(
            target__objective__plan__partnership__in=partnership_ids,
            target__objective__plan__first_year__lte=year,
            target__objective__plan__last_year__gte=year,
            activity__isnull=False,
        )
        .exclude(activity__status="cancelled")
        .values_list(
            "target__objective__plan__partnership_id", "target_id", "target__title", "activity__field", "activity__type"
        )
        .order_by("target_id")
    )
    for pk, target_id, title, field_code, kind in rows:
        _title, fields, kinds = found.setdefault(pk, {}).setdefault(target_id, (title, set(), set()))
        if field_code:
            fields.add(field_code)
        kinds.add(kind)
    return {
        pk: tuple(match.PlanTarget(title, frozenset(f), frozenset(k)) for title, f, k in targets.values())
        for pk, targets in found.items()
    }


def partnership_items(partnerships: QuerySet[Partnership], now: dt.datetime | None = None) -> dict[int, match.Item]:
    """What the matcher sees of these partnerships, from four queries whatever their number: their
    kinds, countries, levels, fields, kinds of activity and the targets of their plans in force."""
    ids = partnerships.values("pk")
    targets = plan_targets(ids, (now or timezone.now()).year)
    fields: dict[int, set[str]] = {}
    for pk, code in Partnership.fields.through.objects.filter(partnership__in=ids).values_list(
        "partnership_id", "cooperationfield_id"
    ):
        fields.setdefault(pk, set()).add(code)
    types: dict[int, set[str]] = {}
    for pk, kind in (
        Activity.objects.filter(partnership__in=ids)
        .exclude(status="cancelled")
        .values_list("partnership_id", "type")
        .distinct()
    ):
        types.setdefault(pk, set()).add(kind)
    rows = partnerships.values_list(
        "pk",
        "kind",
        "government_a__country_code",
        "government_b__country_code",
        "government_a__level",
        "government_b__level",
    )
    return {
        pk: match.Item(
            id=pk,
            kinds=frozenset([kind]),
            countries=frozenset([ca, cb]),
            levels=frozenset([la, lb]),
            fields=frozenset(fields.get(pk, ())),
            activity_types=frozenset(types.get(pk, ())),
            targets=targets.get(pk, ()),
        )
        for pk, kind, ca, cb, la, lb in rows
    }


def reason_text(reason: match.Reason) -> str:
    """A reason in the reader's language."""
    values = reason.values
    if reason.kind == "kind":
        return _("eligible kind: %(v)s") % {"v": ", ".join(str(Kind(v).label) for v in values)}
    if reason.kind == "country":
        return _("eligible country: %(v)s") % {"v": ", ".join(country_name(v) for v in values)}
    if reason.kind == "level":
        return _("eligible level: %(v)s") % {"v": ", ".join(str(Level(v).label) for v in values)}
    if reason.kind == "field":
        return _("same field: %(v)s") % {"v": ", ".join(str(Field(v).label) for v in values)}
    if reason.kind == "activity":
        return _("same kind of activity: %(v)s") % {"v": ", ".join(str(ActivityType(v).label) for v in values)}
    if reason.kind == "target":
        return _("fits target: %(v)s") % {"v": "; ".join(values)}
    return _("open to every partnership")


@dataclass
class Fit:
    item: GrantCall | Partnership
    score: float
    reasons: list[str] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return round(self.score * 100)


def _matched_partnerships(user) -> QuerySet[Partnership]:
    """The partnerships a user's view of fits covers: those of the user's own offices; for those
    who read everything, every partnership with an office of either side on the platform."""
    own = permissions.office_view_government_ids(user)
    queryset = Partnership.objects.filter(status__in=MATCHED_STATUSES)
    if own:
        return queryset.filter(Q(government_a__in=own) | Q(government_b__in=own))
    if permissions.reads_everything(user):
        with_office = Organisation.objects.filter(local_government__isnull=False).values("local_government")
        return queryset.filter(Q(government_a__in=with_office) | Q(government_b__in=with_office))
    return queryset.none()


def partnerships_for_call(user, call: GrantCall, limit: int = 20) -> list[Fit]:
    """The partnerships of the viewer's office (or, for those who read everything, of the
    platform's offices) that fit the call, best first, with reasons."""
    partnerships = permissions.visible_partnerships(user, _matched_partnerships(user))
    items = partnership_items(partnerships)
    matches = match.partnerships_for_call(call_item(call), list(items.values()), limit=limit)
    shown = Partnership.objects.select_related("government_a__place", "government_b__place").in_bulk(
        [m.partnership_id for m in matches]
    )
    return [Fit(shown[m.partnership_id], m.score, [reason_text(r) for r in m.reasons]) for m in matches]


def calls_for_partnership(user, partnership: Partnership, now: dt.datetime | None = None, limit: int = 10) -> list[Fit]:
    """The open grant calls the partnership fits, best first, with reasons (signed-in readers only)."""
    if not permissions.can_read_grant_calls(user):
        return []
    calls = {c.pk: c for c in filter_calls(call_queryset(), CallFilter(), now)}
    item = partnership_items(Partnership.objects.filter(pk=partnership.pk), now).get(partnership.pk)
    if item is None:
        return []
    matches = match.calls_for_partnership(item, [call_item(c) for c in calls.values()], limit=limit)
    return [Fit(calls[m.call_id], m.score, [reason_text(r) for r in m.reasons]) for m in matches]


@dataclass
class DashboardFit:
    call: GrantCall
    partnerships: list[Fit]


def dashboard_fits(user, now: dt.datetime | None = None, limit: int = 5) -> list[DashboardFit]:
    """Open grant calls that fit the partnerships of the user's own offices, soonest deadline
    first, each with its fitting partnerships (a constant number of queries)."""
    if not permissions.office_view_government_ids(user):
        return []
    items = partnership_items(_matched_partnerships(user))
    if not items:
        return []
    calls = list(filter_calls(call_queryset(), CallFilter(), now).order_by("closes_at", "id")[:200])
    partnerships = Partnership.objects.select_related("government_a", "government_b").in_bulk(list(items))
    out = []
    for call in calls:
        matches = match.partnerships_for_call(call_item(call), list(items.values()), limit=3)
        if matches:
            fits = [Fit(partnerships[m.partnership_id], m.score, [reason_text(r) for r in m.reasons]) for m in matches]
            out.append(DashboardFit(call, fits))
            if len(out) == limit:
                break
    return out


def matching_government_ids(call: GrantCall) -> set[int]:
    """The governments with an office on the platform that are a side of a partnership fitting the call."""
    with_office = set(
        Organisation.objects.filter(kind=Organisation.Kind.GOVERNMENT, local_government__isnull=False).values_list(
            "local_government_id", flat=True
        )
    )
    partnerships = Partnership.objects.filter(status__in=MATCHED_STATUSES).filter(
        Q(government_a__in=with_office) | Q(government_b__in=with_office)
    )
    items = partnership_items(partnerships)
    matches = match.partnerships_for_call(call_item(call), list(items.values()))
    pairs = Partnership.objects.filter(pk__in=[m.partnership_id for m in matches]).values_list(
        "government_a_id", "government_b_id"
    )
    return {g for pair in pairs for g in pair} & with_office


# --- the yearly self-assessment ----------------------------------------------------------------


def local_year(partnership: Partnership, government_id: int, now: dt.datetime | None = None) -> int:
    """The current year at the side's place (the year ends there at its own midnight)."""
    now = now or timezone.now()
    government = partnership.government_a if government_id == partnership.government_a_id else partnership.government_b
    zone = getattr(getattr(government, "place", None), "timezone", "") or "UTC"
    try:
        return now.astimezone(zoneinfo.ZoneInfo(zone)).year
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return now.astimezone(dt.UTC).year


def clean_answers(answers) -> dict:
    """{code: {"score": 1–5, "comment": text}} for every question; ValidationError otherwise."""
    if not isinstance(answers, dict):
        raise ValidationError({"answers": [_("Give the answers as one entry per question.")]})
    errors: list[str] = []
    unknown = sorted(str(k) for k in answers if k not in QUESTION_CODES)
    if unknown:
        errors.append(_("Unknown question: %(codes)s.") % {"codes": ", ".join(unknown)[:200]})
    out = {}
    for code in QUESTION_CODES:
        answer = answers.get(code)
        if isinstance(answer, int) and not isinstance(answer, bool):
            answer = {"score": answer}
        if not isinstance(answer, dict):
            errors.append(_("Answer the question “%(code)s” with a score from 1 to 5.") % {"code": code})
            continue
        score = answer.get("score")
        if isinstance(score, str) and score.strip().isdigit():
            score = int(score)
        if isinstance(score, bool) or score not in SCORES:
            errors.append(_("Answer the question “%(code)s” with a score from 1 to 5.") % {"code": code})
            continue
        comment = str(answer.get("comment") or "").strip()
        if len(comment) > COMMENT_MAX:
            errors.append(
                _("The comment on “%(code)s” has more than %(limit)d characters.")
                % {"code": code, "limit": COMMENT_MAX}
            )
            continue
        out[code] = {"score": score, "comment": comment} if comment else {"score": score}
    if errors:
        raise ValidationError({"answers": errors})
    return out


def assessment_queryset() -> QuerySet[SelfAssessment]:
    return SelfAssessment.objects.select_related(
        "government", "answered_by", "partnership__government_a", "partnership__government_b"
    )


def answer_assessment(
    user,
    partnership: Partnership,
    government_id: int,
    answers,
    *,
    year: int | None = None,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> SelfAssessment:
    """Save one side's self-assessment of the partnership for a year (the current year at the
    side's place unless `year` is given): creates it, or changes it until that year ends there.
    PermissionDenied unless the user answers for that side; ValidationError for a year already
    over (or not begun), or bad answers; ConcurrentEdit for a stale version."""
    if not permissions.can_answer_assessment(user, partnership, government_id):
        raise PermissionDenied(_("Only editors of a side's office answer its self-assessment."))
    current_year = local_year(partnership, government_id, now)
    year = current_year if year is None else year
    if year != current_year:
        raise ValidationError(
            {
                "year": [
                    _(
                        "Only this year's self-assessment (%(year)d) can be answered or changed; a past year's is kept as it was."
                    )
                    % {"year": current_year}
                ]
            }
        )
    cleaned = clean_answers(answers)
    answered_by = user if getattr(user, "pk", None) else None
    try:
        with transaction.atomic():
            existing = SelfAssessment.objects.filter(
                partnership=partnership, government_id=government_id, year=year
            ).first()
            if existing is None:
                assessment = SelfAssessment(
                    partnership=partnership,
                    government_id=government_id,
                    year=year,
                    answers=cleaned,
                    answered_by=answered_by,
                )
                record_author(assessment, user)
                assessment.save()
                return assessment
            current = locked(SelfAssessment, existing.pk, expected_version)
            current.answers = cleaned
            current.answered_by = answered_by
            return save_version(current, user)
    except IntegrityError:
        raise ValidationError(
            {
                "year": [
                    _("This side's self-assessment for %(year)d was just saved by someone else: reload the page.")
                    % {"year": year}
                ]
            }
        )


def update_assessment(user, assessment: SelfAssessment, answers, *, expected_version: int | None = None, now=None):
    """Change a saved self-assessment (`answer_assessment` for its side and year)."""
    return answer_assessment(
        user,
        assessment.partnership,
        assessment.government_id,
        answers,
        year=assessment.year,
        expected_version=expected_version,
        now=now,
    )


def dimension_scores(answers: dict) -> dict[str, float]:
    """The mean score of each dimension, and "overall" over all answered questions."""
    by_dim: dict[str, list[int]] = {}
    for code, dim, _text in QUESTIONS:
        answer = answers.get(code)
        if answer:
            by_dim.setdefault(str(dim), []).append(answer["score"])
    out = {dim: round(sum(v) / len(v), 1) for dim, v in by_dim.items()}
    every = [s for v in by_dim.values() for s in v]
    out["overall"] = round(sum(every) / len(every), 1) if every else 0.0
    return out


@dataclass
class YearRow:
    year: int
    sides: list[SelfAssessment | None]  # government_a's, government_b's
    scores: list[dict[str, float] | None]


def assessment_years(user, partnership: Partnership) -> list[YearRow]:
    """Both sides' self-assessments by year, newest first (two queries at most); [] for a reader
    who may not see them."""
    if not permissions.can_view_assessments(user, partnership):
        return []
    rows: dict[int, list[SelfAssessment | None]] = {}
    for a in assessment_queryset().filter(partnership=partnership):
        side = 0 if a.government_id == partnership.government_a_id else 1
        rows.setdefault(a.year, [None, None])[side] = a
    return [
        YearRow(year, sides, [dimension_scores(s.answers) if s else None for s in sides])
        for year, sides in sorted(rows.items(), reverse=True)
    ]


def dimension_labels() -> list[tuple[str, str]]:
    return [(str(d.value), str(d.label)) for d in Dimension]


def dashboard_assessments(user, now: dt.datetime | None = None) -> list[Partnership]:
    """The user's partnerships whose self-assessment for this year the user's side has not
    answered yet (those the user may answer)."""
    own = permissions.edited_government_ids(user)
    if not own:
        return []
    now = now or timezone.now()
    partnerships = list(
        Partnership.objects.filter(status=Status.ACTIVE)
        .filter(Q(government_a__in=own) | Q(government_b__in=own))
        .select_related("government_a__place", "government_b__place")
        .order_by("pk")[:50]
    )
    # "This year" is the year at the side's own place (1 January comes to Bandung 7 hours
    # before UTC), as for answering.
    year = {
        p.pk: local_year(p, p.government_a_id if p.government_a_id in own else p.government_b_id, now)
        for p in partnerships
    }
    answered = set(
        SelfAssessment.objects.filter(
            partnership__in=partnerships, government__in=own, year__in=set(year.values())
        ).values_list("partnership_id", "year")
    )
    return [p for p in partnerships if (p.pk, year[p.pk]) not in answered][:5]
