"""Every change of a second factor, and every use of one (DESIGN §8 "Second factor", SECURITY.md AUTH-18 … AUTH-21).

Each service locks the user's row, changes the devices, writes its audit entry and its mail in one transaction.
Who may reset whose factor is decided by the caller's authority: `clerks.services.reset_second_factor` for an
administrator (clerks.authority.may_handle_credentials), the Django admin's action and `manage.py
reset_second_factor` for fund staff.
"""

import secrets
from binascii import unhexlify

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key
from django_otp_webauthn.models import WebAuthnCredential

from accounts import emails
from accounts import services as account_services
from accounts.models import DomainError, Role, User
from audit import log as audit
from factors import policy
from factors.models import EmailCodeDevice, code_hash
from security import devices, security_log, throttling
from security.client_address import client_ip

KIND_LABELS = {
    "passkey": "Passkey",
    "totp": "Authenticator-App",
    "recovery": "Wiederherstellungscode",
    "email": "Code per E-Mail",
}
LAST_FACTOR = (
    "Das ist Ihr einziger Passkey bzw. Ihre einzige Authenticator-App. Richten Sie zuerst einen weiteren ein, bevor "
    "Sie diesen entfernen."
)
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off paper without doubt
RECOVERY_LENGTH = 10


def kind_of(device) -> str:
    if isinstance(device, WebAuthnCredential):
        return "passkey"
    if isinstance(device, TOTPDevice):
        return "totp"
    if isinstance(device, StaticDevice):
        return "recovery"
    return "email"


def _lock(user: User) -> User:
    return User.objects.select_for_update().get(pk=user.pk)


def _mail(user: User, template: str, **context) -> None:
    emails.send_templated(template, user.email, {"user": user, **context})


# --- Enrolment ----------------------------------------------------------------------------------------------


def new_totp_key() -> str:
    """A fresh secret for an authenticator app (hex, as django-otp's TOTPDevice keeps it)."""
    return default_key()


def totp_matches(key: str, token: str) -> int | None:
    """The time step a code of `key` matches (one step of drift either way), or None."""
    token = "".join(str(token).split())
    if not token.isdigit() or len(token) != 6:
        return None
    totp = TOTP(unhexlify(key), step=30, t0=0, digits=6, drift=0)
    if totp.verify(int(token), tolerance=1):
        return totp.t() + totp.drift
    return None


def enrol_totp(*, user: User, key: str, token: str) -> TOTPDevice | None:
    """Zweiten Faktor einrichten with an authenticator app: the app's first code proves it holds `key`. The code's
    time step is remembered, so the same code cannot confirm a login afterwards."""
    step = totp_matches(key, token)
    if step is None:
        return None
    with transaction.atomic():
        user = _lock(user)
        number = TOTPDevice.objects.filter(user=user).count() + 1
        device = TOTPDevice.objects.create(
            user=user, name=f"Authenticator-App {number}", key=key, confirmed=True, last_t=step
        )
        _added(user, device)
    return device


def passkey_added(*, user: User, device: WebAuthnCredential) -> None:
    """django-otp-webauthn has stored a new passkey (factors/webauthn.py): audit entry and mail."""
    with transaction.atomic():
        _added(_lock(user), device)


def _added(user: User, device) -> None:
    kind = kind_of(device)
    audit.record("factor.added", actor=user, target=user, data={"kind": kind, "device": device.name})
    security_log.event("factor.added", outcome="added", user=user, kind=kind)
    _mail(user, "factor_added", kind=KIND_LABELS[kind])


def rename_passkey(*, device: WebAuthnCredential, name: str, by: User) -> bool:
    """ "Büro-PC": the owner names its passkey, so that "Sicherheit" tells its passkeys apart. Audited with the old and
    the new name; returns whether the name changed."""
    with transaction.atomic():
        by = _lock(by)
        device = WebAuthnCredential.objects.select_for_update().get(pk=device.pk, user=by)
        name = " ".join(name.split())
        if not name or name == device.name:
            return False
        old, device.name = device.name, name
        device.save(update_fields=["name"])
        audit.record("factor.renamed", actor=by, target=by, data={"changes": {"name": [old, name]}})
    return True


def needs_recovery_codes(user: User) -> bool:
    """No unused recovery code left: the next step after a passkey is to make (and print) them."""
    device = policy.recovery_device(user)
    return device is None or not device.token_set.exists()


