"""The solution exchange's rules: publishing solutions and needs, matching them, following
adoption pilots. Pages, the API, the CLI and the demo all call these functions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from kembar.accounts import permissions
from kembar.accounts.services import editors_by_language
from kembar.core import languages
from kembar.core.mail import queue_translated
from kembar.core.reminders import mail_url
from kembar.core.uploads import check_upload
from kembar.core.versioning import record_author, save_changes, save_version
from kembar.partnerships.models import CooperationField, LocalGovernment, Partnership
from kembar.partnerships.vocab import Field

from . import match
from .models import SUMMARY_MAX, TEXT_MAX, TITLE_MAX, Milestone, Need, Pilot, Solution, SolutionAttachment
from .vocab import SDG_CODES, CostRange, Maturity, MilestoneStatus, PilotStatus, ProviderKind, sdg_sort_key

SOLUTION_FIELDS = [
    "title",
    "summary",
    "problem",
    "provider_kind",
    "provider_name",
    "provider_contact",
    "provider_website",
    "sdg_targets",
    "maturity",
    "evidence",
    "languages",
    "cost_range",
    "adoption_needs",
    "public",
]
NEED_FIELDS = ["title", "description", "sdg_targets", "constraints", "budget_range", "languages", "public"]
PILOT_FIELDS = ["status", "outcome", "public"]
MAX_ATTACHMENTS = 10

# Required texts and their longest allowed length; optional ones only have a length.
REQUIRED_TEXTS = {"title": TITLE_MAX, "summary": SUMMARY_MAX, "problem": TEXT_MAX, "description": TEXT_MAX}
OPTIONAL_TEXTS = {
    "provider_name": 200,
    "provider_contact": 200,
    "provider_website": 200,
    "evidence": TEXT_MAX,
    "adoption_needs": TEXT_MAX,
    "constraints": TEXT_MAX,
    "outcome": TEXT_MAX,
}
CHOICES = {
    "provider_kind": ProviderKind,
    "maturity": Maturity,
    "cost_range": CostRange,
    "budget_range": CostRange,
    "status": PilotStatus,
}


def _clean(data: dict, *, creating: bool, required: Iterable[str]) -> dict:
    """Trimmed, checked values; ValidationError keyed by field naming every problem at once."""
    errors: dict[str, list[str]] = {}
    out = dict(data)
    for key in list(REQUIRED_TEXTS) + list(OPTIONAL_TEXTS):
        if key not in out and not (creating and key in required):
            continue
        value = out.get(key)
        value = "" if value is None else str(value).strip()
        out[key] = value
        limit = REQUIRED_TEXTS.get(key) or OPTIONAL_TEXTS[key]
        if key in required and not value:
            errors[key] = [_("This text cannot be empty.")]
        elif "\x00" in value:
            errors[key] = [_("The text contains a NUL character.")]
        elif len(value) > limit:
            errors[key] = [
                _("At most %(limit)d characters (this has %(length)d).") % {"limit": limit, "length": len(value)}
            ]
    if out.get("provider_website") and "provider_website" not in errors:
        try:
            URLValidator(schemes=["http", "https"])(out["provider_website"])
        except ValidationError:
            errors["provider_website"] = [_("Give the website as a full address starting with https://.")]
    for key, choices in CHOICES.items():
        if key in out and out[key] not in choices.values:
            errors[key] = [_("Unknown value “%(value)s”.") % {"value": out[key]}]
    if "fields" in out:
        out["fields"] = list(dict.fromkeys(out["fields"] or []))
        unknown = [f for f in out["fields"] if f not in Field.values]
        if unknown:
            errors["fields"] = [_("Unknown field of cooperation: %(codes)s.") % {"codes": ", ".join(map(str, unknown))}]
    if "sdg_targets" in out:
        codes = [str(c).strip() for c in out["sdg_targets"] or []]
        unknown = [c for c in codes if c not in SDG_CODES]
        if unknown:
            errors["sdg_targets"] = [
                _("Unknown SDG code: %(codes)s. Use a goal (1–17) or an SDG 11 target (11.1–11.7, 11.a–11.c).")
                % {"codes": ", ".join(unknown)}
            ]
        out["sdg_targets"] = sorted(set(codes), key=lambda c: sdg_sort_key(c) if c in SDG_CODES else (99, c))
    if "languages" in out:
        langs = list(dict.fromkeys(out["languages"] or []))
        if problems := languages.errors(langs):
            errors["languages"] = problems
        out["languages"] = langs
    if errors:
        raise ValidationError(errors)
    return out


def _checked_attachments(files) -> list:
    files = list(files or [])
    if len(files) > MAX_ATTACHMENTS:
        raise ValidationError({"attachments": [_("At most %(n)d files at once.") % {"n": MAX_ATTACHMENTS}]})
    checked = []
    for f in files:
        try:
            checked.append((f, getattr(f, "checked", None) or check_upload(f)))
        except ValidationError as error:
            raise ValidationError({"attachments": error.messages})
    return checked


def _save_attachments(user, solution: Solution, checked) -> None:
    for upload, info in checked:
        SolutionAttachment.objects.create(
            solution=solution,
            file=upload,
            name=info.name,
            content_type=info.content_type,
            size=info.size,
            sha256=info.sha256,
            uploaded_by=user if user is not None and user.is_authenticated else None,
        )


# Solutions and needs


def solution_queryset() -> QuerySet[Solution]:
    return Solution.objects.select_related("government__place").prefetch_related(
        Prefetch("fields", queryset=CooperationField.objects.order_by("code"))
    )


def need_queryset() -> QuerySet[Need]:
    return Need.objects.select_related("government__place").prefetch_related(
        Prefetch("fields", queryset=CooperationField.objects.order_by("code"))
    )


def _create(
    model, editable: list[str], required: list[str], user, government: LocalGovernment, data: dict, attachments=()
):
    if not permissions.can_create_offer(user, government.pk):
        raise PermissionDenied(_("You can only publish for a government your office acts for."))
    data = _clean({k: v for k, v in data.items() if k in editable + ["fields"]}, creating=True, required=required)
    checked = _checked_attachments(attachments)
    fields = data.pop("fields", [])
    with transaction.atomic():
        item = model(government=government, **data)
        record_author(item, user)
        item.save()
        if fields:
            item.fields.set(fields)
        if checked:
            _save_attachments(user, item, checked)
    return item


def _update(
    model,
    editable: list[str],
    required: list[str],
    user,
    item,
    data: dict,
    expected_version,
    attachments=(),
):
    if not permissions.can_edit_offer(user, item):
        raise PermissionDenied(
            _("Only editors of the office of %(government)s may change this.") % {"government": item.government.name}
        )
    data = _clean({k: v for k, v in data.items() if k in editable + ["fields"]}, creating=False, required=required)
    checked = _checked_attachments(attachments)
    fields = data.pop("fields", None)
    with transaction.atomic():
        current = save_changes(model, item.pk, expected_version, user, data)
        if fields is not None:
            current.fields.set(fields)
        if checked:
            _save_attachments(user, current, checked)
    return current


def create_solution(user, government: LocalGovernment, *, attachments=(), **data) -> Solution:
    """Publish a solution of a government. ValidationError keyed by field for bad input,
    PermissionDenied when the user is not an editor of that government's office."""
    return _create(Solution, SOLUTION_FIELDS, ["title", "summary", "problem"], user, government, data, attachments)


