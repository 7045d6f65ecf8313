"""How an administrator hears of its clerks' cases: at once, daily, or not."""


from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0009_move_audit_security_registration'),
    ]

    operations = [
        migrations.AddField(
            model_name='user',
            name='notices',
            field=models.CharField(choices=[('immediately', 'sofort'), ('daily', 'täglich als Sammelmail'), ('off', 'aus')], default='immediately', max_length=20, verbose_name='Benachrichtigungen'),
        ),
    ]
