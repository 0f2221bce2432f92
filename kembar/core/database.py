"""What the database itself needs: its planner's statistics, and work done once per transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db import connection, transaction

P = TypeVar("P")


def refresh_statistics(*models) -> None:
    """After a bulk load, let the query planner learn the tables' new sizes (ANALYZE, PostgreSQL
    and SQLite). Without it PostgreSQL plans for the sizes it last saw until autovacuum comes by:
    the generated volume's list of 24,000 partnerships was planned as 1,700 rows, a join over the
    whole registry instead of an index, 40× slower."""
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def pending_until_commit(flush: Callable[[P], None], factory: Callable[[], P] = set) -> P | None:  # type: ignore[assignment]
    """A set (or what `factory` makes) the caller fills during the current transaction, given to
    `flush` once when it commits; None outside a transaction. Every call with the same `flush` in
    the same transaction (and savepoint) gets the same one: a save of thirteen rows writes its
    notes once, not thirteen times. A savepoint rolled back drops its own, as Django drops its
    callbacks; a transaction's memo (`flush` doing nothing) is gone with it."""
    conn = transaction.get_connection()
    if not conn.in_atomic_block:
        return None
    here = set(conn.savepoint_ids)
    for savepoints, func, _robust in conn.run_on_commit:
        if savepoints == here and getattr(func, "flushes", None) == flush:
            return func.pending
    pending = factory()

    def run() -> None:
        flush(pending)

    run.flushes, run.pending = flush, pending  # type: ignore[attr-defined]
    transaction.on_commit(run)
    return pending
