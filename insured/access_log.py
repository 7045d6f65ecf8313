"""Every read of an insured person's data is logged (LOG-11; DSGVO Art. 5 (1) f, Art. 32; BSI OPS.1.1.5): who, when,
which person, through which billing unit, on which page. A page writes its reads with one INSERT, whatever number of
persons it shows (a list page: one row per person shown), in the request's own connection and without a transaction
of its own (`record_reads`), or on PostgreSQL in the page's next statement (`reads_logged`);
the rows are never changed (`AccessLogEntry`), and deleted only by the deletion rule (`forget_before`)."""

from contextlib import contextmanager

import psycopg
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from base.db import quoted
from insured.models import AccessLogEntry

COLUMNS = ("created_at", "user_id", "person_id", "billing_unit_id", "page", "path")
ROWS_PER_STATEMENT = 100  # SQLite: 600 parameters, within every SQLite's limit


def record_reads(request, page: str, reads) -> None:
    """Log that `request.user` read the persons of `reads`, pairs of (person id, billing unit id), on `page`: one
    INSERT statement with a row per pair, in autocommit (bulk_create would wrap it in a transaction of its own, two
    more round trips)."""
    pairs = list(dict.fromkeys(reads))
    if not pairs:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_insert_arrays(), _array_params(request, page, pairs))
            return
        moment = connection.ops.adapt_datetimefield_value(timezone.now())
        path = request.path[:200]
        for start in range(0, len(pairs), ROWS_PER_STATEMENT):  # a page shows 50: one statement
            chunk = pairs[start : start + ROWS_PER_STATEMENT]
            params = [value for person, unit in chunk for value in (moment, request.user.pk, person, unit, page, path)]
            cursor.execute(_insert_values(len(chunk)), params)


@contextmanager
def reads_logged(request, page: str, reads):
    """Log the reads of `reads` as `record_reads` does, for a page that runs more statements in the block: on
    PostgreSQL the block's first SELECT carries the INSERT as a data-modifying `WITH`, one statement (a read whose
    log fails fails with it) that the server may keep prepared. Where the block runs no statement that can carry it,
    and on SQLite, the INSERT runs on its own when the block ends. A statement inside a transaction carries none:
    the INSERT's asynchronous commit is for itself, never for a change; nor does a server-side cursor's (`iterator()`),
    which PostgreSQL declares for a plain query only."""
    pairs = list(dict.fromkeys(reads))
    if not pairs:
        yield
        return
    if connection.vendor != "postgresql":
        yield
        record_reads(request, page, pairs)
        return
    carried = False

    def carry(execute, sql, params, many, context):
        nonlocal carried
        if (
            carried
            or many
            or params is None
            or connection.in_atomic_block
            or not sql.startswith("SELECT")
            or isinstance(context["cursor"].cursor, psycopg.ServerCursor)
        ):
            return execute(sql, params, many, context)
        carried = True
        carrying = f"WITH logged_reads AS ({_insert_arrays()}) {sql}"
        return execute(carrying, (*_array_params(request, page, pairs), *params), many, context)

    with connection.execute_wrapper(carry):
        yield
    if not carried:
        record_reads(request, page, pairs)


def _array_params(request, page: str, pairs: list) -> list:
    moment = connection.ops.adapt_datetimefield_value(timezone.now())
    persons, units = [person for person, _unit in pairs], [unit for _person, unit in pairs]
    return [moment, request.user.pk, page, request.path[:200], persons, units]


def _quoted():
    table, *columns = quoted(AccessLogEntry, *COLUMNS)
    return table, ", ".join(columns)


def _insert_values(rows: int) -> str:
    """The INSERT of `rows` entries, a row of parameters each (SQLite)."""
    table, columns = _quoted()
    values = ", ".join(["(" + ", ".join(["%s"] * len(COLUMNS)) + ")"] * rows)
    return f"INSERT INTO {table} ({columns}) VALUES {values}"


def _insert_arrays() -> str:
    """The INSERT on PostgreSQL: the persons and their units as two arrays, whatever their number (a page's fifty
    pairs as 300 parameters cost the driver more than the database takes for the INSERT). It commits asynchronously
    (`synchronous_commit` off for this one statement's transaction, set inside the statement itself): the page does
    not wait for the write-ahead log to reach the disk, which costs more than the rest of the INSERT. A crash of the
    database server may lose the reads of its last fraction of a second (at most three times `wal_writer_delay`),
    never corrupt the log; every change (the audit log) still commits synchronously."""
    table, columns = _quoted()
    return (
        f"INSERT INTO {table} ({columns}) SELECT %s::timestamptz, %s::bigint, read.person, read.unit, %s::text, "
        "%s::text FROM unnest(%s::bigint[], %s::bigint[]) AS read(person, unit), "
        "(SELECT set_config('synchronous_commit', 'off', true)) AS asynchronous"
    )


def forget_before(cutoff) -> int:
    """The deletion rule's one door: delete the entries older than `cutoff`. On PostgreSQL only through the database
    function `access_log_forget`, which the append-only trigger lets through for exactly those rows."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT access_log_forget(%s)", [cutoff])
            return cursor.fetchone()[0]
    return QuerySet.delete(AccessLogEntry.objects.filter(created_at__lt=cutoff))[0]
