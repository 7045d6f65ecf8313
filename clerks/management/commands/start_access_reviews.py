"""`manage.py start_access_reviews` (daily by cron): start the yearly reviews that are due and send reminders."""

from django.core.management.base import BaseCommand

from clerks import review


class Command(BaseCommand):
    help = "Beginnt die jährliche Überprüfung der Berechtigungen und erinnert an offene Überprüfungen."

    def handle(self, *args, **options):
        outcome = review.run()
        self.stdout.write(f"Begonnen: {len(outcome['started'])}, erinnert: {len(outcome['reminded'])}")
