"""Who needs which second factor (DESIGN §8, SECURITY.md AUTH-18).

- Administrators and fund staff: a passkey or an authenticator app, always. Until one is enrolled they reach only
  "Zweiten Faktor einrichten"; afterwards every session reaches nothing but "Anmeldung bestätigen" until the factor
  was used in it (`request.user.is_verified()`). Recovery codes stand in for a lost factor, never replace it.
- Clerks: a six-digit code by e-mail, as CLERK_SECOND_FACTOR says: "always", "remembered_device" (only from a browser
  that has not confirmed a code for the account within CLERK_REMEMBER_DAYS) or "off".
"""

from django.conf import settings
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from accounts.models import Role
from factors.models import EmailCodeDevice
from security import devices

CLERK_MODES = ("always", "remembered_device", "off")
# The session key that says a clerk's login needed no e-mail code (its browser is remembered, or the setting is off).
CLERK_EXEMPT_SESSION_KEY = "factors_clerk_exempt"


def requires_strong_factor(user) -> bool:
    """Administrators and fund staff log in with a passkey or an authenticator app."""
    return user.role in (Role.ADMINISTRATOR, Role.STAFF)


def strong_devices(user) -> list:
    """The user's confirmed passkeys and authenticator apps (what counts as "enrolled")."""
    return [
        *WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("pk"),
        *TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk"),
    ]


def is_enrolled(user) -> bool:
    return (
        WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()
        or TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    )


def recovery_device(user):
    return StaticDevice.objects.filter(user=user, name=RECOVERY_NAME).first()


RECOVERY_NAME = "Wiederherstellungscodes"


def clerk_mode() -> str:
    mode = settings.CLERK_SECOND_FACTOR
    if mode not in CLERK_MODES:
        raise ValueError(f"CLERK_SECOND_FACTOR must be one of {CLERK_MODES}, not {mode!r}")
    return mode


def clerk_needs_code(request, user) -> bool:
    """At a clerk's login: must this browser confirm an e-mail code?"""
    mode = clerk_mode()
    if mode == "off":
        return False
    if mode == "always":
        return True
    device = EmailCodeDevice.objects.filter(user=user).first()
    forgotten_at = device.browsers_forgotten_at if device is not None else None
    verified_at = devices.factor_verified_at(request, user)
    if verified_at is None or (forgotten_at is not None and verified_at <= forgotten_at):
        return True
    return not devices.within_days(verified_at, settings.CLERK_REMEMBER_DAYS)


def factor_follows(request, user) -> bool:
    """After the right password: must this login still confirm a second factor?"""
    if requires_strong_factor(user):
        return is_enrolled(user)
    return clerk_needs_code(request, user)


def session_is_verified(request) -> bool:
    """Has this session passed the second factor its user needs? (The one question the enforcement asks.)"""
    user = request.user
    if user.is_verified():
        return True
    if user.role == Role.CLERK:
        return bool(request.session.get(CLERK_EXEMPT_SESSION_KEY))
    return False
