"""Trigram indexes for ticket search, on PostgreSQL only.

The list's `search` is `UPPER(column) LIKE UPPER('%term%')` on title and description
(Django's `icontains`). Without these indexes a term that matches few tickets scans the
whole table: 8.9 s at 1,000,000 tickets in the benchmark, against 0.2 ms with them. They
are built CONCURRENTLY, so writes to tickets continue during the build (about 2.5 minutes
for the description index at 1,000,000 tickets on the benchmark machine), which is why
this migration is not atomic. SQLite has no trigram indexes and skips this migration.
"""

from django.db import migrations

INDEXES = {
    "ticket_title_trgm_idx": "title",
    "ticket_description_trgm_idx": "description",
}


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # pg_trgm is a trusted extension (PostgreSQL 13 and later), so the database owner
    # may create it without superuser rights.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON tickets_ticket "
            f"USING gin (UPPER({column}) gin_trgm_ops)"
        )
    # PostgreSQL keeps statistics on an index expression only after an ANALYZE. Until
    # then it guesses that a LIKE matches 200 rows and picks the trigram index even for
    # a word in most tickets (6.8 s at 1,000,000 tickets, against 0.4 ms walking the
    # created_at index). Autovacuum would analyze only after 10% of the rows change.
    schema_editor.execute("ANALYZE tickets_ticket")


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("tickets", "0002_ticket_active_assignee_idx"),
    ]

    operations = [
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes, atomic=False),
    ]
