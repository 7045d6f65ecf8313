"""A portal that no failing part can stall: database timeouts give a German 503, /healthz tells monitoring
whether the database answers and mail gets out, and the release step migrates once."""

import json
import re
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
import time_machine
from django.db import OperationalError, connection
from django.test import Client
from django.utils import timezone

from base.db import without_timeouts
from outbox import sending
from outbox.models import MessageStatus, WorkerHeartbeat
from tests import factories
from tests.test_logging import log_output, records  # noqa: F401 - the fixture

ROOT = Path(__file__).resolve().parent.parent
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="statement and lock timeouts are PostgreSQL's"
)


# --- the 503 page ------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.urls("tests.urls_with_error")
def test_a_database_timeout_gives_the_german_503_page_and_one_log_line(log_output):  # noqa: F811
    response = Client(raise_request_exception=False).get("/zeitueberschreitung/")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    html = response.content.decode()
    assert "Das Portal ist vorübergehend nicht verfügbar" in html and "portal@kvt-zvk.de" in html
    for internal in ("Traceback", "OperationalError", "statement timeout", "Service Unavailable", "File "):
        assert internal not in html
    incident = re.search(r"Fehlernummer <strong>([0-9A-F]{12})</strong>", html).group(1)
    logged = [r for r in records(log_output) if r["level"] in ("ERROR", "CRITICAL")]
    assert len(logged) == 1
    assert logged[0]["incident"] == incident and logged[0]["message"] == "database_unavailable"
    assert "exc_info" not in logged[0]  # one line, no traceback


@postgresql_only
def test_web_connections_have_statement_and_lock_timeouts_and_migrate_lifts_them(db, settings):
    def limits():
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('statement_timeout'), current_setting('lock_timeout')")
            return cursor.fetchone()

    assert limits() == ("15s", "5s")
    with without_timeouts():
        assert limits() == ("0", "0")
    assert limits() == ("15s", "5s")


# --- /healthz --------------------------------------------------------------------------------------------


def _worker_seen(seconds_ago: int, now=None):
    return WorkerHeartbeat.objects.create(
        name=f"server:{seconds_ago}", beat_at=(now or timezone.now()) - timedelta(seconds=seconds_ago)
    )


@pytest.mark.django_db
def test_health_answers_without_login_with_the_outbox_counts_and_the_worker(client):
    now = timezone.now()
    with time_machine.travel(now - timedelta(seconds=90), tick=False):
        factories.OutboxMessageFactory()
    factories.OutboxMessageFactory()
    factories.OutboxMessageFactory(status=MessageStatus.FAILED)
    factories.OutboxMessageFactory(status=MessageStatus.SENT)
    _worker_seen(3, now)
    with time_machine.travel(now, tick=False):
        response = client.get("/healthz")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {
        "database": "ok",
        "outbox": {"queued": 2, "failed": 1, "oldest_queued_age_seconds": 90},
        "worker": "ok",
        "worker_last_seen_seconds": 3,
    }
    assert "Set-Cookie" not in response  # no session is written
    assert response.cookies == {}


@pytest.mark.django_db
def test_health_with_an_empty_outbox_and_no_worker_is_well_but_says_so(client):
    body = json.loads(client.get("/healthz").content)
    assert body["outbox"] == {"queued": 0, "failed": 0, "oldest_queued_age_seconds": 0}
    assert (body["worker"], body["worker_last_seen_seconds"]) == ("stale", None)


@pytest.mark.django_db
def test_health_is_503_when_mails_wait_for_a_worker_that_is_gone(client, settings):
    settings.OUTBOX_WORKER_STALE_SECONDS = 60
    now = timezone.now()
    _worker_seen(200, now)  # killed three minutes ago
    with time_machine.travel(now - timedelta(seconds=30), tick=False):
        factories.OutboxMessageFactory()
    with time_machine.travel(now, tick=False):
        young = client.get("/healthz")  # due for 30 s: a worker may be about to take it
    with time_machine.travel(now + timedelta(seconds=40), tick=False):
        old = client.get("/healthz")  # due for 70 s and nobody took it
    assert young.status_code == 200 and json.loads(young.content)["worker"] == "stale"
    assert old.status_code == 503
    assert json.loads(old.content)["worker"] == "stale" and json.loads(old.content)["database"] == "ok"
    _worker_seen(1, now + timedelta(seconds=40))  # a worker runs again (make serve restarted it)
    with time_machine.travel(now + timedelta(seconds=40), tick=False):
        assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
