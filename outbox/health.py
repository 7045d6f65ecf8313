"""Is mail getting out? What /healthz reports of the outbox and its worker (zvk_portal/health.py)."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from outbox import sending
from outbox.models import MessageStatus, OutboxMessage, Sending, WorkerHeartbeat


def _seconds(since, now) -> int:
    return max(0, int((now - since).total_seconds()))


def report(now=None) -> tuple[dict, bool]:
    """The outbox's counts and the worker's state, and whether all is well: not well while mails have waited longer
    than OUTBOX_WORKER_STALE_SECONDS for a worker that is gone ("stale") or held ("paused"). Reads only."""
    now = now or timezone.now()
    counts = OutboxMessage.objects.aggregate(
        queued=Count("pk", filter=Q(status=MessageStatus.QUEUED)),
        failed=Count("pk", filter=Q(status=MessageStatus.FAILED)),
        oldest=Min("created_at", filter=Q(status=MessageStatus.QUEUED)),
        first_due=Min("next_attempt_at", filter=Q(status=MessageStatus.QUEUED)),
    )
    last_beat = WorkerHeartbeat.objects.aggregate(last=Max("beat_at"))["last"]
    held = Sending.objects.filter(pk=1).values_list("paused_at", "database").first()
    stale_after = timedelta(seconds=settings.OUTBOX_WORKER_STALE_SECONDS)
    if held is not None and (held[0] is not None or held[1] != sending.database_identity()):
        worker = "paused"
    elif last_beat is not None and now - last_beat <= stale_after:
        worker = "ok"
    else:
        worker = "stale"
    waiting_too_long = counts["first_due"] is not None and now - counts["first_due"] > stale_after
    outbox = {
        "queued": counts["queued"],
        "failed": counts["failed"],
        "oldest_queued_age_seconds": _seconds(counts["oldest"], now) if counts["oldest"] else 0,
    }
    body = {"outbox": outbox, "worker": worker}
    body["worker_last_seen_seconds"] = _seconds(last_beat, now) if last_beat else None
    return body, not (worker != "ok" and waiting_too_long)
