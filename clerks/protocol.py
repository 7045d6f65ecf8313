"""The member-wide Änderungsprotokoll: every audit entry of the administrator's members (and those of no member about
users it sees), newest first in their true order, filtered by date range, administrator, person and action; on the
page and as CSV, exactly the same entries (`AuditEntry.objects.visible_to`)."""

from datetime import datetime, time

from django.db.models import Q
from django.utils import timezone

from audit.models import AuditEntry
from exports import spreadsheets


def entries(*, by, since=None, until=None, actor=None, person="", action=""):
    found = AuditEntry.objects.visible_to(by).select_related("target", "member").order_by("-created_at", "-pk")
    if since:
        found = found.filter(created_at__gte=timezone.make_aware(datetime.combine(since, time.min)))
    if until:
        found = found.filter(created_at__lte=timezone.make_aware(datetime.combine(until, time.max)))
    if actor is not None:
        found = found.filter(actor=actor)
    for word in (person or "").split():
        found = found.filter(
            Q(target__last_name__icontains=word)
            | Q(target__first_name__icontains=word)
            | Q(target__email__icontains=word)
        )
    if action:
        found = found.filter(action=action)
    return found


HEADER = ["Zeitpunkt", "Durch", "Änderung", "Werte", "Benutzer", "Mitglied"]


def values(entry) -> list[str]:
    target = entry.target
    return [
        timezone.localtime(entry.created_at).strftime("%d.%m.%Y %H:%M:%S"),
        entry.actor_label,
        entry.description,
        entry.details,
        f"{target.last_name}, {target.first_name} <{target.email}>" if target else "",
        str(entry.member) if entry.member else "",
    ]


def as_csv(found) -> bytes:
    """The time to the second."""
    return spreadsheets.as_csv(HEADER, (values(entry) for entry in found))
