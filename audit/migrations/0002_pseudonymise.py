"""On PostgreSQL the append-only trigger allows exactly one kind of UPDATE: the pseudonymisation of a departed user's
display data (`actor_label`, `data`) through the dedicated function `audit_pseudonymise`, which alone switches it on
for its own statement. Who did what, when, to whom and in which member never changes; DELETE stays refused."""

from django.db import migrations

FUNCTIONS = """
CREATE OR REPLACE FUNCTION accounts_auditentry_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND coalesce(current_setting('zvk.audit_pseudonymise', true), '') = 'on'
       AND NEW.id = OLD.id
       AND NEW.created_at = OLD.created_at
       AND NEW.action = OLD.action
       AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id
       AND NEW.target_id IS NOT DISTINCT FROM OLD.target_id
       AND NEW.member_id IS NOT DISTINCT FROM OLD.member_id THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'accounts_auditentry is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION audit_pseudonymise(entry_id bigint, new_label text, new_data jsonb) RETURNS void AS $$
BEGIN
    PERFORM set_config('zvk.audit_pseudonymise', 'on', true);
    UPDATE accounts_auditentry SET actor_label = new_label, data = new_data WHERE id = entry_id;
    PERFORM set_config('zvk.audit_pseudonymise', 'off', true);
END;
$$ LANGUAGE plpgsql;
"""

BACK = """
DROP FUNCTION IF EXISTS audit_pseudonymise(bigint, text, jsonb);
CREATE OR REPLACE FUNCTION accounts_auditentry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'accounts_auditentry is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTIONS, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACK, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
