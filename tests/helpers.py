"""Helpers the test modules share: reading a user afresh, counting audit entries, posting the login form, running
jobs at the same moment, starting Django in a fresh process. Factories are in tests/factories.py, the people in
tests/conftest.py, the scope matrix's world in tests/scope.py."""

import os
import subprocess
import sys
import threading
from pathlib import Path

from django.db import connections

from accounts.models import Role, User
from audit.models import AuditEntry

ROOT = Path(__file__).resolve().parent.parent


def fresh(user) -> User:
    """The user as the database has it now."""
    return User.objects.get(pk=user.pk)


def audit_count(action: str, **filters) -> int:
    return AuditEntry.objects.filter(action=action, **filters).count()


def post_login(client, user_or_email, password, *, role=None, ip="192.0.2.10", **extra):
    """POST the portal's login form as `user_or_email` (a user, or an e-mail with `role`, default Sachbearbeiter)."""
    email = getattr(user_or_email, "email", user_or_email)
    role = role or getattr(user_or_email, "role", Role.CLERK)
    return client.post("/login/", {"role": role, "email": email, "password": password}, REMOTE_ADDR=ip, **extra)


def run_together(*jobs):
    """Run the callables at the same moment in threads with their own database connections; return their results
    (or the exceptions they raised)."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(index, job):
        try:
            barrier.wait()
            results[index] = job()
        except Exception as error:  # noqa: BLE001 - the test inspects every outcome
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def run_django(env_changes: dict, code: str = "") -> subprocess.CompletedProcess:
    """Start Django in a fresh process with these variables (the settings are read once per process) and run
    `code`; the test run's own secrets and switches are left out."""
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
