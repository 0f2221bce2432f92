"""The agreement workflow: every rule of the procedure is enforced here, once.

Pages, the API, the CLI and the demo call these functions. Each change runs in one
transaction against a locked row, so a refused change writes nothing, and a change made
against a stale `version` (someone else saved in between) is refused with ConcurrentEdit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import DurationField, ExpressionWrapper, F, IntegerField, Max, Prefetch, Q, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from kembar.accounts import permissions
from kembar.core import languages
from kembar.core.uploads import check_upload
from kembar.core.versioning import (
    ConcurrentEdit,
    create_with_history,
    create_with_relations,
    locked,
    record_author,
    save_version,
)
from kembar.partnerships import services as partnership_services
from kembar.partnerships.models import CooperationField, Partnership
from kembar.partnerships.vocab import Field
from kembar.partnerships.vocab import Status as PartnershipStatus

from .models import (
    Action,
    Agreement,
    AgreementKind,
    AgreementStage,
    AgreementStatus,
    ProcedureTemplate,
    Relation,
    StageDocument,
    StageStatus,
    StageTransition,
    add_years,
)
from .vocab import StageOwner

__all__ = [
    "ConcurrentEdit",
    "create_agreement",
    "default_procedure",
    "update_agreement",
    "advance",
    "go_back",
    "reject",
    "terminate",
    "waiting_for",
    "waiting_elsewhere",
    "upload_document",
    "agreement_queryset",
    "allowed",
    "Allowed",
]

INDONESIA = "ID"
LOI_PROCEDURE = "ksdpl-loi"  # the Letter of Intent's lighter path under KSDPL

EDITABLE_FIELDS = [
    "kind",
    "title",
    "signatories",
    "signed_on",
    "effective_on",
    "validity_years",
    "ends_on",
    "previous",
    "previous_id",
    "relation",
    "languages",
]


def agreement_queryset() -> QuerySet[Agreement]:
    """Agreements with what a list shows, in a fixed number of queries."""
    return Agreement.objects.select_related(
        "partnership__government_a__place", "partnership__government_b__place", "template"
    ).prefetch_related(Prefetch("fields", queryset=CooperationField.objects.order_by("code")))


def stages_of(agreement: Agreement) -> list[AgreementStage]:
    return list(
        agreement.stages.select_related("template_stage", "started_by", "completed_by")
        .prefetch_related(
            Prefetch(
                "documents", queryset=StageDocument.objects.select_related("uploaded_by").order_by("title", "-version")
            )
        )
        .order_by("position")
    )


def _today() -> dt.date:
    return timezone.now().date()


def _not_future(day: dt.date | None) -> bool:
    # Tomorrow in UTC is already today east of Greenwich (07:00 in Bandung is 00:00 UTC).
    return day is None or day <= _today() + dt.timedelta(days=1)


def _clean(agreement: Agreement, fields: list[str] | None) -> None:
    """Check the agreement's values as they would be saved; compute its end date."""
    errors: dict[str, list[str]] = {}
    if not (agreement.title or "").strip():
        errors["title"] = [_("Give the agreement a title.")]
    if agreement.kind not in AgreementKind.values:
        errors["kind"] = [_("Unknown kind “%(value)s”.") % {"value": agreement.kind}]
    if problems := languages.errors(agreement.languages or []):
        errors["languages"] = problems
    if fields is not None:
        bad = [f for f in fields if f not in Field.values]
        if bad:
            errors["fields"] = [_("Unknown field of cooperation: %(codes)s.") % {"codes": ", ".join(bad)}]
    if not _not_future(agreement.signed_on):
        errors["signed_on"] = [_("The signing date cannot be in the future.")]
    if agreement.signed_on and agreement.status in (AgreementStatus.DRAFT, AgreementStatus.IN_PROCEDURE):
        errors["signed_on"] = [_("An agreement gets its signing date when its signing stage is completed.")]
    if agreement.effective_on and agreement.signed_on and agreement.effective_on < agreement.signed_on:
        errors["effective_on"] = [_("An agreement cannot take effect before it is signed.")]
    if agreement.validity_years is not None:
        if agreement.validity_years < 1 or agreement.validity_years > 100:
            errors["validity_years"] = [_("The validity is a number of years between 1 and 100.")]
        elif agreement.starts_on:
            agreement.ends_on = add_years(agreement.starts_on, agreement.validity_years)
    if agreement.ends_on and agreement.starts_on and agreement.ends_on <= agreement.starts_on:
        errors["ends_on"] = [
            _("The end date must be after the start (%(start)s).") % {"start": agreement.starts_on.isoformat()}
        ]
    agreement.relation = agreement.relation or ""  # the API's null: no link
    errors.update(_link_errors(agreement))
    if errors:
        raise ValidationError(errors)


