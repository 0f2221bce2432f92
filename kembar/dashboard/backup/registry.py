"""Which models a backup holds (places aside), in what order, and what makes a registry
non-empty; `clear_registry` empties them for a replacing restore.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import DEFAULT_DB_ALIAS, models
from django_tasks_db.models import DBTaskResult

from kembar.core.models import OutgoingMail
from kembar.gazetteer.models import Place, PlaceName

# Recreated by `migrate`, or not worth keeping (see the module docstring); the job queue and the
# mail queue are work in progress of this server: a restored copy must not send old mails again.
EXCLUDED_MODELS = {ContentType, Permission, Session, DBTaskResult, OutgoingMail}


# Referenced by natural key, because their ids differ between databases.
NATURAL_KEY_MODELS = {ContentType, Permission}


# Rows that migrations create; their presence does not make a registry non-empty.
SEEDED_MODELS = {"partnerships.cooperationfield", "agreements.proceduretemplate", "agreements.templatestage"}


# Rows `kembar load-gazetteer` writes beside the places (traits from sourced data): a backup
# holds them, for the corrections offices made, but a freshly loaded gazetteer's own rows do
# not make a registry non-empty; only an office's correction does.
LOADED_MODELS = {"gazetteer.placetrait": {"withdrawn_at__isnull": False}}


CHUNK = 2000


def registry_models() -> list[type[models.Model]]:
    """Models whose rows a backup holds as they are (places aside), parents before children.

    Auto-created many-to-many tables are not listed: their rows travel with the model that
    declares the field, as in `dumpdata`.
    """
    chosen = [
        model
        for model in apps.get_models()
        if model._meta.managed
        and not model._meta.proxy
        and model not in EXCLUDED_MODELS
        and model not in (Place, PlaceName)
    ]
    return _dependency_order(chosen)


def _dependency_order(chosen: list[type[models.Model]]) -> list[type[models.Model]]:
    """Referenced models first where possible (constraints are deferred anyway)."""
    remaining = list(chosen)
    ordered: list[type[models.Model]] = []
    while remaining:
        for model in remaining:
            deps = {f.related_model for f in model._meta.concrete_fields if f.is_relation}
            deps |= {f.related_model for f in model._meta.many_to_many}
            if not any(dep in remaining and dep is not model for dep in deps):
                break
        else:  # a cycle: take the first one
            model = remaining[0]
        remaining.remove(model)
        ordered.append(model)
    return ordered


def _through_models(model) -> list[type[models.Model]]:
    return [f.remote_field.through for f in model._meta.local_many_to_many if f.remote_field.through._meta.auto_created]


def _place_fields(model) -> list[models.ForeignKey]:
    return [f for f in model._meta.concrete_fields if f.is_relation and f.related_model is Place]


def _label(model) -> str:
    return model._meta.label_lower


def _chunks(items: list, size: int = 900) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# Models that moved between apps: a backup made before the move restores into the new place.
MOVED_MODELS = {"portal.sentreminder": "core.sentreminder"}


def _model(label: str):
    try:
        return apps.get_model(MOVED_MODELS.get(label, label))
    except (LookupError, ValueError):
        return None


def registry_rows(using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    """Rows that make a registry non-empty: everything a backup holds, seeded rows aside."""
    counts = {}
    for model in registry_models():
        if _label(model) in SEEDED_MODELS:
            continue
        rows = model._base_manager.using(using).filter(**LOADED_MODELS.get(_label(model), {}))
        if rows.exists():
            counts[_label(model)] = rows.count()
    unverified = Place.objects.using(using).filter(kind=Place.Kind.UNVERIFIED).count()
    if unverified:
        counts[_label(Place) + " (unverified)"] = unverified
    return counts


def clear_registry(using: str = DEFAULT_DB_ALIAS) -> None:
    """Empty every backed-up table, the unverified places and the sessions; the gazetteer stays.

    Raw deletes, no signals: the caller holds a transaction, and foreign keys are checked at
    its end (Django creates them deferred on both SQLite and PostgreSQL).
    """
    for model in reversed(registry_models()):
        for through in _through_models(model):
            through._base_manager.using(using).all()._raw_delete(using)
        model._base_manager.using(using).all()._raw_delete(using)
    unverified = Place.objects.using(using).filter(kind=Place.Kind.UNVERIFIED)
    PlaceName.objects.using(using).filter(place__in=unverified.values("id"))._raw_delete(using)
    unverified._raw_delete(using)
    Session.objects.using(using).all()._raw_delete(using)
