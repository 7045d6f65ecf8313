"""`make bench`: the portal at the largest employer's scale, beside the Django admin, budgets as ratios.

Builds its own dataset in a separate database (the SQLite file bench.sqlite3, or the PostgreSQL database
"bench" on the server of DATABASE_URL; the database DATABASE_URL names is never touched) and the same large
member in a database a tenth the size (bench-tenth.sqlite3 or "bench_tenth"), then measures:

- per page, in-process through the full middleware stack (django.test.Client): SQL queries, and median and
  p95 time over >= 50 warm runs, with CPU time per run;
- the peer in the same run: the Django admin's user change list at our page size, and the floor (`/`, a
  redirect through the full middleware stack);
- scaling: list and detail of the large member with 100,000 and with 10,000 users in the database, and of
  members with 100 and 1,000 clerks (bench-scaling.png);
- under load: gunicorn with 3 workers, 10 logged-in clients on the floor, the list and the detail page,
  then 8 clients logging in;
- one Argon2id hash, the unit of a login's CPU time, interleaved with the login;
- the clerk's workspace at the largest unit (5,000 Versicherte, 5 years of Abschnitte each, 2,000 Meldungen):
  "Versicherte" page 1 and a search, a Versicherter with 10 years of Verlauf, "Versicherte" of a unit of 50
  persons beside it (t(5,000)/t(50)), and the Versicherter's page without its access log INSERT (the INSERT's
  share of the page);
- a lower bound for the list and the detail page: the floor's request followed by the page's own SQL statements
  replayed through a bare cursor (no queryset, no model instance, no template), as context for their ratios.

Every budget is a ratio of two terms measured in the same run (most of them interleaved), so that a shared
machine's speed cancels out; absolute times are printed as context. It prints one table and writes
bench-results.json. Timings are never asserted in the test suite; the query budgets are
(tests/test_query_budgets.py). Usage: `make bench`, or `python scripts/bench.py --help`.
"""

import argparse
import json
import math
import os
import platform
import statistics
import sys
import time
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

SQLITE_FILE = ROOT / "bench.sqlite3"
TENTH_SQLITE_FILE = ROOT / "bench-tenth.sqlite3"
RESULTS_FILE = ROOT / "bench-results.json"
PLOT_FILE = ROOT / "bench-scaling.png"
EXPLAIN_FILE = ROOT / "bench-explain.txt"
SCALING_SIZES = (100, 1_000)
ACCESS_LOG_PAIR_RUNS = 5  # the access log's share measured as a pair of its own, with five times the runs
TENTH = "tenth"  # the database alias of the dataset a tenth the size

# The budgets. Queries are also asserted by the test suite (keep in step with tests/test_query_budgets.py, which
# also holds the budgets of pages this script does not time: Änderungsprotokoll, review, co-administrator); the
# ratios only here.
QUERY_BUDGETS = {"list": 7, "detail": 10, "assign": 6, "start": 5, "persons": 6, "person": 6}
RATIO_BUDGETS = {
    "list_vs_admin": ("≤", 0.5, "list / Django admin change list (in-process)"),
    "list_vs_floor": ("≤", 5.0, "list / floor (in-process)"),
    "detail_vs_floor": ("≤", 4.0, "detail / floor (in-process)"),
    "load_list_vs_floor": ("≥", 0.15, "list requests/s / floor's (gunicorn)"),
    "load_detail_vs_floor": ("≥", 0.2, "detail requests/s / floor's (gunicorn)"),
    "list_users_100k_vs_10k": ("≤", 1.15, "list t(100,000 users)/t(10,000 users)"),
    "detail_users_100k_vs_10k": ("≤", 1.15, "detail t(100,000 users)/t(10,000 users)"),
    "list_clerks_1000_vs_100": ("≤", 1.15, "list t(1,000 clerks)/t(100 clerks)"),
    "detail_clerks_1000_vs_100": ("≤", 1.15, "detail t(1,000 clerks)/t(100 clerks)"),
    "login_cpu_vs_hash": ("≤", 1.4, "CPU per login / one Argon2id hash (in-process)"),
    "persons_vs_floor": ("≤", 5.0, "Versicherte page 1 (5,000 persons) / floor"),
    "persons_search_vs_floor": ("≤", 5.0, "Versicherte search / floor"),
    "person_vs_floor": ("≤", 4.0, "Versicherter, 10 years of Verlauf / floor"),
    "persons_5000_vs_50": ("≤", 1.15, "Versicherte t(5,000 persons)/t(50 persons)"),
    "access_log_share": ("≤", 0.10, "Versicherter: (page − page without log INSERT, run by run) / page without"),
}
# OWASP password storage cheat sheet: equivalent Argon2id settings (memory KiB, iterations, parallelism).
OWASP_ARGON2 = [(47104, 1, 1), (19456, 2, 1), (12288, 3, 1), (9216, 4, 1), (7168, 5, 1)]


# --- The bench database -------------------------------------------------------------------------------


