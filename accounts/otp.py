"""One-time passwords (Einmalpasswörter): 10 random digits, verified against a hash, with an encrypted
copy that the administrator may read until the password is used, replaced or expired (DESIGN §3)."""

import base64
import hashlib
import secrets
from datetime import timedelta
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from security import security_log

OTP_DIGITS = 10


def generate() -> str:
    return f"{secrets.randbelow(10**OTP_DIGITS):0{OTP_DIGITS}d}"


@lru_cache(maxsize=4)
def _fernet(key: str) -> Fernet:
    # Any secret string from the settings becomes a Fernet key; the key never reaches the database.
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(key.encode()).digest()))


def _keys() -> MultiFernet:
    """The current key encrypts; it and the earlier keys (OTP_ENCRYPTION_KEY_FALLBACKS) decrypt, so the key
    can be changed without making the one-time passwords handed out meanwhile unreadable."""
    keys = [settings.OTP_ENCRYPTION_KEY, *settings.OTP_ENCRYPTION_KEY_FALLBACKS]
    return MultiFernet([_fernet(key) for key in keys])


def encrypt(otp: str) -> str:
    return _keys().encrypt(otp.encode()).decode()


def decrypt(token: str) -> str | None:
    """The plain value, or None when there is none or no configured key opens it."""
    if not token:
        return None
    try:
        return _keys().decrypt(token.encode()).decode()
    except InvalidToken:
        return None


def reencrypt(token: str) -> str | None:
    """The same value encrypted with the current key (key rotation), or None when no configured key opens it."""
    try:
        return _keys().rotate(token.encode()).decode()
    except InvalidToken:
        return None


def issue(user, *, now=None) -> str:
    """Give the user a new one-time password (in memory; the caller saves). Returns the plain value."""
    now = now or timezone.now()
    otp = generate()
    user.otp_hash = make_password(otp)
    user.otp_ciphertext = encrypt(otp)
    user.otp_created_at = now
    user.otp_expires_at = now + timedelta(days=settings.OTP_VALIDITY_DAYS)
    return otp


def clear(user, *, keep_expiry: bool = False) -> None:
    """Forget the one-time password. An expired one keeps its date so the detail view can say "abgelaufen"."""
    user.otp_hash = ""
    user.otp_ciphertext = ""
    if not keep_expiry:
        user.otp_created_at = None
        user.otp_expires_at = None


OTP_FIELDS = ["otp_hash", "otp_ciphertext", "otp_created_at", "otp_expires_at"]


def readable(user, *, now=None) -> str | None:
    """The plain one-time password for the administrator's detail view, or None when there is none to show.
    A copy that no configured key opens (OTP_ENCRYPTION_KEY changed without its fallback) is logged."""
    if not user.otp_ciphertext or user.otp_expired_at(now or timezone.now()):
        return None
    value = decrypt(user.otp_ciphertext)
    if value is None:
        security_log.warning("otp.unreadable", outcome="key_mismatch", user=user)
    return value


def unreadable(user, *, now=None) -> bool:
    """The user has a current one-time password, but its copy cannot be decrypted with the configured keys:
    the administrator must set a new one."""
    if not user.otp_ciphertext or user.otp_expired_at(now or timezone.now()):
        return False
    return decrypt(user.otp_ciphertext) is None
