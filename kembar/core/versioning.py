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
from simple_history.utils import bulk_create_with_history

M = TypeVar("M", bound=models.Model)


class ConcurrentEdit(ValidationError):
    """The record changed after the reader read it (a stale `version`): the API answers 409."""


def record_author(instance: models.Model, user) -> None:
    """Credit the change in the history to the user (the API, CLI and tests have no request)."""
    if user is not None and user.is_authenticated:
        instance._history_user = user  # type: ignore[attr-defined]  # read by django-simple-history


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


def locked(queryset: models.QuerySet[M] | type[M], pk, expected_version: int | None) -> M:
    """The current row, locked until the surrounding transaction ends.

    Call inside `transaction.atomic()`. With an `expected_version`, a row whose version moved
    on raises ConcurrentEdit; without one (a caller that read nothing first) any version goes.
    """
    if isinstance(queryset, type):
        queryset = queryset._default_manager.all()
    current = queryset.select_for_update().get(pk=pk)
    if expected_version is not None and getattr(current, "version") != expected_version:
        raise ConcurrentEdit(stale_message(type(current)))
    return current


def save_version(instance: M, user) -> M:
    """Save the change as the next version, credited to `user`; the instance gets the version
    the database gave it (nothing else of it is computed there)."""
    record_author(instance, user)
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
