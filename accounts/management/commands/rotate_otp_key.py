from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import otp
from accounts.models import User


class Command(BaseCommand):
    help = (
        "Verschlüsselt die lesbaren Kopien der Einmalpasswörter mit dem aktuellen OTP_ENCRYPTION_KEY neu. "
        "Vorher den neuen Schlüssel in OTP_ENCRYPTION_KEY und den alten in OTP_ENCRYPTION_KEY_FALLBACKS "
        "eintragen; danach kann der alte Schlüssel aus OTP_ENCRYPTION_KEY_FALLBACKS entfernt werden."
    )

    def handle(self, *args, **options):
        rotated = unreadable = 0
        with transaction.atomic():
            for user in User.objects.exclude(otp_ciphertext="").select_for_update().order_by("pk"):
                token = otp.reencrypt(user.otp_ciphertext)
                if token is None:
                    unreadable += 1
                    continue
                user.otp_ciphertext = token
                user.save(update_fields=["otp_ciphertext"])
                rotated += 1
        self.stdout.write(f"{rotated} Einmalpasswort-Kopie(n) mit dem aktuellen Schlüssel neu verschlüsselt.")
        if unreadable:
            self.stderr.write(
                f"{unreadable} Kopie(n) sind mit keinem der eingestellten Schlüssel lesbar; für diese Benutzer "
                "bitte ein neues Einmalpasswort setzen."
            )
