"""What the database itself needs: its planner's statistics, and work done once per transaction."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection, transaction


def refresh_statistics(*models) -> None:
    """After a bulk load, let the query planner learn the tables' new sizes (ANALYZE, PostgreSQL
    and SQLite). Without it PostgreSQL plans for the sizes it last saw until autovacuum comes by:
    the generated volume's list of 24,000 partnerships was planned as 1,700 rows, a join over the
    whole registry instead of an index, 40× slower."""
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def pending_until_commit(flush: Callable[[set], None]) -> set | None:
    """A set the caller fills during the current transaction, given to `flush` once when it
    commits; None outside a transaction. Every call with the same `flush` in the same transaction
    (and savepoint) gets the same set: a save of thirteen rows writes its notes once, not
    thirteen times. A savepoint rolled back drops its own set, as Django drops its callbacks."""
    conn = transaction.get_connection()
    if not conn.in_atomic_block:
        return None
    here = set(conn.savepoint_ids)
    for savepoints, func, _robust in conn.run_on_commit:
        if savepoints == here and getattr(func, "flushes", None) == flush:
            return func.pending
    pending: set = set()

    def run() -> None:
        flush(pending)

    run.flushes, run.pending = flush, pending  # type: ignore[attr-defined]
    transaction.on_commit(run)
    return pending
