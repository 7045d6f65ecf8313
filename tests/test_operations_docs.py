"""docs/operations.md is the operator's recipe: its systemd units are run here as systemd would run them (no systemd
on the test machines), with only the install path replaced by this checkout and the port by a free one."""

import re
import shlex
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from outbox.models import MessageStatus, OutboxMessage
from tests import factories
from tests.smtp import SMTPServer
from tests.test_serve import free_port, health, serve_env, wait_for

ROOT = Path(__file__).resolve().parent.parent
INSTALL = "/srv/zvk-portal"


def read_units() -> dict[str, dict[str, list[str]]]:
    """The unit files in docs/operations.md's ini block: {file name: {directive: [values]}} (continuation lines
    joined, comments dropped)."""
    text = (ROOT / "docs" / "operations.md").read_text()
    [block] = re.findall(r"```ini\n(.*?)```", text, re.S)
    units, current = {}, None
    for line in block.replace("\\\n", " ").splitlines():
        named = re.match(r"# /etc/systemd/system/(\S+)", line)
        if named:
            current = units.setdefault(named.group(1), {})
        elif current is not None and "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            current.setdefault(key.strip(), []).append(" ".join(value.split()))
    return units


def as_here(command: str, port: int) -> list[str]:
    """A unit's command line in this checkout: the virtual environment this suite runs in, a free port."""
    venv_bin = str(Path(sys.executable).parent)
    command = command.replace(f"{INSTALL}/.venv/bin", venv_bin).replace("127.0.0.1:8000", f"127.0.0.1:{port}")
    return shlex.split(command)


def test_the_units_restart_and_stop_gracefully_as_documented():
    units = read_units()
    assert sorted(units) == ["zvk-outbox.service", "zvk-portal.service"]
    for unit in units.values():
        assert unit["WorkingDirectory"] == [INSTALL] and unit["User"] == ["zvk"]
        assert unit["Restart"] == ["always"] and unit["KillSignal"] == ["SIGTERM"]
        assert "postgresql.service" in unit["After"][0]
    assert units["zvk-portal.service"]["ExecStartPre"][-1].endswith("manage.py migrate_locked")
    assert "gunicorn zvk_portal.wsgi:application" in units["zvk-portal.service"]["ExecStart"][0]
    assert units["zvk-outbox.service"]["ExecStart"][0].endswith("manage.py outbox_worker")


@pytest.mark.django_db(transaction=True)
def test_the_systemd_units_of_the_docs_run_as_written(tmp_path):
    units = read_units()
    smtp = SMTPServer().start()
    port = free_port()
    env = serve_env(
        INSECURE_LOCAL_HTTP="0",
        ALLOWED_HOSTS="portal.meinezvk.de",
        PORTAL_URL="https://portal.meinezvk.de",
        EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}",
        STATIC_FILES_COLLECTED="1",
    )
    started = {}
    try:
        for name in ("zvk-portal.service", "zvk-outbox.service"):
            unit = units[name]
            cwd = unit["WorkingDirectory"][0].replace(INSTALL, str(ROOT))
            for command in unit.get("ExecStartPre", []):
                result = subprocess.run(as_here(command, port), cwd=cwd, env=env, capture_output=True, text=True)
                assert result.returncode == 0, (command, result.stderr[-2000:])
            [command] = unit["ExecStart"]
            log = open(tmp_path / f"{name}.log", "w")  # noqa: SIM115 - closed with the process below
            started[name] = (subprocess.Popen(as_here(command, port), cwd=cwd, env=env, stdout=log, stderr=log), log)

        status, body = wait_for(lambda: health(port), what="/healthz of the gunicorn unit")
        assert status == 200 and body["database"] == "ok"
        wait_for(lambda: health(port)[1]["worker"] == "ok", what="the worker unit's heartbeat")
        message = factories.OutboxMessageFactory()
        wait_for(lambda: smtp.messages, seconds=30, what="the mail the worker unit sends")
        assert OutboxMessage.objects.get(pk=message.pk).status == MessageStatus.SENT

        for name, (process, _log) in started.items():
            process.send_signal(getattr(signal, units[name]["KillSignal"][0]))
            assert process.wait(timeout=int(units[name]["TimeoutStopSec"][0])) == 0, name  # stopped gracefully
    finally:
        for process, log in started.values():
            if process.poll() is None:
                process.kill()
                process.wait()
            log.close()
        smtp.stop()
