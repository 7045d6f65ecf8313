"""`manage.py apply_retention [--dry-run]`: apply the deletion rules (daily by cron) and print the report."""

from django.core.management.base import BaseCommand

from retention import services

LABELS = {
    "users_pseudonymised": "Benutzer pseudonymisiert",
    "audit_entries_pseudonymised": "Protokolleinträge pseudonymisiert",
    "password_requests_deleted": "„Passwort vergessen“-Anfragen gelöscht",
    "rejected_applications_deleted": "abgelehnte Registrierungen gelöscht",
    "sent_mails_deleted": "versendete E-Mails gelöscht",
    "throttle_rows_deleted": "abgelaufene Versuchszähler gelöscht",
    "sessions_deleted": "abgelaufene Sitzungen gelöscht",
    "access_log_entries_deleted": "Einträge des Zugriffsprotokolls gelöscht",
    "reports_deleted": "Meldungen gelöscht",
}


class Command(BaseCommand):
    help = "Wendet die Löschregeln an (SECURITY.md, „Aufbewahrung und Löschung“); --dry-run zeigt nur, was geschähe."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="nichts ändern, nur berichten")

    def handle(self, *args, dry_run=False, **options):
        run = services.apply(dry_run=dry_run)
        self.stdout.write(("Probelauf – es wurde nichts geändert." if dry_run else "Löschregeln angewendet.") + "")
        for key, value in run.report.items():
            shown = len(value) if isinstance(value, list) else value
            suffix = f" (Benutzer-IDs: {', '.join(map(str, value))})" if isinstance(value, list) and value else ""
            self.stdout.write(f"  {LABELS[key]}: {shown}{suffix}")
