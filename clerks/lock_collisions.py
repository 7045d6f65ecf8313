"""What an administrator is told when a clerk's member lock is already there, or is not its own to lift: who set it
(or lifted it), when, and what the administrator can do now. Only locks of the administrator's own members are named
(scope): another member's lock and its administrator stay unknown to it."""

from django.utils import timezone

from accounts.models import User
from audit import log as audit
from clerks import authority
from clerks.models import MemberLock


def _day(moment) -> str:
    return timezone.localtime(moment).strftime("%d.%m.%Y")


def _who(label: str, user_id: int | None, by: User) -> str:
    if user_id is not None and user_id == by.pk:
        return "von Ihnen"
    if label == audit.SYSTEM:
        return "automatisch"
    return f"von {label}"


def _names(administrators) -> str:
    names = [f"{a.first_name} {a.last_name} ({a.email})" for a in administrators]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " oder " + names[-1]


def _lock_line(lock: MemberLock, by: User) -> str:
    return (
        f"für {lock.member.number} {lock.member.name} am {_day(lock.locked_at)} "
        f"{_who(lock.locked_by_label, lock.locked_by_id, by)} (Sperrgrund: {lock.reason})"
    )


def already_locked(*, clerk: User, by: User) -> str:
    """ "Berechtigung entziehen" finds the clerk locked for the administrator's members already."""
    shared = set(clerk.member_ids) & set(by.member_ids)
    locks = list(
        MemberLock.objects.open()
        .filter(clerk=clerk, member_id__in=shared)
        .select_related("member")
        .order_by("member__number")
    )
    if not locks:
        return "Dem Sachbearbeiter wurde die Berechtigung für Ihre Mitglieder bereits entzogen."
    lines = "; ".join(_lock_line(lock, by) for lock in locks)
    liftable = authority.liftable_lock_ids(locks=locks, by=by)
    if len(liftable) == len(locks):
        step = (
            "Sie können die Sperre in der Detailansicht unter „Mitgliedersperre“ mit „Berechtigung erteilen“ aufheben."
        )
    else:
        step = lift_step(locks[0])
    return f"Dem Sachbearbeiter wurde die Berechtigung für Ihre Mitglieder bereits entzogen: {lines}. {step}"


def lift_step(lock: MemberLock) -> str:
    """Who can lift a lock that the viewer may not lift."""
    holders = authority.lift_holders(lock)
    if holders:
        return f"Aufheben kann sie nur {_names(holders)}, weil nur diese für alle betroffenen Abrechnungsstellen registriert sind."
    return (
        "Für alle betroffenen Abrechnungsstellen ist derzeit kein Administrator registriert; wenden Sie sich an die "
        "Zusatzversorgungskasse."
    )


def lift_refused(*, lock: MemberLock, by: User) -> str:
    """ "Berechtigung erteilen" on a lock that covers billing units outside the administrator's registration."""
    return (
        f"Diese Sperre wurde {_lock_line(lock, by)} gesetzt. Sie umfasst Abrechnungsstellen, für die Sie nicht "
        f"registriert sind. {lift_step(lock)}"
    )


def already_lifted(*, lock: MemberLock, by: User) -> str:
    """ "Berechtigung erteilen" on a lock that a colleague lifted a moment ago."""
    who = _who(lock.lifted_by_label, lock.lifted_by_id, by)
    return (
        f"Diese Sperre wurde bereits aufgehoben. Sie wurde am {_day(lock.lifted_at)} {who} aufgehoben; die "
        "Berechtigungen, die sie entzogen hatte, sind wiederhergestellt."
    )
