"""Services for a user's own access: login, personal passwords, "Passwort vergessen", fund staff's OTP letters.

Each service owns one event of DESIGN §4: it locks the row it reads and writes, applies the model's
transition, saves with update_fields, writes its audit entry, and sends e-mail only after commit.
"""

from dataclasses import dataclass, replace
from datetime import timedelta

from django.conf import settings
from django.db import OperationalError, transaction
from django.utils import timezone

from accounts import credentials, emails
from accounts.models import DomainError, Event, PasswordRequest, Role, Status, User, normalize_email, otp_expired_q
from audit import log as audit
from audit.models import AuditEntry
from base.db import brief_lock_wait, is_lock_conflict
from base.transactions import inside_transaction
from security import devices, security_log

# --- Login --------------------------------------------------------------------------------------

GRANTED = {"password", "otp"}


@dataclass(frozen=True)
class LoginOutcome:
    user: User | None
    verdict: str  # password | otp | unknown | wrong | expired | locked | blocked | refused
    refusal: devices.Refusal | None = None
    passed_refusal: bool = False  # an unused one-time password opened it while untrusted clients are refused

    @property
    def ok(self) -> bool:
        return self.user is not None

    @property
    def otp_expired(self) -> bool:
        """The right one-time password, but too old: the user may be told to ask for a new one."""
        return self.verdict == "expired"


def _fingerprint(user: User) -> tuple:
    """What a verdict depends on: if any of it changed while the hash was checked, check again."""
    return (user.status, user.password, user.otp_hash)


def log_in(
    *, role: str, email: str, password: str, ip: str | None = None, device_tokens=(), factor_follows=None
) -> LoginOutcome:
    """Check a login attempt and apply its consequences (DESIGN §4 and §8, manual §8).

    `device_tokens` are the tokens of the browser's device cookie. Wrong passwords from a device trusted for the
    account count towards the manual's deactivation; wrong passwords from anywhere else count per account and
    time window, and past their limit untrusted clients are refused before any password is checked.

    The expensive hash check runs without a row lock; the outcome is then applied under the lock,
    and only if the account did not change in between (else the check is repeated). So 20 parallel
    wrong passwords end in exactly one lockout and one new one-time password.

    `factor_follows(user)` says whether a second factor must still be confirmed (the backend asks factors.policy):
    then the right password does not clear the failures counted so far, since wrong factors count there too, and
    the login is complete only with the factor.
    """
    email = normalize_email(email)
    now = timezone.now()
    for _attempt in range(5):
        user = User.objects.filter(email=email, role=role).first() if role in Role.values else None
        trusted = devices.trusts(device_tokens, user)
        passed = False
        if not trusted:
            refusal = devices.refusal(role, email, now=now)
            if refusal is not None:
                if not _passes_refusal(user, password, refusal, now=now):
                    devices.count_refusal(role, email)
                    _record_failure(user, role, email, "refused", ip)
                    return LoginOutcome(None, "refused", refusal)
                security_log.event("login.refusal_passed", outcome="unused_otp", user=user, ip=ip, role=role)
                passed = True
        if user is None:
            credentials.burn_hash(password)
            return _untrusted_failure(None, role, email, "unknown", ip)
        verdict, outdated = credentials.check(user, password, now=now, failure_limit=settings.LOGIN_FAILURE_LIMIT)
        with transaction.atomic():
            current = User.objects.select_for_update().get(pk=user.pk)
            if _fingerprint(current) != _fingerprint(user):
                continue
            if verdict in GRANTED or trusted:
                keep = verdict in GRANTED and factor_follows is not None and factor_follows(current)
                outcome = _apply_verdict(current, verdict, password if outdated else None, ip, keep_failures=keep)
                return replace(outcome, passed_refusal=passed and outcome.ok)
        return _untrusted_failure(current, role, email, verdict, ip)
    _record_failure(user, role, email, "busy", ip)
    return LoginOutcome(None, "wrong")


def _passes_refusal(user, password: str, refusal: devices.Refusal, *, now) -> bool:
    """While untrusted clients are refused for an account, a one-time password that nobody has logged in with yet
    still opens its first login (a new clerk's first browser is always untrusted, and a guesser must not hold it
    off). Only for the first UNTRUSTED_OTP_CHECKS_PER_WINDOW refused attempts of the window, so that many
    addresses together cannot guess on past the refusal; one hash on every path. The per-address limit has been
    counted before (accounts/backends.py)."""
    if not refusal.checks_otp:
        credentials.burn_hash(password)
        return False
    return credentials.opens_refusal(user, password, now=now)


def _untrusted_failure(user, role, email, verdict, ip) -> LoginOutcome:
    """A failure from a client that is not trusted for the account: counted per account, never against it."""
    if devices.count_failure(role, email):
        security_log.warning("login.untrusted_refused", outcome="refusing", user=user, ip=ip, role=role)
    _record_failure(user, role, email, verdict, ip)
    return LoginOutcome(None, verdict)