def update_solution(
    user, solution: Solution, *, expected_version: int | None = None, attachments=(), **data
) -> Solution:
    return _update(
        Solution,
        SOLUTION_FIELDS,
        ["title", "summary", "problem"],
        user,
        solution,
        data,
        expected_version,
        attachments,
    )


def create_need(user, government: LocalGovernment, **data) -> Need:
    return _create(Need, NEED_FIELDS, ["title", "description"], user, government, data)


def update_need(user, need: Need, *, expected_version: int | None = None, **data) -> Need:
    return _update(Need, NEED_FIELDS, ["title", "description"], user, need, data, expected_version)


@dataclass
class OfferFilter:
    q: str = ""
    field: str = ""
    sdg: str = ""
    government: int | None = None


def filter_offers(queryset: QuerySet, f: OfferFilter, text_fields: tuple[str, ...]) -> QuerySet:
    if f.field:
        queryset = queryset.filter(fields__code=f.field)
    if f.sdg:
        # JSON containment is not on SQLite; a code is stored quoted in the list, so match the quoted text.
        queryset = queryset.filter(sdg_targets__icontains=f'"{f.sdg}"')
    if f.government:
        queryset = queryset.filter(government_id=f.government)
    for word in f.q.split()[:8]:
        q = Q()
        for name in text_fields:
            q |= Q(**{f"{name}__icontains": word})
        queryset = queryset.filter(q)
    return queryset


# Matching


def partner_ids(government_id: int) -> set[int]:
    pairs = Partnership.objects.filter(Q(government_a=government_id) | Q(government_b=government_id)).values_list(
        "government_a_id", "government_b_id"
    )
    return {g for pair in pairs for g in pair} - {government_id}