def _link_errors(agreement: Agreement) -> dict[str, list[str]]:
    """The link to an earlier agreement: of the same partnership, with its kind (follows or
    renews), never to itself or around in a circle."""
    if agreement.relation and agreement.relation not in Relation.values:
        return {"relation": [_("Unknown link “%(value)s”.") % {"value": agreement.relation}]}
    if not agreement.previous_id:
        if agreement.relation:
            return {"previous": [_("Choose the earlier agreement this one follows or renews.")]}
        return {}
    if not agreement.relation:
        return {"relation": [_("Say whether this agreement follows or renews the earlier one.")]}
    if agreement.previous_id == agreement.pk:
        return {"previous": [_("An agreement cannot follow or renew itself.")]}
    earlier = dict(Agreement.objects.filter(partnership_id=agreement.partnership_id).values_list("pk", "previous_id"))
    if agreement.previous_id not in earlier:
        return {"previous": [_("The earlier agreement must belong to the same partnership.")]}
    seen, pk = set(), agreement.previous_id
    while pk is not None and pk not in seen:
        if agreement.pk is not None and pk == agreement.pk:
            return {"previous": [_("That agreement already comes after this one.")]}
        seen.add(pk)
        pk = earlier.get(pk)
    return {}


def _check_edit(user, agreement_or_partnership) -> None:
    partnership = getattr(agreement_or_partnership, "partnership", agreement_or_partnership)
    if not permissions.can_edit_partnership(user, partnership):
        raise PermissionDenied(_("Only editors of either partner's office may change its agreements."))


def _check_stage(user, agreement: Agreement, stage: AgreementStage) -> None:
    """Only the stage's party acts on it (accounts.permissions.can_act_on_stage)."""
    owner = stage.template_stage.owner
    if not permissions.can_act_on_stage(user, agreement, owner):
        raise PermissionDenied(
            _("“%(stage)s” is for %(owner)s to complete.")
            % {"stage": stage.name, "owner": StageOwner(owner).label if owner in StageOwner.values else owner}
        )


def default_procedure(user, partnership: Partnership) -> tuple[ProcedureTemplate | None, str]:
    """The procedure and kind a new agreement of `partnership` starts with, for `user`.

    The procedure of the country of a government the user acts for in this partnership (KSDPL for
    an Indonesian office), else the generic one (a procedure without a country). Under the
    Indonesian procedure the first agreement is a Letter of Intent; once the partnership has one
    (not terminated), an MoU; the Letter of Intent takes the lighter KSDPL path (`ksdpl-loi`)
    where it is installed. Otherwise an MoU."""
    countries = [
        g.country_code
        for g in (partnership.government_a, partnership.government_b)
        if permissions.can_act_for(user, g.pk) and g.country_code
    ]
    templates = list(ProcedureTemplate.objects.filter(Q(country_code__in=countries) | Q(country_code="")))
    own = sorted(
        (t for t in templates if t.country_code),
        key=lambda t: (t.country_code != INDONESIA, countries.index(t.country_code), t.code),
    )
    own = [t for t in own if t.code != LOI_PROCEDURE] or own
    generic = sorted((t for t in templates if not t.country_code), key=lambda t: (t.code != "generic", t.code))
    template = (own or generic or [None])[0]
    first_loi = (
        template is not None
        and template.country_code == INDONESIA
        and not partnership.agreements.filter(kind=AgreementKind.LOI)
        .exclude(status=AgreementStatus.TERMINATED)
        .exists()
    )
    if first_loi:
        template = next((t for t in templates if t.code == LOI_PROCEDURE), template)
    return template, AgreementKind.LOI if first_loi else AgreementKind.MOU


