"""May this database send its mails? A restored copy may not, until an operator releases it.

The outbox's one `Sending` row names the database it was released for: on PostgreSQL the cluster's system
identifier and the database's OID, on SQLite the file's device and inode. A dump restored with `pg_restore` lands in
another database (a new OID, or another cluster), so the row it carries names the original: the copy's worker
sends nothing and runs none of its tasks, also when it is started with the very same .env, until
`manage.py outbox resume` (after the queued mails were reconciled with what the original sent, docs/operations.md).
A new database records itself when it is migrated (or at its first use, after a test flushed the table).
`manage.py outbox pause` holds sending by hand, e.g. on a physical copy, which keeps both numbers.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from audit import log as audit
from base.db import database_identity
from outbox.models import SECRET_REMOVED, MessageStatus, OutboxMessage, Sending

COPY_REASON = "Diese Datenbank ist eine Kopie (wiederhergestellt oder kopiert) der Datenbank {original}."
PAUSED_BY_HAND = "Von Hand angehalten ({when})."
MARKED_SENT = "Vor der Wiederherstellung bereits versandt (abgeglichen)."


@dataclass(frozen=True)
class State:
    allowed: bool
    reason: str = ""


def _row() -> Sending:
    try:
        return Sending.objects.get(pk=1)
    except Sending.DoesNotExist:
        try:
            with transaction.atomic():
                return Sending.objects.create(pk=1, database=database_identity(), released_at=timezone.now())
        except IntegrityError:  # another worker recorded it a moment ago
            return Sending.objects.get(pk=1)


def state() -> State:
    """Whether the worker may send now; a copy noticed for the first time is held from this moment on."""
    row = _row()
    if row.paused_at is None and row.database != database_identity():
        changed = Sending.objects.filter(pk=1, paused_at__isnull=True).update(
            paused_at=timezone.now(), pause_reason=COPY_REASON.format(original=row.database)
        )
        if changed:
            audit.record("outbox.paused", data={"reason": "wiederhergestellte Kopie", "original": row.database})
        row.refresh_from_db()
    if row.paused_at is not None:
        return State(allowed=False, reason=row.pause_reason)
    return State(allowed=True)


def pause(*, by: str) -> bool:
    """Hold sending on this database; False if it was held already."""
    with transaction.atomic():
        row = _row()
        if row.paused_at is not None:
            return False
        now = timezone.now()
        row.paused_at = now
        row.pause_reason = PAUSED_BY_HAND.format(when=timezone.localtime(now).strftime("%d.%m.%Y %H:%M"))
        row.save(update_fields=["paused_at", "pause_reason"])
        audit.record("outbox.paused", actor_label=by, data={"reason": "von Hand"})
    return True


def resume(*, by: str) -> int:
    """Release sending for this database; returns the mails now on their way. On a copy, cases from before it
    was noticed as a copy are not turned into notices again (the original told of them)."""
    state()  # a copy not noticed yet is noticed now, so that its cases get their floor
    with transaction.atomic():
        row = Sending.objects.select_for_update().get(pk=1)
        identity = database_identity()
        was_copy = row.database != identity
        if was_copy:
            row.notices_from = row.paused_at or timezone.now()
        row.database, row.paused_at, row.pause_reason, row.released_at = identity, None, "", timezone.now()
        row.save(update_fields=["database", "paused_at", "pause_reason", "released_at", "notices_from"])
        waiting = OutboxMessage.objects.filter(status=MessageStatus.QUEUED).count()
        audit.record("outbox.resumed", actor_label=by, data={"copy": was_copy, "queued": waiting})
    return waiting


def mark_sent(message_ids, *, by: str) -> int:
    """Queued mails the original sent already (their Message-IDs, from its outbox or its mail server's log) are
    recorded as sent, so that releasing the copy does not send them again. Returns how many were marked."""
    wanted = {value.strip() for value in message_ids if value.strip()}
    wanted |= {f"<{value.strip('<>')}>" for value in wanted}  # with or without the angle brackets
    with transaction.atomic():
        matching = OutboxMessage.objects.filter(status=MessageStatus.QUEUED, message_id__in=wanted)
        matching.filter(secret=True).update(body=SECRET_REMOVED)  # a login code leaves the outbox as if it was sent
        marked = matching.update(status=MessageStatus.SENT, sent_at=timezone.now(), last_error=MARKED_SENT)
        if marked:
            audit.record("outbox.reconciled", actor_label=by, data={"marked_sent": marked})
    return marked


def notices_from():
    """Cases before this moment are not turned into notices (a restored copy); None: every case counts."""
    return Sending.objects.filter(pk=1).values_list("notices_from", flat=True).first()
