"""What the agreement pages and API show, shaped from the models."""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kembar.accounts import permissions
from kembar.accounts.models import Membership
from kembar.core import languages
from kembar.partnerships.vocab import Field

from .models import Action, Agreement, AgreementStage, StageDocument

HIDDEN = {"updated", "created", "version", "file", "sha256"}
TYPES = {"+": "created", "~": "changed", "-": "deleted"}


def _historical_fields(agreement) -> dict[int, list[str]]:
    """The fields of cooperation of every history record of `agreement`, in one query
    (simple-history's own diff would query them twice per record)."""
    through = apps.get_model("agreements", "HistoricalAgreement_fields")
    m2m: dict[int, list[str]] = {}
    for history_id, code in (
        through.objects.filter(history__id=agreement.pk)
        .order_by("cooperationfield_id")
        .values_list("history_id", "cooperationfield_id")
    ):
        m2m.setdefault(history_id, []).append(code)
    return m2m


def _display(model, field: str, value, stage_names: dict[int, str], users: dict[int, str] | None = None) -> str:
    if value is None or value == "":
        return ""
    if field.endswith("_by"):
        return (users or {}).get(value, "?")
    if field == "fields":
        return ", ".join(
            str(Field(row["cooperationfield"]).label)
            if row["cooperationfield"] in Field.values
            else row["cooperationfield"]
            for row in value or []
        )
    if field == "template_stage" or field == "stage":
        return stage_names.get(value, str(value))
    try:
        model_field = model._meta.get_field(field)
    except Exception:  # noqa: BLE001 - a field that no longer exists
        return str(value)
    if model_field.choices and value in dict(model_field.choices):
        return str(dict(model_field.choices)[value])
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return str(value)


def _field_labels(codes: list[str]) -> str:
    return ", ".join(str(Field(c).label) if c in Field.values else c for c in codes)


LABELS = {
    "template_stage": gettext_lazy("stage"),
    "started_by": gettext_lazy("started by"),
    "completed_by": gettext_lazy("completed by"),
}


def _label(model, field: str) -> str:
    if field in LABELS:
        return str(LABELS[field])
    try:
        return str(model._meta.get_field(field).verbose_name)
    except Exception:  # noqa: BLE001
        return field


def audit_trail(agreement: Agreement, limit: int | None = None) -> list[dict]:
    """Every recorded change of the agreement, its stages and its documents, newest first:
    who, when, what, and each changed field's value before and after.

    A fixed number of queries (one per model), whatever the length of the history.
    """
    stages = {s.pk: s for s in AgreementStage.objects.filter(agreement=agreement).select_related("template_stage")}
    template_stage_names = {s.template_stage_id: s.template_stage.name for s in stages.values()}
    stage_names = {pk: s.template_stage.name for pk, s in stages.items()}
    sources = [
        (Agreement, agreement.history.all(), lambda r: _("Agreement"), template_stage_names),
        (
            AgreementStage,
            AgreementStage.history.filter(agreement_id=agreement.pk),
            lambda r: _("Stage: %(name)s") % {"name": template_stage_names.get(r.template_stage_id, "?")},
            template_stage_names,
        ),
        (
            StageDocument,
            StageDocument.history.filter(stage_id__in=list(stages)),
            lambda r: (
                _("Document: %(title)s (version %(version)s, %(stage)s)")
                % {"title": r.title, "version": r.version, "stage": stage_names.get(r.stage_id, "?")}
            ),
            stage_names,
        ),
    ]
    m2m = _historical_fields(agreement)
    ids = {
        pk
        for pair in AgreementStage.history.filter(agreement_id=agreement.pk).values_list(
            "started_by_id", "completed_by_id"
        )
        for pk in pair
        if pk is not None
    }
    users = dict(get_user_model().objects.filter(pk__in=ids).values_list("pk", "username")) if ids else {}
    entries = []
    for model, records, describe, names in sources:
        records = list(records.select_related("history_user").order_by("id", "history_date", "history_id"))
        previous = {}
        for record in records:
            older = previous.get(record.id)
            changes = []
            if older is not None:
                excluded = (HIDDEN & {f.name for f in model._meta.fields}) | (
                    {"fields"} if model is Agreement else set()
                )
                delta = record.diff_against(older, excluded_fields=excluded)
                changes = [
                    {
                        "field": _label(model, c.field),
                        "old": _display(model, c.field, c.old, names, users),
                        "new": _display(model, c.field, c.new, names, users),
                    }
                    for c in delta.changes
                    if c.field not in HIDDEN
                ]
                if model is Agreement:
                    before, after = m2m.get(older.history_id, []), m2m.get(record.history_id, [])
                    if before != after:
                        changes.append(
                            {
                                "field": _label(model, "fields"),
                                "old": _field_labels(before),
                                "new": _field_labels(after),
                            }
                        )
            elif record.history_type == "+":
                if model is Agreement and m2m.get(record.history_id):
                    changes.append(
                        {"field": _label(model, "fields"), "old": "", "new": _field_labels(m2m[record.history_id])}
                    )
                for f in model._meta.concrete_fields:
                    if f.name in HIDDEN or f.name in ("id", "agreement", "partnership") or f.name.endswith("_by"):
                        continue
                    value = getattr(record, f.attname, None)
                    shown = _display(model, f.name, value, names)
                    if shown:
                        changes.append({"field": _label(model, f.name), "old": "", "new": shown})
            previous[record.id] = record
            if older is not None and not changes and record.history_type == "~":
                continue  # a save that changed nothing shown (e.g. only the version)
            entries.append(
                {
                    "date": record.history_date,
                    "user": record.history_user,
                    "username": record.history_user.get_username() if record.history_user else "",
                    "object": describe(record),
                    "type": TYPES.get(record.history_type, ""),
                    "changes": changes,
                }
            )
    entries.sort(key=lambda e: e["date"], reverse=True)
    return entries[:limit] if limit else entries


