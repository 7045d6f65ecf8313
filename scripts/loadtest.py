#!/usr/bin/env python
"""Load test on loopback: the portal under gunicorn on PostgreSQL, administrators and clerks at work.

    .venv/bin/python scripts/loadtest.py            # or: make loadtest (LOADTEST_ARGS="--scenario busy …")

Scenarios (--scenario):
- office (default): 20 administrators and 100 clerks of 5 members, each at its own browser at the same time without
  pausing (120 client threads), for 60 s: the load of a busy morning at the fund's largest members, all at once.
- busy: 50 administrators and 200 clerks kept busy by 16 client threads.

1. (Re)creates its own PostgreSQL database (default postgres://postgres@127.0.0.1:5432/loadtest; the name must
   start with "loadtest"), migrates it and writes the data: members with 4 billing units each, the administrators
   and clerks spread over them, and 10 more clerks per member whom the administrators lock and unlock ("Springer",
   they never log in, so no clerk session is ended by the test).
2. Starts gunicorn with the production settings (DEBUG off) on 127.0.0.1, over plain HTTP thanks to the
   loopback-only switch INSECURE_LOCAL_HTTP, with the worker model of gunicorn.conf.py (what `make serve` runs) unless
   --worker-class, --workers or --threads say otherwise.
3. Logs everyone in, each from its own loopback address (127.0.x.y), as town halls would from their own networks.
4. Idle: one client alone clicks through the same pages for --idle-seconds (the pages' p95 without load).
5. Busy: --concurrency client threads (default: everyone at once) for --duration seconds: administrators open the
   list, detail pages, "+/- Zuordnen" (and save it), and lock or unlock a Springer; clerks open their start page.
   Every POST carries the CSRF token of its form. Bounded by --max-requests; every request has a timeout, and
   gunicorn is stopped at the end whatever happens.
6. Prints requests, errors and p50/p95/p99 per page with the p95 under load against the idle p95 as a ratio, the
   machine's load average, then checks every row the run wrote: statuses valid, no grant outside the granting
   administrator's scope, no Gesperrt clerk with a member left unlocked (and no other clerk without one), at most
   one open lock per clerk and member, Springer grants all there (granted or suspended, nothing lost), one-time
   passwords where the status needs them, and audit entries = actions the client saw succeed. Exit code 0 only
   with zero errors and zero inconsistencies.
7. Mail: before the busy phase --mails mails wait in the outbox; --mail-workers outbox workers
   (`manage.py outbox_worker`, production settings) send them during the busy phase to an SMTP server on
   127.0.0.1 (aiosmtpd, as in the tests). Afterwards every outbox row must be sent and every Message-ID must
   have arrived exactly once.

Only loopback addresses are contacted. Not part of `make test` or CI: it takes two to three minutes.
"""

import argparse
import http.client
import os
import queue
import random
import re
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "Lasttest im Rathaus 2026"
HOST = "127.0.0.1"
TIMEOUT = 30  # seconds for one request

SAVED_GRANTS = "Die Berechtigungen wurden gespeichert."
NO_CHANGE = "Es wurden keine Änderungen vorgenommen."
LOCKED = "Dem Sachbearbeiter wurde die Berechtigung entzogen."
UNLOCKED = "Die Berechtigung wurde erteilt."


# --- Set-up ----------------------------------------------------------------------------------------------------


