from django.core.management.base import BaseCommand

from accounts.services import clear_expired_otps
from outbox import retention
from security import throttling


class Command(BaseCommand):
    help = (
        "Löscht abgelaufene Einmalpasswörter (Prüfwert und lesbare Kopie) und abgelaufene Versuchszähler "
        "der Anmeldung sowie gesendete E-Mails nach OUTBOX_RETENTION_DAYS Tagen. Zum regelmäßigen Aufruf, z. B. stündlich per cron."
    )

    def handle(self, *args, **options):
        count = clear_expired_otps()
        self.stdout.write(f"{count} abgelaufene(s) Einmalpasswort/-wörter gelöscht.")
        windows = throttling.forget_old_windows()
        self.stdout.write(f"{windows} abgelaufene(r) Versuchszähler gelöscht.")
        mails = retention.forget_old_sent()
        self.stdout.write(f"{mails} gesendete E-Mail(s) nach Ablauf der Aufbewahrungsfrist gelöscht.")
