"""The cases administrators are told of (clerks/notices.py)."""


import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('clerks', '0004_access_reviews'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Notice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('forgot_password', '„Passwort vergessen“ angefordert'), ('deactivated', 'nach Falscheingaben deaktiviert'), ('otp_expiring', 'Einmalpasswort läuft bald ab und wurde noch nicht genutzt')], max_length=20, verbose_name='Anlass')),
                ('case', models.CharField(max_length=64, verbose_name='Fall')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='erfasst am')),
                ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='versendet am')),
                ('administrator', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notices_received', to=settings.AUTH_USER_MODEL, verbose_name='Administrator')),
                ('clerk', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='Sachbearbeiter')),
            ],
            options={
                'verbose_name': 'Benachrichtigung',
                'verbose_name_plural': 'Benachrichtigungen',
                'constraints': [models.UniqueConstraint(fields=('administrator', 'clerk', 'kind', 'case'), name='one_notice_per_case')],
            },
        ),
    ]
