from django.core.management.base import BaseCommand

from accounts.services import clear_expired_otps
from security import throttling


class Command(BaseCommand):
    help = (
        "Löscht abgelaufene Einmalpasswörter (Prüfwert und lesbare Kopie) und abgelaufene Versuchszähler "
        "der Anmeldung. Zum regelmäßigen Aufruf, z. B. stündlich per cron."
    )

    def handle(self, *args, **options):
        count = clear_expired_otps()
        self.stdout.write(f"{count} abgelaufene(s) Einmalpasswort/-wörter gelöscht.")
        windows = throttling.forget_old_windows()
        self.stdout.write(f"{windows} abgelaufene(r) Versuchszähler gelöscht.")
