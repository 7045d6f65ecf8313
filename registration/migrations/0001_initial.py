"""The model moved here from the accounts app with its table, which keeps its name: state only, no change to the database."""

import django.db.models.deletion
import django.db.models.functions.text
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0008_audit_no_truncate'),
        ('billing_units', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='AdministratorApplication',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('first_name', models.CharField(max_length=150, verbose_name='Vorname')),
                        ('last_name', models.CharField(max_length=150, verbose_name='Nachname')),
                        ('email', models.EmailField(max_length=254, verbose_name='E-Mail')),
                        ('phone', models.CharField(max_length=40, verbose_name='Telefonnummer')),
                        ('all_units', models.BooleanField(default=False, verbose_name='alle Abrechnungsstellen des Mitglieds')),
                        ('responsibilities_confirmed', models.BooleanField(default=False, verbose_name='Verantwortung bestätigt')),
                        ('status', models.CharField(choices=[('open', 'Offen'), ('approved', 'Freigegeben'), ('rejected', 'Abgelehnt')], default='open', max_length=20, verbose_name='Status')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='eingegangen am')),
                        ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='entschieden am')),
                        ('rejection_reason', models.TextField(blank=True, max_length=500, verbose_name='Ablehnungsgrund')),
                        ('administrator', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='applications', to=settings.AUTH_USER_MODEL, verbose_name='Administrator')),
                        ('billing_units', models.ManyToManyField(blank=True, db_table='accounts_administratorapplication_billing_units', related_name='+', to='billing_units.billingunit', verbose_name='Abrechnungsstellen')),
                        ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='entschieden von')),
                        ('member', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='applications', to='billing_units.member', verbose_name='Mitglied')),
                    ],
                    options={
                        'verbose_name': 'Registrierung als Administrator',
                        'verbose_name_plural': 'Registrierungen als Administrator',
                        'db_table': 'accounts_administratorapplication',
                        'ordering': ['-created_at'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('status__in', ['open', 'approved', 'rejected'])), name='application_status_valid'), models.CheckConstraint(condition=models.Q(('email', django.db.models.functions.text.Lower('email'))), name='application_email_lower_case')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