def bench_database_url() -> str:
    """SQLite file bench.sqlite3, or the database "bench" (BENCH_DATABASE_NAME) on DATABASE_URL's server."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
        return f"sqlite:///{SQLITE_FILE}"
    name = os.environ.get("BENCH_DATABASE_NAME", "bench")
    if "bench" not in name:
        raise SystemExit(f"BENCH_DATABASE_NAME must contain 'bench' (it is dropped and rebuilt): {name!r}")
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def tenth_database_url(url: str) -> str:
    """The database of the dataset a tenth the size, beside the bench database."""
    if url.startswith("sqlite"):
        return f"sqlite:///{TENTH_SQLITE_FILE}"
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"{parts.path}_tenth"))


def recreate_database(url: str) -> None:
    """Drop and create a bench database, so every run measures the same fresh dataset."""
    if url.startswith("sqlite"):
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{urlsplit(url).path[1:]}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    server = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def configure_environment(url: str) -> dict:
    """Production-like settings for the benchmark process and its gunicorn: DEBUG off, throwaway keys,
    no e-mail sent, persistent database connections (CONN_MAX_AGE, as production should run)."""
    overrides = {
        "DATABASE_URL": url,
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-never-used-elsewhere-0123456789abcdefghij",
        "OTP_ENCRYPTION_KEY": "bench-only-otp-encryption-key",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "EMAIL_URL": "dummymail://",
        "SECURITY_LOG_LEVEL": "WARNING",
        "CONN_MAX_AGE": "600",
        # TLS ends at the proxy in production; the bench talks plain http to the app, as the proxy does.
        "SECURE_SSL_REDIRECT": "0",
        # Every bench client comes from 127.0.0.1; the per-address login limit is for attackers, not for this.
        "LOGIN_ATTEMPTS_PER_ADDRESS": "1000000",
        # Clerks' logins are measured without the e-mail code (a setting the fund may choose); administrators pass
        # their second factor as in production (below: a verified session, or a recovery code over HTTP).
        "CLERK_SECOND_FACTOR": "off",
        "DJANGO_SETTINGS_MODULE": "zvk_portal.settings",
        # The data set of 10,000 clerks is written in bulk statements that may run longer than a page may.
        "DB_STATEMENT_TIMEOUT_MS": "0",
        "DB_LOCK_TIMEOUT_MS": "0",
    }
    os.environ.update(overrides)
    return overrides


def add_tenth_database(url: str) -> None:
    """A second connection, TENTH, with the default's settings and the tenth dataset's database."""
    from django.db import connections

    settings = dict(connections.settings["default"])
    settings["NAME"] = urlsplit(url).path[1:] if url.startswith("sqlite") else urlsplit(url).path.lstrip("/")
    connections.settings[TENTH] = settings


@contextmanager
def on_database(alias: str):
    """Run the portal on another database: the default connection is swapped, so every query, session and
    transaction of the code in between goes to `alias` (one request of an interleaved pair, for instance)."""
    from django.db import connections

    if alias == "default":
        yield
        return
    default = connections["default"]
    connections["default"] = connections[alias]
    try:
        yield
    finally:
        connections["default"] = default


# --- Measuring ----------------------------------------------------------------------------------------


def percentile(samples: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def summary(samples_s: list[float], cpu_s: list[float]) -> dict:
    ms = [s * 1000 for s in samples_s]
    return {
        "runs": len(ms),
        "samples_ms": ms,  # run by run, for the ratios of two adjacent terms (dropped from bench-results.json)
        "median_ms": statistics.median(ms),
        "p95_ms": percentile(ms, 0.95),
        "cpu_median_ms": statistics.median(s * 1000 for s in cpu_s),
    }


class Scenario:
    """One page or action: `prepare(i)` runs untimed before run i, `request(i)` is timed. Pages that only
    read are measured interleaved with each other and with the peer; actions that write, one after another."""

    def __init__(self, key, label, request, *, expect=200, prepare=None, writes=False, database="default"):
        self.key, self.label, self.request, self.expect = key, label, request, expect
        self.prepare = prepare or (lambda i: None)
        self.writes = writes
        self.database = database  # the connection alias the request runs on (see on_database)


def where_time_goes(scenarios: list[Scenario], runs: int = 20) -> dict[str, dict]:
    """Per page, the median of `runs` instrumented requests split into SQL (the database's answers, read through
    the connection), template (rendering the Jinja2 page, without SQL run from inside it) and the rest: the
    view's Python, querysets and model instances (the ORM), forms, middleware. Measured apart from the timed runs,
    whose ratios the instrumentation would disturb."""
    import jinja2
    from django.db import connections

    spent = {"sql": 0.0, "sql_in_template": 0.0, "template": 0.0}
    depth = [0]

    def timed_sql(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - started
            spent["sql"] += elapsed
            if depth[0]:
                spent["sql_in_template"] += elapsed

    render = jinja2.Template.render

    def timed_render(template, *args, **kwargs):
        depth[0] += 1
        started = time.perf_counter()
        try:
            return render(template, *args, **kwargs)
        finally:
            depth[0] -= 1
            if not depth[0]:
                spent["template"] += time.perf_counter() - started

    result = {}
    jinja2.Template.render = timed_render
    try:
        for scenario in scenarios:
            rows = []
            with on_database(scenario.database), connections[scenario.database].execute_wrapper(timed_sql):
                for i in range(runs):
                    for key in spent:
                        spent[key] = 0.0
                    scenario.prepare(i)
                    started = time.perf_counter()
                    scenario.request(i)
                    total = time.perf_counter() - started
                    template = spent["template"] - spent["sql_in_template"]
                    rows.append((spent["sql"], template, total - spent["sql"] - template))
            sql, template, python = (statistics.median(part) * 1000 for part in zip(*rows, strict=True))
            result[scenario.key] = {"sql_ms": sql, "template_ms": template, "python_ms": python}
    finally:
        jinja2.Template.render = render
    return result


def measure(scenario: Scenario, runs: int, warmup: int) -> dict:
    return measure_interleaved([scenario], runs, warmup)[0]


def measure_interleaved(scenarios: list[Scenario], runs: int, warmup: int) -> list[dict]:
    """Run i of every scenario before run i + 1 of any: a shared VM's speed drifts by tens of percent within a
    minute, and scenarios measured one block after another would carry that drift into their ratios."""
    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    def once(scenario, i):
        with on_database(scenario.database):
            scenario.prepare(i)
            cpu, started = time.process_time(), time.perf_counter()
            response = scenario.request(i)
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        if response.status_code != scenario.expect:
            raise RuntimeError(f"{scenario.label}: status {response.status_code}, expected {scenario.expect}")
        return elapsed, cpu

    for i in range(warmup):
        for scenario in scenarios:
            once(scenario, i)
    sql = []
    for scenario in scenarios:
        with CaptureQueriesContext(connections[scenario.database]) as queries:
            once(scenario, warmup)
        sql.append([q["sql"] for q in queries.captured_queries])  # read now: the next request clears the log
    samples, cpu = [[] for _ in scenarios], [[] for _ in scenarios]
    for i in range(warmup + 1, warmup + 1 + runs):
        for scenario, times, cpu_times in zip(scenarios, samples, cpu, strict=True):
            elapsed, cpu_time = once(scenario, i)
            times.append(elapsed)
            cpu_times.append(cpu_time)
    return [
        {
            "key": scenario.key,
            "page": scenario.label,
            "queries": len(statements),
            "sql": statements,
            **summary(times, cpu_times),
        }
        for scenario, statements, times, cpu_times in zip(scenarios, sql, samples, cpu, strict=True)
    ]


def logged_in_client(user):
    """A client logged in as `user`, with the second factor passed where the user needs one (an authenticator app
    made for the bench), as after a real login."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import Role
    from factors import policy

    client = Client()
    client.force_login(user)
    session = client.session
    if user.role in (Role.ADMINISTRATOR, Role.STAFF):
        device, _created = TOTPDevice.objects.get_or_create(user=user, name="Bench", defaults={"confirmed": True})
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    else:
        session[policy.CLERK_EXEMPT_SESSION_KEY] = True  # a login that needed no e-mail code (CLERK_SECOND_FACTOR)
    session.save()
    client.get("/")  # the first request after login starts the session clock (one session write)
    return client


