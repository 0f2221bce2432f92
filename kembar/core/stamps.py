"""Stamps: what a change of data concerns, so that a cache drops only what the change touched.

A *subject* is a pair such as ("partnership", 12) or ("government", 3). Each subject has a stamp
in Django's cache (with CACHE_URL, one Redis for every process), and there is one stamp of
"everything". A value kept under the stamps of the subjects it shows (`current(subjects)` in its
key) is not found again once a change concerning one of them, or a change of unknown reach, has
given that subject (or everything) a new stamp.

The apps say what a saved or deleted row of theirs concerns (`concerns(Model, resolve)`, called
in their AppConfig.ready()): `resolve(instance)` gives its subjects, or None for "possibly
everything". A row of a kembar model that no app describes concerns everything, so a model
nobody thought about is never served stale; `quiet(Model)` marks rows that no kept page shows
(a session, a sent mail). A history record (django-simple-history) comes with the save of its
object, which says what it concerns, so it is quiet itself.

A stamp is renewed when the change is saved (the writer's own next page) and again after the
commit (another process may have read the data in between, before the change was visible to
it), then once for all the rows the transaction changed. Other caches kept per partnership
learn what each row concerned from `listen`, without resolving it again. Writes that send no
signal (a queryset `update()`, `bulk_create`) show once the kept value has expired
(`caching.cache_seconds()`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable

from django.apps import apps
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save

from .database import pending_until_commit

Subject = tuple[str, int]
Resolver = Callable[[object], Iterable[Subject] | None]

ALL_KEY = "kembar:stamp:all"
_resolvers: dict[type, Resolver] = {}
_quiet: set[type] = set()
_listeners: list[Callable[[type, Iterable[Subject] | None], None]] = []


def _key(subject: Subject) -> str:
    return f"kembar:stamp:{subject[0]}:{subject[1]}"


def concerns(model: type, resolve: Resolver) -> None:
    """Rows of `model` concern `resolve(instance)` (None: possibly everything)."""
    _resolvers[model] = resolve


def quiet(*models: type) -> None:
    """Rows of these models are shown by no kept value: their changes renew nothing."""
    _quiet.update(models)


def _read(keys: list[str]) -> dict[str, str]:
    """The stamps under `keys` (one cache round trip; a stamp not in the cache, never set or
    evicted, gets a new one)."""
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            cache.add(key, uuid.uuid4().hex, None)
            found[key] = cache.get(key)
    return {key: str(value) for key, value in found.items()}


def current(subjects: Iterable[Subject]) -> tuple[str, ...]:
    """The stamp of everything, then those of `subjects` in a stable order."""
    keys = [ALL_KEY] + [_key(s) for s in sorted(set(subjects))]
    found = _read(keys)
    return tuple(found[key] for key in keys)


def each(subjects: Iterable[Subject]) -> dict[Subject, tuple[str, str]]:
    """For values kept one per subject (a list's rows): each subject's stamp with the stamp of
    everything."""
    subjects = set(subjects)
    found = _read([ALL_KEY] + [_key(s) for s in subjects])
    return {s: (found[ALL_KEY], found[_key(s)]) for s in subjects}


def _renew(subjects: frozenset[Subject] | None) -> None:
    if subjects is None:
        cache.set(ALL_KEY, uuid.uuid4().hex, None)
    elif subjects:
        value = uuid.uuid4().hex
        cache.set_many({_key(s): value for s in subjects}, None)


EVERYTHING: Subject = ("*", 0)  # in a transaction's pending subjects: a change of unknown reach


def _renew_pending(pending: set[Subject]) -> None:
    _renew(None if EVERYTHING in pending else frozenset(pending))


def renew(subjects: Iterable[Subject] | None) -> None:
    """New stamps for `subjects` (None: everything), now and after the commit: once for all the
    rows the transaction changed (thirteen rows of one agreement, one write)."""
    subjects = None if subjects is None else frozenset(s for s in subjects if s[1] is not None)
    if subjects == frozenset():
        return
    _renew(subjects)
    pending = pending_until_commit(_renew_pending)
    if pending is not None:
        pending |= {EVERYTHING} if subjects is None else subjects


def subjects_of(model: type, instance) -> Iterable[Subject] | None:
    """What a saved or deleted row concerns: its app's answer; nothing for a quiet model or a
    history record; everything for an undescribed model or a row whose parents are gone."""
    if model in _quiet or hasattr(model, "instance_type"):
        return ()
    resolve = _resolvers.get(model)
    if resolve is None:
        return None
    try:
        return resolve(instance)
    except Exception:  # noqa: BLE001 - a parent already gone in a cascade: everything
        return None


def is_kembar_model(model) -> bool:
    meta = getattr(model, "_meta", None)
    try:
        return meta is not None and apps.get_app_config(meta.app_label).name.startswith("kembar.")
    except LookupError:
        return False


def listen(listener: Callable[[type, Iterable[Subject] | None], None]) -> None:
    """`listener(model, subjects)` after every saved or deleted row of a kembar model, with what it
    concerns as resolved for the stamps (None: everything): another cache kept per partnership
    (the health ranking's notes) learns it without resolving it again."""
    if listener not in _listeners:
        _listeners.append(listener)


def _changed(sender=None, instance=None, **kwargs) -> None:
    if is_kembar_model(sender):
        found = subjects_of(sender, instance)
        subjects = None if found is None else frozenset(found)
        renew(subjects)
        for listener in _listeners:
            listener(sender, subjects)


def _m2m_changed(sender=None, instance=None, action="", reverse=False, model=None, **kwargs) -> None:
    """A many-to-many change concerns what its owner's save would (from the other side, or for a
    relation no app describes: everything)."""
    if not action.startswith("post_") or not is_kembar_model(type(instance)):
        return
    renew(None if reverse else subjects_of(type(instance), instance))


def connect_signals() -> None:
    """Called by CoreConfig.ready(): in every process (a command or a worker writes data too)."""
    post_save.connect(_changed, dispatch_uid="kembar-stamps-save")
    post_delete.connect(_changed, dispatch_uid="kembar-stamps-delete")
    m2m_changed.connect(_m2m_changed, dispatch_uid="kembar-stamps-m2m")
