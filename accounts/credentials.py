"""The credential lifecycle of a user, in one place: what a new one-time password voids, what a lock takes away,
how a login checks a password or one-time password, and what using a one-time password does.

Every function changes the user in memory and returns the fields it changed; the calling service holds the row
lock, saves with exactly those fields and writes the audit entry.
"""

from django.contrib.auth.hashers import check_password, make_password

from accounts import otp
from accounts.models import Status

SESSION_FIELDS = ["session_epoch"]


def burn_hash(secret: str) -> None:
    """Cost a request that checks or issues nothing the same hashing work as one that does (no enumeration by
    timing): one hash of the preferred hasher, as a password check or a new one-time password costs."""
    make_password(secret)


def renew(user) -> tuple[str, list[str]]:
    """A new one-time password that replaces every credential: the previous one-time password and the personal
    password are void, the failure count starts again, and open sessions end (manual §6 "Einmalpasswort
    setzen", §8 deactivation, §7.1 restoring a locked clerk, fund staff's access letter)."""
    user.set_unusable_password()
    value = otp.issue(user)
    user.failed_login_count = 0
    user.end_sessions()
    return value, ["password", "failed_login_count", *SESSION_FIELDS, *otp.OTP_FIELDS]


def offer(user) -> tuple[str, list[str]]:
    """A new one-time password beside the personal password ("Passwort vergessen", DESIGN §8): the personal
    password keeps working and open sessions stay open until the one-time password is used."""
    value = otp.issue(user)
    return value, list(otp.OTP_FIELDS)


def lock(user, event) -> list[str]:
    """Gesperrt (by an administrator, the last-administrator cascade or inactivity): the status changes by `event`,
    and the lock takes the one-time password away and ends open sessions. The personal password stays for a later
    restore, which issues a new one-time password anyway (`renew`)."""
    user.transition(event)
    otp.clear(user)
    user.end_sessions()
    return ["status", "is_active", *SESSION_FIELDS, *otp.OTP_FIELDS]


def cancel_offer(user) -> list[str]:
    """The personal password was used while a "Passwort vergessen" one-time password waited: it is withdrawn."""
    otp.clear(user)
    return list(otp.OTP_FIELDS)


def use_otp(user) -> list[str]:
    """A login with the one-time password: from now on only it counts. A personal password that was still
    usable (an open "Passwort vergessen" request) becomes void and its other sessions end; the one-time password
    itself stays valid until a personal password is set or it expires (SECURITY.md)."""
    if not user.has_usable_password():
        return []
    user.set_unusable_password()
    user.end_sessions()
    return ["password", *SESSION_FIELDS]


def forget_expired(user) -> list[str]:
    """An expired one-time password: hash and readable copy go, the date stays so the detail view says
    "abgelaufen"."""
    otp.clear(user, keep_expiry=True)
    return ["otp_hash", "otp_ciphertext"]


def set_personal(user, password: str, *, now) -> list[str]:
    """A personal password chosen by the user: the one-time password goes, the failure count starts again."""
    user.set_password(password)
    user.password_changed_at = now
    user.failed_login_count = 0
    otp.clear(user)
    return ["password", "password_changed_at", "failed_login_count", *otp.OTP_FIELDS]


def opens_refusal(user, password: str, *, now) -> bool:
    """Whether `password` is the user's one-time password that nobody has logged in with yet, still valid: it
    passes the refusal of untrusted clients (security/devices.py). One hash whatever the answer, for an unknown
    account too, so the answer tells a guesser nothing but whether it guessed the one-time password."""
    if user is None or not user.otp_unused:
        burn_hash(password)
        return False
    return check_password(password, user.otp_hash) and not user.otp_expired_at(now)


def check(user, password: str, *, now, failure_limit: int) -> tuple[str, bool]:
    """Verify what the user's status lets it log in with (DESIGN §4, §8). Runs outside any row lock.

    Returns the verdict — "password", "otp", "expired" (the right one-time password, too old), "wrong", "locked"
    or "blocked" (too many failures from trusted devices since the last new one-time password) — and whether a
    correct personal password is stored with older hasher parameters (Django's `setter` hook) and should be
    hashed anew. Every path costs at least one hash of the preferred hasher.
    """
    outdated = []

    def personal(encoded) -> bool:
        return check_password(password, encoded, setter=outdated.append)

    status = user.status
    if status == Status.ACTIVE:
        return ("password" if personal(user.password) else "wrong"), bool(outdated)
    if status == Status.LOCKED:
        burn_hash(password)
        return "locked", False
    # Ausstehend or Deaktiviert: the one-time password; while a "Passwort vergessen" request waits, also the
    # personal password (which cancels the request).
    if user.has_usable_password() and personal(user.password):
        return "password", bool(outdated)
    if user.otp_hash and user.failed_login_count < failure_limit:
        if not check_password(password, user.otp_hash):
            return "wrong", False
        return ("expired" if user.otp_expired_at(now) else "otp"), False
    burn_hash(password)
    return ("blocked" if user.failed_login_count >= failure_limit else "wrong"), False