def test_health_says_paused_on_a_held_database(client):
    _worker_seen(1)
    sending.pause(by="Betrieb")
    with time_machine.travel(timezone.now() - timedelta(minutes=5), tick=False):
        factories.OutboxMessageFactory()
    response = client.get("/healthz")
    assert response.status_code == 503 and json.loads(response.content)["worker"] == "paused"


@pytest.mark.django_db
def test_health_answers_monitoring_on_the_server_itself_over_plain_http(client, settings):
    """The production settings redirect http to https and accept only the public host name; /healthz is asked by
    monitoring on 127.0.0.1 and answers there all the same."""
    settings.ALLOWED_HOSTS = ["portal.meinezvk.de"]
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/healthz", HTTP_HOST="127.0.0.1:8000")
    assert response.status_code == 200 and json.loads(response.content)["database"] == "ok"
    assert client.get("/login/", HTTP_HOST="127.0.0.1:8000").status_code == 400  # the rest stays refused
    assert client.post("/healthz", HTTP_HOST="portal.meinezvk.de", secure=True).status_code == 405


@pytest.mark.django_db
def test_health_is_503_when_the_database_does_not_answer(client, monkeypatch):
    from django.db.models.query import QuerySet

    def unavailable(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(QuerySet, "aggregate", unavailable)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content) == {"database": "unavailable"}


def test_persistent_connections_are_checked_before_reuse(settings):
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


# --- the release step ------------------------------------------------------------------------------------


def _release_env(database_url: str) -> dict:
    import os

    return {**os.environ, "DATABASE_URL": database_url, "DEBUG": "0"}


@pytest.fixture
def empty_database(tmp_path):
    """A database URL of the test's database server with no tables in it, dropped afterwards."""
    if connection.vendor != "postgresql":
        yield f"sqlite:///{tmp_path / 'release.sqlite3'}"
        return
    params = connection.get_connection_params()
    name = f"release_{uuid.uuid4().hex[:8]}"
    admin = {k: v for k, v in params.items() if k in ("host", "port", "user", "password")}
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as server:
        server.execute(f'CREATE DATABASE "{name}"')
    user, host, port = admin.get("user", "postgres"), admin.get("host", "127.0.0.1"), admin.get("port", 5432)
    yield f"postgres://{user}@{host}:{port}/{name}"
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_two_servers_starting_together_migrate_once_and_both_start(empty_database):
    env = _release_env(empty_database)
    command = [sys.executable, "manage.py", "migrate_locked", "--verbosity", "1"]
    starts = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)]
    starts.append(
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    )
    outputs = [start.communicate(timeout=300) for start in starts]
    assert [start.returncode for start in starts] == [0, 0], outputs
    applied = [out.count("Applying ") for out, _err in outputs]
    assert sorted(applied)[0] == 0 and sorted(applied)[1] > 10, applied  # one migrated, the other found it done


# --- cron with the database down ------------------------------------------------------------------------

CRON_COMMANDS = [
    ["clear_expired_otps"],
    ["send_notice_digest"],
    ["start_access_reviews"],
    ["lock_inactive_accounts"],
    ["apply_retention"],
    ["outbox", "status"],
    ["outbox_worker", "--once"],
    ["migrate_locked"],
]


def test_cron_commands_with_the_database_down_exit_1_with_one_line_each():
    import os
    import socket

    with socket.socket() as probe:  # a port nobody listens on: the database server is down
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "s" * 50,
        "OTP_ENCRYPTION_KEY": "k" * 43,
        "ALLOWED_HOSTS": "portal.meinezvk.de",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{port}/zvk",
    }
    runs = [
        subprocess.Popen(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for command in CRON_COMMANDS
    ]
    for command, run in zip(CRON_COMMANDS, runs, strict=True):
        out, err = run.communicate(timeout=120)
        assert run.returncode == 1, (command, out, err)
        assert "Traceback" not in out + err, (command, err)
        [line] = err.strip().splitlines()
        assert line.startswith(f"{command[0]}: Die Datenbank ist nicht erreichbar (database unavailable): "), line
        assert str(port) in line  # which server did not answer
