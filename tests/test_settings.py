"""Settings: secrets from the environment, Argon2id first, German formats."""

from datetime import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import formats, timezone

import zvk_portal.settings as production
from accounts.hashers import PortalArgon2PasswordHasher
from tests.helpers import run_django

ROOT = Path(__file__).resolve().parent.parent


def test_refuses_to_start_without_secret_key_when_debug_is_off():
    result = run_django({"DEBUG": "0", "OTP_ENCRYPTION_KEY": "k"})
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr
    result = run_django({"DEBUG": "0", "SECRET_KEY": "s" * 50})
    assert result.returncode != 0 and "OTP_ENCRYPTION_KEY must be set" in result.stderr
    assert run_django({"DEBUG": "1"}).returncode == 0


def test_argon2id_is_the_first_hasher_with_owasp_parameters():
    assert production.PASSWORD_HASHERS[0] == "accounts.hashers.PortalArgon2PasswordHasher"
    hasher = PortalArgon2PasswordHasher()
    # OWASP password storage cheat sheet: m=19 MiB, t=2, p=1 (or more memory with t=1)
    assert hasher.memory_cost >= 19 * 1024 and hasher.time_cost >= 2 and hasher.parallelism == 1
    encoded = hasher.encode("ein Passwort", hasher.salt())
    assert encoded.startswith("argon2$argon2id$")


def test_german_language_time_zone_and_date_format():
    assert settings.LANGUAGE_CODE == "de" and settings.TIME_ZONE == "Europe/Berlin"
    moment = timezone.make_aware(datetime(2020, 7, 6, 11, 55))
    assert formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT") == "06.07.2020 11:55"
    assert formats.date_format(moment.date(), "DATE_FORMAT") == "06.07.2020"


@pytest.mark.django_db
def test_no_account_exists_after_migrate():
    from accounts.models import User

    assert not User.objects.exists()


def test_env_example_documents_every_variable_the_settings_read():
    documented = (ROOT / ".env.example").read_text()
    read = set(__import__("re").findall(r'env\.\w+\(\s*"([A-Z_]+)"', (ROOT / "zvk_portal" / "settings.py").read_text()))
    read |= set(__import__("re").findall(r'_secret\("([A-Z_]+)"', (ROOT / "zvk_portal" / "settings.py").read_text()))
    # gunicorn.conf.py reads .env too (the worker model of `make serve` and the systemd unit)
    read |= set(__import__("re").findall(r'environ\.get\("([A-Z_]+)"', (ROOT / "gunicorn.conf.py").read_text()))
    assert read, "the settings read no variables?"
    missing = sorted(name for name in read if name not in documented)
    assert missing == []


def test_the_serving_process_collects_the_young_generation_seldom_and_leaves_what_loading_built_alone():
    """zvk_portal/wsgi.py, which gunicorn, `make serve` and `make run` load: a request's short-lived objects are
    collected after 10,000 allocations, not after Python's 700, and the loaded code is not scanned again."""
    code = (
        "import gc; before = gc.get_threshold()[0]; import zvk_portal.wsgi; "
        "print(before, gc.get_threshold()[0], gc.get_freeze_count() > 10_000)"
    )
    result = run_django({"DEBUG": "1"}, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["700", "10000", "True"]
