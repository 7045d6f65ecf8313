"""Backup and restore as the README describes them: pg_dump, pg_restore into a new database, and the portal
works on the copy — with the same SECRET_KEY and OTP_ENCRYPTION_KEY, which must be kept with the backup."""

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from accounts.models import Role
from clerks import services as clerk_services
from tests import factories

ROOT = Path(__file__).resolve().parent.parent
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the backup recipe is pg_dump/pg_restore, PostgreSQL's"
)

# Runs in the restored copy: an administrator logs in with its password and reads a clerk's one-time password.
ON_THE_COPY = """
import json
import re
from django.test import Client
from accounts.models import User
admin = User.objects.get(email="admin@stadt-gera.example", role="administrator")
clerk = User.objects.get(email="bernd.mueller@stadt-gera.example")
browser = Client()
login = browser.post("/login/", {"role": "administrator", "email": admin.email, "password": "%(password)s"})
# the second factor came back with the copy: the demo's authenticator app confirms the login
from binascii import unhexlify
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
device = TOTPDevice.objects.get(user=admin)
totp = TOTP(unhexlify(device.key), step=30, digits=6)
totp.time = max(totp.t(), device.last_t + 1) * 30  # a code not used yet (the copy is logged in to twice)
browser.post("/anmeldung-bestaetigen/", {"code": f"{totp.token():06d}"})
detail = browser.get(f"/benutzer/{clerk.pk}/").content.decode() if login.status_code == 302 else ""
detail = re.sub(r'<span class="otp-group">(\\d*)</span>', r"\\1", detail)  # the 3-3-4 groups, joined
print(json.dumps({"login": login.status_code, "otp_shown": "%(otp)s" in detail,
                  "unreadable": "Einmalpasswort nicht lesbar" in detail}))
"""


def _server_args() -> dict:
    params = connection.get_connection_params()
    return {k: params[k] for k in ("host", "port", "user", "password") if params.get(k)}


def _cli_args() -> list[str]:
    server = _server_args()
    return ["-h", str(server.get("host", "127.0.0.1")), "-p", str(server.get("port", 5432)), "-U", server["user"]]


@postgresql_only
@pytest.mark.skipif(not shutil.which("pg_dump"), reason="pg_dump and pg_restore are not installed")
@pytest.mark.django_db(transaction=True)
def test_a_restored_backup_logs_in_and_reads_one_time_passwords_with_the_kept_keys(
    settings, gera_admin, gera_units, tmp_path
):
    settings.PASSWORD_HASHERS = ["accounts.hashers.PortalArgon2PasswordHasher"]  # what the copy verifies with
    admin = gera_admin
    admin.set_password(factories.PASSWORD)
    admin.save(update_fields=["password"])
    clerk = factories.ClerkFactory(email="bernd.mueller@stadt-gera.example", units=gera_units[:1])
    otp_value = clerk_services.reset_otp(clerk=clerk, by=admin)  # audit entry, outbox mail, encrypted copy
    assert clerk.role == Role.CLERK

    dump = tmp_path / "portal.dump"
    subprocess.run(
        ["pg_dump", *_cli_args(), "--format=custom", "--file", str(dump), settings.DATABASES["default"]["NAME"]],
        check=True,
        capture_output=True,
    )
    copy = f"restore_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(dbname="postgres", autocommit=True, **_server_args()) as server:
        server.execute(f'CREATE DATABASE "{copy}"')
    try:
        subprocess.run(
            ["pg_restore", *_cli_args(), "--no-owner", "--exit-on-error", "--dbname", copy, str(dump)],
            check=True,
            capture_output=True,
        )
        server = _server_args()
        url = f"postgres://{server['user']}@{server.get('host', '127.0.0.1')}:{server.get('port', 5432)}/{copy}"

        def on_the_copy(otp_key: str) -> dict:
            env = {
                **os.environ,
                "DATABASE_URL": url,
                "DEBUG": "0",
                "SECRET_KEY": settings.SECRET_KEY,
                "OTP_ENCRYPTION_KEY": otp_key,
                "ALLOWED_HOSTS": "testserver",
                "SECURE_SSL_REDIRECT": "0",
            }
            code = ON_THE_COPY % {"password": factories.PASSWORD, "otp": otp_value}
            result = subprocess.run(
                [sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
            )
            assert result.returncode == 0, result.stderr
            return json.loads(result.stdout.strip().splitlines()[-1])

        assert on_the_copy(settings.OTP_ENCRYPTION_KEY) == {"login": 302, "otp_shown": True, "unreadable": False}
        # without the kept key the copy's one-time passwords are lost: the page says so
        other_key = "ein-anderer-schluessel-0123456789abcdefghij"
        assert on_the_copy(other_key) == {"login": 302, "otp_shown": False, "unreadable": True}
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **_server_args()) as server:
            server.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')