def renew_recovery_codes(*, user: User) -> list[str]:
    """New recovery codes; the earlier ones are void. Returned once, to be printed; kept only as keyed hashes."""
    codes = [
        "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
        for _ in range(settings.RECOVERY_CODE_COUNT)
    ]
    with transaction.atomic():
        user = _lock(user)
        device, _created = StaticDevice.objects.get_or_create(
            user=user, name=policy.RECOVERY_NAME, defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        StaticToken.objects.bulk_create(StaticToken(device=device, token=_recovery_hash(c)) for c in codes)
        audit.record("factor.recovery_codes_renewed", actor=user, target=user)
    return [f"{c[:5]}-{c[5:]}" for c in codes]


def _recovery_hash(code: str) -> str:
    """What StaticToken keeps of a recovery code: 16 hex digits of its keyed hash (the field holds 16)."""
    return code_hash("recovery", code)[:16]


def _normal_recovery(token: str) -> str:
    return "".join(ch for ch in str(token).lower() if ch.isalnum())


def remove_factor(*, user: User, device) -> None:
    """Sicherheit → Entfernen: never the last passkey or authenticator app of someone who must have one."""
    with transaction.atomic():
        user = _lock(user)
        if policy.requires_strong_factor(user) and len(policy.strong_devices(user)) <= 1:
            raise DomainError(LAST_FACTOR)
        kind = kind_of(device)
        device.delete()
        audit.record("factor.removed", actor=user, target=user, data={"kind": kind, "device": device.name})
        _mail(user, "factor_removed", kind=KIND_LABELS[kind])


# --- Anmeldung bestätigen -----------------------------------------------------------------------------------


def verify_code(*, request, user: User, token: str, ip: str | None) -> bool:
    """A typed code: the authenticator app's, a recovery code (single use), or a clerk's e-mail code (single use).
    The right one marks the session verified (django-otp); a wrong or replayed one counts as a failed login
    (accounts.services.second_factor_failed) and may end the session."""
    device = None
    with transaction.atomic():
        _lock(user)
        digits = "".join(str(token).split())
        if policy.requires_strong_factor(user) and digits.isdigit() and len(digits) == 6:
            for candidate in TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).order_by("pk"):
                if candidate.verify_is_allowed()[0] and candidate.verify_token(digits):
                    device = candidate
                    break
        elif policy.requires_strong_factor(user) and len(_normal_recovery(token)) == RECOVERY_LENGTH:
            recovery = StaticDevice.objects.select_for_update().filter(user=user, name=policy.RECOVERY_NAME).first()
            if recovery is not None and recovery.verify_token(_recovery_hash(_normal_recovery(token))):
                device = recovery
        if not policy.requires_strong_factor(user):
            email_device = EmailCodeDevice.objects.select_for_update().filter(user=user).first()
            if email_device is not None and email_device.verify_token(token):
                device = email_device
        if device is not None:
            _used(request, user, device, ip)
    if device is None:
        failed(request=request, user=user, kind="code", ip=ip)
    return device is not None


def passkey_used(*, request, user: User, device: WebAuthnCredential, ip: str | None) -> None:
    with transaction.atomic():
        _used(request, _lock(user), device, ip)


def _used(request, user, device, ip) -> None:
    otp_login(request, device)
    account_services.second_factor_confirmed(user=user)
    request.trusted_login = user  # the login is complete: security.devices trusts this browser for the account
    kind = kind_of(device)
    action = "factor.recovery_code_used" if kind == "recovery" else "factor.used"
    audit.record(action, actor=user, target=user, data={"kind": kind, "ip": ip})
    security_log.event(action, outcome="granted", user=user, ip=ip, kind=kind)
    if kind == "recovery":
        left = device.token_set.count()
        _mail(user, "factor_recovery_code_used", left=left)
    if kind == "email":
        request.factor_confirmed = user  # security.devices.DeviceCookieMiddleware remembers this browser


def refused_here(*, request, user: User) -> bool:
    """Are untrusted clients refused for the account now (UNTRUSTED_LOGIN_FAILURE_LIMIT failures from elsewhere),
    and is this browser not trusted for it? Then it gets no factor checked, as it would get no password checked at
    the login: a session that passed the password before the refusal guesses no further (security/devices.py)."""
    if not devices.refuses(request, user):
        return False
    devices.count_refusal(user.role, user.email)
    security_log.warning("factor.refused", outcome="refused", user=user, ip=client_ip(request))
    return True


