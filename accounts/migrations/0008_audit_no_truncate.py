"""On PostgreSQL the database also refuses TRUNCATE of the audit log (LOG-07): a statement-level trigger, since
TRUNCATE fires no row triggers.

Only a session that says so explicitly (`SET zvk.allow_audit_truncate = 'on'`) may truncate: the test suite's
database flush does, nothing in the portal does.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION accounts_auditentry_no_truncate() RETURNS trigger AS $$
BEGIN
    IF coalesce(current_setting('zvk.allow_audit_truncate', true), '') = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'accounts_auditentry is append-only: TRUNCATE refused' USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER accounts_auditentry_no_truncate
    BEFORE TRUNCATE ON accounts_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION accounts_auditentry_no_truncate();
"""

DROP = """
DROP TRIGGER IF EXISTS accounts_auditentry_no_truncate ON accounts_auditentry;
DROP FUNCTION IF EXISTS accounts_auditentry_no_truncate();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0007_membership_list_key")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
