"""On PostgreSQL, a trigram index for the search of "Versicherte" by name: the search compares the folded
"Name Vorname" (`insured.search.searched_name`, umlauts and their spelt-out forms folded as in
`accounts/spelling.py`) with LIKE '%…%'. The index is built from that very expression, so PostgreSQL reads only the
matching persons, however many the fund holds; `tests/insured/test_search.py` checks the plan. SQLite has no such
index; there the search reads the persons of the clerk's units."""

from django.db import migrations

NAME = "insured_name_trgm_idx"


def _index():
    from django.contrib.postgres.indexes import GinIndex, OpClass

    from insured.search import searched_name

    return GinIndex(OpClass(searched_name(), name="gin_trgm_ops"), name=NAME)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm", params=None)
        schema_editor.add_index(apps.get_model("insured", "InsuredPerson"), _index())


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}", params=None)


class Migration(migrations.Migration):
    dependencies = [("insured", "0002_access_log_append_only")]

    operations = [migrations.RunPython(create_index, drop_index)]
