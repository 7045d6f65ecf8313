"""The yearly review of access: "Berechtigungen bestätigen"."""


import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('billing_units', '0001_initial'),
        ('clerks', '0003_inactivity_lock_kind'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='AccessReview',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(verbose_name='Jahr')),
                ('started_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='begonnen am')),
                ('reminders', models.PositiveSmallIntegerField(default=0, verbose_name='Erinnerungen')),
                ('completed_at', models.DateTimeField(blank=True, null=True, verbose_name='abgeschlossen am')),
                ('member', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='access_reviews', to='billing_units.member', verbose_name='Mitglied')),
            ],
            options={
                'verbose_name': 'Überprüfung der Berechtigungen',
                'verbose_name_plural': 'Überprüfungen der Berechtigungen',
                'ordering': ['-year', 'member__number'],
            },
        ),
        migrations.CreateModel(
            name='Confirmation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('confirmed_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='bestätigt am')),
                ('confirmed_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='bestätigt von')),
                ('review', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='confirmations', to='clerks.accessreview')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='confirmations', to=settings.AUTH_USER_MODEL, verbose_name='Benutzer')),
            ],
            options={
                'verbose_name': 'Bestätigung',
                'verbose_name_plural': 'Bestätigungen',
            },
        ),
        migrations.AddConstraint(
            model_name='accessreview',
            constraint=models.UniqueConstraint(fields=('member', 'year'), name='one_access_review_per_member_year'),
        ),
        migrations.AddConstraint(
            model_name='confirmation',
            constraint=models.UniqueConstraint(fields=('review', 'user'), name='one_confirmation_per_review_user'),
        ),
    ]
