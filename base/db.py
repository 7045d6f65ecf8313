"""The database limits of web requests (DB_STATEMENT_TIMEOUT_MS, DB_LOCK_TIMEOUT_MS), and lifting them for
work that may take long on purpose: migrations, the benchmark's data set."""

from contextlib import contextmanager

from django.db import connections


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