@inside_transaction
def _apply_verdict(user: User, verdict: str, rehash: str | None, ip: str | None, keep_failures=False) -> LoginOutcome:
    """Apply a verdict under the user's row lock. `rehash` is the correct personal password when its stored hash
    has older parameters: it is hashed anew now (existing hashes upgrade at the next login)."""
    fields = []
    if user.status == Status.DEACTIVATED and user.failed_login_count >= settings.LOGIN_FAILURE_LIMIT:
        verdict = "blocked"  # counted up by parallel attempts while this one checked its hash
    if verdict in GRANTED:
        if user.failed_login_count and not keep_failures:
            user.failed_login_count = 0
            fields.append("failed_login_count")
        if verdict == "password" and user.password_reset_pending:
            user.transition(Event.CANCEL_RESET)
            fields += ["status", "is_active", *credentials.cancel_offer(user)]
            PasswordRequest.objects.filter(user=user, handled_at__isnull=True).update(handled_at=timezone.now())
            audit.record("password.forgot_cancelled", actor=user, target=user, data={"ip": ip})
        if verdict == "otp":
            fields += credentials.use_otp(user)
        if verdict == "password" and rehash is not None:
            user.set_password(rehash)
            fields.append("password")
        if fields:
            user.save(update_fields=fields)
        action = "login.otp_used" if verdict == "otp" else "login.succeeded"
        audit.record(action, actor=user, target=user, data={"ip": ip})
        security_log.event(action, outcome="granted", user=user, ip=ip, role=user.role)
        return LoginOutcome(user, verdict)

    if verdict == "wrong":
        user.failed_login_count += 1
        fields.append("failed_login_count")
        if user.failed_login_count >= settings.LOGIN_FAILURE_LIMIT and user.can(Event.TOO_MANY_FAILURES):
            _deactivate(user, fields)
        user.save(update_fields=fields)
    _record_failure(user, user.role, user.email, verdict, ip)
    return LoginOutcome(None, verdict)


@inside_transaction
def _deactivate(user: User, fields: list) -> None:
    """N wrong passwords in a row from a trusted device: Deaktiviert, personal password void, a new OTP generated
    (manual §8)."""
    old, new = user.transition(Event.TOO_MANY_FAILURES)
    _value, renewed = credentials.renew(user)
    fields += ["status", "is_active", *renewed]
    audit.record("user.deactivated", target=user, data={"status": [old, new]})
    security_log.warning("user.deactivated", outcome="locked_out", user=user)
    emails.deactivated(user)


def second_factor_failed(*, user: User, ip: str | None = None, device_tokens=()) -> bool:
    """A wrong or replayed second factor after the right password counts as a failed login of the account, by the
    rules of `log_in`: from a trusted device towards LOGIN_FAILURE_LIMIT (→ Deaktiviert), from anywhere else towards
    the untrusted window, never against the account. Returns True when the session may not go on (Deaktiviert, or
    untrusted clients are now refused for the account)."""
    if not devices.trusts(device_tokens, user):
        _untrusted_failure(user, user.role, user.email, "second_factor", ip)
        return devices.refusal_for(user) is not None
    with transaction.atomic():
        current = User.objects.select_for_update().get(pk=user.pk)
        current.failed_login_count += 1
        fields = ["failed_login_count"]
        if current.failed_login_count >= settings.LOGIN_FAILURE_LIMIT and current.can(Event.TOO_MANY_FAILURES):
            _deactivate(current, fields)
        current.save(update_fields=fields)
        _record_failure(current, current.role, current.email, "second_factor", ip)
        return current.status == Status.DEACTIVATED


def second_factor_confirmed(*, user: User) -> None:
    """The login is complete: the failures counted since the last complete login are forgotten."""
    User.objects.filter(pk=user.pk, failed_login_count__gt=0).update(failed_login_count=0)


def _record_failure(user, role, email, verdict, ip) -> None:
    data = {"role": role, "verdict": verdict, "ip": ip}
    audit.record("login.failed", target=user, data=data, actor_label=(email or "?")[:254])
    security_log.warning(
        "login.failed",
        outcome="refused",
        user=user,
        ip=ip,
        verdict=verdict,
        role=role,
        login_name=security_log.login_name(email),
    )


# --- Personal passwords -------------------------------------------------------------------------


def set_personal_password(*, user: User, password: str) -> User:
    """After a login with a one-time password: the personal password makes the user Aktiv (manual §6)."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        old, new = user.transition(Event.SET_PASSWORD)
        fields = credentials.set_personal(user, password, now=timezone.now())
        user.save(update_fields=["status", "is_active", *fields])
        audit.record("user.password_set", actor=user, target=user, data={"status": [old, new]})
        emails.password_set(user)
    return user


def change_password(*, user: User, password: str) -> User:
    """An active user chooses a new personal password (the form has checked the current one)."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if not user.can_change_own_password:
            raise DomainError("Das Passwort kann nur bei einem aktiven Zugang geändert werden.")
        user.save(update_fields=credentials.set_personal(user, password, now=timezone.now()))
        audit.record("user.password_changed", actor=user, target=user)
        emails.password_set(user)
    return user


# --- "Passwort vergessen" -----------------------------------------------------------------------