def _solution_text(title: str, summary: str, problem: str) -> str:
    return f"{title}. {summary} {problem}"


def _item(obj) -> match.Item:
    if isinstance(obj, Solution):
        text = _solution_text(obj.title, obj.summary, obj.problem)
        maturity = obj.maturity
    else:
        text = f"{obj.title}. {obj.description}"
        maturity = ""
    return match.Item(
        id=obj.pk,
        text=text,
        fields=frozenset(f.code for f in obj.fields.all()),
        sdgs=frozenset(obj.sdg_targets or []),
        languages=frozenset(obj.languages or []),
        maturity=maturity,
    )


def reason_text(reason: match.Reason) -> str:
    """A reason in the reader's language."""
    if reason.kind == "field":
        return _("same field: %(v)s") % {"v": ", ".join(str(Field(c).label) for c in reason.values)}
    if reason.kind == "sdg":
        return _("both target SDG %(v)s") % {"v": ", ".join(reason.values)}
    if reason.kind == "text":
        return _("text: %(v)s") % {"v": ", ".join(reason.values)}
    if reason.kind == "maturity":
        return _("maturity: %(v)s") % {"v": Maturity(reason.values[0]).label}
    return _("shared language: %(v)s") % {"v": languages.names(reason.values)}


@dataclass
class Fit:
    item: Solution | Need
    score: float
    reasons: list[str]

    @property
    def percent(self) -> int:
        return round(self.score * 100)


PARTNERS = "partners"
PLATFORM = "platform"


def matches_for_need(user, need: Need, scope: str = PARTNERS, limit: int = 5) -> list[Fit]:
    """The solutions that best fit a need, among what the user may read: offered by the need's
    government's partners (scope "partners") or by anyone on the platform ("platform")."""
    return both_matches_for_need(user, need, limit, scopes=(scope,))[scope]


def both_matches_for_need(
    user, need: Need, limit: int = 5, scopes: tuple[str, ...] = (PARTNERS, PLATFORM)
) -> dict[str, list[Fit]]:
    """Partner and platform matches of a need from one fit of the text model (the need page)."""
    candidates = permissions.visible_offers(user, Solution.objects.all()).exclude(government=need.government_id)
    partners = partner_ids(need.government_id)
    if PLATFORM not in scopes:
        candidates = candidates.filter(government__in=partners)
    items = _solution_items(candidates)
    need_item = _item(need)
    model = match.SOLUTION_TEXTS.model(need_item, [i for _g, i in items.values()])  # = TextModel([need, *solutions])
    index = {pk: k + 1 for k, pk in enumerate(items)}
    ranked = {
        scope: match.rank(
            need_item,
            [i for g, i in items.values() if scope == PLATFORM or g in partners],
            limit=limit,
            model=model,
            need_index=0,
            solution_index=index,
        )
        for scope in scopes
    }
    shown = solution_queryset().in_bulk({m.solution_id for matches in ranked.values() for m in matches})
    return {
        scope: [
            Fit(shown[m.solution_id], m.score, [reason_text(r) for r in m.reasons])
            for m in matches
            if m.solution_id in shown
        ]
        for scope, matches in ranked.items()
    }


def _solution_items(solutions: QuerySet[Solution]) -> dict[int, tuple[int, match.Item]]:
    """Id -> (offering government, what the matcher sees) in the queryset's order, from the few
    columns matching reads (whole rows cost most of the need page at 1,000 solutions)."""
    codes: dict[int, set[str]] = {}
    for pk, code in Solution.fields.through.objects.filter(solution__in=solutions.values("pk")).values_list(
        "solution_id", "cooperationfield_id"
    ):
        codes.setdefault(pk, set()).add(code)
    rows = solutions.values_list(
        "pk", "government_id", "title", "summary", "problem", "sdg_targets", "languages", "maturity"
    )
    return {
        pk: (
            government,
            match.Item(
                id=pk,
                text=_solution_text(title, summary, problem),
                fields=frozenset(codes.get(pk, ())),
                sdgs=frozenset(sdgs or []),
                languages=frozenset(codes_of_languages or []),
                maturity=maturity,
            ),
        )
        for pk, government, title, summary, problem, sdgs, codes_of_languages, maturity in rows
    }


def needs_for_solution(user, solution: Solution, limit: int = 5) -> list[Fit]:
    """The partners' needs (that the user may read) a solution could serve."""
    candidates = permissions.visible_offers(user, need_queryset()).filter(
        government__in=partner_ids(solution.government_id)
    )
    needs = {n.pk: n for n in candidates}
    ranked = match.needs_served(_item(solution), [_item(n) for n in needs.values()], limit=limit)
    return [Fit(needs[m.need_id], m.score, [reason_text(r) for r in m.reasons]) for m in ranked]


