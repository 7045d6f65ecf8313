"""Who may do what to a clerk whose access spans members or billing units (DESIGN §8, "Trust across members").

The principle: no administrator action may extend anyone's access beyond the billing units of the acting
administrator's registration, nor reveal or change the credentials of someone whose access reaches beyond them.
Credentials are the one-time password (seeing it as much as setting it), the login e-mail and a second factor:
whoever can see or set one can act as its owner.

A clerk's *reach* is every billing unit its login covers or will cover again without a new credential: its
grants, and the grants suspended by its open member locks (lifting such a lock on a clerk that is not Gesperrt
gives them back to the same login).
"""

from django.db import connection
from django.db.models import Exists, OuterRef

from accounts import otp
from accounts.models import Membership, Role, User
from base.db import quoted
from billing_units.models import BillingUnit
from clerks.models import Grant, MemberLock, SuspendedGrant

REFUSED = (
    "Dieser Sachbearbeiter hat auch Berechtigungen außerhalb Ihrer Registrierung. Sie können sein Einmalpasswort "
    "daher weder sehen noch setzen und seine E-Mail-Adresse nicht ändern."
)


REFUSED_FACTOR = (
    "Dieser Sachbearbeiter hat auch Berechtigungen außerhalb Ihrer Registrierung. Sie können seinen zweiten Faktor "
    "daher nicht zurücksetzen."
)


def registered_unit_ids(administrator: User) -> set[int]:
    """The billing units of an administrator's registration (its scope)."""
    return set(administrator.scope_units.values_list("pk", flat=True))


REACH, REGISTERED, MEMBER = 1, 2, 3  # what a row of the plain statements below is


def _reach_sql(part: int) -> str:
    """The clerk's reach (above) as plain SQL, rows of (`part`, billing unit id): its grants and the grants its open
    member locks suspend. Two parameters: the clerk's id, twice."""
    grants, grant_clerk, grant_unit = quoted(Grant, "clerk", "billing_unit")
    suspended, suspended_lock, suspended_unit = quoted(SuspendedGrant, "lock", "billing_unit")
    locks, lock_pk, lock_clerk, lifted_at = quoted(MemberLock, "id", "clerk", "lifted_at")
    return (
        f"SELECT {part}, g.{grant_unit} FROM {grants} g WHERE g.{grant_clerk} = %s"
        f" UNION ALL SELECT {part}, s.{suspended_unit} FROM {suspended} s JOIN {locks} l ON l.{lock_pk} ="
        f" s.{suspended_lock} WHERE l.{lock_clerk} = %s AND l.{lifted_at} IS NULL"
    )


def reach_unit_ids(clerk: User) -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(_reach_sql(REACH), [clerk.pk, clerk.pk])
        return {unit for _part, unit in cursor.fetchall()}


def may_handle_credentials(*, by: User, target: User) -> bool:
    """DESIGN §8: may `by` see or set the target's one-time password, change its login e-mail or reset its second
    factor? Fund staff may (in the back office, audited); an administrator only for a clerk it sees (a membership in
    one of its members, as `User.objects.visible_to`) whose whole reach lies inside its own registration; nobody else,
    and no administrator for another administrator.

    One statement of four plain parts read afresh (the services ask again under their row locks): the clerk's grants
    and the grants its open locks suspend, `by`'s registration, and the clerk's members; compared in Python. Plain
    SQL: the Detailansicht asks this on every view, and Django took longer to build the statement than the database
    to answer it (docs/performance.md)."""
    if by.role == Role.STAFF and by.is_staff:
        return True
    if by.role != Role.ADMINISTRATOR or by.is_locked or target.role != Role.CLERK:
        return False
    registration = User._meta.get_field("scope_units").remote_field.through
    registrations, registered, registered_unit = quoted(registration, "user", "billingunit")
    memberships, membership_user, membership_member = quoted(Membership, "user", "member")
    sql = (
        _reach_sql(REACH)
        + f" UNION ALL SELECT {REGISTERED}, r.{registered_unit} FROM {registrations} r WHERE r.{registered} = %s"
        f" UNION ALL SELECT {MEMBER}, m.{membership_member} FROM {memberships} m WHERE m.{membership_user} = %s"
    )
    parts = {REACH: set(), REGISTERED: set(), MEMBER: set()}
    with connection.cursor() as cursor:
        cursor.execute(sql, [target.pk, target.pk, by.pk, target.pk])
        for part, value in cursor.fetchall():
            parts[part].add(value)
    return bool(parts[MEMBER] & set(by.member_ids)) and parts[REACH] <= parts[REGISTERED]


