"""The report of each deletion run (`manage.py apply_retention`)."""


import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
    ]

    operations = [
        migrations.CreateModel(
            name='RetentionRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('started_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='Zeitpunkt')),
                ('dry_run', models.BooleanField(default=False, verbose_name='nur Probelauf')),
                ('report', models.JSONField(default=dict, verbose_name='Ergebnis')),
            ],
            options={
                'verbose_name': 'Löschlauf',
                'verbose_name_plural': 'Löschläufe',
                'ordering': ['-started_at', '-pk'],
            },
        ),
    ]