SCENARIOS = {
    "office": {"members": 5, "admins": 20, "clerks": 100, "concurrency": None},
    "busy": {"members": 5, "admins": 50, "clerks": 200, "concurrency": 16},
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), default="office")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/loadtest")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of the busy phase")
    parser.add_argument("--idle-seconds", type=float, default=20.0, help="seconds of the idle phase (one client)")
    parser.add_argument("--concurrency", type=int, help="client threads (default: the scenario's)")
    parser.add_argument(
        "--think-seconds",
        type=float,
        default=0.0,
        help="busy phase: each person reads a page for 0.5 to 1.5 times this long before the next click (default 0)",
    )
    parser.add_argument("--max-requests", type=int, default=200_000, help="upper bound of requests in the busy phase")
    parser.add_argument("--members", type=int)
    parser.add_argument("--admins", type=int, help="administrators (spread over the members)")
    parser.add_argument("--clerks", type=int, help="clerks who log in (spread over the members)")
    parser.add_argument("--springers", type=int, default=10, help="clerks per member that are locked and unlocked")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--smtp-port", type=int, default=0, help="the test SMTP server's port (default: any free one)")
    parser.add_argument("--worker-class", help="gunicorn worker class (default: gunicorn.conf.py's)")
    parser.add_argument("--workers", type=int, help="gunicorn worker processes (default: gunicorn.conf.py's)")
    parser.add_argument("--threads", type=int, help="gunicorn threads per worker (default: gunicorn.conf.py's)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--mails", type=int, default=300, help="mails waiting in the outbox at the start")
    parser.add_argument("--mail-workers", type=int, default=2, help="outbox workers sending at the same time")
    args = parser.parse_args()
    for name, value in SCENARIOS[args.scenario].items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    if args.admins < args.members:
        parser.error(
            "--admins must be at least --members: each member's clerks are granted by one of its administrators"
        )
    if args.concurrency is None:
        args.concurrency = args.admins + args.clerks  # everyone at once
    return args


def gunicorn_model(args) -> dict:
    """The worker model gunicorn will run: gunicorn.conf.py's (what `make serve` runs), or the options'."""
    import runpy

    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    return {
        "worker_class": args.worker_class or conf["worker_class"],
        "workers": args.workers or conf["workers"],
        "threads": args.threads or conf["threads"],
    }


def server_environment(args) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "zvk_portal.settings",
        "DATABASE_URL": args.database_url,
        "DEBUG": "0",
        "INSECURE_LOCAL_HTTP": "1",
        "ALLOWED_HOSTS": HOST,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "OTP_ENCRYPTION_KEY": secrets.token_urlsafe(32),
        "CONN_MAX_AGE": "60",
        "EMAIL_URL": "dummymail://",
        "SECURITY_LOG_LEVEL": "WARNING",
        # Clerks log in without the e-mail code here (a setting the fund may choose); administrators confirm their
        # login with a recovery code of their own, as after a lost phone.
        "CLERK_SECOND_FACTOR": "off",
    }


def recreate_database(database_url: str) -> None:
    import psycopg

    url = urlsplit(database_url)
    name = url.path.lstrip("/")
    if not name.startswith("loadtest"):
        sys.exit(f"Refusing to drop {name!r}: the load test's database name must start with 'loadtest'.")
    admin_url = url._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def seed(args) -> dict:
    """Write the members, units and people directly (one password hash for all: hashing 300 passwords with
    Argon2id would only slow the set-up). Returns what the client needs to know."""
    from django.contrib.auth.hashers import make_password

    from accounts.models import Membership, Role, Status, User
    from billing_units.models import BillingUnit, Member
    from clerks.models import Grant

    rng = random.Random(args.seed)
    password_hash = make_password(PASSWORD)
    members, plan = [], {}
    for m in range(args.members):
        member = Member.objects.create(number=f"{700001 + m:06d}", name=f"Lastgemeinde {m + 1}", city="Erfurt")
        units = BillingUnit.objects.bulk_create(
            [BillingUnit(member=member, number=f"{800000 + m * 100 + u:06d}", name=f"Amt {u + 1}") for u in range(4)]
        )
        members.append(member)
        plan[member.pk] = {"units": [u.pk for u in units], "admins": [], "clerks": [], "springers": []}

    def person(role, email, member_index, index):
        return User(
            role=role,
            status=Status.ACTIVE,
            is_active=True,
            email=email,
            first_name=f"Vorname{index}",
            last_name=f"Nachname{member_index}-{index}",
            phone="0361 57-1000",
            password=password_hash,
        )

    admins, clerks, springers = [], [], []
    for i in range(args.admins):
        m = i % args.members
        admins.append((m, person(Role.ADMINISTRATOR, f"admin{i}@lastgemeinde{m + 1}.example", m, i)))
    for i in range(args.clerks):
        m = i % args.members
        clerks.append((m, person(Role.CLERK, f"sb{i}@lastgemeinde{m + 1}.example", m, i)))
    for m in range(args.members):
        for i in range(args.springers):
            springers.append((m, person(Role.CLERK, f"springer{i}@lastgemeinde{m + 1}.example", m, 1000 + i)))
    User.objects.bulk_create([u for _m, u in admins + clerks + springers])

    memberships, scopes, grants = [], [], []
    for m, admin in admins:
        member = members[m]
        plan[member.pk]["admins"].append(admin.pk)
        memberships.append(Membership.of(admin, member=member))
        scopes += [User.scope_units.through(user_id=admin.pk, billingunit_id=pk) for pk in plan[member.pk]["units"]]
    for kind, people in (("clerks", clerks), ("springers", springers)):
        for m, clerk in people:
            member = members[m]
            plan[member.pk][kind].append(clerk.pk)
            memberships.append(Membership.of(clerk, member=member))
            granted_by = plan[member.pk]["admins"][0]
            chosen = rng.sample(plan[member.pk]["units"], rng.randint(1, 3))
            grants += [Grant(clerk=clerk, billing_unit_id=pk, granted_by_id=granted_by) for pk in chosen]
    Membership.objects.bulk_create(memberships)
    User.scope_units.through.objects.bulk_create(scopes)
    Grant.objects.bulk_create(grants)
    return {
        "plan": plan,
        "admins": [(members[m].pk, u.email) for m, u in admins],
        "clerks": [(members[m].pk, u.email) for m, u in clerks],
        "springer_grants": {
            pk: set(Grant.objects.filter(clerk_id=pk).values_list("billing_unit_id", flat=True))
            for p in plan.values()
            for pk in p["springers"]
        },
    }