def request_password_reset(*, role: str, email: str, ip: str | None = None) -> None:
    """Passwort vergessen (manual §6, DESIGN §8). Always silent: the caller answers the same sentence whatever
    happens, and every path costs one hash, as a new one-time password does.

    A clerk gets a new one-time password, which its administrator hands over; its personal password and open
    sessions stay until that one-time password is used, and logging in with the personal password cancels the
    request. An administrator's request waits for fund staff, who send new access data by letter. At most
    FORGOT_PASSWORD_LIMIT_PER_HOUR requests per e-mail and role are acted on in an hour.
    """
    email = normalize_email(email)
    if role not in (Role.CLERK, Role.ADMINISTRATOR) or not email:
        credentials.burn_hash(email)
        return
    since = timezone.now() - timedelta(hours=1)
    with transaction.atomic():
        recent = PasswordRequest.objects.filter(email=email, role=role, created_at__gte=since).count()
        if recent >= settings.FORGOT_PASSWORD_LIMIT_PER_HOUR:
            credentials.burn_hash(email)
            security_log.warning("password.forgot_throttled", outcome="ignored", ip=ip, role=role)
            return
        user = User.objects.select_for_update().filter(email=email, role=role).first()
        PasswordRequest.objects.create(email=email, role=role, user=user)
        if user is None:
            credentials.burn_hash(email)
            return
        audit.record("password.forgot_requested", actor=user, target=user, data={"ip": ip})
        security_log.event("password.forgot_requested", outcome="accepted", user=user, ip=ip, role=role)
        if role == Role.ADMINISTRATOR:
            credentials.burn_hash(email)
            if not user.is_locked:
                emails.forgot_password_administrator(user)
            return
        _reset_clerk_password(user)


@inside_transaction
def _reset_clerk_password(user: User) -> None:
    old, new = user.transition(Event.FORGOT_PASSWORD)
    if old == Status.LOCKED:
        credentials.burn_hash(user.email)
        return  # a locked clerk: nothing changes (DESIGN §4)
    _value, fields = credentials.offer(user)
    user.save(update_fields=["status", "is_active", *fields])
    emails.forgot_password_clerk(user)


# --- Fund staff ---------------------------------------------------------------------------------


def issue_access_letter_otp(*, user: User, by: User, after_factor_reset: bool = False) -> str:
    """Fund staff give an administrator (or any non-locked user) a new one-time password for a letter.

    Previous OTP and personal password become void, open sessions end; open "Passwort vergessen"
    requests of the user count as handled. `after_factor_reset` is recorded, so that the letter says why it comes.
    Returns the new one-time password.
    """
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        old, new = user.transition(Event.RESET_OTP)
        value, fields = credentials.renew(user)
        user.save(update_fields=["status", "is_active", *fields])
        devices.clear(user)
        PasswordRequest.objects.filter(user=user, handled_at__isnull=True).update(
            handled_at=timezone.now(), handled_by=by
        )
        data = {"status": [old, new]} | ({"factor_reset": True} if after_factor_reset else {})
        audit.record("user.otp_reset", actor=by, target=user, data=data)
    return value


def end_sessions(*, user: User, by: User) -> None:
    """End every open session of a user at its next request (fund staff, SESS-07)."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        user.end_sessions()
        user.save(update_fields=["session_epoch"])
        audit.record("user.sessions_ended", actor=by, target=user)


def record_logout(*, user: User) -> None:
    if user.is_authenticated:
        audit.record("user.logged_out", actor=user, target=user)
        security_log.event("user.logged_out", outcome="ended", user=user)


def clear_expired_otps() -> int:
    """Forget one-time passwords past their expiry: hash and readable copy go, the date stays so the
    detail view can say "abgelaufen" (DESIGN §3). Run by `manage.py clear_expired_otps` (cron)."""
    with transaction.atomic():
        expired = list(
            User.objects.select_for_update()
            .filter(otp_expired_q(timezone.now()))
            .exclude(otp_hash="", otp_ciphertext="")
            .order_by("pk")
        )
        for user in expired:
            user.save(update_fields=credentials.forget_expired(user))
            audit.record("user.otp_expired", target=user)
    return len(expired)


def otp_key(clerk: User) -> str:
    return clerk.otp_created_at.isoformat() if clerk.otp_created_at else ""


def record_otp_shown(*, clerk: User, by: User) -> bool:
    """Who saw a one-time password (LOG-10): one audit entry per one-time password and reader, written when the
    Detailansicht shows it to an administrator, or the access letter in the Django admin to fund staff. The page
    only shows, so it waits for the clerk's row no longer than a moment (base.db.brief_lock_wait): False when the
    entry could not be written because the row is held by a change under way — then the password is not shown
    either."""
    key = otp_key(clerk)
    seen = AuditEntry.objects.filter(action="user.otp_viewed", actor=by, target=clerk, data__otp=key)
    if seen.exists():
        return True
    return record_while_showing("user.otp_viewed", actor=by, target=clerk, data={"otp": key})


def record_while_showing(action: str, **entry) -> bool:
    try:
        with brief_lock_wait():
            audit.record(action, **entry)
    except OperationalError as error:
        if not is_lock_conflict(error):
            raise
        return False
    return True