def create_agreement(
    user,
    partnership: Partnership,
    *,
    template: ProcedureTemplate | None = None,
    title: str,
    kind: str | None = None,
    fields: Iterable[str] = (),
    **data,
) -> Agreement:
    """A draft agreement with the stages of its procedure, none started yet. Without a
    procedure or a kind, those of `default_procedure` (KSDPL and a Letter of Intent for an
    Indonesian office)."""
    _check_edit(user, partnership)
    if template is None or not kind:
        default_template, default_kind = default_procedure(user, partnership)
        template, kind = template or default_template, kind or default_kind
    if template is None:
        raise ValidationError({"template": [_("Choose a procedure.")]})
    fields = list(fields)
    agreement = Agreement(
        partnership=partnership,
        template=template,
        title=(title or "").strip(),
        kind=kind,
        **{k: v for k, v in data.items() if k in EDITABLE_FIELDS},
    )
    _clean(agreement, fields)
    stages = list(template.stages.order_by("position"))
    if not stages:
        raise ValidationError({"template": [_("The procedure “%(name)s” has no stages.") % {"name": template}]})
    with transaction.atomic():
        create_with_relations(agreement, user, fields=fields)
        create_with_history(
            [AgreementStage(agreement=agreement, template_stage=stage, position=stage.position) for stage in stages],
            user,
        )
    return agreement


def _lock(agreement: Agreement, expected_version: int | None) -> Agreement:
    # The partnership is locked too: signing activates a proposed one (`_activate_partnership`).
    current = locked(
        Agreement.objects.select_related("partnership", "template"),
        agreement.pk,
        expected_version,
        of=("self", "partnership"),
    )
    if current.status == AgreementStatus.TERMINATED:
        raise ValidationError(_("This agreement was terminated; it can no longer change."))
    return current


def update_agreement(
    user, agreement: Agreement, *, expected_version: int | None = None, fields: Iterable[str] | None = None, **data
) -> Agreement:
    """Change the agreement's particulars (not its procedure: see advance and go_back)."""
    _check_edit(user, agreement)
    fields = list(fields) if fields is not None else None
    with transaction.atomic():
        current = _lock(agreement, expected_version)
        for key, value in data.items():
            if key in EDITABLE_FIELDS:
                setattr(current, key, value)
        if "title" in data:
            current.title = (current.title or "").strip()
        _clean(current, fields)
        current = save_version(current, user)
        if fields is not None:
            current.fields.set(fields)
    return current


def _stage(stage: AgreementStage, user, status: str, now: dt.datetime) -> None:
    stage.status = status
    if status == StageStatus.ACTIVE:
        stage.started_at, stage.started_by = now, user if user and user.is_authenticated else None
        stage.completed_at = stage.completed_by = None
    elif status == StageStatus.DONE:
        stage.completed_at, stage.completed_by = now, user if user and user.is_authenticated else None
    else:
        stage.started_at = stage.started_by = stage.completed_at = stage.completed_by = None
    record_author(stage, user)
    stage.save()


def latest_documents(stage: AgreementStage) -> list[StageDocument]:
    """The latest version of each document of a stage."""
    seen, latest = set(), []
    for doc in stage.documents.order_by("title", "-version"):
        if doc.title not in seen:
            seen.add(doc.title)
            latest.append(doc)
    return latest


def _record(agreement, user, action, now, *, from_stage=None, to_stage=None, reason="", evidence=()) -> None:
    transition = StageTransition.objects.create(
        agreement=agreement,
        action=action,
        from_stage=from_stage,
        to_stage=to_stage,
        reason=reason,
        user=user if user and user.is_authenticated else None,
        at=now,
    )
    if evidence:
        transition.evidence.set(evidence)


def _active(stages: list[AgreementStage]) -> AgreementStage | None:
    return next((s for s in stages if s.status == StageStatus.ACTIVE), None)


