"""Every read of an insured person's data is logged (LOG-11; DSGVO Art. 5 (1) f, Art. 32; BSI OPS.1.1.5): who, when,
which person, through which billing unit, on which page. A page writes its reads with one INSERT, whatever number of
persons it shows (a list page: one row per person shown), in the request's own connection and without a transaction
of its own; the rows are never changed (`AccessLogEntry`), and deleted only by the deletion rule
(`forget_before`)."""

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from insured.models import AccessLogEntry


def record_reads(request, page: str, reads) -> None:
    """Log that `request.user` read the persons of `reads`, pairs of (person id, billing unit id), on `page`."""
    now = timezone.now()
    path = request.path[:200]
    rows = [
        AccessLogEntry(
            created_at=now, user_id=request.user.pk, person_id=person, billing_unit_id=unit, page=page, path=path
        )
        for person, unit in dict.fromkeys(reads)
    ]
    if rows:
        AccessLogEntry.objects.bulk_create(rows)


def forget_before(cutoff) -> int:
    """The deletion rule's one door: delete the entries older than `cutoff`. On PostgreSQL only through the database
    function `access_log_forget`, which the append-only trigger lets through for exactly those rows."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT access_log_forget(%s)", [cutoff])
            return cursor.fetchone()[0]
    return QuerySet.delete(AccessLogEntry.objects.filter(created_at__lt=cutoff))[0]
