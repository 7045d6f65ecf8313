"""On PostgreSQL, trigram indexes for the search of "Verwaltung der Benutzer".

The search is `icontains` on first name, last name and e-mail, which Django writes as
`UPPER(column::text) LIKE UPPER('%term%')`. Without an index PostgreSQL read every user of the table for each
search (47 ms for "Müller" on the bench data); with these GIN trigram indexes on exactly those expressions it
reads the matching rows only (2 ms), whatever the member's size.

pg_trgm ships with PostgreSQL and is a trusted extension: the owner of the database may create it (or a
database administrator creates it beforehand; then IF NOT EXISTS needs no privilege). SQLite has no such
index; there the search reads the member's users, which is fast enough at this size.
"""

from django.db import migrations

COLUMNS = ("first_name", "last_name", "email")

CREATE = ["CREATE EXTENSION IF NOT EXISTS pg_trgm"] + [
    f"CREATE INDEX IF NOT EXISTS user_{column}_trgm_idx ON accounts_user USING gin (UPPER({column}::text) gin_trgm_ops)"
    for column in COLUMNS
]
DROP = [f"DROP INDEX IF EXISTS user_{column}_trgm_idx" for column in COLUMNS]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement, params=None)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_user_list_indexes")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
