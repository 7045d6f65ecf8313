"""gunicorn's settings for `make serve` and the systemd unit: gunicorn reads ./gunicorn.conf.py of its working
directory by itself, so both run the same server (command-line options win; docs/operations.md).

The worker model was chosen by measurement (`make loadtest`, docs/performance.md "Load test"): gthread workers, one
process per core with eight threads each. A thread waiting for PostgreSQL, for a row lock or for Argon2 (which
releases the GIL) leaves the process's other threads serving, and keep-alive connections stay open; sync workers
served a third to a half as many requests with twice the p95, and more processes than cores only add memory.
"""

import os
from pathlib import Path

import environ

# WEB_CONCURRENCY, GUNICORN_THREADS and GUNICORN_TIMEOUT may stand in .env beside the portal's other settings.
environ.Env.read_env(Path(__file__).resolve().parent / ".env", overwrite=False)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the cores this process may use (a container's or a cgroup's share)
    except AttributeError:
        return os.cpu_count() or 1


bind = "127.0.0.1:8000"  # `make serve` and the systemd unit name the port; behind the TLS proxy on the same host
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY") or _cores())
threads = int(os.environ.get("GUNICORN_THREADS") or 8)
# Stays above the database's statement timeout (DB_STATEMENT_TIMEOUT_MS, 15 s): a slow query ends as the German 503
# page, not as a killed worker.
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 30)
graceful_timeout = 30  # SIGTERM: requests under way get this long to finish
keepalive = 5
accesslog = "-"
# No control socket: several servers on one host never share ~/.gunicorn/gunicorn.ctl.
control_socket_disable = True
