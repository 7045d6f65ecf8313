"""`manage.py lock_inactive_accounts` (daily by cron): warn dormant users, then lock them for inactivity."""

from django.core.management.base import BaseCommand

from clerks import inactivity


class Command(BaseCommand):
    help = "Warnt ungenutzte Zugänge per E-Mail und sperrt sie nach der Frist wegen Inaktivität."

    def handle(self, *args, **options):
        outcome = inactivity.run()
        self.stdout.write(
            f"Gewarnt: {len(outcome.warned)}, wegen Inaktivität gesperrt: {len(outcome.locked)}, "
            f"der Zusatzversorgungskasse gemeldet (letzter Administrator): {len(outcome.reported)}"
        )
