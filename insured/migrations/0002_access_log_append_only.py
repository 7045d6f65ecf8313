"""On PostgreSQL the database itself keeps the access log append-only (LOG-11), as it does the audit log: triggers
refuse UPDATE, DELETE and TRUNCATE. Two doors stay open:

- the deletion rule (`retention`): only through the function `access_log_forget(cutoff)`, which alone switches on
  the DELETE of rows older than its cutoff, for its own statement;
- TRUNCATE for a session that says `SET zvk.allow_audit_truncate = 'on'` (the test suite's flush, as for the audit
  log).

SQLite has no such trigger; there the model and its queryset refuse changes.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION insured_accesslogentry_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND coalesce(current_setting('zvk.access_log_forget', true), '') <> ''
       AND OLD.created_at < current_setting('zvk.access_log_forget', true)::timestamptz THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'insured_accesslogentry is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER insured_accesslogentry_append_only
    BEFORE UPDATE OR DELETE ON insured_accesslogentry
    FOR EACH ROW EXECUTE FUNCTION insured_accesslogentry_append_only();

CREATE OR REPLACE FUNCTION insured_accesslogentry_no_truncate() RETURNS trigger AS $$
BEGIN
    IF coalesce(current_setting('zvk.allow_audit_truncate', true), '') = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'insured_accesslogentry is append-only: TRUNCATE refused' USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER insured_accesslogentry_no_truncate
    BEFORE TRUNCATE ON insured_accesslogentry
    FOR EACH STATEMENT EXECUTE FUNCTION insured_accesslogentry_no_truncate();

CREATE OR REPLACE FUNCTION access_log_forget(cutoff timestamptz) RETURNS bigint AS $$
DECLARE
    deleted bigint;
BEGIN
    PERFORM set_config('zvk.access_log_forget', cutoff::text, true);
    DELETE FROM insured_accesslogentry WHERE created_at < cutoff;
    GET DIAGNOSTICS deleted = ROW_COUNT;
    PERFORM set_config('zvk.access_log_forget', '', true);
    RETURN deleted;
END;
$$ LANGUAGE plpgsql;
"""

DROP = """
DROP FUNCTION IF EXISTS access_log_forget(timestamptz);
DROP TRIGGER IF EXISTS insured_accesslogentry_no_truncate ON insured_accesslogentry;
DROP FUNCTION IF EXISTS insured_accesslogentry_no_truncate();
DROP TRIGGER IF EXISTS insured_accesslogentry_append_only ON insured_accesslogentry;
DROP FUNCTION IF EXISTS insured_accesslogentry_append_only();
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("insured", "0001_insured_persons_reports_access_log")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
