"""The German order of names (DIN 5007-1) in every list: a key per user and per membership, in a German collation.

`name_key` puts the surname without its particles first ("Freiin von Stein" → "Stein\\tCharlotte\\tFreiin von",
base/collation.py); its column has the collation `de_din5007`: on PostgreSQL an ICU collation created here (German,
umlauts as their plain vowel at the first level, numbers by value), on SQLite the same order registered by the
project's backend (base/sqlite). The list's index on the memberships and the user table's name index are built on
the key, so the list still finds a page in its index.

On PostgreSQL the composite foreign key of migration 0007 takes the key in as well: a membership's copy of the key
can never differ from its user's, and follows it on a change (ON UPDATE CASCADE).
"""

from django.db import migrations, models

from base import collation

FOREIGN_KEY = (
    "ALTER TABLE accounts_membership ADD CONSTRAINT membership_user_key_fk "
    "FOREIGN KEY (user_id, role, last_name, first_name{key}) "
    "REFERENCES accounts_user (id, role, last_name, first_name{key}) ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED"
)


def create_collation(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE COLLATION IF NOT EXISTS {collation.NAME} (provider = icu, locale = '{collation.ICU_LOCALE}')",
            params=None,
        )


def drop_collation(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP COLLATION IF EXISTS {collation.NAME}", params=None)


def drop_foreign_key(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE accounts_membership DROP CONSTRAINT IF EXISTS membership_user_key_fk")


def add_foreign_key_with_name_key(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FOREIGN_KEY.format(key=", name_key"), params=None)


def add_foreign_key_without_name_key(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FOREIGN_KEY.format(key=""), params=None)


def fill_keys(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    Membership = apps.get_model("accounts", "Membership")
    users = list(User.objects.only("pk", "last_name", "first_name").order_by("pk"))
    for user in users:
        user.name_key = collation.name_key(user.last_name, user.first_name)
    User.objects.bulk_update(users, ["name_key"], batch_size=1000)
    memberships = list(Membership.objects.select_related("user").only("pk", "user__name_key").order_by("pk"))
    for membership in memberships:
        membership.name_key = membership.user.name_key
    Membership.objects.bulk_update(memberships, ["name_key"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0010_notice_preference"),
    ]

    operations = [
        migrations.RunPython(create_collation, drop_collation),
        migrations.RunPython(drop_foreign_key, add_foreign_key_without_name_key),
        migrations.RemoveConstraint(model_name="user", name="user_membership_key"),
        migrations.RemoveIndex(model_name="user", name="user_name_idx"),
        migrations.RemoveIndex(model_name="membership", name="membership_list_idx"),
        migrations.AddField(
            model_name="user",
            name="name_key",
            field=models.CharField(db_collation=collation.NAME, default="", editable=False, max_length=310),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="membership",
            name="name_key",
            field=models.CharField(db_collation=collation.NAME, default="", editable=False, max_length=310),
            preserve_default=False,
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
        migrations.AlterModelOptions(
            name="user",
            options={"ordering": ["name_key", "pk"], "verbose_name": "Benutzer", "verbose_name_plural": "Benutzer"},
        ),
        migrations.AddIndex(
            model_name="user",
            index=models.Index(fields=["name_key", "id"], name="user_name_idx"),
        ),
        migrations.AddIndex(
            model_name="membership",
            index=models.Index(fields=["member", "name_key", "user"], name="membership_list_idx"),
        ),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                fields=("id", "role", "last_name", "first_name", "name_key"), name="user_membership_key"
            ),
        ),
        migrations.RunPython(add_foreign_key_with_name_key, drop_foreign_key),
    ]
