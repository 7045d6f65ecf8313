"""`manage.py send_notice_digest` (daily by cron): the administrators' digest of their clerks' cases."""

from django.core.management.base import BaseCommand

from clerks import notices


class Command(BaseCommand):
    help = "Versendet die tägliche Sammelmail an Administratoren, die sie gewählt haben."

    def handle(self, *args, **options):
        notices.send_due()
        self.stdout.write(f"Sammelmails geschrieben: {notices.send_digest()}")