def failed(*, request, user: User, kind: str, ip: str | None) -> bool:
    """A wrong or replayed factor. Returns True when the session was ended (Deaktiviert, or untrusted clients are
    refused for the account now)."""
    with transaction.atomic():
        audit.record("factor.failed", actor=user, target=user, data={"kind": kind, "ip": ip})
    security_log.warning("factor.failed", outcome="refused", user=user, ip=ip, kind=kind)
    return account_services.second_factor_failed(user=user, ip=ip, device_tokens=devices.tokens_from(request))


def send_email_code(*, user: User, ip: str | None) -> throttling.Decision:
    """A clerk's login from a browser that must confirm it: a new six-digit code by mail (secret: the outbox
    forgets its text once sent), valid EMAIL_CODE_VALIDITY_SECONDS, replacing any earlier one. At most
    EMAIL_CODES_PER_ACCOUNT in EMAIL_CODE_WINDOW_SECONDS: beyond, nothing is sent and the last code stays valid
    (the refused decision says so), so whoever knows the password cannot flood the clerk's mailbox."""
    decision = throttling.attempt(throttling.EMAIL_CODE, ip=f"user:{user.pk}")
    if not decision.allowed:
        return decision
    with transaction.atomic():
        user = _lock(user)
        device, _created = EmailCodeDevice.objects.select_for_update().get_or_create(
            user=user, defaults={"name": "Code per E-Mail", "confirmed": True}
        )
        code, fields = device.issue_code()
        device.save(update_fields=fields)
        audit.record("factor.email_code_sent", actor=user, target=user, data={"ip": ip})
        minutes = settings.EMAIL_CODE_VALIDITY_SECONDS // 60
        emails.send_templated(
            "factor_email_code", user.email, {"user": user, "code": code, "minutes": minutes}, secret=True
        )
    return decision


# --- Resets ---------------------------------------------------------------------------------------------------


def forget_remembered_browsers(*, user: User) -> None:
    """Every browser confirms an e-mail code again at the user's next login: the login e-mail changed, so the
    browsers remembered proved a mailbox that is no longer the one the codes go to. The caller holds the
    transaction."""
    EmailCodeDevice.objects.filter(user=user).update(browsers_forgotten_at=timezone.now())


def reset(*, user: User, by: User) -> None:
    """Zweiten Faktor zurücksetzen: every passkey, authenticator app and recovery code goes, a clerk's remembered
    browsers are forgotten, open sessions end; audited and mailed to the owner. The caller has checked the
    authority of `by` and holds the transaction."""
    removed = [kind_of(d) for d in policy.strong_devices(user)]
    WebAuthnCredential.objects.filter(user=user).delete()
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    EmailCodeDevice.objects.update_or_create(
        user=user,
        defaults={
            "name": "Code per E-Mail",
            "confirmed": True,
            "code_hash": "",
            "valid_until": None,
            "browsers_forgotten_at": timezone.now(),
        },
    )
    user.end_sessions()
    user.save(update_fields=["session_epoch"])
    audit.record("factor.reset", actor=by, target=user, data={"removed": removed})
    security_log.event("factor.reset", outcome="reset", user=user, by=by.pk)
    _mail(user, "factor_reset", by_fund=by.role == Role.STAFF)


def reset_by_staff(*, user: User, by: User) -> None:
    """Any fund staff member resets an administrator's factor (the admin action, then a new access letter: it is the
    same identity check as the first letter); only another superuser resets a fund staff member's
    (manage.py reset_second_factor), and nobody their own."""
    if not (by.role == Role.STAFF and by.is_staff and by.is_active):
        raise DomainError("Nur ZVK-Mitarbeiter können einen zweiten Faktor zurücksetzen.")
    if user.pk == by.pk:
        raise DomainError("Den eigenen zweiten Faktor setzt ein anderer ZVK-Mitarbeiter zurück.")
    if user.role == Role.STAFF and not by.is_superuser:
        raise DomainError("Den zweiten Faktor eines ZVK-Mitarbeiters setzt nur ein anderer Superuser zurück.")
    with transaction.atomic():
        reset(user=_lock(user), by=by)