def _copy_url(copy: str) -> str:
    server = _server_args()
    return f"postgres://{server['user']}@{server.get('host', '127.0.0.1')}:{server.get('port', 5432)}/{copy}"


@postgresql_only
@pytest.mark.skipif(not shutil.which("pg_dump"), reason="pg_dump and pg_restore are not installed")
@pytest.mark.django_db(transaction=True)
def test_a_restored_dump_sends_none_of_its_queued_mails_until_released(settings, tmp_path):
    """The copy is started with the very same .env as the original, as docs/operations.md restores: its worker holds
    every mail the dump carried; `outbox mark-sent` takes out what the original sent after the dump and `outbox
    resume` lets the rest go, each exactly once."""
    from outbox import sending
    from tests.smtp import SMTPServer

    queued = factories.OutboxMessageFactory.create_batch(3)
    sending.state()  # the original has named itself (migrate does so for a new database)
    dump = tmp_path / "portal.dump"
    subprocess.run(
        ["pg_dump", *_cli_args(), "--format=custom", "--file", str(dump), settings.DATABASES["default"]["NAME"]],
        check=True,
        capture_output=True,
    )
    copy = f"restore_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(dbname="postgres", autocommit=True, **_server_args()) as server:
        server.execute(f'CREATE DATABASE "{copy}"')
    smtp = SMTPServer().start()
    env = {
        **os.environ,
        "DATABASE_URL": _copy_url(copy),
        "DEBUG": "0",
        "SECRET_KEY": settings.SECRET_KEY,
        "OTP_ENCRYPTION_KEY": settings.OTP_ENCRYPTION_KEY,
        "ALLOWED_HOSTS": "portal.meinezvk.de",
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}",
        "OUTBOX_POLL_SECONDS": "0.2",
    }
    worker = None
    try:
        subprocess.run(
            ["pg_restore", *_cli_args(), "--no-owner", "--exit-on-error", "--dbname", copy, str(dump)],
            check=True,
            capture_output=True,
        )

        def manage(*args, stdin=None):
            result = subprocess.run(
                [sys.executable, "manage.py", *args], cwd=ROOT, env=env, input=stdin, capture_output=True, text=True
            )
            assert result.returncode == 0, result.stderr
            return result.stdout

        worker = subprocess.Popen([sys.executable, "manage.py", "outbox_worker"], cwd=ROOT, env=env)
        with psycopg.connect(dbname=copy, autocommit=True, **_server_args()) as on_copy:

            def heartbeat():
                return on_copy.execute("SELECT paused FROM outbox_workerheartbeat").fetchone()

            deadline = time.monotonic() + 30
            while heartbeat() is None and time.monotonic() < deadline:
                time.sleep(0.2)
            assert heartbeat() == (True,)  # the worker runs on the copy and says it is held
            time.sleep(1)  # several polls
            assert smtp.messages == []
            assert "Versand: ANGEHALTEN" in manage("outbox", "status")

            # what the original sent after the dump (its outbox, or its mail server's log) is marked, then released
            assert "1 wartende E-Mail(s)" in manage("outbox", "mark-sent", "-", stdin=queued[0].message_id + "\n")
            assert "Versand freigegeben" in manage("outbox", "resume")
            deadline = time.monotonic() + 30
            while len(smtp.messages) < 2 and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(1)  # nothing more comes
            arrived = sorted(message["Message-ID"] for _rcpts, message in smtp.messages)
            assert arrived == sorted(m.message_id for m in queued[1:])
            statuses = on_copy.execute("SELECT status FROM outbox_outboxmessage").fetchall()
            assert sorted(s for (s,) in statuses) == ["sent", "sent", "sent"]
        worker.terminate()
        assert worker.wait(timeout=30) == 0
    finally:
        if worker is not None and worker.poll() is None:
            worker.kill()
        smtp.stop()
        with psycopg.connect(dbname="postgres", autocommit=True, **_server_args()) as server:
            server.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')
    # the original sends as before
    assert sending.state().allowed