def start_server(args, env, log_path) -> subprocess.Popen:
    model = gunicorn_model(args)
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "zvk_portal.wsgi:application",
        f"--bind={HOST}:{args.port}",
        f"--workers={model['workers']}",
        f"--threads={model['threads']}",
        f"--worker-class={model['worker_class']}",
        "--timeout=60",
        "--graceful-timeout=10",
        "--no-control-socket",  # another gunicorn on this host keeps its own
        f"--error-logfile={log_path}",
    ]
    with open(log_path, "ab") as output:  # the workers' own log lines (Django's "security" log) go there too
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn stopped at once; see {log_path}")
        try:
            connection = http.client.HTTPConnection(HOST, args.port, timeout=2)
            connection.request("GET", "/login/")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.5)
    server.terminate()
    sys.exit("gunicorn did not answer within 60 seconds")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# --- Mail ------------------------------------------------------------------------------------------------------


def queue_mails(count: int) -> None:
    from outbox.mail import enqueue

    for i in range(count):
        enqueue(
            template="loadtest",
            to=f"empfaenger{i}@lastgemeinde.example",
            subject=f"Lasttest {i}",
            body="Guten Tag,\n\ndiese E-Mail prüft den Postausgang unter Last.\n",
        )


def start_mail_workers(env: dict, smtp_port: int, count: int, log_path: Path) -> list[subprocess.Popen]:
    worker_env = {**env, "EMAIL_URL": f"smtp://{HOST}:{smtp_port}", "OUTBOX_POLL_SECONDS": "0.5"}
    command = [sys.executable, "manage.py", "outbox_worker"]
    with open(log_path, "ab") as output:
        return [
            subprocess.Popen(command, cwd=ROOT, env=worker_env, stdout=output, stderr=subprocess.STDOUT)
            for _ in range(count)
        ]


def finish_mail(workers: list[subprocess.Popen], timeout: float = 120) -> None:
    """Let the workers empty the outbox (bounded), then stop them with SIGTERM as systemd would."""
    from outbox.models import MessageStatus, OutboxMessage

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and OutboxMessage.objects.filter(status=MessageStatus.QUEUED).exists():
        time.sleep(0.5)
    for worker in workers:
        stop_server(worker)


def mail_consistency(received: list) -> list[str]:
    from outbox.models import MessageStatus, OutboxMessage

    rows = dict(OutboxMessage.objects.values_list("message_id", "status"))
    arrived = Counter(message["Message-ID"] for _rcpts, message in received)
    problems = []
    checks = [
        (
            f"every outbox row sent ({len(rows)})",
            sorted(m for m, status in rows.items() if status != MessageStatus.SENT),
        ),
        ("every mail arrived", sorted(set(rows) - set(arrived))[:10]),
        ("no mail arrived twice", sorted(m for m, n in arrived.items() if n > 1)[:10]),
        ("no mail arrived that the outbox does not hold", sorted(set(arrived) - set(rows))[:10]),
    ]
    for name, bad in checks:
        print(f"  {'ok ' if not bad else 'BAD'} {name}" + (f": {bad}" if bad else ""))
        if bad:
            problems.append(name)
    return problems


