"""Cached figures kept up to date by the changes since they were computed.

The health ranking and the pivot's quarter counts are expensive to compute in full and cheap to
correct for one change (a partnership re-scored, a quarter recounted). Each keeps a `ChangeLog`:
a numbered log of changes in Django's cache (with CACHE_URL, one Redis for every app-server
process), each change with what it concerns (partnership ids, activity starts) or None for
"possibly everything". `kept_up_to_date` returns a cached value corrected by the changes noted
since it was computed, or computes it again in full when that is not possible (too many
changes, a change of unknown reach, a change no longer in the cache, a log that began again).
A value computed in full is reused for `cache_seconds()` at most: its clock is at most that old.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache

from kembar.core.caching import cache_seconds
from kembar.core.database import pending_until_commit

T = TypeVar("T")
ALL = "all"  # a change whose reach is unknown


class ChangeLog:
    def __init__(self, name: str, max_changes: int = 200):
        self.seq_key = f"kembar:insights:{name}:changes"  # the number of the last change
        self.change_key = f"kembar:insights:{name}:change:%d"  # each change: what it concerns
        self.max_changes = max_changes  # a value more changes behind than this is computed again

    def _note(self, concerns: list | None) -> None:
        cache.add(self.seq_key, 0, None)
        try:
            number = cache.incr(self.seq_key)
        except ValueError:  # evicted between add and incr
            cache.set(self.seq_key, number := 1, None)
        cache.set(self.change_key % number, ALL if concerns is None else concerns, cache_seconds() + 60)

    def _note_pending(self, pending: set) -> None:
        self._note(None if ALL in pending else list(pending))

    def note(self, concerns: list | None) -> None:
        """Noted now (the writer's own next page) and again after the commit (other processes may
        have read the data in between, before the change was visible to them): once for all the
        changes of the transaction."""
        self._note(concerns)
        pending = pending_until_commit(self._note_pending)
        if pending is not None:
            pending |= {ALL} if concerns is None else set(concerns)

    def latest(self) -> int:
        return int(cache.get(self.seq_key) or 0)

    def since(self, seen: int, latest: int) -> list[Any] | None:
        """Everything the changes after `seen` up to `latest` concern, or None when that is not
        known (too many, one of unknown reach, one no longer in the cache)."""
        if latest - seen > self.max_changes:
            return None
        keys = [self.change_key % number for number in range(seen + 1, latest + 1)]
        changes = cache.get_many(keys)
        if len(changes) != len(keys) or any(concerns == ALL for concerns in changes.values()):
            return None
        return [item for concerns in changes.values() for item in concerns]


def kept_up_to_date(
    key: str, log: ChangeLog, compute: Callable[[], T], update: Callable[[T, list[Any]], T | None], tag: Any = None
) -> T:
    """The value cached under `key`, corrected by `update(value, what the changes since concern)`
    (None: compute again), or `compute()` in full. A cached value with another `tag` (the pivot's
    years of data) is computed again."""
    latest = log.latest()  # read before the data: later changes come later
    entry = cache.get(key)
    if entry is not None:
        seen, computed_at, entry_tag, value = entry
        if entry_tag == tag:
            if seen == latest:
                return value
            # seen > latest: the log was evicted and began again, compute everything
            concerns = log.since(seen, latest) if seen < latest else None
            value = update(value, concerns) if concerns is not None else None
            left = computed_at + cache_seconds() - time.time()
            if value is not None and left > 0:
                cache.set(key, (latest, computed_at, tag, value), math.ceil(left))
                return value
    computed_at = time.time()
    value = compute()
    cache.set(key, (latest, computed_at, tag, value), cache_seconds())
    return value