def without_messages(client, response):
    """A redirect's flash message would pile up in the cookie when the next page is never shown."""
    client.cookies.pop("messages", None)
    return response


# --- The scenarios ------------------------------------------------------------------------------------


def page_scenarios(data) -> list[Scenario]:
    from bench_dataset import PASSWORD
    from django.test import Client

    from accounts.models import Role, User
    from clerks.models import Grant

    admin = User.objects.get(email=data.administrators[0], role=Role.ADMINISTRATOR)
    clerk = User.objects.get(email=data.detail_clerk_email, role=Role.CLERK)
    as_admin = logged_in_client(admin)
    as_clerk = logged_in_client(clerk)
    grants = Grant.objects.filter(clerk_id=data.detail_clerk).count()
    unit_ids = [str(pk) for pk in data.unit_ids[:3]]

    def fill_draft(i):
        as_admin.post(
            "/benutzer/neu/",
            {
                "first_name": "Neue",
                "last_name": f"Kollegin {i}",
                "phone": "0361 555-0199",
                "email": f"neue.kollegin.{i}@stadt-gross.example",
            },
        )

    def create(i):
        token = as_admin.session["clerk_draft"]["token"]
        response = as_admin.post("/benutzer/neu/abrechnungsstellen/", {"token": token, "units": unit_ids})
        return without_messages(as_admin, response)

    def lock(i):
        response = as_admin.post(f"/benutzer/{data.lockable_clerks[i]}/sperren/", {"reason": "Elternzeit"})
        return without_messages(as_admin, response)

    browser = Client()  # one client: a new one loads the middleware again (WhiteNoise reads every static file)

    def log_in(i):
        browser.cookies.clear()  # a browser without a session, as at every login
        form = {"role": Role.CLERK, "email": data.active_clerks[i % len(data.active_clerks)], "password": PASSWORD}
        return browser.post("/login/", form)

    return [
        Scenario("list", "Verwaltung der Benutzer, Seite 1", lambda i: as_admin.get("/benutzer/")),
        Scenario("search", "Verwaltung der Benutzer, Suche „Müller“", lambda i: as_admin.get("/benutzer/?q=Müller")),
        Scenario(
            "filter", "Verwaltung der Benutzer, Status Gesperrt", lambda i: as_admin.get("/benutzer/?status=locked")
        ),
        Scenario(
            "detail",
            f"Detailansicht ({grants} Berechtigungen)",
            lambda i: as_admin.get(f"/benutzer/{data.detail_clerk}/"),
        ),
        Scenario(
            "assign",
            f"+/- Zuordnen ({len(data.unit_ids)} Abrechnungsstellen)",
            lambda i: as_admin.get(f"/benutzer/{data.detail_clerk}/zuordnen/"),
        ),
        Scenario(
            "start",
            f"Startseite Sachbearbeiter ({grants} Abrechnungsstellen)",
            lambda i: as_clerk.get("/start/"),
        ),
        *workspace_scenarios(data),
        Scenario("create", "Sachbearbeiter anlegen (POST)", create, expect=302, prepare=fill_draft, writes=True),
        Scenario("lock", "Berechtigung entziehen (POST)", lock, expect=302, writes=True),
        Scenario("login", "Login (POST)", log_in, expect=302, writes=True),
    ]


def workspace_scenarios(data) -> list[Scenario]:
    """The clerk's workspace: "Versicherte" of the largest unit and of a unit of 50, a search, a Versicherter with 10
    years of Verlauf, and the same page with its access log INSERT left out (the INSERT's share)."""
    if not data.workspace_clerk_email:
        return []
    from accounts.models import Role, User
    from insured.views import workspace

    large = logged_in_client(User.objects.get(email=data.workspace_clerk_email, role=Role.CLERK))
    small = logged_in_client(User.objects.get(email=data.small_workspace_clerk_email, role=Role.CLERK))
    person = f"/versicherte/{data.long_verlauf_person}/"

    def without_log(i):
        logged = workspace.reads_logged
        workspace.reads_logged = lambda *args, **kwargs: nullcontext()
        try:
            return large.get(person)
        finally:
            workspace.reads_logged = logged

    return [
        Scenario("persons", "Versicherte, Seite 1 (5.000 Versicherte)", lambda i: large.get("/versicherte/")),
        Scenario("persons_search", "Versicherte, Suche „Müller“", lambda i: large.get("/versicherte/?q=Müller")),
        Scenario("person", "Versicherter (10 Jahre Verlauf)", lambda i: large.get(person)),
        Scenario("person_without_log", "Versicherter ohne Zugriffsprotokoll", without_log),
        Scenario("persons_small", "Versicherte, Seite 1 (50 Versicherte)", lambda i: small.get("/versicherte/")),
    ]