def matches_for_government(user, government: LocalGovernment, limit: int = 3) -> list[tuple[Need, list[Fit]]]:
    """Each need of a government with its best-fitting partner solutions (the CLI's report)."""
    needs = list(need_queryset().filter(government=government).order_by("title", "id"))
    if not needs:
        return []
    candidates = {
        s.pk: s
        for s in permissions.visible_offers(user, solution_queryset()).filter(government__in=partner_ids(government.pk))
    }
    ranked = match.rank_many([_item(n) for n in needs], [_item(s) for s in candidates.values()], limit=limit)
    return [
        (n, [Fit(candidates[m.solution_id], m.score, [reason_text(r) for r in m.reasons]) for m in ranked[n.pk]])
        for n in needs
    ]


# Pilots


def pilot_queryset() -> QuerySet[Pilot]:
    return Pilot.objects.select_related(
        "solution__government__place", "government__place", "need", "activity"
    ).prefetch_related("milestones")


def express_interest(user, solution: Solution, government: LocalGovernment, need: Need | None = None) -> Pilot:
    """The government asks to adopt the solution: a pilot in status "interest", and an e-mail to
    the offering office."""
    if not permissions.can_view_offer(user, solution):
        raise PermissionDenied(_("You may not see this solution."))
    if government.pk == solution.government_id:
        raise ValidationError({"government_id": [_("A government cannot adopt its own solution.")]})
    if not permissions.can_express_interest(user, solution, government.pk):
        raise PermissionDenied(_("Only editors of the adopting government's office may express interest."))
    if need is not None and need.government_id != government.pk:
        raise ValidationError(
            {"need_id": [_("The need must be one of %(government)s.") % {"government": government.name}]}
        )
    taken = ValidationError(
        {"government_id": [_("%(government)s already has a pilot of this solution.") % {"government": government.name}]}
    )
    if Pilot.objects.filter(solution=solution, government=government).exists():
        raise taken
    try:
        with transaction.atomic():
            pilot = Pilot(solution=solution, government=government, need=need)
            record_author(pilot, user)
            pilot.save()
            notify_interest(pilot)
    except IntegrityError:
        raise taken
    return pilot


def notify_interest(pilot: Pilot) -> None:
    """Queue an e-mail to the offering office's editors, each in their own language."""

    def render() -> tuple[str, str]:
        subject = _("%(government)s is interested in your solution “%(title)s”") % {
            "government": pilot.government.name,
            "title": pilot.solution.title,
        }
        body = _(
            "%(government)s (%(country)s) would like to adopt “%(title)s”.%(need)s\n\n"
            "Follow the pilot on kembar: %(url)s\n"
        ) % {
            "government": pilot.government.name,
            "country": pilot.government.country_code,
            "title": pilot.solution.title,
            "url": mail_url(pilot),
            "need": ("\n" + _("Their need: %(need)s") % {"need": pilot.need.title}) if pilot.need_id else "",
        }
        return subject, body

    queue_translated(editors_by_language([pilot.solution.government_id]), render)


def update_pilot(user, pilot: Pilot, *, expected_version: int | None = None, **data) -> Pilot:
    if not permissions.can_edit_pilot(user, pilot):
        raise PermissionDenied(_("Only editors of the offering or adopting office may change this pilot."))
    data = _clean({k: v for k, v in data.items() if k in PILOT_FIELDS}, creating=False, required=[])
    with transaction.atomic():
        return save_changes(Pilot, pilot.pk, expected_version, user, data)


def add_milestone(user, pilot: Pilot, *, title: str, due: dt.date, status: str = MilestoneStatus.PLANNED) -> Milestone:
    if not permissions.can_edit_pilot(user, pilot):
        raise PermissionDenied(_("Only editors of the offering or adopting office may change this pilot."))
    title = (title or "").strip()
    errors = {}
    if not title:
        errors["title"] = [_("This text cannot be empty.")]
    elif len(title) > TITLE_MAX:
        errors["title"] = [
            _("At most %(limit)d characters (this has %(length)d).") % {"limit": TITLE_MAX, "length": len(title)}
        ]
    if status not in MilestoneStatus.values:
        errors["status"] = [_("Unknown value “%(value)s”.") % {"value": status}]
    if not isinstance(due, dt.date):
        errors["due"] = [_("Give the date as YYYY-MM-DD.")]
    if errors:
        raise ValidationError(errors)
    milestone = Milestone(pilot=pilot, title=title, due=due, status=status)
    record_author(milestone, user)
    milestone.save()
    return milestone


