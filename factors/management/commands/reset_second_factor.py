"""A fund staff member's lost second factor, reset by another superuser (an administrator's is reset in the Django
admin, with a new access letter; a clerk's by its administrator)."""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import DomainError, Role, User
from factors import services


class Command(BaseCommand):
    help = (
        "Setzt den zweiten Faktor eines ZVK-Mitarbeiters zurück (Passkeys, Authenticator-Apps, "
        "Wiederherstellungscodes); ausgeführt im Namen eines anderen Superusers, protokolliert und per E-Mail gemeldet."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help="E-Mail des ZVK-Mitarbeiters, dessen Faktor zurückgesetzt wird")
        parser.add_argument("--by", required=True, help="E-Mail des Superusers, der das veranlasst")

    def handle(self, *args, email, by, **options):
        user = User.objects.filter(email__iexact=email.strip(), role=Role.STAFF).first()
        actor = User.objects.filter(email__iexact=by.strip(), role=Role.STAFF, is_superuser=True).first()
        if user is None:
            raise CommandError(f"Kein ZVK-Mitarbeiter mit der E-Mail {email}.")
        if actor is None:
            raise CommandError(f"Kein Superuser mit der E-Mail {by}.")
        try:
            services.reset_by_staff(user=user, by=actor)
        except DomainError as error:
            raise CommandError(error.messages[0]) from None
        self.stdout.write(
            f"Der zweite Faktor von {user.email} ist zurückgesetzt. Bei der nächsten Anmeldung richtet "
            "er einen neuen ein."
        )