class _Hashed:
    status_code = 200


def hash_scenario() -> Scenario:
    """One Argon2id hash with the configured parameters, the unit of a login's CPU time: measured interleaved with
    the login, so that both terms of their ratio see the same machine."""
    from django.contrib.auth.hashers import make_password

    def hash_once(i):
        make_password("Ein langes Passwort 2026")
        return _Hashed

    return Scenario("hash", "Ein Argon2id-Hash (neben dem Login gemessen)", hash_once)


def peer_scenarios(data) -> list[Scenario]:
    from django.contrib import admin

    from accounts.models import Role, User
    from clerks.views.common import PAGE_SIZE

    admin.site._registry[User].list_per_page = PAGE_SIZE  # the peer at our page size (its default is 100)
    staff = User.objects.get(email=data.staff_email, role=Role.STAFF)
    administrator = User.objects.get(email=data.administrators[0], role=Role.ADMINISTRATOR)
    as_staff = logged_in_client(staff)
    as_admin = logged_in_client(administrator)
    return [
        Scenario(
            "admin_changelist",
            f"Django-Admin: Benutzerliste ({PAGE_SIZE} je Seite)",
            lambda i: as_staff.get("/admin/accounts/user/"),
        ),
        Scenario("floor", "Untergrenze: / (Weiterleitung, volle Middleware)", lambda i: as_admin.get("/"), expect=302),
    ]


def statements_of(client, path: str) -> list[tuple[str, object, bool]]:
    """The SQL statements, with their parameters, that one warm request of `client` to `path` runs, each with whether
    it ran planned for its values (`base.db.planned_each_time`) rather than from a plan the connection keeps."""
    from django.db import connection

    statements = []

    def keep(execute, sql, params, many, context):
        driver = connection.connection
        statements.append((sql, params, connection.vendor == "postgresql" and driver.prepare_threshold is None))
        return execute(sql, params, many, context)

    client.get(path)
    with connection.execute_wrapper(keep):
        client.get(path)
    return statements


def bound_scenarios(data) -> list[Scenario]:
    """What the list and the Detailansicht would cost if nothing but their SQL were left: the floor's request, then
    the page's own statements (those after the floor's session and user) replayed through a bare cursor, their rows
    fetched and dropped: no queryset built, no model instance, no template. No implementation that sends these
    statements can be faster, so each ratio of these to the floor or the Django admin bounds the page's from below."""
    from django.db import connection

    from accounts.models import Role, User
    from base.db import planned_each_time

    as_admin = logged_in_client(User.objects.get(email=data.administrators[0], role=Role.ADMINISTRATOR))
    floor = statements_of(as_admin, "/")
    scenarios = []
    for key, label, path in (
        ("list_statements", "Nur die SQL-Anweisungen der Benutzerliste", "/benutzer/"),
        ("detail_statements", "Nur die SQL-Anweisungen der Detailansicht", f"/benutzer/{data.detail_clerk}/"),
    ):
        statements = statements_of(as_admin, path)
        if [sql for sql, *_rest in statements[: len(floor)]] != [sql for sql, *_rest in floor]:
            raise RuntimeError(f"{path} does not begin with the floor's statements (session and user)")
        own = statements[len(floor) :]
        if not all(sql.lstrip("( ").upper().startswith("SELECT") for sql, *_rest in own):
            raise RuntimeError(f"{path} writes: its statements cannot be replayed")

        def replay(i, own=own):
            response = as_admin.get("/")
            with connection.cursor() as cursor:
                for sql, params, each_time in own:
                    with planned_each_time() if each_time else nullcontext():
                        cursor.execute(sql, params)
                    cursor.fetchall()
            return response

        scenarios.append(Scenario(key, label, replay, expect=302))
    return scenarios


def measure_users_scaling(data, runs: int, warmup: int) -> list[dict]:
    """List and detail of the large member's administrator with 100,000 and with 10,000 users in the
    database, interleaved: run i on the one database, then run i on the other."""
    from accounts.models import Role, User

    scenarios = []
    for users, alias in ((data.counts["users"], "default"), (data.tenth_users, TENTH)):
        with on_database(alias):
            as_admin = logged_in_client(User.objects.get(email=data.administrators[0], role=Role.ADMINISTRATOR))
        for key, path in (("list", "/benutzer/"), ("detail", f"/benutzer/{data.detail_clerk}/")):
            scenarios.append((users, Scenario(key, key, lambda i, p=path, c=as_admin: c.get(p), database=alias)))
    rows = []
    results = measure_interleaved([scenario for _users, scenario in scenarios], runs, warmup)
    for (users, _scenario), result in zip(scenarios, results, strict=True):
        rows.append({"users": users, **result})
        print(
            f"  users  {result['key']:6} {users:>7} users: {result['median_ms']:6.1f} ms, {result['queries']} queries"
        )
    return rows


