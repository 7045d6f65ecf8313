"""A production configuration cannot be half-done: `manage.py check --deploy` fails, with a German message
for the operator, while mail would not be delivered, mails would link to this machine, or the one-time
password key is missing, short or the development value."""

import pytest
from django.core import checks

from tests.test_security_headers import production_env, run_manage

GOOD = {
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "PORTAL_URL": "https://portal.meinezvk.de",
    "OTP_ENCRYPTION_KEY": "k" * 43,
    "OTP_ENCRYPTION_KEY_FALLBACKS": [],
}


def portal_errors(settings, **changes) -> list[str]:
    for name, value in {**GOOD, **changes}.items():
        setattr(settings, name, value)
    found = checks.run_checks(include_deployment_checks=True, tags=[checks.Tags.security])
    return sorted(message.id for message in found if message.id.startswith("zvk.") and message.is_serious())


def test_a_complete_production_configuration_passes(settings):
    assert portal_errors(settings) == []


@pytest.mark.parametrize(
    "backend",
    [
        "django.core.mail.backends.console.EmailBackend",  # EMAIL_URL unset
        "django.core.mail.backends.dummy.EmailBackend",
        "django.core.mail.backends.locmem.EmailBackend",
    ],
)
def test_mail_that_would_not_be_delivered_is_an_error(settings, backend):
    assert portal_errors(settings, EMAIL_BACKEND=backend) == ["zvk.E001"]


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8000", "http://localhost:8000", "https://[::1]/", "http://portal.localhost", ""]
)
def test_a_portal_url_that_is_unset_or_loopback_is_an_error(settings, url):
    assert portal_errors(settings, PORTAL_URL=url) == ["zvk.E002"]


@pytest.mark.parametrize("key", ["dev-only-insecure-otp-key", "zu-kurz-0123456789abcdefghijklm"])
def test_a_short_or_development_otp_key_is_an_error(settings, key):
    assert portal_errors(settings, OTP_ENCRYPTION_KEY=key) == ["zvk.E003"]
    assert portal_errors(settings, OTP_ENCRYPTION_KEY_FALLBACKS=[key]) == ["zvk.E003"]


def test_development_is_not_held_to_production_rules(settings):
    settings.DEBUG = True
    for name, value in GOOD.items():
        setattr(settings, name, value)
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    settings.PORTAL_URL = "http://127.0.0.1:8000"
    assert [m.id for m in checks.run_checks(include_deployment_checks=True) if m.id.startswith("zvk.")] == []


def test_check_deploy_fails_without_email_url_and_portal_url():
    env = production_env()
    del env["EMAIL_URL"], env["PORTAL_URL"]
    result = run_manage("check", "--deploy", env=env)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "zvk.E001" in output and "EMAIL_URL ist nicht gesetzt" in output
    assert "zvk.E002" in output and "PORTAL_URL" in output


def test_check_deploy_fails_with_the_development_otp_key():
    result = run_manage("check", "--deploy", env=production_env(OTP_ENCRYPTION_KEY="dev-only-insecure-otp-key"))
    assert result.returncode != 0 and "zvk.E003" in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("tls", "ssl", "host", "expected"),
    [
        (False, False, "mail.meinezvk.de", ["zvk.W011"]),  # smtp:// to a server elsewhere
        (True, False, "mail.meinezvk.de", []),  # smtp+tls://
        (False, True, "mail.meinezvk.de", []),  # smtp+ssl://
        (False, False, "127.0.0.1", []),  # a relay on this machine
        (False, False, "localhost", []),
    ],
)
def test_mail_to_a_server_elsewhere_without_tls_is_warned_about(settings, tls, ssl, host, expected):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_USE_TLS, settings.EMAIL_USE_SSL, settings.EMAIL_HOST = tls, ssl, host
    found = checks.run_checks(include_deployment_checks=True, tags=[checks.Tags.security])
    assert [message.id for message in found if message.id == "zvk.W011"] == expected


def test_check_deploy_fails_at_warning_level_on_email_url_without_tls():
    env = production_env(EMAIL_URL="smtp://portal:geheim@mail.meinezvk.de:25")
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0 and "zvk.W011" in result.stdout + result.stderr
    assert "ohne TLS" in result.stdout + result.stderr


def test_check_deploy_fails_on_a_proxy_header_without_trusted_proxy_count():
    env = production_env(SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO", TRUSTED_PROXY_COUNT="0")
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0 and "zvk.E010" in result.stdout + result.stderr
    assert (
        run_manage("check", "--deploy", "--fail-level", "WARNING", env={**env, "TRUSTED_PROXY_COUNT": "1"}).returncode
        == 0
    )
