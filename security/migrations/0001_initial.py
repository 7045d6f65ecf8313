"""The model moved here from the accounts app with its table, which keeps its name: state only, no change to the database."""

from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0008_audit_no_truncate'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ThrottleWindow',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('scope', models.CharField(max_length=20, verbose_name='Formular')),
                        ('client', models.CharField(max_length=64, verbose_name='Absender (IP-Adresse bzw. IPv6-Netz)')),
                        ('started_at', models.DateTimeField(verbose_name='Beginn des Zeitfensters')),
                        ('attempts', models.PositiveIntegerField(default=0, verbose_name='Versuche')),
                        ('refused', models.PositiveIntegerField(default=0, verbose_name='abgewiesen')),
                    ],
                    options={
                        'verbose_name': 'Versuchszähler',
                        'verbose_name_plural': 'Versuchszähler',
                        'db_table': 'accounts_throttlewindow',
                        'constraints': [models.UniqueConstraint(fields=('scope', 'client'), name='throttle_scope_client_unique')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
