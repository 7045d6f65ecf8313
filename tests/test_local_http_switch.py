"""The loopback-only switch of the load test: production settings over plain HTTP on 127.0.0.1,
refused for any other host."""

from pathlib import Path

from tests.helpers import run_django

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {"DEBUG": "0", "SECRET_KEY": "s" * 50, "OTP_ENCRYPTION_KEY": "k" * 32}


def test_the_switch_is_refused_for_a_host_that_is_not_loopback():
    result = run_django({**PRODUCTION, "INSECURE_LOCAL_HTTP": "1", "ALLOWED_HOSTS": "127.0.0.1,portal.kvt-zvk.de"})
    assert result.returncode != 0 and "loopback" in result.stderr


def test_the_switch_drops_secure_cookies_on_loopback_only_and_is_off_by_default():
    show = "from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)"
    on = run_django({**PRODUCTION, "INSECURE_LOCAL_HTTP": "1", "ALLOWED_HOSTS": "127.0.0.1"}, code=show)
    assert on.returncode == 0 and on.stdout.split() == ["False", "False"], on.stderr
    off = run_django({**PRODUCTION, "ALLOWED_HOSTS": "127.0.0.1"}, code=show)
    assert off.returncode == 0 and off.stdout.split() == ["True", "True"], off.stderr
