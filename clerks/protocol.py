"""The member-wide Änderungsprotokoll: every audit entry of the administrator's members (and those of no member about
users it sees), newest first in their true order, filtered by date range, administrator, person and action; on the
page and as CSV, exactly the same entries (`AuditEntry.objects.visible_to`)."""

import csv
import io
from datetime import datetime, time

from django.db.models import Q
from django.utils import timezone

from audit.models import AuditEntry


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


def as_csv(found) -> bytes:
    """Semicolons, UTF-8 with a byte order mark, the time to the second."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Zeitpunkt", "Durch", "Änderung", "Werte", "Benutzer", "Mitglied"])
    for entry in found:
        target = entry.target
        writer.writerow(
            [
                timezone.localtime(entry.created_at).strftime("%d.%m.%Y %H:%M:%S"),
                entry.actor_label,
                entry.description,
                entry.details,
                f"{target.last_name}, {target.first_name} <{target.email}>" if target else "",
                str(entry.member) if entry.member else "",
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")
