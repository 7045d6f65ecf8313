"""`manage.py outbox status|queued|mark-sent FILE|pause|resume`: the operator's handle on sending (outbox/sending.py,
docs/operations.md "Backup and restore")."""

import getpass
import sys
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Max, Min
from django.utils import timezone

from outbox import sending
from outbox.models import MessageStatus, OutboxMessage, WorkerHeartbeat


def _when(value) -> str:
    return timezone.localtime(value).strftime("%d.%m.%Y %H:%M:%S") if value else "–"


class Command(BaseCommand):
    help = (
        "Versand der E-Mails: status (freigegeben oder angehalten, was wartet), queued (die wartenden E-Mails mit "
        "Message-ID zum Abgleich), mark-sent DATEI (diese Message-IDs hat das Original schon versandt), pause, "
        "resume (Versand auf dieser Datenbank freigeben)."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("status", help="Freigabe, wartende und fehlgeschlagene E-Mails, laufende Worker.")
        actions.add_parser("queued", help="Wartende E-Mails: Message-ID, erstellt am, Vorlage (Tab-getrennt).")
        marked = actions.add_parser("mark-sent", help="E-Mails, die das Original schon versandt hat, nicht senden.")
        marked.add_argument("file", help="Datei mit einer Message-ID je Zeile, oder - für die Standardeingabe.")
        actions.add_parser("pause", help="Versand auf dieser Datenbank anhalten.")
        actions.add_parser("resume", help="Versand auf dieser Datenbank freigeben (nach dem Abgleich).")

    def handle(self, *args, action, **options):
        operator = f"Betrieb ({getpass.getuser()})"
        if action == "status":
            self._status()
        elif action == "queued":
            waiting = OutboxMessage.objects.filter(status=MessageStatus.QUEUED).order_by("created_at", "pk")
            for message_id, created_at, template in waiting.values_list("message_id", "created_at", "template"):
                self.stdout.write(f"{message_id}\t{created_at.isoformat()}\t{template}")
        elif action == "mark-sent":
            handle = sys.stdin if options["file"] == "-" else self._open(options["file"])
            with handle:
                marked = sending.mark_sent(handle.read().split(), by=operator)
            self.stdout.write(f"{marked} wartende E-Mail(s) als bereits versandt vermerkt; sie werden nicht gesendet.")
        elif action == "pause":
            done = sending.pause(by=operator)
            self.stdout.write("Versand angehalten." if done else "Der Versand war bereits angehalten.")
        else:
            waiting = sending.resume(by=operator)
            self.stdout.write(f"Versand freigegeben. {waiting} wartende E-Mail(s) werden jetzt gesendet.")

    def _open(self, path):
        try:
            return open(path, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"Die Datei {path} kann nicht gelesen werden: {error.strerror}.") from error

    def _status(self):
        state = sending.state()
        self.stdout.write("Versand: " + ("freigegeben" if state.allowed else f"ANGEHALTEN – {state.reason}"))
        if not state.allowed:
            self.stdout.write("  Freigeben nach dem Abgleich: manage.py outbox resume (docs/operations.md)")
        queued = OutboxMessage.objects.filter(status=MessageStatus.QUEUED).aggregate(
            first=Min("created_at"), last=Max("created_at")
        )
        counts = {status: OutboxMessage.objects.filter(status=status).count() for status in MessageStatus}
        written = f" (geschrieben {_when(queued['first'])} bis {_when(queued['last'])})" if queued["first"] else ""
        self.stdout.write(
            f"Wartend: {counts[MessageStatus.QUEUED]}{written}, fehlgeschlagen: {counts[MessageStatus.FAILED]}, "
            f"gesendet: {counts[MessageStatus.SENT]}"
        )
        silent_since = timezone.now() - timedelta(seconds=settings.OUTBOX_WORKER_STALE_SECONDS)
        for worker in WorkerHeartbeat.objects.order_by("-beat_at"):
            gone = " – meldet sich nicht mehr (beendet?)" if worker.beat_at < silent_since else ""
            self.stdout.write(
                f"Worker {worker.name}: zuletzt gemeldet {_when(worker.beat_at)}, "
                f"zuletzt E-Mail übernommen {_when(worker.claimed_at)}{gone}"
            )
