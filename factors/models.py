"""The clerk's e-mail code as a django-otp device, and when a user's remembered browsers were last forgotten.

Passkeys (django_otp_webauthn.WebAuthnCredential), authenticator apps (django_otp's TOTPDevice) and recovery codes
(django_otp's StaticDevice) are the libraries' own models; only the e-mail code needs its own, because it is a
secret in a mail: the code is kept as a keyed hash, valid for EMAIL_CODE_VALIDITY_SECONDS, and gone once used.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django_otp.models import Device

EMAIL_CODE_DIGITS = 6
EMAIL_CODE_ATTEMPTS = 3


def code_hash(purpose: str, code: str) -> str:
    """A keyed hash of a short secret (e-mail code, recovery code): useless without SECRET_KEY."""
    return salted_hmac(f"factors.{purpose}", code, algorithm="sha256").hexdigest()


class EmailCodeDevice(Device):
    """One per clerk: the six-digit code of its current login, as a hash."""

    code_hash = models.CharField(max_length=64, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    # Browsers that verified a code before this moment are no longer remembered ("Zweiten Faktor zurücksetzen").
    browsers_forgotten_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "Code per E-Mail"
        verbose_name_plural = "Codes per E-Mail"

    def issue_code(self, *, now=None) -> tuple[str, list[str]]:
        """A new code replaces any earlier one; returns it (for the mail only) and the changed fields."""
        now = now or timezone.now()
        code = f"{secrets.randbelow(10**EMAIL_CODE_DIGITS):0{EMAIL_CODE_DIGITS}d}"
        self.code_hash = code_hash("email", code)
        self.valid_until = now + timedelta(seconds=settings.EMAIL_CODE_VALIDITY_SECONDS)
        self.failed_attempts = 0
        return code, ["code_hash", "valid_until", "failed_attempts"]

    def verify_token(self, token) -> bool:
        """Single use: the right code within its validity clears the hash, and so do EMAIL_CODE_ATTEMPTS wrong ones
        (a guesser needs a new login, with the password, for every few guesses). The caller holds the row lock."""
        token = "".join(str(token).split())
        if not self.code_hash or self.valid_until is None or timezone.now() >= self.valid_until:
            return False
        if constant_time_compare(self.code_hash, code_hash("email", token)):
            self.code_hash, self.valid_until, self.failed_attempts = "", None, 0
        else:
            self.failed_attempts += 1
            if self.failed_attempts >= EMAIL_CODE_ATTEMPTS:
                self.code_hash, self.valid_until = "", None
        self.save(update_fields=["code_hash", "valid_until", "failed_attempts"])
        return not self.code_hash and self.failed_attempts == 0