def measure_scaling(runs: int, warmup: int) -> list[dict]:
    import bench_dataset

    from accounts.models import Role, User

    members = bench_dataset.add_scaling_members(SCALING_SIZES)
    bench_dataset.analyze()
    scenarios, sizes = [], []
    for scaling in members:
        as_admin = logged_in_client(User.objects.get(email=scaling.admin_email, role=Role.ADMINISTRATOR))
        for key, path in (("list", "/benutzer/"), ("detail", f"/benutzer/{scaling.detail_clerk}/")):
            scenarios.append(Scenario(key, key, lambda i, p=path, c=as_admin: c.get(p)))
            sizes.append(scaling.clerks)
    # Interleaved: t(1,000)/t(100) is a budget, and the machine must not change speed between its two terms.
    rows = []
    for clerks, result in zip(sizes, measure_interleaved(scenarios, runs, warmup), strict=True):
        rows.append({"clerks": clerks, **result})
        print(
            f"  clerks {result['key']:6} {clerks:>7} clerks: {result['median_ms']:6.1f} ms, {result['queries']} queries"
        )
    return rows


def measure_hashing(samples: int = 15) -> dict:
    import argon2
    from django.conf import settings
    from django.contrib.auth.hashers import make_password

    def timed(hash_once, clock=time.perf_counter):
        hash_once()
        times = []
        for _ in range(samples):
            started = clock()
            hash_once()
            times.append((clock() - started) * 1000)
        return statistics.median(times)

    options = []
    for memory, iterations, parallelism in OWASP_ARGON2:
        hasher = argon2.PasswordHasher(
            memory_cost=memory, time_cost=iterations, parallelism=parallelism, type=argon2.Type.ID
        )
        options.append(
            {"m_kib": memory, "t": iterations, "p": parallelism, "median_ms": timed(lambda h=hasher: h.hash("x" * 16))}
        )
    return {
        "configured": {
            "m_kib": settings.ARGON2_MEMORY_COST_KIB,
            "t": settings.ARGON2_TIME_COST,
            "p": settings.ARGON2_PARALLELISM,
            "median_ms": timed(lambda: make_password("Ein langes Passwort 2026")),
            "cpu_median_ms": timed(lambda: make_password("Ein langes Passwort 2026"), time.process_time),
        },
        "owasp_options": options,
    }


def measure_load(data, env: dict, seconds: float, login_seconds: float) -> dict:
    import bench_load
    from bench_dataset import PASSWORD

    from accounts.models import Role

    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-gunicorn-{os.getpid()}.log"
    results = {}
    with bench_load.Gunicorn(bench_load.server_env(env), workers=3, log=log) as server:

        def timed_run(actions, duration, warmup):
            bench_load.run_clients(actions, warmup, warmup=0)
            pids = server.worker_pids() + database_backend_pids()
            cpu_before = bench_load.cpu_seconds(pids)
            outcome = bench_load.run_clients(actions, duration, warmup=0)
            summary = load_summary(outcome)
            summary["server_cpu_ms_per_request"] = (
                (bench_load.cpu_seconds(pids) - cpu_before) * 1000 / max(outcome.requests + outcome.errors, 1)
            )
            return summary

        browsers = []
        recovery = {email: recovery_codes(email) for email in data.administrators[:5]}
        for k in range(10):
            browser = bench_load.Browser(server.port)
            email = data.administrators[k % 5]
            status, location = browser.log_in(Role.ADMINISTRATOR, email, PASSWORD)
            if status == 302 and location.endswith("/anmeldung-bestaetigen/"):
                status, location = browser.confirm_factor(recovery[email].pop())
            if status != 302:
                raise RuntimeError(f"load client could not log in (status {status}); see {log}")
            browsers.append(browser)
        # The floor first: `/` redirects a logged-in administrator (session and user queries, every middleware,
        # no page rendered), so its requests/s is the ceiling of any logged-in page on this machine and the
        # peer the list and detail throughputs are read against.
        for key, path, expect in (
            ("floor", "/", 302),
            ("list", "/benutzer/", 200),
            ("detail", f"/benutzer/{data.detail_clerk}/", 200),
        ):
            actions = [bench_load.page_action(b, path, expect) for b in browsers]
            results[key] = timed_run(actions, seconds, 2.0)
            print(f"  load {key}: {results[key]['rps']:.0f}/s, p95 {results[key]['p95_ms']:.0f} ms")
        actions = [
            bench_load.login_action(
                bench_load.Browser(server.port), Role.CLERK, data.active_clerks[k], PASSWORD, "/start/"
            )
            for k in range(8)
        ]
        results["login"] = timed_run(actions, login_seconds, 1.0)
        print(f"  logins: {results['login']['rps']:.1f}/s")
    return results


