"""The load part of `make bench`: the portal under gunicorn, and a bounded load client on 127.0.0.1.

The client is plain Python (http.client and threads): each simulated person logs in through the real login
form (CSRF token and all) and then asks for one page again and again for a fixed time. It keeps its cookies
itself, so the portal's Secure cookies work over plain HTTP on the loopback without relaxing any setting.
Every loop is bounded by a deadline and a maximum request count; the client talks to 127.0.0.1 only.
"""

import http.client
import os
import re
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

HOST = "127.0.0.1"
MAX_REQUESTS_PER_CLIENT = 50_000
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Browser:
    """One person's cookie jar over fresh HTTP connections (gunicorn's sync workers close each one)."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.csrf_token: str | None = None

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, dict, bytes]:
        connection = http.client.HTTPConnection(HOST, self.port, timeout=30)
        try:
            headers = {}
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
            body = None
            if form is not None:
                body = urlencode(form, doseq=True)
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    if morsel.value and morsel["max-age"] != "0":
                        self.cookies[name] = morsel.value
                    else:
                        self.cookies.pop(name, None)
            return response.status, dict(response.headers), content
        finally:
            connection.close()

    def log_in(self, role: str, email: str, password: str) -> tuple[int, str]:
        """The login form as a person uses it: GET for the CSRF token, then POST. Returns (status, Location)."""
        if self.csrf_token is None:
            status, _headers, content = self.request("GET", "/login/")
            match = CSRF_INPUT.search(content.decode())
            if status != 200 or match is None:
                return status, ""
            self.csrf_token = match.group(1)
        form = {"csrfmiddlewaretoken": self.csrf_token, "role": role, "email": email, "password": password}
        status, headers, _content = self.request("POST", "/login/", form)
        return status, headers.get("Location", "")

    def confirm_factor(self, code: str) -> tuple[int, str]:
        """ "Anmeldung bestätigen" with a code (the login rotated the CSRF token: read it from the page)."""
        status, _headers, content = self.request("GET", "/anmeldung-bestaetigen/")
        match = CSRF_INPUT.search(content.decode())
        if status != 200 or match is None:
            return status, ""
        self.csrf_token = match.group(1)
        form = {"csrfmiddlewaretoken": self.csrf_token, "code": code}
        status, headers, _content = self.request("POST", "/anmeldung-bestaetigen/", form)
        return status, headers.get("Location", "")

    def forget_session(self) -> None:
        """Log out the way a closed browser does; the next login loads the form again (login rotates the
        CSRF token, so the old form token would no longer fit)."""
        for name in [name for name in self.cookies if name.endswith("sessionid")]:  # also __Host-sessionid
            del self.cookies[name]
        self.csrf_token = None


@dataclass
class LoadResult:
    clients: int
    seconds: float
    requests: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def _hammer(action, deadline: float, result: LoadResult, lock: threading.Lock) -> None:
    latencies, ok, errors = [], 0, 0
    for _ in range(MAX_REQUESTS_PER_CLIENT):
        if time.perf_counter() >= deadline:
            break
        started = time.perf_counter()
        try:
            good = action()
        except OSError:
            good = False
        if time.perf_counter() > deadline:
            break  # a request still running at the deadline is not counted
        latencies.append(time.perf_counter() - started)
        ok += good
        errors += not good
    with lock:
        result.latencies += latencies
        result.requests += ok
        result.errors += errors


def run_clients(actions: list, seconds: float, warmup: float = 2.0) -> LoadResult:
    """Each action (one per client) runs in its own thread for `seconds`, after `warmup` seconds that are
    not counted (every gunicorn worker loads its templates and URL patterns on its first requests)."""
    if warmup:
        run_clients(actions, warmup, warmup=0)
    result = LoadResult(clients=len(actions), seconds=seconds)
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds
    threads = [threading.Thread(target=_hammer, args=(action, deadline, result, lock)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return result


def page_action(browser: Browser, path: str, expect: int = 200):
    """GET `path` again and again; a response with status `expect` counts, any other as an error."""

    def action() -> bool:
        status, _headers, _content = browser.request("GET", path)
        return status == expect

    return action


def login_action(browser: Browser, role: str, email: str, password: str, expected: str):
    def action() -> bool:
        browser.forget_session()
        status, location = browser.log_in(role, email, password)
        return status == 302 and location.endswith(expected)

    return action


class Gunicorn:
    """The portal under gunicorn with 3 sync workers, started and stopped by the benchmark."""

    def __init__(self, env: dict, workers: int = 3, log: Path | None = None):
        self.port = free_port()
        self.log = log
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(workers),
            "--bind",
            f"{HOST}:{self.port}",
            "--log-level",
            "warning",
            "--no-control-socket",  # another gunicorn on this host keeps its own
            "zvk_portal.wsgi:application",
        ]
        output = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115 (closed in stop())
        self._output = output
        self.process = subprocess.Popen(
            command, env=env, cwd=Path(__file__).resolve().parent.parent, stdout=output, stderr=output
        )

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    def wait_until_ready(self, timeout: float = 60) -> None:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn ended at start (exit {self.process.returncode}); see {self.log}")
            try:
                if Browser(self.port).request("GET", "/login/")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {timeout} s; see {self.log}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self._output is not subprocess.DEVNULL:
            self._output.close()

    def __enter__(self):
        self.wait_until_ready()
        return self

    def __exit__(self, *exc):
        self.stop()


def cpu_seconds(pids) -> float:
    """User + system CPU time of processes (Linux /proc), to tell the cost of a request from the machine's noise."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def server_env(overrides: dict) -> dict:
    env = dict(os.environ)
    env.update(overrides)
    return env