# --- The client ----------------------------------------------------------------------------------------------


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = defaultdict(list)
        self.errors = Counter()
        self.error_examples = []
        self.outcomes = Counter()
        self.requests = 0

    def record(self, label: str, seconds: float) -> None:
        with self.lock:
            self.latencies[label].append(seconds)
            self.requests += 1

    def error(self, kind: str, detail: str) -> None:
        with self.lock:
            self.errors[kind] += 1
            if len(self.error_examples) < 20:
                self.error_examples.append(f"{kind}: {detail}")

    def count(self, outcome: str) -> None:
        with self.lock:
            self.outcomes[outcome] += 1


class Unexpected(Exception):
    """An answer the portal should not have given."""


class Person:
    """One logged-in user: its own loopback address, its cookies, one keep-alive connection."""

    TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
    MESSAGE = re.compile(r'<p class="message message--(\w+)"[^>]*>(.*?)</p>', re.S)

    def __init__(self, role, email, member_pk, address, port, stats):
        self.role, self.email, self.member_pk = role, email, member_pk
        self.address, self.port, self.stats = address, port, stats
        self.cookies = {}
        self.connection = None
        self.recovery_code = None  # an administrator's, for "Anmeldung bestätigen"

    def _connect(self):
        self.connection = http.client.HTTPConnection(HOST, self.port, timeout=TIMEOUT, source_address=(self.address, 0))

    def request(self, label, method, path, form=None, expect=(200,)):
        body = urlencode(form, doseq=True) if form is not None else None
        headers = {"Host": HOST}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):  # a keep-alive connection the server closed meanwhile is opened once more
            if self.connection is None:
                self._connect()
            started = time.perf_counter()
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                content = response.read().decode("utf-8", "replace")
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.connection.close()
                self.connection = None
                if attempt == 2:
                    raise
                continue
            break
        self.stats.record(label, time.perf_counter() - started)
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.coded_value
        location = response.headers.get("Location", "")
        if response.status >= 500:
            raise Unexpected(f"{response.status} on {method} {path}")
        if response.status not in expect:
            raise Unexpected(f"{response.status} on {method} {path} (expected {expect}) {location}")
        if location.startswith("/login/"):
            raise Unexpected(f"session lost: {method} {path} -> {location}")
        return response.status, location, content

    def token(self, html):
        match = self.TOKEN.search(html)
        if not match:
            raise Unexpected("no CSRF token in the form")
        return match.group(1)

    def messages(self, html):
        return [text.strip() for _tag, text in self.MESSAGE.findall(html)]

    def log_in(self):
        _status, _location, html = self.request("login form", "GET", "/login/")
        role = "administrator" if self.role == "admin" else "clerk"
        form = {"csrfmiddlewaretoken": self.token(html), "role": role, "email": self.email, "password": PASSWORD}
        _status, location, _html = self.request("login", "POST", "/login/", form, expect=(302,))
        if location == "/anmeldung-bestaetigen/":
            _status, _location, html = self.request("factor form", "GET", location)
            form = {"csrfmiddlewaretoken": self.token(html), "code": self.recovery_code}
            _status, location, _html = self.request("factor", "POST", location, form, expect=(302,))
        if location != ("/benutzer/" if self.role == "admin" else "/start/"):
            raise Unexpected(f"login of {self.email} led to {location}")
        self.stats.count("login.succeeded")


