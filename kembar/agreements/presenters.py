"""What the agreement pages and API show, shaped from the models."""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.utils.translation import gettext as _

from kembar.accounts import permissions
from kembar.partnerships.vocab import Field

from .models import Agreement, AgreementStage, StageDocument

HIDDEN = {"updated", "created", "version", "file", "sha256"}
TYPES = {"+": "created", "~": "changed", "-": "deleted"}


def _display(model, field: str, value, stage_names: dict[int, str]) -> str:
    if value is None or value == "":
        return ""
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
        return value.strftime("%Y-%m-%d %H:%M UTC")
    return str(value)


def _field_labels(codes: list[str]) -> str:
    return ", ".join(str(Field(c).label) if c in Field.values else c for c in codes)


def _label(model, field: str) -> str:
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
    # The fields of cooperation of every agreement record, in one query (simple-history's own
    # diff would query them twice per record).
    through = apps.get_model("agreements", "HistoricalAgreement_fields")
    m2m: dict[int, list[str]] = {}
    for history_id, code in (
        through.objects.filter(history__id=agreement.pk)
        .order_by("cooperationfield_id")
        .values_list("history_id", "cooperationfield_id")
    ):
        m2m.setdefault(history_id, []).append(code)
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
                        "old": _display(model, c.field, c.old, names),
                        "new": _display(model, c.field, c.new, names),
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
