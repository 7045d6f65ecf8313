"""`make serve` as an operator and systemd meet it: it says in one line what the configuration lacks; the outbox
worker it runs is started again when it dies (kill -9); gunicorn's death ends the whole, for the service manager to
start it again; SIGTERM to make (what systemd and `kill` send) stops gunicorn and the worker gracefully."""

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from outbox.models import MessageStatus, OutboxMessage, WorkerHeartbeat
from tests import factories
from tests.smtp import SMTPServer

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url() -> str:
    """The test database, for the processes `make serve` starts (the test commits what they must see)."""
    params = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{params['NAME']}"
    user, host, port = params["USER"] or "postgres", params["HOST"] or "127.0.0.1", params["PORT"] or 5432
    return f"postgres://{user}@{host}:{port}/{params['NAME']}"


def serve_env(**changes) -> dict:
    test_only = {"DEBUG", "SECRET_KEY", "OTP_ENCRYPTION_KEY", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT"}
    env = {key: value for key, value in os.environ.items() if key not in test_only}
    env.update(
        DATABASE_URL=database_url(),
        SECRET_KEY=secrets.token_urlsafe(50),
        OTP_ENCRYPTION_KEY=settings.OTP_ENCRYPTION_KEY,
        INSECURE_LOCAL_HTTP="1",
        STATIC_FILES_COLLECTED="0",
        OUTBOX_POLL_SECONDS="0.2",
        WEB_CONCURRENCY="1",
        GUNICORN_THREADS="2",
    )
    env.update(changes)
    return env


def wait_for(condition, seconds=60, what="condition"):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"{what} not reached within {seconds} s")


def health(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
            return answer.status, json.loads(answer.read())
    except OSError:
        return None


def worker_pids() -> set[int]:
    return {int(name.rsplit(":", 1)[1]) for name in WorkerHeartbeat.objects.values_list("name", flat=True)}


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def supervisor_log(path: Path) -> list[dict]:
    records = []
    for line in path.read_text().splitlines():
        if line.startswith("{") and '"zvk_portal.serve"' in line:
            records.append(json.loads(line))
    return records


@pytest.mark.django_db(transaction=True)
def test_make_serve_restarts_a_killed_worker_and_stops_both_gracefully_on_sigterm(tmp_path):
    smtp = SMTPServer().start()
    port = free_port()
    log = tmp_path / "serve.log"
    env = serve_env(EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}")
    with open(log, "w") as output:
        make = subprocess.Popen(
            ["make", "--no-print-directory", "serve", f"SERVE_PORT={port}", "SERVE_ARGS=--no-release"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        assert wait_for(lambda: health(port), what="/healthz")[0] == 200
        [first] = wait_for(worker_pids, what="the worker's heartbeat")

        os.kill(first, signal.SIGKILL)  # the fault: the worker dies without a word
        restarted = wait_for(lambda: worker_pids() - {first}, seconds=30, what="a new worker")
        assert len(restarted) == 1 and alive(restarted.pop())
        message = factories.OutboxMessageFactory()
        wait_for(lambda: smtp.messages, seconds=30, what="the mail sent by the new worker")
        assert OutboxMessage.objects.get(pk=message.pk).status == MessageStatus.SENT
        exited = [r for r in supervisor_log(log) if r["message"] == "outbox_worker.exited"]
        assert exited and exited[0]["returncode"] == -signal.SIGKILL

        started = {r["message"]: r["pid"] for r in supervisor_log(log) if r["message"].endswith(".started")}
        make.send_signal(signal.SIGTERM)  # to make alone, as `kill <pid>` does
        make.wait(timeout=60)
    finally:
        if make.poll() is None:
            make.kill()
        smtp.stop()
    records = supervisor_log(log)
    assert records[-1]["message"] == "stopped", log.read_text()[-3000:]
    assert records[-1]["returncodes"] == {"gunicorn": 0, "outbox_worker": 0}  # both stopped gracefully
    assert not alive(started["gunicorn.started"]) and not alive(started["outbox_worker.started"])
    assert health(port) is None  # nothing answers on the port any more
    assert not WorkerHeartbeat.objects.filter(name__endswith=f":{started['outbox_worker.started']}").exists()


@pytest.mark.django_db(transaction=True)
def test_when_gunicorn_dies_the_whole_stops_for_the_service_manager_to_restart(tmp_path):
    port = free_port()
    log = tmp_path / "serve.log"
    with open(log, "w") as output:
        serve = subprocess.Popen(
            [sys.executable, "-m", "zvk_portal.serve", "--port", str(port), "--no-release"],
            cwd=ROOT,
            env=serve_env(),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(lambda: health(port), what="/healthz")
        started = {r["message"]: r["pid"] for r in supervisor_log(log) if r["message"].endswith(".started")}
        os.kill(started["gunicorn.started"], signal.SIGKILL)
        assert serve.wait(timeout=60) != 0
    finally:
        if serve.poll() is None:
            serve.kill()
    assert not alive(started["outbox_worker.started"])
    assert [r["message"] for r in supervisor_log(log)][-2:] == ["gunicorn.exited", "stopped"]


def refused(env) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "zvk_portal.serve", "--no-release"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    [line] = result.stderr.splitlines()
    return line


def test_make_serve_says_in_one_line_what_the_configuration_lacks():
    without_key = serve_env(INSECURE_LOCAL_HTTP="0", ALLOWED_HOSTS="portal.meinezvk.de")
    del without_key["SECRET_KEY"]
    line = refused(without_key)
    assert "SECRET_KEY" in line and ".env" in line and "docs/operations.md" in line

    line = refused(serve_env(INSECURE_LOCAL_HTTP="0"))  # the production .env without ALLOWED_HOSTS
    assert "ALLOWED_HOSTS ist leer" in line and "ALLOWED_HOSTS=portal.meinezvk.de" in line
    assert "SECRET_KEY" not in line  # the hint names what is missing, not the keys

    line = refused(serve_env(ALLOWED_HOSTS="portal.meinezvk.de"))  # the try-out switch on the production .env
    assert "INSECURE_LOCAL_HTTP" in line and "ALLOWED_HOSTS=127.0.0.1,localhost" in line