class Scenario:
    """What one person does in one turn."""

    def __init__(self, plan, springer_grants, rng):
        self.plan, self.rng = plan, rng
        self.springer_grants = springer_grants

    def turn(self, person: Person) -> None:
        if person.role == "clerk":
            _s, _l, html = person.request("start", "GET", "/start/")
            if "Meine Abrechnungsstellen" not in html:
                raise Unexpected("the start page lacks its heading")
            return
        plan = self.plan[person.member_pk]
        roll = self.rng.random()
        if roll < 0.25:
            _s, _l, html = person.request("list", "GET", "/benutzer/")
            if "Verwaltung der Benutzer" not in html:
                raise Unexpected("the list lacks its heading")
        elif roll < 0.55:
            clerk = self.rng.choice(plan["clerks"] + plan["springers"])
            person.request("detail", "GET", f"/benutzer/{clerk}/")
        elif roll < 0.75:
            self.assign(person, self.rng.choice(plan["clerks"]), plan["units"])
        else:
            self.lock_or_unlock(person, self.rng.choice(plan["springers"]))

    def assign(self, person, clerk, units):
        _s, _l, html = person.request("assign form", "GET", f"/benutzer/{clerk}/zuordnen/")
        chosen = self.rng.sample(units, self.rng.randint(1, len(units)))
        form = {"csrfmiddlewaretoken": person.token(html), "units": chosen}
        _s, location, _h = person.request("assign save", "POST", f"/benutzer/{clerk}/zuordnen/", form, expect=(302,))
        _s, _l, html = person.request("detail", "GET", location)
        said = person.messages(html)
        if SAVED_GRANTS in said:
            person.stats.count("clerk.grants_changed")
        elif NO_CHANGE in said:
            person.stats.count("assign without change")
        else:
            raise Unexpected(f"+/- Zuordnen said {said}")

    def lock_or_unlock(self, person, clerk):
        _s, _l, html = person.request("detail", "GET", f"/benutzer/{clerk}/")
        unlock = re.search(rf'action="(/benutzer/{clerk}/sperren/\d+/aufheben/)"', html)
        if unlock:
            form = {"csrfmiddlewaretoken": person.token(html)}
            # 404: another administrator lifted the same lock a moment ago (the view loads open locks only)
            status, location, _h = person.request("unlock", "POST", unlock.group(1), form, expect=(302, 404))
            if status == 404:
                person.stats.count("unlock lost the race")
                return
            _s, _l, html = person.request("detail", "GET", location)
            self.outcome(person, html, UNLOCKED, "clerk.unlocked", "unlock refused")
        else:
            status, location, html = person.request(
                "lock form", "GET", f"/benutzer/{clerk}/sperren/", expect=(200, 302)
            )
            if status == 302:  # locked a moment ago by another administrator: the Detailansicht says by whom
                _s, _l, html = person.request("detail", "GET", location)
                self.outcome(person, html, LOCKED, "clerk.locked", "lock refused")
                return
            form = {"csrfmiddlewaretoken": person.token(html), "reason": "Lasttest: Vertretung beendet"}
            _s, location, _h = person.request("lock", "POST", f"/benutzer/{clerk}/sperren/", form, expect=(302,))
            _s, _l, html = person.request("detail", "GET", location)
            self.outcome(person, html, LOCKED, "clerk.locked", "lock refused")

    @staticmethod
    def outcome(person, html, success, counted, refused):
        said = person.messages(html)
        if success in said:
            person.stats.count(counted)
        elif any(level for level in said):
            person.stats.count(refused)  # e.g. locked or unlocked a moment ago by another administrator
        else:
            raise Unexpected(f"no message after the action: {said}")


def run_phase(people, work, concurrency, deadline, max_requests, stats, label):
    """Hand the people to `concurrency` threads until the deadline or the request bound; each person is used by
    one thread at a time. `work(person)` returns whether the person gets another turn (also after an error)."""
    idle = queue.Queue()
    for person in people:
        idle.put(person)

    def worker():
        while time.monotonic() < deadline and stats.requests < max_requests:
            try:
                person = idle.get(timeout=1)
            except queue.Empty:
                return
            again = label == "busy"
            try:
                again = work(person)
            except Unexpected as problem:
                stats.error("unexpected answer", f"{label}: {problem}")
            except (OSError, http.client.HTTPException) as problem:
                stats.error(type(problem).__name__, f"{label}: {problem}")
                person.connection = None
            if again:
                idle.put(person)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(1.0, deadline - time.monotonic()) + TIMEOUT + 5)


def probe_health(args, deadline, probes) -> None:
    """What monitoring sees while everyone is busy: /healthz twice a second, each answer's time and status."""
    while time.monotonic() < deadline:
        started = time.perf_counter()
        try:
            connection = http.client.HTTPConnection(HOST, args.port, timeout=TIMEOUT)
            connection.request("GET", "/healthz")
            status = connection.getresponse().status
            connection.close()
        except (OSError, http.client.HTTPException):
            status = None
        probes.append((time.perf_counter() - started, status))
        time.sleep(0.5)


