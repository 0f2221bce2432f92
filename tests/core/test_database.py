"""After a bulk load the query planner knows the tables' new sizes (`refresh_statistics`)."""

import pytest
from django.db import connection

from kembar.core.database import refresh_statistics
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
