"""Limits per client address for the public forms: login, "Passwort vergessen", registration, "Barriere melden"; and
the few limits per account ("Passwort ändern", e-mail codes sent) or for the whole portal ("Barriere melden").

The per-account lockout (LOGIN_FAILURE_LIMIT wrong passwords in a row → Deaktiviert) stops guessing at one
account. These limits stop one address from guessing at many: an attempt beyond the limit is refused before
any password is checked, and is not counted against any account, so spraying wrong passwords from one
address cannot lock its victims out beyond the limit.

A window starts with an address's first attempt and lasts THROTTLE_WINDOW_SECONDS; within it the address
has its form's budget of attempts. A successful login gives its attempt back, so colleagues behind one
town-hall address do not use up each other's budget by logging in. The counts live in the database
(ThrottleWindow, one row per form and address, updated under a row lock), so several app servers share them
and parallel requests cannot slip past the limit.
"""

import ipaddress
import math
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from audit import log as audit
from base.db import quoted
from security import security_log
from security.models import ThrottleWindow

LOGIN = "login"
FORGOT_PASSWORD = "forgot_password"
REGISTRATION = "registration"
ACCOUNT_SCOPE = "untrusted_login"  # failures from untrusted clients per account (security/devices.py)
PASSWORD_CHANGE = "password_change"  # counted per user ("user:<id>"), not per address
FEEDBACK = "feedback"  # "Barriere melden", per address
FEEDBACK_ALL = "feedback_all"  # "Barriere melden" of every address together (the one client PORTAL)
EMAIL_CODE = "email_code"  # e-mail codes sent, counted per user ("user:<id>")
PORTAL = "portal"  # the client of a limit that counts every address together

LIMIT_SETTINGS = {
    LOGIN: "LOGIN_ATTEMPTS_PER_ADDRESS",
    FORGOT_PASSWORD: "FORGOT_PASSWORD_REQUESTS_PER_ADDRESS",
    REGISTRATION: "REGISTRATIONS_PER_ADDRESS",
    PASSWORD_CHANGE: "LOGIN_FAILURE_LIMIT",
    FEEDBACK: "FEEDBACK_PER_ADDRESS",
    FEEDBACK_ALL: "FEEDBACK_PER_HOUR",
    EMAIL_CODE: "EMAIL_CODES_PER_ACCOUNT",
}
# The length of a scope's window where it is not THROTTLE_WINDOW_SECONDS: a mail to the fund or to a clerk is
# counted by the hour or the quarter, since a minute's budget renewed all day would be a flood.
WINDOW_SETTINGS = {
    FEEDBACK: "FEEDBACK_WINDOW_SECONDS",
    FEEDBACK_ALL: "FEEDBACK_WINDOW_SECONDS",
    EMAIL_CODE: "EMAIL_CODE_WINDOW_SECONDS",
}
AUDIT_ACTIONS = {
    LOGIN: "login.throttled",
    FORGOT_PASSWORD: "password.forgot_throttled",
    REGISTRATION: "application.throttled",
    PASSWORD_CHANGE: "password.change_throttled",
    FEEDBACK: "feedback.throttled",
    FEEDBACK_ALL: "feedback.throttled",
    EMAIL_CODE: "factor.email_code_throttled",
}
MESSAGES = {
    LOGIN: "Zu viele Anmeldeversuche. Bitte warten Sie {wait} und versuchen Sie es dann erneut. "
    "Ihr Zugang wurde dadurch nicht gesperrt.",
    FORGOT_PASSWORD: "Zu viele Anfragen. Bitte warten Sie {wait} und versuchen Sie es dann erneut.",
    REGISTRATION: "Zu viele Registrierungen in kurzer Zeit. Bitte warten Sie {wait} und versuchen Sie es dann erneut.",
    PASSWORD_CHANGE: "Zu viele Versuche mit einem falschen aktuellen Passwort. Bitte warten Sie {wait} und versuchen "
    "Sie es dann erneut.",
    FEEDBACK: "Zu viele Meldungen in kurzer Zeit. Bitte warten Sie {wait} und versuchen Sie es dann erneut.",
    FEEDBACK_ALL: "Zurzeit gehen sehr viele Meldungen ein. Bitte versuchen Sie es in {wait} erneut oder schreiben "
    "Sie uns an {fund_email}.",
    EMAIL_CODE: "Wir haben Ihnen in den letzten Minuten schon mehrere Codes geschickt. Bitte verwenden Sie den Code "
    "aus der letzten E-Mail oder warten Sie {wait}.",
}


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: int = 0  # seconds until the address's window ends (for the Retry-After header)
    scope: str = LOGIN

    @property
    def message(self) -> str:
        """The German sentence shown above the form when the attempt was refused."""
        minutes = max(1, math.ceil(self.retry_after / 60))
        wait = "eine Minute" if minutes == 1 else f"{minutes} Minuten"
        return MESSAGES[self.scope].format(wait=wait, fund_email=settings.FUND_EMAIL)