def _advance_refusal(stages: list[AgreementStage], has_evidence: bool) -> ValidationError | None:
    """Why the procedure cannot move on now (None: it can, given a signing date where needed)."""
    active = _active(stages)
    if active is None:
        if any(s.status == StageStatus.DONE for s in stages):
            return ValidationError(_("Every stage of the procedure is complete."))
        return None  # a draft: the first stage starts
    spec = active.template_stage
    if spec.evidence_required and not has_evidence:
        return ValidationError(
            {
                "evidence": [
                    _("“%(stage)s” cannot be completed without its evidence: upload %(evidence)s first.")
                    % {"stage": spec.name, "evidence": spec.evidence or _("a document")}
                ]
            }
        )
    if spec.is_signing:
        missing = [
            s
            for s in stages
            if s.template_stage.before_signing and s.position < active.position and s.status != StageStatus.DONE
        ]
        if missing:
            return ValidationError(
                _("The agreement cannot be signed before these stages are complete: %(stages)s.")
                % {"stages": ", ".join(s.name for s in missing)}
            )
    return None


def _back_refusal(stages: list[AgreementStage]) -> ValidationError | None:
    """Why the procedure cannot go back a stage now (None: it can, given a reason)."""
    active = _active(stages)
    if active is None:
        return ValidationError(_("No stage is in progress, so there is nothing to go back from."))
    previous = next((s for s in reversed(stages) if s.position < active.position), None)
    if previous is None:
        return ValidationError(_("The procedure is at its first stage; there is no stage before it."))
    if previous.template_stage.is_signing:
        return ValidationError(
            _(
                "The agreement is signed; its signing cannot be undone. "
                "Terminate it and prepare a new agreement instead."
            )
        )
    return None


def _upload_refusal(agreement: Agreement, stage: AgreementStage) -> ValidationError | None:
    if agreement.status == AgreementStatus.TERMINATED:
        return ValidationError(_("This agreement was terminated; it can no longer change."))
    if stage.status == StageStatus.PENDING:
        return ValidationError(
            _("The stage “%(stage)s” has not started yet: upload its documents when the procedure reaches it.")
            % {"stage": stage.name}
        )
    return None


@dataclass(frozen=True)
class Allowed:
    """What a user may do to an agreement now: exactly what the services below would accept
    (the page offers these actions and no others)."""

    edit: bool = False
    start: bool = False
    advance: bool = False
    # Why the stage in progress cannot be completed yet (its evidence is missing), when so.
    advance_refusal: str = ""
    back: bool = False  # return the stage in progress to the previous party, with notes
    reject: bool = False
    terminate: bool = False
    upload: frozenset[int] = frozenset()  # the stages that take documents


def allowed(user, agreement: Agreement, stages: list[AgreementStage] | None = None) -> Allowed:
    """Ask the same rules as `advance`, `go_back`, `reject`, `terminate` and `upload_document`;
    `stages` as `stages_of` gives them (their documents prefetched), read again when not given.
    The office's editors edit, start and terminate; the party of the stage in progress decides
    it (approve, return with notes, reject); each party uploads to its own stages."""
    if agreement.status == AgreementStatus.TERMINATED:
        return Allowed()
    stages = stages if stages is not None else stages_of(agreement)
    edits = permissions.can_edit_partnership(user, agreement.partnership)
    acts: dict[str, bool] = {}

    def may(stage: AgreementStage) -> bool:
        owner = stage.template_stage.owner
        if owner not in acts:
            acts[owner] = permissions.can_act_on_stage(user, agreement, owner)
        return acts[owner]

    for stage in stages:  # every party at once: the same queries whatever the stage in progress
        may(stage)
    active = _active(stages)
    decides = active is not None and may(active)
    if not edits and not decides and not any(may(s) for s in stages if s.status != StageStatus.PENDING):
        return Allowed()
    refusal = _advance_refusal(stages, bool(active and active.documents.all()))
    return Allowed(
        edit=edits,
        start=edits and active is None and refusal is None,
        advance=decides and refusal is None,
        advance_refusal=" ".join(refusal.messages) if decides and refusal is not None else "",
        back=decides and _back_refusal(stages) is None,
        reject=decides,
        terminate=edits,
        upload=frozenset(s.pk for s in stages if _upload_refusal(agreement, s) is None and may(s)),
    )


