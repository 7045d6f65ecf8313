"""System checks that make a half-done production configuration fail `manage.py check --deploy`."""

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks

# Backends that do not deliver mail: fine for development and tests, never for production.
NON_DELIVERING_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
}
MIN_OTP_KEY_LENGTH = 32


def _is_loopback(host: str | None) -> bool:
    if not host:
        return True
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@checks.register(checks.Tags.security, deploy=True)
def production_configuration(app_configs=None, **kwargs):
    if settings.DEBUG:
        return []  # Django's own deploy check security.W018 reports DEBUG itself
    errors = []
    if settings.EMAIL_BACKEND in NON_DELIVERING_BACKENDS:
        errors.append(
            checks.Error(
                "EMAIL_URL ist nicht gesetzt: E-Mails würden nicht versendet, sondern nur ausgegeben.",
                hint="EMAIL_URL auf den Mailserver setzen, z. B. smtp+tls://benutzer:passwort@mail.example:587.",
                id="zvk.E001",
            )
        )
    if _is_loopback(urlsplit(settings.PORTAL_URL).hostname):
        errors.append(
            checks.Error(
                f"PORTAL_URL ({settings.PORTAL_URL}) ist nicht gesetzt oder zeigt auf diesen Rechner: "
                "die Links in den E-Mails würden niemanden zum Portal führen.",
                hint="PORTAL_URL auf die öffentliche Adresse setzen, z. B. https://portal.meinezvk.de.",
                id="zvk.E002",
            )
        )
    keys = {"OTP_ENCRYPTION_KEY": [settings.OTP_ENCRYPTION_KEY]}
    keys["OTP_ENCRYPTION_KEY_FALLBACKS"] = list(settings.OTP_ENCRYPTION_KEY_FALLBACKS)
    for name, values in keys.items():
        for value in values:
            if value == settings.DEVELOPMENT_OTP_ENCRYPTION_KEY or len(value) < MIN_OTP_KEY_LENGTH:
                errors.append(
                    checks.Error(
                        f"{name} ist der Entwicklungswert oder kürzer als {MIN_OTP_KEY_LENGTH} Zeichen.",
                        hint=(
                            "Einmal einen langen Zufallswert erzeugen und in .env festhalten: "
                            'python3 -c "import secrets; print(secrets.token_urlsafe(32))". '
                            "Ein Wechsel braucht den alten Wert in OTP_ENCRYPTION_KEY_FALLBACKS (README)."
                        ),
                        id="zvk.E003",
                    )
                )
    return errors


@checks.register(checks.Tags.security, deploy=True)
def trusted_proxy_configured(app_configs, **kwargs):
    """Behind a TLS proxy (SECURE_PROXY_SSL_HEADER set) every request arrives from the proxy's address. Without
    TRUSTED_PROXY_COUNT the per-address login limit then counts all users as one, and ten wrong passwords a minute
    block everyone's login."""
    if settings.SECURE_PROXY_SSL_HEADER and settings.TRUSTED_PROXY_COUNT < 1:
        return [
            checks.Error(
                "SECURE_PROXY_SSL_HEADER ist gesetzt, das Portal läuft also hinter einem Proxy, aber TRUSTED_PROXY_COUNT "
                "ist 0: alle Benutzer hätten für die Anmeldegrenzen und die Protokolle die Adresse des Proxys, und zehn "
                "falsche Passwörter in einer Minute sperrten die Anmeldung für alle.",
                hint="TRUSTED_PROXY_COUNT auf die Zahl der Proxys vor dem Portal setzen (meist 1).",
                id="zvk.E010",
            )
        ]
    return []


SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


@checks.register(checks.Tags.security, deploy=True)
def mail_over_tls(app_configs=None, **kwargs):
    """Mail to a server elsewhere goes over TLS: the SMTP login and every mail (names, addresses, login codes) would
    otherwise cross the network in clear text. A relay on this machine (127.0.0.1) may be spoken to without."""
    if settings.DEBUG or settings.EMAIL_BACKEND != SMTP_BACKEND:
        return []
    if settings.EMAIL_USE_TLS or settings.EMAIL_USE_SSL or _is_loopback(settings.EMAIL_HOST):
        return []
    return [
        checks.Warning(
            f"EMAIL_URL spricht den Mailserver {settings.EMAIL_HOST} ohne TLS an: Anmeldung am Mailserver und alle "
            "E-Mails (Namen, Adressen, Anmeldecodes) gingen unverschlüsselt über das Netz.",
            hint="EMAIL_URL=smtp+tls://benutzer:passwort@mail.example:587 (STARTTLS) oder smtp+ssl://…:465 setzen.",
            id="zvk.W011",
        )
    ]