def window_seconds(scope: str) -> int:
    return getattr(settings, WINDOW_SETTINGS.get(scope, "THROTTLE_WINDOW_SECONDS"))


def client_key(ip: str) -> str:
    """What is counted: an IPv4 address, or the /64 network of an IPv6 address (one subscriber's line
    usually holds a whole /64, so counting single IPv6 addresses would be no limit at all)."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip[:64]
    if address.version == 6:
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def attempt(scope: str, *, ip: str) -> Decision:
    """Count one attempt of `ip` at the form `scope`; refuse it when the address's budget is used up.

    A refusal is logged every time and written to the audit log once per window (a flood of refused
    requests must not flood the audit table)."""
    limit = getattr(settings, LIMIT_SETTINGS[scope])
    window = timedelta(seconds=window_seconds(scope))
    now = timezone.now()
    # Within a running window and its budget, one UPDATE counts the attempt (its WHERE is checked again under the
    # row's lock, so parallel attempts cannot pass the limit); a new window, a missing row or a spent budget takes
    # the locked way below.
    since = connection.ops.adapt_datetimefield_value(now - window)
    counted = _count("+ 1", "{started} > %s AND {attempts} < %s", scope, ip, since, limit)
    if counted:
        return Decision(True, scope=scope)
    with transaction.atomic():
        row, _created = ThrottleWindow.objects.select_for_update().get_or_create(
            scope=scope, client=client_key(ip), defaults={"started_at": now}
        )
        if now - row.started_at >= window:
            row.started_at, row.attempts, row.refused = now, 0, 0
        if row.attempts < limit:
            row.attempts += 1
            row.save(update_fields=["started_at", "attempts", "refused"])
            return Decision(True, scope=scope)
        row.refused += 1
        row.save(update_fields=["started_at", "attempts", "refused"])
        retry_after = max(1, math.ceil((row.started_at + window - now).total_seconds()))
        if row.refused == 1:
            audit.record(AUDIT_ACTIONS[scope], actor_label=ip, data={"ip": ip, "limit": limit})
    security_log.warning(AUDIT_ACTIONS[scope], outcome="throttled", ip=ip, limit=limit, retry_after=retry_after)
    return Decision(False, retry_after=retry_after, scope=scope)


def give_back(scope: str, *, ip: str) -> None:
    """A successful login returns its attempt: only failures use up an address's budget."""
    _count("- 1", "{attempts} > 0", scope, ip)


def _count(change: str, condition: str, scope: str, ip: str, *params) -> int:
    """The one UPDATE of each of a login's two (its attempt counted, a success's given back): the address's row's
    attempts changed by `change` where `condition` holds (written with `{started}` and `{attempts}`), in autocommit.
    Plain SQL: Django took longer to build it than the database to run it, on the path whose cost should be its
    password hash. How many rows it changed."""
    table, scope_, client, started, attempts = quoted(ThrottleWindow, "scope", "client", "started_at", "attempts")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {attempts} = {attempts} {change} "
            f"WHERE {scope_} = %s AND {client} = %s AND {condition.format(started=started, attempts=attempts)}",
            [scope, client_key(ip), *params],
        )
        return cursor.rowcount


def forget_old_windows() -> int:
    """Delete the rows of windows that have ended (`manage.py clear_expired_otps`, hourly by cron): the
    per-address windows and the per-account windows of untrusted clients (security/devices.py), each after its
    own length."""
    now = timezone.now()
    own_windows = {ACCOUNT_SCOPE: settings.UNTRUSTED_LOGIN_WINDOW_SECONDS} | {
        scope: window_seconds(scope) for scope in WINDOW_SETTINGS
    }
    ended = Q(started_at__lt=now - timedelta(seconds=settings.THROTTLE_WINDOW_SECONDS)) & ~Q(scope__in=own_windows)
    for scope, seconds in own_windows.items():
        ended |= Q(scope=scope, started_at__lt=now - timedelta(seconds=seconds))
    deleted, _ = ThrottleWindow.objects.filter(ended).delete()
    return deleted