def _activate_partnership(user, agreement: Agreement) -> bool:
    """A signed agreement (the LoI, usually) makes a proposed partnership active."""
    partnership = agreement.partnership
    if partnership.status != PartnershipStatus.PROPOSED:
        return False
    partnership_services.update_partnership(user, partnership, status=PartnershipStatus.ACTIVE)
    return True


def advance(
    user,
    agreement: Agreement,
    *,
    expected_version: int | None = None,
    signed_on: dt.date | None = None,
    effective_on: dt.date | None = None,
    validity_years: int | None = None,
    reason: str = "",
) -> Agreement:
    """Complete the stage in progress and start the next one (from a draft: start the first).

    The stage needs its evidence if its template says so; completing the signing stage needs
    a signing date, not in the future, and every stage that must precede signing complete. A
    signing moves a proposed partnership to active; the returned agreement's
    `activated_partnership` says whether it did. The office's editors start the procedure; the
    party of the stage in progress completes it (its approval).
    """
    now = timezone.now()
    with transaction.atomic():
        current = _lock(agreement, expected_version)
        stages = list(current.stages.select_related("template_stage").select_for_update().order_by("position"))
        active = _active(stages)
        if active is None:
            _check_edit(user, current)
        else:
            _check_stage(user, current, active)
        evidence = latest_documents(active) if active is not None else []
        if (refusal := _advance_refusal(stages, bool(evidence))) is not None:
            raise refusal
        if active is None:
            first = stages[0]
            _stage(first, user, StageStatus.ACTIVE, now)
            _record(current, user, Action.START, now, to_stage=first, reason=reason)
            current.status = AgreementStatus.IN_PROCEDURE
            return save_version(current, user)
        activated = False
        if active.template_stage.is_signing:
            signed_on = signed_on or current.signed_on
            if signed_on is None:
                raise ValidationError({"signed_on": [_("Give the date the agreement was signed.")]})
            current.status = AgreementStatus.SIGNED
            current.signed_on = signed_on
            if effective_on is not None:
                current.effective_on = effective_on
            if validity_years is not None:
                current.validity_years = validity_years
            _clean(current, None)
            activated = _activate_partnership(user, current)
        following = next((s for s in stages if s.position > active.position), None)
        _stage(active, user, StageStatus.DONE, now)
        if following is not None:
            _stage(following, user, StageStatus.ACTIVE, now)
        _record(
            current, user, Action.ADVANCE, now, from_stage=active, to_stage=following, reason=reason, evidence=evidence
        )
        current = save_version(current, user)
        current.activated_partnership = activated  # type: ignore[attr-defined]
        return current


def _reason(reason: str, missing: str) -> str:
    """The reason a step needs, stripped; `missing` is the message when there is none."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [missing]})
    return reason


def go_back(user, agreement: Agreement, *, reason: str, expected_version: int | None = None) -> Agreement:
    """Return the procedure to the stage before the one in progress, with notes (required):
    the stage's party sends the file back to the previous party, who sees the notes on the
    agreement's page and in its queue."""
    reason = _reason(reason, _("Say why the procedure goes back a stage."))
    now = timezone.now()
    with transaction.atomic():
        current = _lock(agreement, expected_version)
        stages = list(current.stages.select_related("template_stage").select_for_update().order_by("position"))
        active = _active(stages)
        if active is None:
            _check_edit(user, current)
        else:
            _check_stage(user, current, active)
        if (refusal := _back_refusal(stages)) is not None:
            raise refusal
        assert active is not None
        previous = next(s for s in reversed(stages) if s.position < active.position)
        _stage(active, user, StageStatus.PENDING, now)
        _stage(previous, user, StageStatus.ACTIVE, now)
        _record(current, user, Action.BACK, now, from_stage=active, to_stage=previous, reason=reason)
        return save_version(current, user)


def reject(user, agreement: Agreement, *, reason: str, expected_version: int | None = None) -> Agreement:
    """The party of the stage in progress refuses the agreement, with its reasons (required):
    the procedure ends there and the agreement is terminated (a new one may be prepared)."""
    reason = _reason(reason, _("Say why the agreement is rejected."))
    now = timezone.now()
    with transaction.atomic():
        current = _lock(agreement, expected_version)
        active = (
            current.stages.select_related("template_stage")
            .select_for_update()
            .filter(status=StageStatus.ACTIVE)
            .first()
        )
        if active is None:
            raise ValidationError(_("No stage is in progress, so there is nothing to reject."))
        _check_stage(user, current, active)
        _record(current, user, Action.REJECT, now, from_stage=active, reason=reason)
        current.status = AgreementStatus.TERMINATED
        return save_version(current, user)