# --- After the run -------------------------------------------------------------------------------------------


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def report(stats, seconds, idle):
    """Per page: the busy phase's percentiles, and its p95 against the same page's p95 when one client was alone."""
    print(f"\nBusy phase: {stats.requests} requests in {seconds:.1f} s = {stats.requests / seconds:.1f} requests/s")
    header = ["requests", "p50 ms", "p95 ms", "p99 ms", "max ms", "idle p95", "p95 ratio"]
    print(f"{'page':16} " + " ".join(f"{h:>9}" for h in header))
    for label, values in sorted(stats.latencies.items()):
        row = [percentile(values, q) * 1000 for q in (0.5, 0.95, 0.99)] + [max(values) * 1000]
        alone = idle.latencies.get(label)
        ratio = f"{row[1] / (percentile(alone, 0.95) * 1000):8.1f}x" if alone else "        –"
        baseline = f"{percentile(alone, 0.95) * 1000:9.1f}" if alone else "        –"
        print(f"{label:16} {len(values):9d} " + " ".join(f"{v:9.1f}" for v in row) + f" {baseline} {ratio}")
    busy_all = [v for values in stats.latencies.values() for v in values]
    idle_all = [v for values in idle.latencies.values() for v in values]
    if busy_all and idle_all:
        busy_p95, idle_p95 = percentile(busy_all, 0.95) * 1000, percentile(idle_all, 0.95) * 1000
        print(
            f"{'all pages':16} {len(busy_all):9d} p95 {busy_p95:.1f} ms under load, {idle_p95:.1f} ms idle "
            f"({len(idle_all)} requests): ratio {busy_p95 / idle_p95:.1f}x"
        )
    print(f"\nErrors: {sum(stats.errors.values())}" + (f" {dict(stats.errors)}" if stats.errors else ""))
    for example in stats.error_examples:
        print("  ", example)
    print("Outcomes seen by the client:", dict(sorted(stats.outcomes.items())))


