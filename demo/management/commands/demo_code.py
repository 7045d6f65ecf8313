from binascii import unhexlify

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP

from demo.management.commands.demo import DEMO_TOTP_KEY


class Command(BaseCommand):
    help = "Zeigt den aktuellen Code der Demo-Authenticator-App aller Demo-Administratoren (nur mit DEBUG=1)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Der Demo-Code wird nur mit DEBUG=1 gezeigt, nie in einer Produktivumgebung.")
        self.stdout.write(f"{TOTP(unhexlify(DEMO_TOTP_KEY), step=30, digits=6).token():06d}")
