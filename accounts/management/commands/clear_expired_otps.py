from django.core.management.base import BaseCommand

from accounts.services import clear_expired_otps


class Command(BaseCommand):
    help = "Löscht abgelaufene Einmalpasswörter (Prüfwert und lesbare Kopie). Zum regelmäßigen Aufruf, z. B. stündlich per cron."

    def handle(self, *args, **options):
        count = clear_expired_otps()
        self.stdout.write(f"{count} abgelaufene(s) Einmalpasswort/-wörter gelöscht.")