def consistency(stats, data, first_audit_pk) -> list[str]:
    """Check every row the run wrote. Returns the inconsistencies found."""
    from django.db.models import Count, Exists, F, OuterRef

    from accounts.models import Membership, Role, Status, User
    from audit.models import AuditEntry
    from clerks.models import Grant, MemberLock

    problems = []

    def check(name, bad):
        print(f"  {'ok ' if not bad else 'BAD'} {name}" + (f": {bad}" if bad else ""))
        if bad:
            problems.append(f"{name}: {bad}")

    users = User.objects.filter(role__in=[Role.ADMINISTRATOR, Role.CLERK])
    check("every user has a valid status", list(users.exclude(status__in=Status.values).values_list("pk", flat=True)))
    check(
        "is_active matches the status",
        [u.pk for u in users.only("status", "is_active") if u.is_active != (u.status != Status.LOCKED)],
    )
    in_scope = User.scope_units.through.objects.filter(
        user_id=OuterRef("granted_by_id"), billingunit_id=OuterRef("billing_unit_id")
    )
    check(
        "no grant outside the granting administrator's scope",
        list(Grant.objects.exclude(Exists(in_scope)).values_list("pk", flat=True)),
    )
    member_of = Membership.objects.filter(user_id=OuterRef("clerk_id"), member_id=OuterRef("billing_unit__member_id"))
    check(
        "no grant for a member the clerk does not belong to",
        list(Grant.objects.exclude(Exists(member_of)).values_list("pk", flat=True)),
    )
    open_lock = MemberLock.objects.open().filter(
        clerk_id=OuterRef("clerk_id"), member_id=OuterRef("billing_unit__member_id")
    )
    check(
        "no grant of a member that has locked the clerk",
        list(Grant.objects.filter(Exists(open_lock)).values_list("pk", flat=True)),
    )
    unlocked_member = Membership.objects.filter(user_id=OuterRef("pk")).exclude(
        Exists(MemberLock.objects.open().filter(clerk_id=OuterRef("user_id"), member_id=OuterRef("member_id")))
    )
    clerks = User.objects.clerks()
    check(
        "no Gesperrt clerk with a member that has not locked it",
        list(clerks.filter(status=Status.LOCKED).filter(Exists(unlocked_member)).values_list("pk", flat=True)),
    )
    check(
        "no clerk that every member locked and is not Gesperrt",
        list(clerks.exclude(status=Status.LOCKED).exclude(Exists(unlocked_member)).values_list("pk", flat=True)),
    )
    check(
        "at most one open lock per clerk and member",
        list(MemberLock.objects.open().values("clerk_id", "member_id").annotate(n=Count("pk")).filter(n__gt=1)),
    )
    check(
        "a one-time password where the status needs one, none where it must not be",
        list(clerks.filter(status=Status.PENDING, otp_hash="").values_list("pk", flat=True))
        + list(clerks.filter(status=Status.LOCKED).exclude(otp_hash="").values_list("pk", flat=True)),
    )
    check(
        "every membership's copy of role and name is its user's (the list's key)",
        list(
            Membership.objects.exclude(
                role=F("user__role"),
                last_name=F("user__last_name"),
                first_name=F("user__first_name"),
                name_key=F("user__name_key"),
            ).values_list("pk", flat=True)
        ),
    )
    lost = []
    for clerk_pk, expected in data["springer_grants"].items():
        granted = set(Grant.objects.filter(clerk_id=clerk_pk).values_list("billing_unit_id", flat=True))
        suspended = set(
            MemberLock.objects.open()
            .filter(clerk_id=clerk_pk)
            .values_list("suspended_grants__billing_unit_id", flat=True)
            .exclude(suspended_grants__billing_unit_id=None)
        )
        if granted | suspended != expected or granted & suspended:
            lost.append(clerk_pk)
    check("every grant of a locked and unlocked clerk is granted or suspended, none lost", lost)

    written = Counter(AuditEntry.objects.filter(pk__gte=first_audit_pk).values_list("action", flat=True))
    print("  audit entries written by the run:", dict(sorted(written.items())))
    for action in ("login.succeeded", "clerk.grants_changed", "clerk.locked", "clerk.unlocked"):
        check(
            f"audit entries {action} = actions the client saw ({stats.outcomes[action]})",
            [] if written[action] == stats.outcomes[action] else [f"{written[action]} entries"],
        )
    # Each administrator confirms its first login with a recovery code and is given new ones.
    administrators = len(data["admins"])
    for action in ("factor.recovery_code_used", "factor.recovery_codes_renewed"):
        check(
            f"audit entries {action} = the administrators ({administrators})",
            [] if written[action] == administrators else [f"{written[action]} entries"],
        )
    expected = {
        "login.succeeded",
        "clerk.grants_changed",
        "clerk.locked",
        "clerk.unlocked",
        "factor.recovery_code_used",
        "factor.recovery_codes_renewed",
        "user.otp_viewed",  # a Detailansicht that showed a one-time password to hand over
    }
    others = {a: n for a, n in written.items() if a not in expected}
    check("no other audit entries (no failed login, no lockout)", others)
    return problems


# --- Main --------------------------------------------------------------------------------------------------------