TYPE_LABELS = {"created": "Created", "changed": "Changed", "deleted": "Deleted"}


def viewer_timezone(user, agreement: Agreement) -> str:
    """Times are shown in the viewer's own office's time zone, else the first partner's."""
    own = permissions.read_government_ids(user)
    p = agreement.partnership
    for g in (p.government_a, p.government_b):
        if g.pk in own and g.place.timezone:
            return g.place.timezone
    return p.government_a.place.timezone or "UTC"


# The history on the agreement's page: what happened, in words, with names.

# Fields whose change the procedure's own entries already tell (a start, a signing, a termination).
TOLD_BY_TRANSITIONS = {"status"}


def actors(user_ids: set[int], partnership) -> dict[int, str]:
    """Each user as a person reads them: "Siti Rahma (Kota Bandung)", their name and the
    government their office acts for (one of the partnership's when they have several)."""
    if not user_ids:
        return {}
    users = (
        get_user_model()
        .objects.filter(pk__in=user_ids)
        .prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.select_related("organisation__local_government"))
        )
    )
    partners = {partnership.government_a_id, partnership.government_b_id}
    names = {}
    for user in users:
        name = user.get_full_name() or user.get_username()
        offices = sorted(
            user.memberships.all(), key=lambda m: (m.organisation.local_government_id not in partners, m.pk)
        )
        if offices:
            office = offices[0].organisation
            where = office.local_government.name if office.local_government else office.name
            name = _("%(name)s (%(office)s)") % {"name": name, "office": where}
        names[user.pk] = name
    return names


def _words(field: str, value, titles: dict[int, str]) -> str:
    """A recorded value as the page shows it."""
    if value is None or value == "" or value == []:
        return "—"
    if field == "previous":
        return titles.get(value, "?")
    if field == "languages":
        return languages.names(value)
    if isinstance(value, dt.date):
        return formats.date_format(value, "DATE_FORMAT")
    choices = {f.name: f.choices for f in Agreement._meta.fields}.get(field)
    if choices and value in dict(choices):
        return str(dict(choices)[value])
    return str(value)