def readable_otp(*, by: User, clerk: User, handles_credentials: bool | None = None) -> str | None:
    """The clerk's one-time password as `by` may read it (manual §3 j, §6): only for whom may handle the clerk's
    credentials, and only while it is valid; else None. `handles_credentials`: the caller's answer of
    `may_handle_credentials` for the same pair, where it asked already."""
    if handles_credentials is None:
        handles_credentials = may_handle_credentials(by=by, target=clerk)
    return otp.readable(clerk) if handles_credentials else None


def credential_holders(clerk: User) -> list[User]:
    """The administrators who may handle the clerk's credentials (for the sentence on the Detailansicht): not
    Gesperrt, of a member the clerk belongs to, registered for every unit of its reach."""
    reach = reach_unit_ids(clerk)
    candidates = (
        User.objects.administrators()
        .unlocked()
        .filter(scope_units__member__memberships__user=clerk)
        .distinct()
        .order_by("name_key", "pk")
    )
    return _registered_for_all(candidates, reach)


def _registered_for_all(candidates, unit_ids: set[int]) -> list[User]:
    """Those of the candidate administrators whose registration holds every one of the units (two queries)."""
    registered = {}
    for user_id, unit_id in User.scope_units.through.objects.filter(user__in=candidates).values_list(
        "user_id", "billingunit_id"
    ):
        registered.setdefault(user_id, set()).add(unit_id)
    return [admin for admin in candidates if unit_ids <= registered.get(admin.pk, set())]


def lock_blocked_member_ids(*, clerk: User, by: User, member_ids) -> set[int]:
    """Of the given members, those where the clerk holds grants outside the administrator's registration. A member
    lock suspends every grant of the clerk at its member, so only an administrator registered for all of them may
    lock the clerk for that member (README, Decisions)."""
    registered = BillingUnit.objects.visible_to(by).values("pk")
    return set(
        Grant.objects.filter(clerk=clerk, billing_unit__member_id__in=list(member_ids))
        .exclude(billing_unit__in=registered)
        .values_list("billing_unit__member_id", flat=True)
    )


def may_lift(*, lock: MemberLock, by: User) -> bool:
    """Lifting a member lock gives back its suspended grants: only an administrator registered for all of them."""
    registered = BillingUnit.objects.visible_to(by).values("pk")
    return not lock.suspended_grants.exclude(billing_unit__in=registered).exists()


def lift_holders(lock: MemberLock) -> list[User]:
    """The administrators who may lift the lock (as `may_lift`): not Gesperrt, registered for every suspended unit."""
    units = set(lock.suspended_grants.values_list("billing_unit_id", flat=True))
    candidates = User.objects.administering(lock.member_id).order_by("name_key", "pk")
    return _registered_for_all(candidates, units)


def liftable_lock_ids(*, locks, by: User) -> set[int]:
    """Of the given open locks, those the administrator may lift."""
    return open_locks_seen(locks=locks, by=by)[0]


def open_locks_seen(*, locks, by: User) -> tuple[set[int], dict[int, list[tuple[str, str]]]]:
    """Of the given locks, the open ones the administrator may lift (registered for every suspended unit), and per open
    lock the units of its registration that "Berechtigung erteilen" restores, as (number, name) in number order. One
    query for the Detailansicht, none without an open lock."""
    open_ids = [lock.pk for lock in locks if lock.is_open]
    if not open_ids:
        return set(), {}
    registered = BillingUnit.objects.visible_to(by).filter(pk=OuterRef("billing_unit_id"))
    rows = (
        SuspendedGrant.objects.filter(lock_id__in=open_ids)
        .annotate(registered=Exists(registered))
        .order_by("billing_unit__number")
        .values_list("lock_id", "billing_unit__number", "billing_unit__name", "registered")
    )
    blocked, restores = set(), {}
    for lock_id, number, name, mine in rows:
        if mine:
            restores.setdefault(lock_id, []).append((number, name))
        else:
            blocked.add(lock_id)
    return set(open_ids) - blocked, restores