def recovery_codes(email: str) -> list[str]:
    """Recovery codes of a bench administrator, one per browser that logs in over HTTP (each code works once). The
    administrator is enrolled with an authenticator app first, as every administrator is."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import Role, User
    from factors import services as factor_services

    administrator = User.objects.get(email=email, role=Role.ADMINISTRATOR)
    TOTPDevice.objects.get_or_create(user=administrator, name="Bench", defaults={"confirmed": True})
    return factor_services.renew_recovery_codes(user=administrator)


def database_backend_pids() -> list[int]:
    """PostgreSQL server processes serving the bench database (their CPU is part of a request's cost)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall()]


def load_summary(outcome) -> dict:
    ms = [s * 1000 for s in outcome.latencies] or [0.0]
    return {
        "clients": outcome.clients,
        "seconds": outcome.seconds,
        "requests": outcome.requests,
        "rps": outcome.per_second,
        "p50_ms": statistics.median(ms),
        "p95_ms": percentile(ms, 0.95),
        "errors": outcome.errors,
    }


def write_explain(results: list[dict], vendor: str) -> None:
    """EXPLAIN of every SELECT the list, search, filter and detail pages run (bench-explain.txt)."""
    from django.db import connection

    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if vendor == "postgresql" else "EXPLAIN QUERY PLAN "
    lines = []
    with connection.cursor() as cursor:
        for result in results:
            if result["key"] not in ("list", "search", "filter", "detail"):
                continue
            for sql in result["sql"]:
                if not sql.lstrip().upper().startswith("SELECT") or "django_session" in sql:
                    continue
                cursor.execute(prefix + sql)
                plan = "\n".join(" | ".join(str(c) for c in row) for row in cursor.fetchall())
                lines += [f"--- {result['page']}", sql, plan, ""]
    EXPLAIN_FILE.write_text("\n".join(lines))


# --- Reporting ----------------------------------------------------------------------------------------


def ratios(report: dict) -> dict:
    """Every ratio budget that this run measured: its value, its limit and whether it is met."""
    pages = {r["key"]: r for r in report["pages"] + report["peer"]}
    values = {
        "list_vs_admin": pages["list"]["median_ms"] / pages["admin_changelist"]["median_ms"],
        "list_vs_floor": pages["list"]["median_ms"] / pages["floor"]["median_ms"],
        "detail_vs_floor": pages["detail"]["median_ms"] / pages["floor"]["median_ms"],
        "login_cpu_vs_hash": pages["login"]["cpu_median_ms"] / pages["hash"]["cpu_median_ms"],
    }
    if "persons" in pages:
        floor = pages["floor"]["median_ms"]
        values["persons_vs_floor"] = pages["persons"]["median_ms"] / floor
        values["persons_search_vs_floor"] = pages["persons_search"]["median_ms"] / floor
        values["person_vs_floor"] = pages["person"]["median_ms"] / floor
        values["persons_5000_vs_50"] = pages["persons"]["median_ms"] / pages["persons_small"]["median_ms"]
        # The INSERT's cost is the difference of two adjacent terms, each with the machine's noise: the median of
        # their differences run by run, not the difference of their medians.
        pair = {r["key"]: r for r in report.get("access_log_pair", [])} or pages
        logged, without = pair["person"]["samples_ms"], pair["person_without_log"]["samples_ms"]
        added = statistics.median(a - b for a, b in zip(logged, without, strict=True))
        values["access_log_share"] = added / pair["person_without_log"]["median_ms"]
    load = report.get("load")
    if load and load["floor"]["rps"]:
        for key in ("list", "detail"):
            values[f"load_{key}_vs_floor"] = load[key]["rps"] / load["floor"]["rps"]
    for scaling, size, big, small in (("users_scaling", "users", None, None), ("scaling", "clerks", 1_000, 100)):
        for key in ("list", "detail"):
            rows = {r[size]: r for r in report.get(scaling, []) if r["key"] == key}
            if len(rows) == 2:
                big_size, small_size = (big, small) if big else (max(rows), min(rows))
                name = f"{key}_{size}_{'100k_vs_10k' if size == 'users' else '1000_vs_100'}"
                values[name] = rows[big_size]["median_ms"] / rows[small_size]["median_ms"]
    result = {}
    for name, (sign, limit, what) in RATIO_BUDGETS.items():
        if name in values:
            value = values[name]
            met = value <= limit if sign == "≤" else value >= limit
            result[name] = {"what": what, "value": round(value, 3), "limit": f"{sign} {limit}", "met": met}
    return result


# A page's bare statements against a peer, and the ratio budget of the page they bound from below.
BOUNDS = {
    "list_statements_vs_floor": ("list_statements", "floor", "list_vs_floor", "list's SQL alone / floor"),
    "list_statements_vs_admin": (
        "list_statements",
        "admin_changelist",
        "list_vs_admin",
        "list's SQL alone / Django admin change list",
    ),
    "detail_statements_vs_floor": ("detail_statements", "floor", "detail_vs_floor", "detail's SQL alone / floor"),
}


def bounds(report: dict) -> dict:
    """How far each page's SQL alone goes towards its ratio budget: if the bound is past the budget's limit, no
    implementation that sends these statements meets the budget, however little Python it runs."""
    pages = {r["key"]: r for r in report["pages"] + report["peer"] + report.get("bound", [])}
    result = {}
    for name, (statements, peer, budget, what) in BOUNDS.items():
        if statements in pages and peer in pages:
            value = pages[statements]["median_ms"] / pages[peer]["median_ms"]
            sign, limit, _what = RATIO_BUDGETS[budget]
            reachable = value <= limit if sign == "≤" else value >= limit
            result[name] = {
                "what": what,
                "value": round(value, 3),
                "budget": f"{sign} {limit}",
                "page": report["ratios"].get(budget, {}).get("value"),
                "reachable": reachable,
            }
    return result


def query_budgets(report: dict) -> list[dict]:
    """The query budgets of tests/test_query_budgets.py, and equal counts across the sizes measured."""
    pages = {r["key"]: r for r in report["pages"]}
    checks = [
        {
            "budget": f"queries {key}",
            "value": pages[key]["queries"],
            "limit": f"≤ {limit}",
            "met": pages[key]["queries"] <= limit,
        }
        for key, limit in QUERY_BUDGETS.items()
        if key in pages
    ]
    if "persons" in pages:
        counts = [pages["persons_small"]["queries"], pages["persons"]["queries"]]
        checks.append(
            {
                "budget": "queries Versicherte equal at 50 and 5,000 persons",
                "value": "/".join(map(str, counts)),
                "limit": "equal",
                "met": len(set(counts)) == 1,
            }
        )
    for scaling, size in (("users_scaling", "users"), ("scaling", "clerks")):
        for key in ("list", "detail"):
            counts = [r["queries"] for r in report.get(scaling, []) if r["key"] == key]
            if counts:
                checks.append(
                    {
                        "budget": f"queries {key} equal across {size}",
                        "value": "/".join(map(str, counts)),
                        "limit": "equal",
                        "met": len(set(counts)) == 1,
                    }
                )
    if report.get("load"):
        for key, row in report["load"].items():
            checks.append(
                {"budget": f"load {key} errors", "value": row["errors"], "limit": "= 0", "met": row["errors"] == 0}
            )
    return checks


def fmt(value) -> str:
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def table(report: dict) -> str:
    out = []
    meta = report["meta"]
    out.append(
        f"ZVK-Portal benchmark — {meta['database']} — {meta['date']} — {meta['cpus']} cores, load average "
        f"{meta['loadavg_start']} at start, {meta['loadavg_end']} at end"
    )
    out.append("Dataset: " + ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in report["dataset"].items()))
    out.append("")
    out.append(
        f"{'In-process (django.test.Client, full middleware)':58} {'queries':>7} {'median ms':>10} {'p95 ms':>8} "
        f"{'CPU ms':>7}"
    )
    for row in report["pages"] + report["peer"] + report.get("bound", []):
        out.append(
            f"{row['page'][:58]:58} {row['queries']:>7} {row['median_ms']:>10.1f} {row['p95_ms']:>8.1f} "
            f"{row['cpu_median_ms']:>7.1f}"
        )
    split = [row for row in report["pages"] + report["peer"] if "sql_ms" in row]
    if split:
        out.append("")
        out.append(
            f"{'Where the time goes (median of 20 instrumented requests)':58} {'SQL ms':>7} {'template ms':>12} "
            f"{'Python ms':>10}"
        )
        out.append("  (Python: the view, querysets and model instances, forms, middleware)")
        for row in split:
            out.append(
                f"{row['page'][:58]:58} {row['sql_ms']:>7.1f} {row['template_ms']:>12.1f} {row['python_ms']:>10.1f}"
            )
    for scaling, size, label in (
        ("users_scaling", "users", "Users in the database (large member)"),
        ("scaling", "clerks", "Clerks in the member"),
    ):
        if report.get(scaling):
            sizes = sorted({r[size] for r in report[scaling]})
            out.append("")
            out.append(f"{label:40} " + " ".join(f"{s:>16,}" for s in sizes))
            for key in ("list", "detail"):
                rows = sorted((r for r in report[scaling] if r["key"] == key), key=lambda r: r[size])
                out.append(f"{key:40} " + " ".join(f"{r['median_ms']:>9.1f} ms ({r['queries']}q)" for r in rows))
    load = report.get("load")
    if load:
        out.append("")
        out.append(
            f"{'Under load (gunicorn, 3 workers)':40} {'clients':>7} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} "
            f"{'errors':>6} {'server CPU ms/req':>18}"
        )
        for key, label in (
            ("floor", "Untergrenze: / (Weiterleitung)"),
            ("list", "Verwaltung der Benutzer"),
            ("detail", "Detailansicht"),
            ("login", "Login (GET+POST)"),
        ):
            row = load[key]
            out.append(
                f"{label:40} {row['clients']:>7} {row['rps']:>8.1f} {row['p50_ms']:>8.1f} {row['p95_ms']:>8.1f} "
                f"{row['errors']:>6} {row['server_cpu_ms_per_request']:>18.1f}"
            )
    hashing = report["hashing"]
    configured = hashing["configured"]
    out.append("")
    out.append(
        f"Argon2id as configured (m={configured['m_kib']} KiB, t={configured['t']}, p={configured['p']}): "
        f"{configured['median_ms']:.1f} ms per hash ({configured['cpu_median_ms']:.1f} ms CPU); OWASP options: "
        + ", ".join(f"m={o['m_kib']}/t={o['t']}: {o['median_ms']:.1f} ms" for o in hashing["owasp_options"])
    )
    if load:
        per_login = load["login"]["server_cpu_ms_per_request"] / configured["cpu_median_ms"]
        out.append(f"Under load, server CPU per login (workers and database) = {per_login:.2f} hashes (context)")
    out.append("")
    out.append(f"{'Ratio budget':50} {'measured':>9} {'limit':>8}  met")
    for row in report["ratios"].values():
        out.append(f"{row['what']:50} {row['value']:>9.3f} {row['limit']:>8}  {'yes' if row['met'] else 'NO'}")
    if report.get("bounds"):
        out.append("")
        out.append(f"{'Lower bound (context)':50} {'bound':>9} {'budget':>8} {'page':>7}  reachable")
        for row in report["bounds"].values():
            page = f"{row['page']:.3f}" if row["page"] is not None else "–"
            reachable = "yes" if row["reachable"] else "NO"
            out.append(f"{row['what']:50} {row['value']:>9.3f} {row['budget']:>8} {page:>7}  {reachable}")
    out.append("")
    out.append(f"{'Query budget':50} {'measured':>9} {'limit':>8}  met")
    for row in report["query_budgets"]:
        out.append(f"{row['budget']:50} {fmt(row['value']):>9} {row['limit']:>8}  {'yes' if row['met'] else 'NO'}")
    return "\n".join(out)


