"""Trusted devices (DESIGN §8, OWASP "Slow Down Online Guessing Attacks with Device Cookies").

A browser that logged in to an account successfully gets a device cookie: signed with Django's signing (so
nobody can forge one), long-lived, HttpOnly, Secure in production. It holds one opaque token per account that
logged in there (a keyed hash of the account's id, no personal data) and nothing else.

Wrong passwords from a trusted device count the manual's way (LOGIN_FAILURE_LIMIT in a row → Deaktiviert and a
new one-time password). Wrong passwords from anywhere else count per account and time window
(`UntrustedFailures`); after UNTRUSTED_LOGIN_FAILURE_LIMIT of them, untrusted clients are refused for that account
until the window ends, while trusted devices still log in. So nothing an outsider does can deactivate an
account, end its sessions or spoil its new one-time password. The window is kept per role and e-mail, whether
or not such an account exists, so a refusal tells nothing about existence.
"""

import hashlib
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac

from base.db import aware, quoted
from security.models import ThrottleWindow
from security.throttling import ACCOUNT_SCOPE

SALT = "security.devices"
MAX_ACCOUNTS = 20  # a shared town-hall PC trusted for many accounts keeps the most recent ones


def token(user) -> str:
    """The device cookie's token for one account."""
    return salted_hmac(SALT, f"{user.pk}:{user.role}", algorithm="sha256").hexdigest()[:32]


def tokens_from(request) -> list[str]:
    """The tokens of the request's device cookie, newest first; none for a missing, forged or outdated cookie."""
    raw = request.COOKIES.get(settings.DEVICE_COOKIE_NAME) if request is not None else None
    if not raw:
        return []
    try:
        tokens = signing.loads(raw, salt=SALT, max_age=settings.DEVICE_COOKIE_MAX_AGE_SECONDS)
    except signing.BadSignature:
        return []
    return [t for t in tokens if isinstance(t, str)][:MAX_ACCOUNTS] if isinstance(tokens, list) else []


def trusts(tokens, user) -> bool:
    return user is not None and token(user) in tokens


