"""Word search through trigram indexes, on PostgreSQL with the pg_trgm extension.

The partnership list's words (`services._mentioning`) are looked for in the governments' names,
the basis and the notes with `icontains` (`UPPER(col) LIKE UPPER('%word%')`), which no ordinary
index serves: on the national registry each word scanned every partnership and government
(20–25 ms a count). A GIN index of each column's upper-case trigrams answers them in a few
milliseconds. pg_trgm ships with PostgreSQL and is a trusted extension (the database's owner may
create it); where it cannot be created, the search works as before, only slower. SQLite: nothing.
"""

from django.db import migrations, transaction

INDEXES = [
    ("partnerships_localgovernment", "name", "partnerships_gov_name_trgm"),
    ("partnerships_partnership", "basis", "partnerships_basis_trgm"),
    ("partnerships_partnership", "notes", "partnerships_notes_trgm"),
]


def create(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception:  # noqa: BLE001 - no right to create it, or not installed: search unindexed
        return
    with connection.cursor() as cursor:
        for table, column, name in INDEXES:
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (UPPER({column}::text) gin_trgm_ops)"
            )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for _table, _column, name in INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("partnerships", "0009_history_keeps_version")]

    operations = [migrations.RunPython(create, drop)]
