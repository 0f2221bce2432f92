"""After a bulk load the query planner knows the tables' new sizes (`refresh_statistics`); work noted
during a transaction is done once when it commits (`pending_until_commit`)."""

import contextlib

import pytest
from django.db import connection, transaction

from kembar.core.database import pending_until_commit, refresh_statistics
from kembar.gazetteer.models import Place

pytestmark = pytest.mark.django_db


def planner_rows(table: str) -> int:
    """How many rows the planner believes `table` holds."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
            return int(cursor.fetchone()[0])
        # SQLite: the first number of an index's statistics line is the table's row count.
        cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s", [table])
        rows = cursor.fetchall()
        return int(rows[0][0].split()[0]) if rows else -1


def test_the_planner_learns_the_size_a_bulk_load_left():
    table = Place._meta.db_table
    places = Place.objects.count()
    assert places > 100  # the session's gazetteer
    refresh_statistics(Place)
    assert planner_rows(table) == places


def test_what_a_transaction_notes_is_flushed_once_when_it_commits(django_capture_on_commit_callbacks):
    flushed: list[set] = []
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            for n in (1, 2, 2, 3):
                pending_until_commit(flushed.append).add(n)
            assert flushed == []  # not before the commit
    assert flushed == [{1, 2, 3}]


def test_a_savepoint_rolled_back_takes_its_notes_with_it(django_capture_on_commit_callbacks):
    flushed: list[set] = []
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            pending_until_commit(flushed.append).add("kept")
            with contextlib.suppress(ValueError), transaction.atomic():
                pending_until_commit(flushed.append).add("rolled back")
                raise ValueError
            pending_until_commit(flushed.append).add("after")
    assert flushed == [{"kept", "after"}]
