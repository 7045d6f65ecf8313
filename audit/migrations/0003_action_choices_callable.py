"""The action codes are read from audit.actions when needed, so a new one needs no migration."""


import audit.models
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0002_pseudonymise'),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditentry',
            name='action',
            field=models.CharField(choices=audit.models.action_choices, max_length=64, verbose_name='Aktion'),
        ),
    ]
