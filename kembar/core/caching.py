"""Caches the pages share: how long a computed figure may be reused, a version of the data that
any write changes, and whole pages for visitors who are not signed in.

The cache is Django's (with CACHE_URL, one Redis for every app server and worker, so a write seen
by one process drops every process's copy; without it each process keeps its own in memory);
with Redis its backend is `RedisCache` below.

**Data version.** Any save or delete of a model of a kembar app, or a change of one of their
many-to-many relations, sets a new version once its transaction commits (one write to the cache
per transaction, however many rows it changed). A cached value whose key holds the version is
therefore never read after a change. Writes that send no signal (a queryset `update()`, a
`bulk_create` of an import) show once the value has expired: `cache_seconds()` at most.

**Remembered values** (`remembered`): a value such as a list's count of rows, kept under what it
depends on and the data version.

**Visitors' pages** (`for_visitors`): the public pages (landing page, partnership list and page,
events portal…) look the same to every visitor who is not signed in, in a given language. Such a
page is rendered once per path, query string, language and data version (or, for a page that
names what it shows, such as one partnership's, the stamps of those subjects: `stamps`), and
kept for `cache_seconds()`. Only answers 200 to GET or HEAD are kept, and only for a request without a
session, a message waiting or an Authorization header. The form token (CSRF) is not kept: the
page is stored with a placeholder and each visitor gets their own token, so the language switch
keeps working.

**Readers' pages** (`for_readers`): the same, and for a signed-in user their own copy, under
their id, rights, time zone and second factor, for pages a user reads again and again (an
activity, a meeting, the reports).
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends import redis as django_redis
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone, translation

from . import stamps
from .stamps import is_kembar_model

T = TypeVar("T")
DATA_VERSION_KEY = "kembar:data:version"
_PAGE_KEY = "kembar:visitor-page:"
_TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
_PLACEHOLDER = b"\x00kembar-csrf\x00"


class _RedisClient(django_redis.RedisCacheClient):
    """Django's Redis client, keeping one redis-py client per server: Django's makes a new one for
    every operation (about 0.3 ms each, spent building its table of reply handlers)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class RedisCache(django_redis.RedisCache):
    """The cache backend of settings.CACHES with CACHE_URL (Django's, with `_RedisClient`)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _RedisClient


def cache_seconds() -> int:
    """How long a figure computed in full (or a visitor's page) may be reused: setting
    KEMBAR_HEALTH_CACHE_SECONDS, default 60; 0 turns these caches off."""
    value = getattr(settings, "KEMBAR_HEALTH_CACHE_SECONDS", None)
    if value is None:
        value = os.environ.get("KEMBAR_HEALTH_CACHE_SECONDS", 60)
    return int(value)


def data_version() -> str:
    return cache.get(DATA_VERSION_KEY) or ""


def _bump() -> None:
    cache.set(DATA_VERSION_KEY, uuid.uuid4().hex, None)


def data_changed(sender=None, **kwargs) -> None:
    """A kembar model's row changed: a new data version when the transaction commits (at once
    outside one), one per transaction and savepoint (a savepoint rolled back drops its own)."""
    if sender is not None and not is_kembar_model(sender):
        return
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _bump()
        return
    here = set(connection.savepoint_ids)
    if not any(func is _bump and sids == here for sids, func, _ in connection.run_on_commit):
        transaction.on_commit(_bump)


def connect_signals() -> None:
    """Called by CoreConfig.ready(): in every process (a command or a worker writes data too)."""
    post_save.connect(data_changed, dispatch_uid="kembar-data-version-save")
    post_delete.connect(data_changed, dispatch_uid="kembar-data-version-delete")
    m2m_changed.connect(data_changed, dispatch_uid="kembar-data-version-m2m")


def remembered(name: str, signature, compute, *, subjects: list[stamps.Subject] | None = None):
    """`compute()`, kept for `cache_seconds()` under `name`, `signature` (what the value depends
    on besides the data, e.g. a query's SQL and parameters) and the data version, or with
    `subjects` (what the value shows, `kembar.core.stamps`) their stamps instead: a change
    elsewhere leaves it kept."""
    seconds = cache_seconds()
    if seconds <= 0:
        return compute()
    version = data_version() if subjects is None else stamps.current(subjects)
    key = "kembar:remembered:" + hashlib.sha256(repr((name, signature, version)).encode()).hexdigest()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value


def kept_each(
    ids: list[int],
    key: Callable[[int], str],
    subject: Callable[[int], stamps.Subject],
    compute: Callable[[list[int]], dict[int, T]],
    *,
    keep: bool = True,
) -> list[T]:
    """`compute(ids)` ({id: value}), in the order of `ids`, each value kept in the cache under
    `key(id)` for `cache_seconds()` while the stamp of its `subject(id)` and that of everything
    are those it was computed under: a list's rows (a row's HTML, one partnership's health), of
    which a change renews only its own. Two cache reads for the whole list; the missing rows
    computed in one go (the same queries whatever their number). A row `compute` leaves out (deleted
    meanwhile) is left out. Without `keep` (or with the caches off) all are computed."""
    if not ids or not keep or cache_seconds() <= 0:
        values = compute(ids) if ids else {}
        return [values[pk] for pk in ids if pk in values]
    keys = {pk: key(pk) for pk in ids}
    current = stamps.each(subject(pk) for pk in ids)
    found = cache.get_many(list(keys.values()))
    values = {pk: found[k][1] for pk, k in keys.items() if k in found and found[k][0] == current[subject(pk)]}
    if missing := [pk for pk in ids if pk not in values]:
        fresh = compute(missing)
        cache.set_many({keys[pk]: (current[subject(pk)], value) for pk, value in fresh.items()}, cache_seconds())
        values.update(fresh)
    return [values[pk] for pk in ids if pk in values]


def _reader(request, signed_in: bool) -> tuple | None:
    """Whose copy of a page the request may get: () for a visitor, the user's own (with what
    decides their pages besides the data) for a signed-in user when `signed_in`; None: no kept
    copy (not a read, a token, a message waiting to be shown)."""
    if request.method not in ("GET", "HEAD") or "HTTP_AUTHORIZATION" in request.META:
        return None
    if "messages" in request.COOKIES:
        return None
    user = request.user
    if not user.is_authenticated:
        return () if settings.SESSION_COOKIE_NAME not in request.COOKIES else None
    if not signed_in or request.session.get("_messages"):
        return None
    verified = getattr(user, "is_verified", None)
    return (
        user.pk,
        user.is_superuser,
        user.is_staff,
        verified() if verified else None,
        timezone.get_current_timezone_name(),
    )


def _page_key(request, view_name: str, reader: tuple, version) -> str:
    signature = repr(
        (
            view_name,
            request.get_full_path(),
            request.get_host(),
            request.is_secure(),
            translation.get_language(),
            reader,
            version,
        )
    )
    return _PAGE_KEY + hashlib.sha256(signature.encode()).hexdigest()


def _kept_page(view, subjects, signed_in: bool):
    """`view`, its pages kept for visitors and, with `signed_in`, for each signed-in user."""
    name = f"{view.__module__}.{view.__qualname__}"

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        seconds = cache_seconds()
        reader = _reader(request, signed_in) if seconds > 0 else None
        if reader is None:
            return view(request, *args, **kwargs)
        # The version is read before the data.
        shown = subjects(request, *args, **kwargs) if subjects is not None else None
        version = data_version() if shown is None else stamps.current(shown)
        key = _page_key(request, name, reader, version)
        kept = cache.get(key)
        if kept is not None:
            content_type, body = kept
            if _PLACEHOLDER in body:
                body = body.replace(_PLACEHOLDER, get_token(request).encode())
            return HttpResponse(body, content_type=content_type)
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming and not response.cookies:
            tokens = set(_TOKEN.findall(response.content))
            body = response.content
            for token in tokens:
                body = body.replace(token, _PLACEHOLDER)
            cache.set(key, (response["Content-Type"], body), seconds)
        return response

    return wrapped


def for_visitors(view=None, *, subjects=None):
    """Keep `view`'s page for visitors who are not signed in (module docstring).

    With `subjects` (`subjects(request, *args, **kwargs)`: what the page shows,
    `kembar.core.stamps`; None for everything), the page is kept under their stamps instead of
    the data version: a change elsewhere leaves it kept."""
    if view is None:
        return lambda view: _kept_page(view, subjects, signed_in=False)
    return _kept_page(view, subjects, signed_in=False)


def for_readers(view=None, *, subjects=None):
    """Keep `view`'s page for visitors and, one copy each, for signed-in users: a page that a
    user reads again and again (an activity, a meeting, a report), kept until what it shows
    changes (`subjects`, or the data version) or for `cache_seconds()`. The user's copy is theirs
    alone (their rights, time zone and second factor in its key), never served to anyone else;
    not kept while a message waits to be shown."""
    if view is None:
        return lambda view: _kept_page(view, subjects, signed_in=True)
    return _kept_page(view, subjects, signed_in=True)