def remember(request, response, user) -> None:
    """Trust this browser for `user` from now on (after a successful login); renews the cookie's lifetime."""
    own = token(user)
    tokens = [own, *(t for t in tokens_from(request) if t != own)][:MAX_ACCOUNTS]
    response.set_cookie(
        settings.DEVICE_COOKIE_NAME,
        signing.dumps(tokens, salt=SALT, compress=True),
        max_age=settings.DEVICE_COOKIE_MAX_AGE_SECONDS,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


# --- Second factor confirmed in this browser, per account ----------------------------------------------------
# A second signed cookie beside the device cookie, with the same tokens: token → when this browser last confirmed
# the account's second factor (a clerk's e-mail code). Kept apart so that the trust for lockout (the device cookie)
# and the trust for skipping the e-mail code can be forgotten separately.

FACTOR_SALT = "security.devices.factor"


def _factor_stamps(request) -> dict[str, int]:
    raw = request.COOKIES.get(settings.DEVICE_FACTOR_COOKIE_NAME) if request is not None else None
    if not raw:
        return {}
    try:
        stamps = signing.loads(raw, salt=FACTOR_SALT, max_age=settings.DEVICE_COOKIE_MAX_AGE_SECONDS)
    except signing.BadSignature:
        return {}
    if not isinstance(stamps, dict):
        return {}
    return {t: s for t, s in stamps.items() if isinstance(t, str) and isinstance(s, int)}


def factor_verified_at(request, user):
    """When this browser last confirmed `user`'s second factor (aware datetime), or None."""
    stamp = _factor_stamps(request).get(token(user))
    return None if stamp is None else datetime.fromtimestamp(stamp, tz=UTC)


def within_days(moment, days: int, *, now=None) -> bool:
    return (now or timezone.now()) - moment < timedelta(days=days)


def remember_factor(request, response, user) -> None:
    """This browser confirmed `user`'s second factor just now."""
    own = token(user)
    stamps = {own: int(timezone.now().timestamp())}
    stamps.update((t, s) for t, s in _factor_stamps(request).items() if t != own and len(stamps) < MAX_ACCOUNTS)
    response.set_cookie(
        settings.DEVICE_FACTOR_COOKIE_NAME,
        signing.dumps(stamps, salt=FACTOR_SALT, compress=True),
        max_age=settings.DEVICE_COOKIE_MAX_AGE_SECONDS,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


class DeviceCookieMiddleware:
    """Sets the device cookie on the response of a request that logged a user in (`request.trusted_login`), the
    portal's login and the Django admin's alike, and the factor cookie on one that confirmed a second factor
    (`request.factor_confirmed`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "trusted_login", None)
        if user is not None:
            remember(request, response, user)
        user = getattr(request, "factor_confirmed", None)
        if user is not None:
            remember_factor(request, response, user)
        return response


# --- Failures from untrusted clients, per account -----------------------------------------------------------


def account_key(role: str, email: str) -> str:
    """What the failures from untrusted clients are counted under: a keyed hash of role and the login e-mail as the
    login normalised it (the table holds no address, and an unknown account is counted like a known one)."""
    return hashlib.sha256(f"{settings.SECRET_KEY}|{role}|{email}".encode()).hexdigest()


@dataclass(frozen=True)
class Refusal:
    until: object  # aware datetime: when untrusted clients may try again
    role: str
    refused: int = 0  # attempts refused so far in this window

    @property
    def checks_otp(self) -> bool:
        """A one-time password nobody has logged in with yet is still checked (accounts.services.log_in)."""
        return self.refused < settings.UNTRUSTED_OTP_CHECKS_PER_WINDOW

    @property
    def message(self) -> str:
        """What the login page says: the same for every address of the role, known or not."""
        minutes = max(1, math.ceil((self.until - timezone.now()).total_seconds() / 60))
        wait = "eine Minute" if minutes == 1 else f"{minutes} Minuten"
        first_login = (
            "Melden Sie sich zum ersten Mal an oder haben Sie ein neues Einmalpasswort erhalten, geben Sie das "
            "Einmalpasswort ein: Ein Einmalpasswort, mit dem Sie sich noch nicht angemeldet haben, wird auch jetzt "
            "angenommen. "
            if self.checks_otp
            else ""
        )
        if self.role == "clerk":
            help_ = "bitten Sie Ihren Administrator, ein neues Einmalpasswort zu setzen: Damit ist es sofort möglich."
        else:
            help_ = f"wenden Sie sich an die {settings.FUND_NAME}, Telefon {settings.FUND_PHONE}."
        return (
            "Die Anmeldung ist derzeit nicht möglich. Nach mehreren fehlgeschlagenen Versuchen werden Anmeldungen "
            f"mit dieser E-Mail-Adresse von unbekannten Geräten für {wait} abgewiesen. An einem Gerät, an dem Sie "
            f"sich schon einmal erfolgreich angemeldet haben, können Sie sich weiterhin anmelden. {first_login}"
            f"Sonst versuchen Sie es in {wait} erneut oder {help_}"
        )


def _window():
    return timedelta(seconds=settings.UNTRUSTED_LOGIN_WINDOW_SECONDS)


def refusal(role: str, email: str, *, now=None) -> Refusal | None:
    """Whether untrusted clients are refused for this account now, and until when."""
    now = now or timezone.now()
    # One row at most (unique per scope and client), asked on every login and Detailansicht. Plain SQL: Django took
    # longer to build the statement than the database to answer it (docs/performance.md).
    windows, scope, client, started, attempts_, refused_ = quoted(
        ThrottleWindow, "scope", "client", "started_at", "attempts", "refused"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {started}, {attempts_}, {refused_} FROM {windows} WHERE {scope} = %s AND {client} = %s",
            [ACCOUNT_SCOPE, account_key(role, email)],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    started_at, attempts, refused = aware(row[0]), row[1], row[2]
    if now - started_at < _window() and attempts >= settings.UNTRUSTED_LOGIN_FAILURE_LIMIT:
        return Refusal(until=started_at + _window(), role=role, refused=refused)
    return None


def refusal_for(user, *, now=None) -> Refusal | None:
    return refusal(user.role, user.email, now=now)


# The session of a login that passed the refusal with a one-time password nobody had used (accounts.services.log_in):
# its second factor is checked too, although the browser is not trusted yet.
REFUSAL_PASSED = "security.devices.refusal_passed"


def remember_refusal_passed(request, user) -> None:
    """Kept in the session across Django's `login()` (which keeps an anonymous session's data under a new key)."""
    request.session[REFUSAL_PASSED] = user.pk


def refuses(request, user) -> bool:
    """Whether this browser is refused for the account now: untrusted clients are refused, it is not trusted for the
    account, and its session did not pass the refusal with an unused one-time password."""
    if trusts(tokens_from(request), user) or request.session.get(REFUSAL_PASSED) == user.pk:
        return False
    return refusal_for(user) is not None


def count_failure(role: str, email: str, *, now=None) -> bool:
    """Count one wrong password from an untrusted client. Returns True when this failure reached the limit."""
    now = now or timezone.now()
    with transaction.atomic():
        row, _created = ThrottleWindow.objects.select_for_update().get_or_create(
            scope=ACCOUNT_SCOPE, client=account_key(role, email), defaults={"started_at": now}
        )
        if now - row.started_at >= _window():
            row.started_at, row.attempts, row.refused = now, 0, 0
        row.attempts += 1
        row.save(update_fields=["started_at", "attempts", "refused"])
        return row.attempts == settings.UNTRUSTED_LOGIN_FAILURE_LIMIT


def count_refusal(role: str, email: str) -> None:
    ThrottleWindow.objects.filter(scope=ACCOUNT_SCOPE, client=account_key(role, email)).update(refused=F("refused") + 1)


def clear(user) -> None:
    """An administrator set a new one-time password: untrusted clients may try again at once."""
    ThrottleWindow.objects.filter(scope=ACCOUNT_SCOPE, client=account_key(user.role, user.email)).delete()
