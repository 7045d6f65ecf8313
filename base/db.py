"""The database limits of web requests (DB_STATEMENT_TIMEOUT_MS, DB_LOCK_TIMEOUT_MS), lifting them for work that
may take long on purpose (migrations, the benchmark's data set), shortening them for answers that must come quickly
(/healthz), statements planned for their values each time (`planned_each_time`), which database this is (a restored
copy is another one: outbox/sending.py), and the quoted names and read datetimes of the few statements written as
plain SQL."""

import os
from contextlib import contextmanager
from datetime import UTC, datetime

from django.db import connections, transaction


@contextmanager
def without_timeouts(alias: str = "default"):
    """Run the block on a connection without statement and lock timeouts (PostgreSQL; elsewhere a no-op).
    Afterwards the connection has the configured limits again."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 0")
        cursor.execute("SET lock_timeout = 0")
    try:
        yield
    finally:
        if connection.connection is not None:
            with connection.cursor() as cursor:
                cursor.execute("RESET statement_timeout")
                cursor.execute("RESET lock_timeout")


@contextmanager
def short_timeouts(*, statement_ms: int, lock_ms: int, alias: str = "default"):
    """A transaction whose statements end after `statement_ms` and wait at most `lock_ms` for a lock (PostgreSQL;
    elsewhere a plain transaction): for answers that must come quickly or not at all, such as /healthz."""
    with transaction.atomic(using=alias):
        connection = connections[alias]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [f"{int(statement_ms)}ms"])
                cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{int(lock_ms)}ms"])
        yield


@contextmanager
def planned_each_time(alias: str = "default"):
    """Statements in the block are planned for their parameters on every run, never from a plan the connection keeps
    (settings.DB_PREPARE_AFTER). For a statement whose best plan depends on how many rows a parameter stands for,
    such as the units of one administrator's registration (a dozen for most, hundreds for a city's): a kept, generic
    plan assumes the average, and is wrong for both ends (measured in docs/performance.md)."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        yield
        return
    connection.ensure_connection()
    driver = connection.connection
    threshold, driver.prepare_threshold = driver.prepare_threshold, None
    try:
        yield
    finally:
        driver.prepare_threshold = threshold


def database_identity(using=None) -> str:
    """Which database this is: the same after a restart, another one after a restore from a dump or a file copy.
    PostgreSQL: the cluster's system identifier and the database's OID; SQLite: the file's device and inode."""
    using = using or connections["default"]
    if using.vendor == "postgresql":
        with using.cursor() as cursor:
            cursor.execute(
                "SELECT (SELECT system_identifier FROM pg_control_system()), oid "
                "FROM pg_database WHERE datname = current_database()"
            )
            system, oid = cursor.fetchone()
        return f"postgresql:{system}:{oid}"
    name = str(using.settings_dict["NAME"])
    if using.vendor == "sqlite" and os.path.exists(name):
        stat = os.stat(name)
        return f"sqlite:{stat.st_dev}:{stat.st_ino}"
    return f"{using.vendor}:{name}"


# A page that only shows, but records that it showed something (who saw a one-time password), waits at most this long
# for the row it records about: a change under way there is a matter of milliseconds, a row held longer is someone
# else's long transaction, and the page must not wait for it.
READ_LOCK_WAIT_MS = 500
# SQLSTATEs of a row lock that was not granted: lock_timeout, a deadlock broken, a serialisation failure.
LOCK_CONFLICTS = {"55P03", "40P01", "40001"}


@contextmanager
def brief_lock_wait(ms: int = READ_LOCK_WAIT_MS, alias: str = "default"):
    """A transaction that waits at most `ms` for a row lock (PostgreSQL; SQLite serialises writers anyway)."""
    with transaction.atomic(using=alias):
        connection = connections[alias]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{int(ms)}ms"])
        yield


def is_lock_conflict(error: BaseException | None) -> bool:
    """The database did not grant a row lock in time (lock_timeout), broke a deadlock, or (SQLite) stayed busy with
    another writer: someone else is changing the same rows, and the same request may succeed a moment later."""
    cause = getattr(error, "__cause__", None)
    if getattr(cause, "sqlstate", None) in LOCK_CONFLICTS:
        return True
    return "database is locked" in str(error)


def aware(value: datetime | str | None) -> datetime | None:
    """A datetime column read by plain SQL as the ORM gives it: aware. The database keeps UTC; SQLite returns it
    without its zone (or, from an expression, as text)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def quoted(model, *fields: str, alias: str = "default") -> tuple[str, ...]:
    """`model`'s table and its `fields`' columns, quoted: for the few statements written as plain SQL in the one
    home of their rule, where Django takes longer to build the statement than the database to answer it."""
    quote, meta = connections[alias].ops.quote_name, model._meta
    return (quote(meta.db_table), *(quote(meta.get_field(field).column) for field in fields))