def history(agreement: Agreement) -> list[dict]:
    """What happened to the agreement, newest first, each entry a sentence naming who did it:
    the procedure's moves (with their reason and evidence), the documents uploaded and the
    changes to the agreement's particulars. `at` is UTC: the page shows it in its zone.

    A fixed number of queries, whatever the length of the history."""
    transitions = list(
        agreement.transitions.select_related("from_stage__template_stage", "to_stage__template_stage")
        .prefetch_related("evidence")
        .order_by("at", "id")
    )
    stage_names = {
        s.pk: s.template_stage.name
        for s in AgreementStage.objects.filter(agreement=agreement).select_related("template_stage")
    }
    documents = list(
        StageDocument.history.filter(stage_id__in=list(stage_names), history_type="+").order_by("history_date")
    )
    records = list(agreement.history.order_by("history_date", "history_id"))
    m2m = _historical_fields(agreement)
    titles = dict(Agreement.objects.filter(partnership_id=agreement.partnership_id).values_list("pk", "title"))
    ids = (
        {t.user_id for t in transitions} | {d.history_user_id for d in documents} | {r.history_user_id for r in records}
    )
    names = actors({pk for pk in ids if pk is not None}, agreement.partnership)
    nobody = _("the platform")

    def who(user_id) -> str:
        return names.get(user_id, nobody) if user_id else nobody

    entries = []
    for t in transitions:
        values = {
            "actor": who(t.user_id),
            "stage": t.to_stage.name if t.to_stage else "",
            "done": t.from_stage.name if t.from_stage else "",
            "from": t.from_stage.name if t.from_stage else "",
            "to": t.to_stage.name if t.to_stage else "",
        }
        if t.action == Action.START:
            text = _("Procedure started at “%(stage)s” by %(actor)s") % values
        elif t.action == Action.ADVANCE and t.from_stage and t.from_stage.template_stage.is_signing:
            text = _("Signing recorded (“%(done)s” complete) by %(actor)s") % values
        elif t.action == Action.ADVANCE and t.to_stage:
            text = _("“%(done)s” completed and “%(stage)s” started by %(actor)s") % values
        elif t.action == Action.ADVANCE:
            text = _("“%(done)s”, the last stage, completed by %(actor)s") % values
        elif t.action == Action.BACK:
            text = _("Sent back from “%(from)s” to “%(to)s” by %(actor)s") % values
        elif t.action == Action.REJECT:
            text = _("Rejected at “%(from)s” by %(actor)s") % values
        else:
            text = _("Agreement terminated by %(actor)s") % values
        entries.append(
            {"at": t.at, "kind": t.action, "text": text, "reason": t.reason, "evidence": list(t.evidence.all())}
        )
    for d in documents:
        entries.append(
            {
                "at": d.history_date,
                "kind": "document",
                "text": _("“%(title)s” (version %(version)s) uploaded to “%(stage)s” by %(actor)s")
                % {
                    "title": d.title,
                    "version": d.version,
                    "stage": stage_names.get(d.stage_id, "?"),
                    "actor": who(d.history_user_id),
                },
            }
        )
    shown = [f for f in EDITABLE if f not in TOLD_BY_TRANSITIONS]
    older = None
    for record in records:
        if older is None or record.history_type == "+":
            entries.append(
                {
                    "at": record.history_date,
                    "kind": "created",
                    "text": _("Agreement created by %(actor)s") % {"actor": who(record.history_user_id)},
                }
            )
        else:
            changes = [
                {
                    "field": _label(Agreement, f),
                    "old": _words(f, getattr(older, f if f != "previous" else "previous_id"), titles),
                    "new": _words(f, getattr(record, f if f != "previous" else "previous_id"), titles),
                }
                for f in shown
                if getattr(older, f if f != "previous" else "previous_id")
                != getattr(record, f if f != "previous" else "previous_id")
            ]
            before, after = m2m.get(older.history_id, []), m2m.get(record.history_id, [])
            if before != after:
                changes.append(
                    {
                        "field": _label(Agreement, "fields"),
                        "old": _field_labels(before) or "—",
                        "new": _field_labels(after) or "—",
                    }
                )
            creating = (
                older.history_type == "+"
                and older.history_user_id == record.history_user_id
                and record.history_date - older.history_date < dt.timedelta(seconds=5)
            )
            if changes and not creating:  # (the fields of cooperation set as it was created)
                entries.append(
                    {
                        "at": record.history_date,
                        "kind": "changed",
                        "text": _("Agreement changed by %(actor)s") % {"actor": who(record.history_user_id)},
                        "changes": changes,
                    }
                )
        older = record
    entries.sort(key=lambda e: e["at"], reverse=True)
    return entries


# The particulars of an agreement whose changes the history tells.
EDITABLE = [
    "kind",
    "title",
    "signatories",
    "languages",
    "signed_on",
    "effective_on",
    "validity_years",
    "ends_on",
    "previous",
    "relation",
    "status",
]


def procedure_anchor(agreement: Agreement) -> str:
    """Where the page opens after a move of the procedure: the stage now in progress, else the
    procedure as a whole."""
    if agreement.status == "terminated":
        return "procedure"
    position = agreement.stages.filter(status="active").values_list("position", flat=True).first()
    return f"stage-{position}" if position else "procedure"
