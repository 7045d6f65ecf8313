"""Dormant accounts (BSI ORP.4.A6: temporary blocking during long absence), run daily by
`manage.py lock_inactive_accounts`.

A user is dormant when it has not logged in for INACTIVITY_DAYS (counted from its last login, or from its creation
if it never logged in), or when its one-time password expired unused. A dormant user first gets a warning mail;
if it is still dormant INACTIVITY_WARNING_DAYS after the warning, it is locked with the reason "Inaktivität":
a clerk by a member lock of each of its members (lifted like any other with "Berechtigung erteilen"), an
administrator by the end of its registrations — except a member's last administrator, which is reported to fund
staff instead, so that no member's clerks are cut off by a calendar. Every step is audited; running it twice on a
day does nothing the second time.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts import credentials
from accounts.models import Event, Role, Status, User, otp_expired_q
from audit import log as audit
from audit.models import AuditEntry
from billing_units.models import Member
from clerks import emails
from clerks.models import INACTIVITY_REASON, LockKind, MemberLock
from clerks.services import _lock_if_no_member_left, _lock_members, _other_active_administrators, _suspend


@dataclass
class InactivityRun:
    warned: list = field(default_factory=list)
    locked: list = field(default_factory=list)
    reported: list = field(default_factory=list)


def dormant(*, now):
    """Users not Gesperrt whose last sign of life lies INACTIVITY_DAYS back, or whose one-time password expired
    unused."""
    cutoff = now - timedelta(days=settings.INACTIVITY_DAYS)
    silent = Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff)
    expired_unused = Q(last_login__isnull=True, status=Status.PENDING) & otp_expired_q(now)
    return (
        User.objects.filter(role__in=[Role.ADMINISTRATOR, Role.CLERK])
        .unlocked()
        .filter(silent | expired_unused)
        .order_by("pk")
    )


def _last_warning(user):
    since = user.last_login or user.date_joined
    return (
        AuditEntry.objects.filter(target=user, action="user.inactivity_warned", created_at__gte=since)
        .order_by("-created_at")
        .first()
    )


def run(*, now=None) -> InactivityRun:
    now = now or timezone.now()
    outcome = InactivityRun()
    for user in dormant(now=now):
        warning = _last_warning(user)
        if warning is None:
            _warn(user, now=now)
            outcome.warned.append(user.pk)
        elif warning.created_at <= now - timedelta(days=settings.INACTIVITY_WARNING_DAYS):
            if user.role == Role.CLERK:
                _lock_clerk(user)
                outcome.locked.append(user.pk)
            elif _lock_administrator(user, warning):
                outcome.locked.append(user.pk)
            else:
                outcome.reported.append(user.pk)
    return outcome


def _warn(user, *, now) -> None:
    deadline = now + timedelta(days=settings.INACTIVITY_WARNING_DAYS)
    with transaction.atomic():
        audit.record("user.inactivity_warned", target=user, data={"lock_after": deadline.date().isoformat()})
        emails.inactivity_warning(user, deadline=deadline)


def _lock_clerk(clerk) -> None:
    with transaction.atomic():
        _lock_members(clerk.member_ids)
        clerk = User.objects.select_for_update().get(pk=clerk.pk)
        if clerk.is_locked:
            return
        already = set(MemberLock.objects.open().filter(clerk=clerk).values_list("member_id", flat=True))
        targets = sorted(set(clerk.member_ids) - already)
        for member_id in targets:
            _suspend(clerk, member_id, LockKind.INACTIVITY, INACTIVITY_REASON, None)
            audit.record("clerk.locked", target=clerk, member_id=member_id, data={"reason": INACTIVITY_REASON})
        _lock_if_no_member_left(clerk, Event.LOCK)
        members = list(Member.objects.filter(pk__in=targets).order_by("number"))
        emails.clerk_locked(clerk, members=members, locked=clerk.is_locked, by_administrator=False)


def _lock_administrator(administrator, warning) -> bool:
    """Ends every registration of a dormant administrator; False (and a report to fund staff, once) where it is a
    member's last administrator."""
    with transaction.atomic():
        _lock_members(administrator.member_ids)
        administrator = User.objects.select_for_update().get(pk=administrator.pk)
        members = [unit.member for unit in administrator.scope_units.select_related("member")]
        last_of = sorted({m.number for m in members if not _other_active_administrators(m, administrator).exists()})
        if last_of:
            reported = AuditEntry.objects.filter(
                target=administrator, action="administrator.inactive_reported", created_at__gte=warning.created_at
            )
            if not reported.exists():
                audit.record("administrator.inactive_reported", target=administrator, data={"members": last_of})
            return False
        for member in sorted({m.pk: m for m in members}.values(), key=lambda m: m.pk):
            audit.record(
                "administrator.locked", target=administrator, member=member, data={"reason": INACTIVITY_REASON}
            )
        administrator.scope_units.clear()
        administrator.forget_member_ids()
        administrator.save(update_fields=credentials.lock(administrator, Event.LOCK))
        return True
