from django.conf import settings
from django.core.management.base import BaseCommand

from outbox import sending, worker


class Command(BaseCommand):
    help = (
        "Versendet die E-Mails des Postausgangs, mit Wiederholungen bei Fehlern. Läuft dauerhaft neben dem "
        "Portal (make run, make serve, systemd); mit --once nur die fälligen E-Mails und dann Ende. Auf einer "
        "wiederhergestellten Kopie sendet er nichts, bis `manage.py outbox resume` den Versand freigibt."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Nur die jetzt fälligen E-Mails versenden.")
        parser.add_argument(
            "--poll-seconds",
            type=float,
            default=settings.OUTBOX_POLL_SECONDS,
            help="Wartezeit zwischen zwei Durchläufen, wenn nichts zu versenden ist.",
        )

    def handle(self, *args, **options):
        if options["once"]:
            result = worker.deliver_due()
            if result.paused:
                self.stdout.write(f"Versand angehalten, nichts gesendet: {sending.state().reason}")
                self.stdout.write("Freigeben nach dem Abgleich: manage.py outbox resume (docs/operations.md)")
                return
            self.stdout.write(
                f"{len(result.sent)} gesendet, {len(result.retried)} später erneut, {len(result.failed)} fehlgeschlagen."
            )
            return
        worker.run(poll_seconds=options["poll_seconds"])