def main():
    args = parse_args()
    env = server_environment(args)
    os.environ.update(env)  # this process sets up the data and checks it afterwards with the same settings
    recreate_database(args.database_url)

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    data = seed(args)
    queue_mails(args.mails)
    springers = sum(len(p["springers"]) for p in data["plan"].values())
    print(
        f"Database {args.database_url}: recreated and filled with {args.members} members, "
        f"{len(data['admins'])} administrators, {len(data['clerks'])} clerks and {springers} clerks to lock"
    )

    from audit.models import AuditEntry

    first_audit_pk = (AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1

    log = Path(tempfile.gettempdir()) / "zvk-loadtest-gunicorn.log"
    model = gunicorn_model(args)
    print(
        f"Scenario {args.scenario}: {args.concurrency} client threads for {args.duration:.0f} s, think time "
        f"{args.think_seconds:g} s; machine: "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} before the run"
    )
    print(
        f"gunicorn: {model['worker_class']}, {model['workers']} workers x {model['threads']} threads on "
        f"http://{HOST}:{args.port} (log {log})"
    )
    server = start_server(args, env, log)
    from tests.smtp import SMTPServer

    smtp = SMTPServer()
    smtp.port = args.smtp_port
    smtp.start()
    mail_log = Path(tempfile.gettempdir()) / "zvk-loadtest-outbox.log"
    print(f"{args.mail_workers} outbox workers, SMTP on {HOST}:{smtp.port} (log {mail_log})")
    mail_workers = []
    logins, idle, stats, probes = Stats(), Stats(), Stats(), []
    try:
        people = []
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from accounts.models import Role, User
        from factors import services as factor_services

        for i, (member_pk, email) in enumerate(data["admins"]):
            person = Person("admin", email, member_pk, f"127.0.1.{1 + i}", args.port, logins)
            administrator = User.objects.get(email=email, role=Role.ADMINISTRATOR)
            TOTPDevice.objects.get_or_create(user=administrator, name="Lasttest", defaults={"confirmed": True})
            person.recovery_code = factor_services.renew_recovery_codes(user=administrator)[0]
            people.append(person)
        for i, (member_pk, email) in enumerate(data["clerks"]):
            people.append(Person("clerk", email, member_pk, f"127.0.{2 + i // 250}.{1 + i % 250}", args.port, logins))
        random.Random(args.seed).shuffle(people)

        started = time.monotonic()

        def log_in(person):
            person.log_in()
            return False  # once per person

        run_phase(people, log_in, args.concurrency, started + 300, 10**9, logins, "login")
        logged_in = logins.outcomes["login.succeeded"]
        print(f"Logged in {logged_in} of {len(people)} people in {time.monotonic() - started:.1f} s")

        scenario = Scenario(data["plan"], data["springer_grants"], random.Random(args.seed + 1))

        def busy(person):
            scenario.turn(person)
            return True

        pauses = random.Random(args.seed + 2)

        def busy_with_thinking(person):
            scenario.turn(person)
            time.sleep(args.think_seconds * pauses.uniform(0.5, 1.5))
            return True

        # One client alone first: each page's p95 without load, the measure of the busy phase's p95.
        idle_started = time.monotonic()
        for person in people:
            person.stats = idle
        run_phase(people, busy, 1, idle_started + args.idle_seconds, 10**9, idle, "busy")
        print(f"Idle phase: {idle.requests} requests by one client in {time.monotonic() - idle_started:.1f} s")
        for person in people:
            person.stats = stats
        busy_started = time.monotonic()
        mail_workers = start_mail_workers(env, smtp.port, args.mail_workers, mail_log)
        probe = threading.Thread(target=probe_health, args=(args, busy_started + args.duration, probes), daemon=True)
        probe.start()
        run_phase(
            people,
            busy_with_thinking if args.think_seconds else busy,
            args.concurrency,
            busy_started + args.duration,
            args.max_requests,
            stats,
            "busy",
        )
        busy_seconds = time.monotonic() - busy_started
        finish_mail(mail_workers)
    finally:
        stop_server(server)
        for worker in mail_workers:
            stop_server(worker)
        smtp.stop()

    for phase in (logins, idle):  # their actions wrote rows too, and their errors count
        stats.outcomes.update(phase.outcomes)
        stats.errors.update(phase.errors)
        stats.error_examples += phase.error_examples
    report(stats, busy_seconds, idle)
    if probes:
        answered = [seconds for seconds, status in probes if status == 200]
        print(
            f"/healthz during the busy phase: {len(answered)} of {len(probes)} probes 200, p50 "
            f"{percentile([s for s, _ in probes], 0.5) * 1000:.0f} ms, p95 {percentile([s for s, _ in probes], 0.95) * 1000:.0f} ms, "
            f"max {max(s for s, _ in probes) * 1000:.0f} ms"
        )
    print(f"Load average after the run: {os.getloadavg()[0]:.1f} (1 min), {os.getloadavg()[1]:.1f} (5 min)")
    print("\nConsistency of the rows the run wrote:")
    problems = consistency(stats, data, first_audit_pk)
    print("\nMail:")
    problems += mail_consistency(smtp.messages)
    errors = sum(stats.errors.values())
    print(f"\nResult: {errors} errors, {len(problems)} inconsistencies, {logged_in} of {len(people)} logged in")
    sys.exit(0 if errors == 0 and not problems and logged_in == len(people) else 1)


if __name__ == "__main__":
    main()
