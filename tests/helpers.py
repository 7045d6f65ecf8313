"""Helpers the test modules share: reading a user afresh, counting audit entries, posting the login form, running
jobs at the same moment, starting Django in a fresh process. Factories are in tests/factories.py, the people in
tests/conftest.py, the scope matrix's world in tests/scope.py."""

import os
import re
import subprocess
import sys
import threading
from pathlib import Path

from django.db import connections
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role, User, normalize_email
from audit.models import AuditEntry
from factors import policy
from outbox.models import OutboxMessage

ROOT = Path(__file__).resolve().parent.parent


def page_text(response) -> str:
    """A page's HTML with its e-mail addresses and one-time passwords whole: without the parts and line-break hints
    of `email_breaks` and the 3-3-4 groups of `otp_groups`."""
    html = response if isinstance(response, str) else response.content.decode()
    html = re.sub(r'<span class="email-part">([^<]*)</span>(?:<wbr>)?', r"\1", html)
    return re.sub(r'<span class="otp-group">(\d*)</span>', r"\1", html)


def fresh(user) -> User:
    """The user as the database has it now."""
    return User.objects.get(pk=user.pk)


def audit_count(action: str, **filters) -> int:
    return AuditEntry.objects.filter(action=action, **filters).count()


def post_login(client, user_or_email, password, *, role=None, ip="192.0.2.10", factor=True, next=None, **extra):
    """POST the portal's login form as `user_or_email` (a user, or an e-mail with `role`, default Sachbearbeiter).

    Where the login then asks for the second factor ("Anmeldung bestätigen"), the factor is given as its owner
    would — the authenticator app's code (tests.factories.totp_code) or the e-mail code from the outbox — and the
    answer to that is returned; `factor=False` stops at the password's answer."""
    email = getattr(user_or_email, "email", user_or_email)
    role = role or getattr(user_or_email, "role", Role.CLERK)
    data = {"role": role, "email": email, "password": password} | ({"next": next} if next is not None else {})
    response = client.post("/login/", data, REMOTE_ADDR=ip, **extra)
    if factor and response.status_code == 302 and response.url.startswith("/anmeldung-bestaetigen/"):
        user = User.objects.get(email=normalize_email(email), role=role)
        response = client.post(response.url, {"code": factor_code(user)}, REMOTE_ADDR=ip, **extra)
    return response


def factor_code(user) -> str:
    """What the user would type on "Anmeldung bestätigen": its authenticator app's code, or for a clerk the code
    of the newest e-mail the login sent (read from the outbox before the worker blanks it)."""
    if policy.requires_strong_factor(user):
        from tests.factories import totp_code

        return totp_code(user)
    return email_code(user)


def enrol_app(client, user) -> str:
    """Zweiten Faktor einrichten with an authenticator app, as its owner would: read the secret the page offers
    (kept in the session) and type the app's code. Returns the key."""
    from factors.views import ENROL_KEY
    from tests.factories import totp_code

    assert client.get("/zweiter-faktor/einrichten/app/").status_code == 200
    key = client.session[ENROL_KEY]
    response = client.post("/zweiter-faktor/einrichten/app/", {"code": totp_code(user, key=key)})
    assert response.status_code == 302, response
    return key


def email_code(user) -> str:
    mail = OutboxMessage.objects.filter(template="factor_email_code", to=user.email).order_by("-pk").first()
    assert mail is not None, f"no e-mail code was sent to {user.email}"
    return re.search(r"^\s+(\d{6})$", mail.body, re.MULTILINE).group(1)


_password_only_login = Client.force_login


def password_only_login(client, user, backend=None):
    """A session that passed the password only (Django's force_login): what the second factor must stop."""
    _password_only_login(client, user, backend)
    return client


def verified_login(client, user, backend=None):
    """A session that passed the password and the second factor the user needs: an administrator's or fund staff
    member's authenticator app (the factories give them one), a clerk's login that needed no e-mail code.
    tests/conftest.py makes every `client.force_login` this, so a test that logs in means a whole login."""
    _password_only_login(client, user, backend)
    session = client.session
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    elif user.role == Role.CLERK:
        session[policy.CLERK_EXEMPT_SESSION_KEY] = True
    session.save()
    return client


def post_factor(client, code, *, ip="192.0.2.10", **extra):
    """POST "Anmeldung bestätigen" with a code (authenticator app, recovery code or e-mail code)."""
    return client.post("/anmeldung-bestaetigen/", {"code": code}, REMOTE_ADDR=ip, **extra)


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


def guess_from_unknown_browsers(clerk, settings):
    """Wrong passwords for the clerk from as many unknown browsers as it takes to refuse them for a while."""
    for number in range(settings.UNTRUSTED_LOGIN_FAILURE_LIMIT):
        Client().post(
            "/login/",
            {"role": "clerk", "email": clerk.email, "password": "geraten"},
            REMOTE_ADDR=f"127.3.0.{number + 1}",
        )
