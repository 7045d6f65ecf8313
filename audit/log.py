"""The audit log's one door: `record()` writes an entry inside the caller's transaction."""

from audit.actions import SENTENCES
from audit.models import AuditEntry

# The actor label of an entry nobody triggered (a cron job, the last-administrator cascade).
SYSTEM = "System"


def record(action: str, *, actor=None, target=None, member=None, member_id=None, data=None, actor_label=None):
    """Write one audit entry. Call it inside the transaction of the change it records."""
    if action not in SENTENCES:
        raise ValueError(f"unknown audit action {action!r}")
    label = actor_label or (actor.email if actor is not None else SYSTEM)
    return AuditEntry.objects.create(
        action=action,
        actor=actor,
        actor_label=label,
        target=target,
        member_id=member.pk if member is not None else member_id,
        data=data or {},
    )
