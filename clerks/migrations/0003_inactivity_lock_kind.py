"""Member locks may also be for inactivity (`manage.py lock_inactive_accounts`)."""


from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('billing_units', '0001_initial'),
        ('clerks', '0002_suspended_grant_labels'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='memberlock',
            name='member_lock_kind_valid',
        ),
        migrations.AlterField(
            model_name='memberlock',
            name='kind',
            field=models.CharField(choices=[('administrator', 'durch einen Administrator'), ('cascade', 'letzter Administrator gesperrt'), ('inactivity', 'Inaktivität')], default='administrator', max_length=20, verbose_name='Art'),
        ),
        migrations.AddConstraint(
            model_name='memberlock',
            constraint=models.CheckConstraint(condition=models.Q(('kind__in', ['administrator', 'cascade', 'inactivity'])), name='member_lock_kind_valid'),
        ),
    ]
