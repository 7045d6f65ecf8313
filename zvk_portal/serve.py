"""`make serve`: the portal's production processes under one supervisor.

    python -m zvk_portal.serve [--port 8000] [--no-release]

1. Checks the configuration first and says in one line what is missing (settings that do not load, no
   ALLOWED_HOSTS), then runs the release steps `collectstatic` and `migrate_locked` (unless --no-release).
2. Starts gunicorn (its settings in gunicorn.conf.py) and the outbox worker (`manage.py outbox_worker`).
3. A worker that ends (killed, crashed) is started again, after 1 s, then 2, 4 … up to 60 s while it keeps ending
   at once; its death is logged. If gunicorn ends, the worker is stopped and the supervisor exits with an error, so
   that the service manager (systemd) starts the whole again.
4. SIGTERM or SIGINT (what systemd and Ctrl-C send) stop both gracefully: gunicorn finishes the requests under way
   (its graceful timeout), the worker the mail it is sending; whatever still runs after STOP_SECONDS is killed.

The children run in their own process group, so a Ctrl-C reaches them only through the supervisor (gracefully),
and they are told to stop if the supervisor itself is killed, as the supervisor is when `make` is (Linux:
PR_SET_PDEATHSIG).
"""

import argparse
import contextlib
import ctypes
import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STOP_SECONDS = 40  # gunicorn's graceful timeout (30 s) and a little
RESTART_MIN_SECONDS, RESTART_MAX_SECONDS = 1, 60
HEALTHY_RUN_SECONDS = 60  # a worker that ran this long starts again after the shortest pause
LOOPBACK = {"127.0.0.1", "localhost", "[::1]", "::1"}


def log(level: str, message: str, **fields) -> None:
    """One JSON line on stderr, like the portal's own log."""
    record = {"level": level, "logger": "zvk_portal.serve", "message": message, **fields}
    record["timestamp"] = datetime.now(UTC).isoformat()
    print(json.dumps(record, ensure_ascii=False), file=sys.stderr, flush=True)


def configuration_problem() -> str | None:
    """What keeps the portal from starting with these settings, in one German sentence with the way out."""
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zvk_portal.settings")
    from django.core.exceptions import ImproperlyConfigured

    try:
        from django.conf import settings

        hosts = list(settings.ALLOWED_HOSTS)
    except ImproperlyConfigured as error:
        text = str(error)
        if "INSECURE_LOCAL_HTTP" in text:
            return (
                f"{text} INSECURE_LOCAL_HTTP=1 ist nur zum Ausprobieren auf diesem Rechner: für den Betrieb "
                "INSECURE_LOCAL_HTTP=0 (hinter dem TLS-Proxy), zum Ausprobieren ALLOWED_HOSTS=127.0.0.1,localhost."
            )
        if "SECRET_KEY" in text or "OTP_ENCRYPTION_KEY" in text:
            return (
                f"{text} Beide Schlüssel einmal erzeugen und in .env festhalten (docs/operations.md, Abschnitt 1); "
                "zum Ausprobieren ohne .env siehe dort „Trying the production settings“."
            )
        return f"{text} (docs/operations.md, Abschnitt 1)"
    if not hosts:
        return (
            "ALLOWED_HOSTS ist leer: das Portal wiese jede Anfrage ab. In .env den Namen setzen, unter dem es "
            "erreichbar ist, z. B. ALLOWED_HOSTS=portal.meinezvk.de (docs/operations.md, Abschnitt 1)."
        )
    return None


def release(python: str) -> None:
    for step in (["collectstatic", "--no-input", "--verbosity", "0"], ["migrate_locked"]):
        result = subprocess.run([python, "manage.py", *step], cwd=ROOT)
        if result.returncode != 0:
            log("ERROR", "release_step_failed", step=step[0], returncode=result.returncode)
            sys.exit(result.returncode)


def _stop_with_parent() -> None:
    """In the child: SIGTERM when the supervisor dies (Linux)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Supervisor:
    def __init__(self, *, python: str, port: int):
        self.python = python
        self.port = port
        self.stopping = False
        self.server = None
        self.worker = None
        self.worker_started = 0.0
        self.restart_pause = RESTART_MIN_SECONDS

    def _start(self, command):
        return subprocess.Popen(command, cwd=ROOT, process_group=0, preexec_fn=_stop_with_parent)

    def start_server(self):
        command = [self.python, "-m", "gunicorn", "zvk_portal.wsgi:application", "--bind", f"127.0.0.1:{self.port}"]
        self.server = self._start(command)
        log("INFO", "gunicorn.started", pid=self.server.pid, port=self.port)

    def start_worker(self):
        self.worker = self._start([self.python, "manage.py", "outbox_worker"])
        self.worker_started = time.monotonic()
        log("INFO", "outbox_worker.started", pid=self.worker.pid)

    def stop(self, *_):
        self.stopping = True

    def run(self) -> int:
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, self.stop)
        self.start_server()
        self.start_worker()
        restart_at = None
        code = 0
        while not self.stopping:
            time.sleep(0.2)
            if self.server.poll() is not None:
                log("ERROR", "gunicorn.exited", returncode=self.server.returncode)
                code = self.server.returncode or 1
                break
            if restart_at is None and self.worker.poll() is not None:
                ran = time.monotonic() - self.worker_started
                if ran >= HEALTHY_RUN_SECONDS:
                    self.restart_pause = RESTART_MIN_SECONDS
                restart_at = time.monotonic() + self.restart_pause
                log(
                    "ERROR",
                    "outbox_worker.exited",
                    pid=self.worker.pid,
                    returncode=self.worker.returncode,
                    restart_in_seconds=self.restart_pause,
                )
                self.restart_pause = min(self.restart_pause * 2, RESTART_MAX_SECONDS)
            if restart_at is not None and time.monotonic() >= restart_at:
                restart_at = None
                self.start_worker()
        self.shutdown()
        return code

    def shutdown(self) -> None:
        """SIGTERM to both (gunicorn: graceful stop; the worker: after the current mail), SIGKILL after STOP_SECONDS."""
        running = [p for p in (self.server, self.worker) if p is not None and p.poll() is None]
        for process in running:
            process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        for process in running:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log("ERROR", "killed_after_stop_timeout", pid=process.pid)
                process.kill()
                process.wait()
        codes = {"gunicorn": self.server, "outbox_worker": self.worker}
        log("INFO", "stopped", returncodes={name: p.returncode for name, p in codes.items() if p is not None})


def main(argv=None) -> int:
    _stop_with_parent()  # `make serve` killed outright: the supervisor stops the rest gracefully
    parser = argparse.ArgumentParser(description="Das Portal mit gunicorn und dem Outbox-Worker (make serve).")
    parser.add_argument("--port", type=int, default=int(os.environ.get("SERVE_PORT", 8000)))
    parser.add_argument("--no-release", action="store_true", help="collectstatic und migrate_locked auslassen")
    args = parser.parse_args(argv)
    problem = configuration_problem()
    if problem:
        print(f"make serve: {problem}", file=sys.stderr)
        return 2
    if not args.no_release:
        release(sys.executable)
    return Supervisor(python=sys.executable, port=args.port).run()


if __name__ == "__main__":
    sys.exit(main())
