"""The loopback-only switch of the load test: production settings over plain HTTP on 127.0.0.1,
refused for any other host."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {"DEBUG": "0", "SECRET_KEY": "s" * 50, "OTP_ENCRYPTION_KEY": "k" * 32}


def run_django(env_changes: dict, code: str = "") -> subprocess.CompletedProcess:
    """Start Django in a fresh process with these variables (the settings are read once per process)."""
    keep = {
        k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "OTP_ENCRYPTION_KEY", "ALLOWED_HOSTS")
    }
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env={**keep, **env_changes, "DJANGO_SETTINGS_MODULE": "zvk_portal.settings"},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_switch_is_refused_for_a_host_that_is_not_loopback():
    result = run_django({**PRODUCTION, "INSECURE_LOCAL_HTTP": "1", "ALLOWED_HOSTS": "127.0.0.1,portal.kvt-zvk.de"})
    assert result.returncode != 0 and "loopback" in result.stderr


def test_the_switch_drops_secure_cookies_on_loopback_only_and_is_off_by_default():
    show = "from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)"
    on = run_django({**PRODUCTION, "INSECURE_LOCAL_HTTP": "1", "ALLOWED_HOSTS": "127.0.0.1"}, code=show)
    assert on.returncode == 0 and on.stdout.split() == ["False", "False"], on.stderr
    off = run_django({**PRODUCTION, "ALLOWED_HOSTS": "127.0.0.1"}, code=show)
    assert off.returncode == 0 and off.stdout.split() == ["True", "True"], off.stderr
