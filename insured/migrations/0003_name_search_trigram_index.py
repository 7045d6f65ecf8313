"""The search of "Versicherte" by name: each person keeps its "Name Vorname" folded as the search folds a word
(`accounts/spelling.py`: umlauts and their spelt-out forms as the plain vowel, ß as ss, lower case) in
`search_name`, and on PostgreSQL a trigram index on that column lets LIKE '%…%' read only the matching persons,
however many the fund holds (`tests/insured/test_search.py` checks the plan). SQLite has no such index; there the
search reads the persons of the clerk's units."""

from django.db import migrations, models

NAME = "insured_name_trgm_idx"


def fill(apps, schema_editor):
    from accounts.spelling import fold

    InsuredPerson = apps.get_model("insured", "InsuredPerson")
    for person in InsuredPerson.objects.all().iterator():
        person.search_name = fold(f"{person.last_name} {person.first_name}")
        person.save(update_fields=["search_name"])


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm", params=None)
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {NAME} ON insured_insuredperson USING gin (search_name gin_trgm_ops)",
            params=None,
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}", params=None)


class Migration(migrations.Migration):
    dependencies = [("insured", "0002_access_log_append_only")]

    operations = [
        migrations.AddField(
            model_name="insuredperson",
            name="search_name",
            field=models.CharField(default="", editable=False, max_length=201, verbose_name="Name zum Suchen"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(create_index, drop_index),
    ]