def plot(report: dict) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(7, 4.2), dpi=120)
    for key, label in (("list", "Verwaltung der Benutzer (Seite 1)"), ("detail", "Detailansicht")):
        rows = [r for r in report["scaling"] if r["key"] == key]
        sizes = [r["clerks"] for r in rows]
        axes.plot(sizes, [r["median_ms"] for r in rows], marker="o", label=f"{label}, Median")
        axes.fill_between(sizes, [r["median_ms"] for r in rows], [r["p95_ms"] for r in rows], alpha=0.15)
    axes.set_xscale("log")
    axes.set_xticks(SCALING_SIZES, [f"{s:,}".replace(",", ".") for s in SCALING_SIZES])
    axes.minorticks_off()
    axes.set_ylim(bottom=0)
    axes.set_xlabel("Sachbearbeiter im Mitglied")
    axes.set_ylabel("Serverzeit je Seite (ms; Fläche bis p95)")
    axes.set_title(f"Seitenzeit gegen Größe des Mitglieds ({report['meta']['database']})")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(loc="lower right")
    figure.tight_layout()
    figure.savefig(PLOT_FILE)
    plt.close(figure)


# --- Main ---------------------------------------------------------------------------------------------


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=60, help="timed runs per page (default 60; at least 50)")
    parser.add_argument("--warmup", type=int, default=10, help="untimed runs before each page (default 10)")
    parser.add_argument("--load-seconds", type=float, default=20, help="seconds per page under load (default 20)")
    parser.add_argument("--login-seconds", type=float, default=10, help="seconds of the login test (default 10)")
    parser.add_argument("--no-load", action="store_true", help="skip gunicorn (load and login capacity)")
    parser.add_argument(
        "--no-scaling",
        action="store_true",
        help="skip the scaling runs (10,000 vs. 100,000 users, 100 vs. 1,000 clerks)",
    )
    parser.add_argument("--explain", action="store_true", help=f"write query plans to {EXPLAIN_FILE.name}")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    url = bench_database_url()
    env = configure_environment(url)
    loadavg_start = round(os.getloadavg()[0], 1)
    recreate_database(url)
    if not args.no_scaling:
        recreate_database(tenth_database_url(url))

    import django

    django.setup()
    import bench_dataset
    from django.core.management import call_command
    from django.db import connection

    vendor = connection.vendor
    print(f"Benchmark database: {connection.settings_dict['NAME']} ({vendor})")
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # production serves hashed static names
    build_started = time.perf_counter()
    data = bench_dataset.build()
    bench_dataset.analyze()
    print(f"Dataset built in {time.perf_counter() - build_started:.1f} s: {data.counts}")
    if not args.no_scaling:
        add_tenth_database(tenth_database_url(url))
        with on_database(TENTH):
            call_command("migrate", verbosity=0)
            tenth = bench_dataset.build(bench_dataset.TENTH)
            bench_dataset.analyze()
        if (tenth.large_member, tenth.detail_clerk, tenth.administrators) != (
            data.large_member,
            data.detail_clerk,
            data.administrators,
        ):
            raise RuntimeError("the tenth dataset's large member differs from the full dataset's")
        data.tenth_users = tenth.counts["users"]
        print(f"Tenth dataset built: {tenth.counts}")

    # Measured as the portal serves: the serving process's entry point sets its garbage collector (zvk_portal/wsgi.py).
    import zvk_portal.wsgi  # noqa: F401

    pages, peers, bound = page_scenarios(data), peer_scenarios(data), bound_scenarios(data)
    # The pages that only read, interleaved with the Django admin, the floor and the pages' bare statements: the
    # ratios to them are budgets or their bounds, and both terms of a ratio must see the same machine. The writing
    # actions after them, one by one.
    reads = [scenario for scenario in pages + peers + bound if not scenario.writes]
    rows = dict(zip([s.key for s in reads], measure_interleaved(reads, args.runs, args.warmup), strict=True))
    hashing = hash_scenario()
    for scenario in pages + peers:
        if scenario.key == "login":
            rows["login"], rows["hash"] = measure_interleaved([scenario, hashing], args.runs, args.warmup)
        elif scenario.writes:
            rows[scenario.key] = measure(scenario, args.runs, args.warmup)
    pair = [scenario for scenario in pages if scenario.key in ("person", "person_without_log")]
    if pair:
        # The INSERT's share is the difference of two close terms: measured again as a pair of its own, with
        # ACCESS_LOG_PAIR_RUNS times the runs, so that the machine's noise does not decide the budget.
        report_pair = measure_interleaved(pair, args.runs * ACCESS_LOG_PAIR_RUNS, args.warmup)
    peers.append(hashing)
    split = where_time_goes([s for s in pages + peers if not s.writes and s.key != "hash"])
    for row in rows.values():
        row.update(split.get(row["key"], {}))
    report = {key: [rows[s.key] for s in group] for key, group in (("pages", pages), ("peer", peers), ("bound", bound))}
    if pair:
        report["access_log_pair"] = report_pair
    for row in report["pages"] + report["peer"] + report["bound"]:
        print(f"  {row['page']}: {row['median_ms']:.1f} ms, {row['queries']} queries")
    if args.explain:
        write_explain(report["pages"], vendor)
    report["hashing"] = measure_hashing()
    report["dataset"] = data.counts
    if not args.no_load:
        report["load"] = measure_load(data, env, args.load_seconds, args.login_seconds)
    if not args.no_scaling:
        report["users_scaling"] = measure_users_scaling(data, args.runs, args.warmup)
        report["scaling"] = measure_scaling(args.runs, args.warmup)
    report["meta"] = {
        "database": vendor,
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "python": platform.python_version(),
        "django": django.get_version(),
        "cpus": os.cpu_count(),
        "loadavg_start": loadavg_start,
        "loadavg_end": round(os.getloadavg()[0], 1),
        "runs": args.runs,
        "warmup": args.warmup,
        "seconds": round(time.perf_counter() - started, 1),
    }
    report["ratios"] = ratios(report)
    report["bounds"] = bounds(report)
    report["query_budgets"] = query_budgets(report)
    if report.get("scaling"):
        plot(report)
    for row in (
        report["pages"]
        + report["peer"]
        + report["bound"]
        + report.get("scaling", [])
        + report.get("users_scaling", [])
        + report.get("access_log_pair", [])
    ):
        row.pop("sql", None)
        row.pop("samples_ms", None)
    RESULTS_FILE.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print()
    print(table(report))
    print()
    print(f"Written: {RESULTS_FILE.name}" + ("" if args.no_scaling else f", {PLOT_FILE.name}"))
    print(f"Total time: {report['meta']['seconds']} s")
    missed_queries = [b for b in report["query_budgets"] if not b["met"]]
    return 1 if missed_queries else 0


if __name__ == "__main__":
    sys.exit(main())