def set_milestone_status(user, milestone: Milestone, status: str) -> Milestone:
    if not permissions.can_edit_pilot(user, milestone.pilot):
        raise PermissionDenied(_("Only editors of the offering or adopting office may change this pilot."))
    if status not in MilestoneStatus.values:
        raise ValidationError({"status": [_("Unknown value “%(value)s”.") % {"value": status}]})
    milestone.status = status
    record_author(milestone, user)
    milestone.save()
    return milestone


def pilot_partnership(pilot: Pilot) -> Partnership | None:
    """The partnership of the offering and the adopting government, if they are partners."""
    a, b = sorted([pilot.solution.government_id, pilot.government_id])
    return Partnership.objects.filter(government_a_id=a, government_b_id=b).first()


def track_as_activity(user, pilot: Pilot, *, start: dt.date, end: dt.date) -> Pilot:
    """Record the pilot as an activity (type smart-city project) of the two governments'
    partnership, hosted by the adopting government from `start` to `end` (its local office
    day), and link it to the pilot. Refused when they are not partners or it is already tracked."""
    from kembar.activities import services as activities
    from kembar.activities.vocab import ActivityType

    if not permissions.can_edit_pilot(user, pilot):
        raise PermissionDenied(_("Only editors of the offering or adopting office may change this pilot."))
    if pilot.activity_id:
        raise ValidationError({"activity": [_("This pilot is already tracked as an activity.")]})
    partnership = pilot_partnership(pilot)
    if partnership is None:
        raise ValidationError(
            {
                "activity": [
                    _(
                        "%(adopter)s and %(offerer)s are not partners in the registry: a pilot is tracked as an "
                        "activity of their partnership."
                    )
                    % {"adopter": pilot.government.name, "offerer": pilot.solution.government.name}
                ]
            }
        )
    if not isinstance(start, dt.date) or not isinstance(end, dt.date):
        raise ValidationError({"start": [_("Give the date as YYYY-MM-DD.")]})
    tz = ZoneInfo(pilot.government.place.timezone or "UTC")
    fields = list(pilot.solution.fields.values_list("code", flat=True)[:1])
    with transaction.atomic():
        activity = activities.create_activity(
            user,
            partnership,
            title=(_("Pilot: %(title)s") % {"title": pilot.solution.title})[:200],
            type=ActivityType.SMART_CITY,
            field=fields[0] if fields else "",
            host=pilot.government,
            start=dt.datetime.combine(start, dt.time(8), tz),
            end=dt.datetime.combine(end, dt.time(16), tz),
            description=pilot.need.title if pilot.need_id else pilot.solution.summary,
            public=pilot.public and partnership.public,
        )
        current = Pilot.objects.select_for_update().get(pk=pilot.pk)
        if current.activity_id:  # someone linked one in between
            raise ValidationError({"activity": [_("This pilot is already tracked as an activity.")]})
        current.activity = activity
        save_version(current, user)
    return current


ADOPTED = [PilotStatus.RUNNING, PilotStatus.ADOPTED]


def adoptions(user, solution: Solution) -> list[Pilot]:
    """The pilots of a solution the user may read, adopted ones first."""
    pilots = permissions.visible_pilots(user, pilot_queryset().filter(solution=solution))
    return sorted(pilots, key=lambda p: (p.status not in ADOPTED, p.government.name))


# The public catalogue


def catalogue(field: str = "", sdg: str = "") -> list[Solution]:
    """Public solutions with their offering government and public adoptions (three queries)."""
    adopted = (
        Pilot.objects.filter(public=True, status__in=ADOPTED)
        .select_related("government__place")
        .order_by("government__name")
    )
    qs = (
        solution_queryset()
        .filter(public=True)
        .prefetch_related(Prefetch("pilots", queryset=adopted, to_attr="public_adoptions"))
        .order_by("title", "id")
    )
    return list(filter_offers(qs, OfferFilter(field=field, sdg=sdg), ()))


def sdg_list(codes) -> list[tuple[str, str]]:
    return [(c, str(SDG_CODES.get(c, c))) for c in codes or []]


def dashboard_summary(government_ids: Iterable[int]) -> dict:
    """The dashboard's lines for the solution exchange: how many needs and solutions the
    user's governments have published (two queries, whatever the numbers)."""
    ids = list(government_ids)
    return {
        "needs": Need.objects.filter(government__in=ids).count() if ids else 0,
        "solutions": Solution.objects.filter(government__in=ids).count() if ids else 0,
        "has_government": bool(ids),
    }
