"""The model moved here from the accounts app with its table, which keeps its name: state only, no change to the database."""

import django.db.models.deletion
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
                    name='AuditEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='Zeitpunkt')),
                        ('actor_label', models.CharField(max_length=254, verbose_name='durch (Anzeige)')),
                        ('action', models.CharField(choices=[('user.otp_expired', 'Abgelaufenes Einmalpasswort gelöscht'), ('user.logged_out', 'Abgemeldet'), ('administrator.locked', 'Administrator die Berechtigung entzogen'), ('administrator.created', 'Administrator nach Freigabe angelegt'), ('user.sessions_ended', 'Alle Sitzungen beendet'), ('login.succeeded', 'Anmeldung erfolgreich'), ('login.failed', 'Anmeldung fehlgeschlagen'), ('login.otp_used', 'Anmeldung mit Einmalpasswort'), ('login.throttled', 'Anmeldung wegen zu vieler Versuche abgewiesen'), ('clerk.locked', 'Berechtigung entzogen'), ('clerk.unlocked', 'Berechtigung erteilt'), ('clerk.grants_changed', 'Berechtigungen für Abrechnungsstellen geändert'), ('clerk.cascade_locked', 'Gesperrt, weil der letzte Administrator des Mitglieds gesperrt wurde'), ('user.deactivated', 'Nach zu vielen Falscheingaben des Passworts deaktiviert'), ('user.otp_reset', 'Neues Einmalpasswort gesetzt'), ('user.password_changed', 'Passwort geändert'), ('user.personal_data_changed', 'Persönliche Daten geändert'), ('user.password_set', 'Persönliches Passwort gesetzt'), ('application.rejected', 'Registrierung als Administrator abgelehnt'), ('application.submitted', 'Registrierung als Administrator beantragt'), ('application.approved', 'Registrierung als Administrator freigegeben'), ('application.throttled', 'Registrierung wegen zu vieler Anfragen abgewiesen'), ('clerk.created', 'Sachbearbeiter angelegt'), ('clerk.cascade_lifted', 'Sperre aufgehoben, weil ein neuer Administrator freigegeben wurde'), ('password.forgot_requested', '„Passwort vergessen“ angefordert'), ('password.forgot_cancelled', '„Passwort vergessen“ durch Anmeldung mit dem persönlichen Passwort aufgehoben'), ('password.forgot_throttled', '„Passwort vergessen“ wegen zu vieler Anfragen abgewiesen'), ('password.change_throttled', '„Passwort ändern“ wegen zu vieler Versuche abgewiesen')], max_length=64, verbose_name='Aktion')),
                        ('data', models.JSONField(blank=True, default=dict, verbose_name='Details')),
                        ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='durch')),
                        ('member', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='audit_entries', to='billing_units.member', verbose_name='Mitglied')),
                        ('target', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='audit_entries', to=settings.AUTH_USER_MODEL, verbose_name='Benutzer')),
                    ],
                    options={
                        'verbose_name': 'Protokolleintrag',
                        'verbose_name_plural': 'Protokolleinträge',
                        'db_table': 'accounts_auditentry',
                        'ordering': ['-created_at', '-pk'],
                        'indexes': [models.Index(fields=['target', '-created_at'], name='audit_target_time_idx'), models.Index(fields=['member', '-created_at'], name='audit_member_time_idx'), models.Index(fields=['action'], name='audit_action_idx')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
