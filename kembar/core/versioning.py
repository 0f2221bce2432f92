"""Optimistic locking and authorship: how every versioned record is changed.

A page or API client reads a record with its `version` and sends it back with the change.
`locked` takes the row under a lock and refuses the change when the version moved on in
between (someone else saved), so a stale form never silently overwrites a colleague's work;
`save_version` writes the change with the next version number, credited to its author in the
history. Every app's update functions use these two, so the rule and its message are the same
for partnerships, agreements, activities, meetings and the solution exchange.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F
from django.utils.translation import gettext as _
from simple_history.models import HistoricalRecords
from simple_history.utils import bulk_create_with_history

M = TypeVar("M", bound=models.Model)


class ConcurrentEdit(ValidationError):
    """The record changed after the reader read it (a stale `version`): the API answers 409."""


def record_author(instance: models.Model, user) -> None:
    """Credit the change in the history to the user (the API, CLI and tests have no request)."""
    if user is not None and user.is_authenticated:
        instance._history_user = user  # type: ignore[attr-defined]  # read by django-simple-history


class History(HistoricalRecords):
    """django-simple-history's records of a model that creates rows with their many-to-many
    relations at once (`create_with_relations`): it stays reachable from its model."""

    def finalize(self, sender, **kwargs):
        super().finalize(sender, **kwargs)
        if sender is self.cls:
            sender._kembar_history = self


def create_with_relations(instance: M, user, **relations) -> M:
    """Save a new row and then add its many-to-many `relations` (name: values), recorded in its
    history as one creation credited to `user`: django-simple-history would record the row, then
    the row again with its relations (twice the writes, and two entries for one act). The
    model's history must be a `History`."""
    record_author(instance, user)
    instance.skip_history_when_saving = True  # type: ignore[attr-defined]  # simple-history's switch
    try:
        instance.save()
        for name, values in relations.items():
            if values:
                getattr(instance, name).add(*values)
    finally:
        del instance.skip_history_when_saving  # type: ignore[attr-defined]
    type(instance)._kembar_history.create_historical_record(instance, "+")  # type: ignore[attr-defined]
    return instance


def create_with_history(objs: list[M], user) -> list[M]:
    """New rows of one model written in one insert, with their history rows in another, credited
    to the user: the many rows one change creates (an agreement's stages). No signal is sent for
    them, so they must be rows that only the change's own saved record concerns (its stamps, the
    data version) and that hold no text a person typed (the text rules run on save)."""
    author = user if user is not None and user.is_authenticated else None
    return bulk_create_with_history(objs, type(objs[0]), default_user=author)


def stale_message(model: type[models.Model]) -> str:
    return _(
        "Someone else changed this %(what)s while you were editing it. Reload the "
        "page to see their changes, then apply yours again."
    ) % {"what": model._meta.verbose_name}


def locked(
    queryset: models.QuerySet[M] | type[M], pk, expected_version: int | None, *, of: tuple[str, ...] = ("self",)
) -> M:
    """The current row, locked until the surrounding transaction ends.

    Call inside `transaction.atomic()`. With an `expected_version`, a row whose version moved
    on raises ConcurrentEdit; without one (a caller that read nothing first) any version goes.
    Rows the queryset reads with it (`select_related`) are read, not locked, unless named in
    `of` (PostgreSQL's FOR UPDATE OF): an activity's edit must not hold its host government.
    """
    if isinstance(queryset, type):
        queryset = queryset._default_manager.all()
    current = queryset.select_for_update(of=of).get(pk=pk)
    if expected_version is not None and getattr(current, "version") != expected_version:
        raise ConcurrentEdit(stale_message(type(current)))
    _hold(current)
    return current


def _hold(instance: models.Model) -> None:
    """Note the row's values as the database holds them under the caller's lock: its next
    version is then known without reading it back, and a pre_save receiver can tell what a save
    changes without reading the row again (`as_stored`)."""
    loaded = instance.__dict__
    instance._as_stored = {  # type: ignore[attr-defined]
        f.attname: loaded[f.attname] for f in instance._meta.concrete_fields if f.attname in loaded
    }


def as_stored(instance: models.Model) -> dict[str, Any] | None:
    """The values of `instance`'s row in the database while the caller holds its lock (`locked`,
    then after each `save_version`); None for a row not read under a lock."""
    return getattr(instance, "_as_stored", None)


def save_version(instance: M, user) -> M:
    """Save the change as the next version, credited to `user`; the instance gets its new version
    (the locked row's next one, or for a row not read under a lock the one the database gave it;
    a model whose history keeps its version, as the partnership's, must be read under the lock)."""
    record_author(instance, user)
    stored = as_stored(instance)
    if stored is not None and "version" in stored:  # locked: nobody else can have saved since
        setattr(instance, "version", stored["version"] + 1)
        instance.save()
        _hold(instance)
        return instance
    setattr(instance, "version", F("version") + 1)
    instance.save()
    instance.refresh_from_db(fields=["version"])
    return instance


def save_changes(
    queryset: models.QuerySet[M] | type[M], pk, expected_version: int | None, user, changes: Mapping[str, Any]
) -> M:
    """The current row (`locked`) with `changes` set on it, saved as its next version
    (`save_version`). Call inside `transaction.atomic()`, as `locked`."""
    current = locked(queryset, pk, expected_version)
    for key, value in changes.items():
        setattr(current, key, value)
    return save_version(current, user)