def terminate(user, agreement: Agreement, *, reason: str, expected_version: int | None = None) -> Agreement:
    _check_edit(user, agreement)
    reason = _reason(reason, _("Say why the agreement is terminated."))
    now = timezone.now()
    with transaction.atomic():
        current = _lock(agreement, expected_version)
        active = current.stages.filter(status=StageStatus.ACTIVE).first()
        _record(current, user, Action.TERMINATE, now, from_stage=active, reason=reason)
        current.status = AgreementStatus.TERMINATED
        return save_version(current, user)


def upload_document(user, stage: AgreementStage, upload, *, title: str = "") -> StageDocument:
    """Store a document of a stage (by the stage's party); the same title again is its next version."""
    _check_stage(user, stage.agreement, stage)
    if (refusal := _upload_refusal(stage.agreement, stage)) is not None:
        raise refusal
    checked = getattr(upload, "checked", None) or check_upload(upload)
    title = (title or "").strip() or checked.name.rpartition(".")[0] or checked.name
    if len(title) > 200:
        raise ValidationError({"title": [_("The title may be at most 200 characters.")]})
    with transaction.atomic():
        AgreementStage.objects.select_for_update().filter(pk=stage.pk).first()
        last = stage.documents.filter(title=title).aggregate(v=Max("version"))["v"] or 0
        doc = StageDocument(
            stage=stage,
            title=title,
            version=last + 1,
            filename=checked.name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            uploaded_by=user if user and user.is_authenticated else None,
        )
        upload.seek(0)
        doc.file.save(checked.name, upload, save=False)
        record_author(doc, user)
        doc.save()
    return doc


# Reading


def visible_agreements(user) -> QuerySet[Agreement]:
    return permissions.visible_agreements(user, agreement_queryset())


def with_waiting_stage(queryset: QuerySet[Agreement]) -> QuerySet[Agreement]:
    """Each agreement in procedure with its stage in progress as `waiting` (a list of at most
    one; one more query for the whole page), for lists that say where each file waits. A signed
    agreement's implementation stage is its life, not a wait: its list is empty."""
    return queryset.prefetch_related(
        Prefetch(
            "stages",
            queryset=AgreementStage.objects.filter(
                status=StageStatus.ACTIVE, started_at__isnull=False, agreement__status=AgreementStatus.IN_PROCEDURE
            )
            .select_related("template_stage")
            .order_by("position"),
            to_attr="waiting",
        )
    )


def office_agreements(user) -> QuerySet[Agreement]:
    """An office's own agreements; everyone else sees every agreement they may read."""
    qs = visible_agreements(user)
    if own := list(permissions.office_view_government_ids(user)):
        qs = qs.filter(Q(partnership__government_a__in=own) | Q(partnership__government_b__in=own))
    return qs


def stuck_stage_queryset(
    now: dt.datetime, queryset: QuerySet[AgreementStage] | None = None
) -> QuerySet[AgreementStage]:
    """Stages in progress past their expected duration (due at `now` or before), as SQL with the
    due moment aliased as `due`. Each stage has its own expected days: started_at + days is
    computed by the database (SQLite and PostgreSQL), so it can filter, order, limit or sit in a
    subquery (the health score's procedure factor)."""
    days = ExpressionWrapper(F("template_stage__expected_days"), output_field=IntegerField())
    due = F("started_at") + ExpressionWrapper(days * Value(dt.timedelta(days=1)), output_field=DurationField())
    return (
        (queryset if queryset is not None else AgreementStage.objects.all())
        .filter(status=StageStatus.ACTIVE, started_at__isnull=False, template_stage__expected_days__isnull=False)
        .exclude(agreement__status=AgreementStatus.TERMINATED)
        .alias(due=due)
        .filter(due__lte=now)
    )


