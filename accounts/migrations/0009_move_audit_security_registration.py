"""The audit log, the throttle counters and the registrations moved to their own apps (audit, security,
registration) with their tables: state only, no change to the database."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0001_initial'),
        ('security', '0001_initial'),
        ('registration', '0001_initial'),
        ('accounts', '0008_audit_no_truncate'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='administratorapplication',
                    name='administrator',
                ),
                migrations.RemoveField(
                    model_name='administratorapplication',
                    name='billing_units',
                ),
                migrations.RemoveField(
                    model_name='administratorapplication',
                    name='decided_by',
                ),
                migrations.RemoveField(
                    model_name='administratorapplication',
                    name='member',
                ),
                migrations.RemoveField(
                    model_name='auditentry',
                    name='actor',
                ),
                migrations.RemoveField(
                    model_name='auditentry',
                    name='member',
                ),
                migrations.RemoveField(
                    model_name='auditentry',
                    name='target',
                ),
                migrations.DeleteModel(
                    name='ThrottleWindow',
                ),
                migrations.DeleteModel(
                    name='AdministratorApplication',
                ),
                migrations.DeleteModel(
                    name='AuditEntry',
                ),
            ],
            database_operations=[],
        ),
    ]
