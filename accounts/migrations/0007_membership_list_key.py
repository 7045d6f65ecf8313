"""The key of "Verwaltung der Benutzer" on the membership.

Each membership gets a copy of its user's role and name, and an index (member, last name, first name, user):
the list counts a member's users and finds the 50 of a page in that index alone, so a member with 10,000
clerks costs little more than one with 100. The copy is taken from the users here, then kept by the models.

On PostgreSQL a composite foreign key ties the copy to the user: a membership whose role or name differs
from its user's is refused, and a change of a user's name is carried into its memberships (ON UPDATE
CASCADE). It refers to the unique (id, role, last name, first name) of the user, which replaces the index
(id, role) that only the old count read. SQLite cannot add such a key to an existing table; there the models
keep the copy, as they do on PostgreSQL too.

The list's status filter no longer names the role on the user table, so the user index (role, status)
becomes (status, role).
"""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery

FOREIGN_KEY = (
    "ALTER TABLE accounts_membership ADD CONSTRAINT membership_user_key_fk "
    "FOREIGN KEY (user_id, role, last_name, first_name) "
    "REFERENCES accounts_user (id, role, last_name, first_name) ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED"
)


def copy_from_users(apps, schema_editor):
    Membership = apps.get_model("accounts", "Membership")
    User = apps.get_model("accounts", "User")
    user = User.objects.filter(pk=OuterRef("user_id"))
    Membership.objects.update(
        role=Subquery(user.values("role")[:1]),
        last_name=Subquery(user.values("last_name")[:1]),
        first_name=Subquery(user.values("first_name")[:1]),
    )


def add_foreign_key(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FOREIGN_KEY, params=None)


def drop_foreign_key(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE accounts_membership DROP CONSTRAINT IF EXISTS membership_user_key_fk")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_user_search_trigram_indexes"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("billing_units", "0001_initial"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="user",
            name="user_id_role_idx",
        ),
        migrations.RemoveIndex(
            model_name="user",
            name="user_role_status_idx",
        ),
        migrations.AddIndex(
            model_name="user",
            index=models.Index(fields=["status", "role"], name="user_status_role_idx"),
        ),
        migrations.AddField(
            model_name="membership",
            name="first_name",
            field=models.CharField(default="", editable=False, max_length=150, verbose_name="Vorname"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="membership",
            name="last_name",
            field=models.CharField(default="", editable=False, max_length=150, verbose_name="Nachname"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="membership",
            name="role",
            field=models.CharField(
                choices=[("administrator", "Administrator"), ("clerk", "Sachbearbeiter"), ("staff", "ZVK-Mitarbeiter")],
                default="",
                editable=False,
                max_length=20,
                verbose_name="Benutzerrolle",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(copy_from_users, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="membership",
            index=models.Index(fields=["member", "last_name", "first_name", "user"], name="membership_list_idx"),
        ),
        migrations.AddConstraint(
            model_name="membership",
            constraint=models.CheckConstraint(
                condition=models.Q(("role__in", ["administrator", "clerk"])), name="membership_portal_role"
            ),
        ),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                fields=("id", "role", "last_name", "first_name"), name="user_membership_key"
            ),
        ),
        migrations.RunPython(add_foreign_key, drop_foreign_key),
    ]