def stuck_stages(
    now: dt.datetime, queryset: QuerySet[AgreementStage] | None = None, limit: int | None = None
) -> list[AgreementStage]:
    """`stuck_stage_queryset`, longest overdue first, with what the lists show."""
    qs = stuck_stage_queryset(now, queryset).select_related(
        "template_stage", "agreement__partnership__government_a", "agreement__partnership__government_b"
    )
    qs = qs.order_by("due", *AgreementStage._meta.ordering)
    return list(qs[:limit] if limit else qs)


def ending_soon(
    today: dt.date, days: int = 180, queryset: QuerySet[Agreement] | None = None, limit: int | None = None
) -> list[Agreement]:
    """Signed agreements ending within `days` (not yet ended), soonest first."""
    qs = (
        (queryset if queryset is not None else Agreement.objects.all())
        .filter(
            status__in=[AgreementStatus.SIGNED, AgreementStatus.IN_FORCE],
            ends_on__gte=today,
            ends_on__lte=today + dt.timedelta(days=days),
        )
        .select_related("partnership__government_a", "partnership__government_b")
    )
    qs = qs.order_by("ends_on", "id")
    return list(qs[:limit] if limit else qs)


# Queues: what waits for whom


def _queue_queryset() -> QuerySet[AgreementStage]:
    return (
        AgreementStage.objects.filter(status=StageStatus.ACTIVE, started_at__isnull=False)
        .exclude(agreement__status=AgreementStatus.TERMINATED)
        .select_related(
            "template_stage",
            "agreement__partnership__government_a__place",
            "agreement__partnership__government_b__place",
        )
        .order_by("started_at", "pk")
    )


def acts_on_current_stage(user, agreement: Agreement) -> bool:
    """May the user decide the stage in progress (or, before the procedure starts, start it)?"""
    active = agreement.stages.select_related("template_stage").filter(status=StageStatus.ACTIVE).first()
    if active is None:
        return permissions.can_edit_agreement(user, agreement)
    return permissions.can_act_on_stage(user, agreement, active.template_stage.owner)


OFFICE_OWNERS = (StageOwner.OFFICE, StageOwner.DPRD, StageOwner.PARTNER)


def waiting_for(user, *, oversight_only: bool = False) -> QuerySet[AgreementStage]:
    """The stages in progress that wait for the user to act (permissions.waiting_stage_rule),
    longest waiting first; none for visitors and viewers. `oversight_only`: only the stages of
    the provincial government, Kemendagri and Kemlu (the oversight queue of the API)."""
    rule = permissions.waiting_stage_rule(user)
    if rule is None:
        return AgreementStage.objects.none()
    queryset = _queue_queryset().filter(rule)
    return queryset.exclude(template_stage__owner__in=OFFICE_OWNERS) if oversight_only else queryset


def waiting_elsewhere(user) -> QuerySet[AgreementStage]:
    """The office's agreements whose stage in progress waits for another party (the province,
    Kemendagri, Kemlu): where its file is and since when. Empty for those without an office."""
    own = list(permissions.read_government_ids(user))
    if not own:
        return AgreementStage.objects.none()
    return (
        _queue_queryset()
        .exclude(template_stage__owner__in=OFFICE_OWNERS)
        .filter(Q(agreement__partnership__government_a__in=own) | Q(agreement__partnership__government_b__in=own))
    )


def days_waiting(stage: AgreementStage, now: dt.datetime | None = None) -> int:
    """Whole days since the stage started (0 on its first day)."""
    return max(0, ((now or timezone.now()) - stage.started_at).days) if stage.started_at else 0


def is_overdue(stage: AgreementStage, now: dt.datetime | None = None) -> bool:
    due = stage.due_at()
    return due is not None and due <= (now or timezone.now())


def last_return(stages: Iterable[AgreementStage]) -> dict[int, StageTransition]:
    """For each stage, the latest time the file was returned to it with notes (one query)."""
    ids = [s.pk for s in stages]
    found: dict[int, StageTransition] = {}
    for t in (
        StageTransition.objects.filter(action=Action.BACK, to_stage__in=ids).select_related("user").order_by("at", "id")
    ):
        found[t.to_stage_id] = t
    return found
