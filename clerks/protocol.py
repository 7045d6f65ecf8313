"""The member-wide Änderungsprotokoll: every audit entry of the administrator's members (and those of no member about
users it sees), newest first in their true order, filtered by date range, administrator, person and action; on the
page and as CSV, exactly the same entries (`AuditEntry.objects.visible_to`)."""

from datetime import datetime, time

from django.db.models import CharField, Q, Value
from django.db.models.functions import Concat
from django.utils import timezone

from accounts.spelling import fold, folded
from audit.models import AuditEntry
from billing_units.models import BillingUnit
from clerks.listing import words
from clerks.models import Grant, MemberLock
from exports import spreadsheets


def entries(*, by, since=None, until=None, actor=None, person="", action="", unit=None):
    found = AuditEntry.objects.visible_to(by).select_related("target", "member", "actor").order_by("-created_at", "-pk")
    if since:
        found = found.filter(created_at__gte=timezone.make_aware(datetime.combine(since, time.min)))
    if until:
        found = found.filter(created_at__lte=timezone.make_aware(datetime.combine(until, time.max)))
    if actor is not None:
        found = found.filter(actor=actor)
    found = _about_person(found, person or "")
    if action:
        found = found.filter(action=action)
    if unit is not None:
        found = about_unit(found, unit, by=by)
    return found


def _about_person(found, person: str):
    """Each word in the person's name (umlauts however typed) or e-mail; "Nachname, Vorname" as the protocol shows
    it is two words."""
    if not words(person):
        return found
    found = found.alias(
        target_name=folded(Concat("target__last_name", Value(" "), "target__first_name", output_field=CharField()))
    )
    for word in words(person):
        found = found.filter(Q(target_name__contains=fold(word)) | Q(target__email__icontains=word))
    return found


def about_unit(found, unit: BillingUnit, *, by):
    """The entries about one of the administrator's billing units: those that name it (units granted, removed, a
    clerk created or an administrator registered with it) and those about the people who work on it now (granted,
    suspended by a lock, registered as administrator). The caller has taken the unit from the administrator's own."""
    works_there = (
        Q(target_id__in=Grant.objects.visible_to(by).filter(billing_unit=unit).values("clerk_id"))
        | Q(
            target_id__in=MemberLock.objects.visible_to(by)
            .open()
            .filter(suspended_grants__billing_unit=unit)
            .values("clerk_id")
        )
        | Q(target_id__in=BillingUnit.objects.of_members_visible_to(by).filter(pk=unit.pk).values("administrators"))
    )
    named = Q(member_id=unit.member_id) & (
        Q(data__added__icontains=unit.number)
        | Q(data__removed__icontains=unit.number)
        | Q(data__units__icontains=unit.number)
    )
    return found.filter(named | works_there)


HEADER = ["Zeitpunkt", "Durch", "Änderung", "Werte", "Benutzer", "Mitglied"]


def values(entry) -> list[str]:
    target = entry.target
    return [
        timezone.localtime(entry.created_at).strftime("%d.%m.%Y %H:%M:%S"),
        f"{entry.actor_name} <{entry.actor_label}>" if entry.actor_name else entry.actor_label,
        entry.description,
        entry.details,
        f"{target.last_name}, {target.first_name} <{target.email}>" if target else "",
        str(entry.member) if entry.member else "",
    ]


def as_csv(found) -> bytes:
    """The time to the second."""
    return spreadsheets.as_csv(HEADER, (values(entry) for entry in found))
