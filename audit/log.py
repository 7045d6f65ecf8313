"""The audit log's one door: `record()` writes an entry inside the caller's transaction."""

from audit.actions import QUIET, SENTENCES
from audit.models import AuditEntry, MemberChange

# The actor label of an entry nobody triggered (a cron job, the last-administrator cascade).
SYSTEM = "System"


def record(action: str, *, actor=None, target=None, member=None, member_id=None, data=None, actor_label=None):
    """Write one audit entry. Call it inside the transaction of the change it records."""
    if action not in SENTENCES:
        raise ValueError(f"unknown audit action {action!r}")
    label = actor_label or (actor.email if actor is not None else SYSTEM)
    entry = AuditEntry.objects.create(
        action=action,
        actor=actor,
        actor_label=label,
        target=target,
        member_id=member.pk if member is not None else member_id,
        data=data or {},
    )
    if action not in QUIET:
        _changed(entry, target)
    return entry


def _changed(entry, target) -> None:
    """The members the entry concerns: its member, or the members its target belongs to (a login, a password)."""
    member_ids = [entry.member_id] if entry.member_id else sorted(getattr(target, "member_ids", None) or [])
    if member_ids:
        MemberChange.objects.bulk_create(
            [MemberChange(member_id=member_id, entry_id=entry.pk) for member_id in member_ids],
            update_conflicts=True,
            unique_fields=["member"],
            update_fields=["entry_id"],
        )
