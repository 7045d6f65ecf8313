"""What an administrator does to clerks and administrators (manual §3–§7), one service per event.

Every service takes the acting administrator as `by=`, checks that the target is in its scope, runs in one
transaction, writes its audit entries and sends e-mail only after commit. Locking protocol (see
SECURITY-CHECKLIST, concurrency rules): first the Member rows concerned, ordered by pk, as the mutex for a
member's administrator set and locks; then user rows, ordered by pk.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts import credentials, otp
from accounts.models import (
    DomainError,
    Event,
    Membership,
    Role,
    Status,
    TransitionNotAllowed,
    User,
    is_generic_email,
    normalize_email,
    unlocked_q,
)
from accounts.services import otp_key, record_while_showing
from audit import log as audit
from base.transactions import inside_transaction
from billing_units.models import BillingUnit, Member
from clerks import attention, authority, emails, lock_collisions
from clerks.models import CASCADE_REASON, Grant, LockKind, MemberLock, SuspendedGrant
from factors import services as factor_services
from security import devices

# --- Helpers ------------------------------------------------------------------------------------


def _lock_members(member_ids) -> list[Member]:
    """Take the member rows as the mutex for their administrator sets and clerk locks."""
    return list(Member.objects.select_for_update().filter(pk__in=set(member_ids)).order_by("pk"))


def _lock_user(user: User) -> User:
    return User.objects.select_for_update().get(pk=user.pk)


def _member_ids(user: User) -> set[int]:
    """A fresh read inside the service's transaction; the scope checks that follow (visible_to) use it too,
    not the member ids the request read at its start."""
    user.forget_member_ids()
    return set(user.member_ids)


def _require_active(by: User) -> None:
    """The acting administrator may have been locked a moment ago by someone else (fresh read)."""
    if User.objects.locked().filter(pk=by.pk).exists():  # fresh read, not by.is_locked
        raise DomainError("Ihnen wurde die Berechtigung inzwischen entzogen.")


def _require_credential_authority(clerk: User, by: User, error=None) -> None:
    """DESIGN §8: only an administrator whose registration covers the clerk's whole reach handles its credentials.
    Asked under the clerk's row lock, so a grant added a moment ago counts."""
    if not authority.may_handle_credentials(by=by, target=clerk):
        raise DomainError(error or authority.REFUSED)


def _require_visible(target: User, by: User, role: str) -> None:
    if target.role != role or not User.objects.visible_to(by).filter(pk=target.pk).exists():
        raise DomainError("Dieser Benutzer gehört nicht zu Ihren Mitgliedern.")


def _scoped_units(by: User, unit_ids) -> list[BillingUnit]:
    """The requested billing units, refusing any outside the administrator's own registration."""
    unit_ids = set(unit_ids)
    units = list(BillingUnit.objects.visible_to(by).filter(pk__in=unit_ids).select_related("member"))
    if len(units) != len(unit_ids):
        raise DomainError("Sie können nur Abrechnungsstellen zuordnen, für die Sie registriert sind.")
    return units


@inside_transaction
def _join_members(user: User, member_ids) -> None:
    existing = _member_ids(user)
    Membership.objects.bulk_create([Membership.of(user, member_id=m) for m in set(member_ids) - existing])
    user.forget_member_ids()  # visible_to must see the new members


def _single_member(units) -> Member | None:
    members = {unit.member_id: unit.member for unit in units}
    return next(iter(members.values())) if len(members) == 1 else None


# --- §3 Sachbearbeiter anlegen --------------------------------------------------------------------

EMAIL_TAKEN = "Diese E-Mail-Adresse ist bereits für einen Sachbearbeiter vergeben."


def check_clerk_email(*, email: str, exclude: User | None = None) -> None:
    """A clerk's e-mail is its login name and unique among clerks (DESIGN §3)."""
    clerks = User.objects.filter(email=normalize_email(email), role=Role.CLERK)
    if exclude is not None:
        clerks = clerks.exclude(pk=exclude.pk)
    if clerks.exists():
        raise DomainError({"email": [EMAIL_TAKEN]})


def just_created_by(*, by: User, email: str, within=timedelta(minutes=5)) -> User | None:
    """The clerk this administrator created a moment ago with this e-mail: a double-submitted form finds it."""
    since = timezone.now() - within
    return (
        User.objects.visible_to(by)
        .clerks()
        .filter(
            email=normalize_email(email),
            audit_entries__action="clerk.created",
            audit_entries__actor=by,
            audit_entries__created_at__gte=since,
        )
        .first()
    )


def create_clerk(
    *, by: User, first_name: str, last_name: str, phone: str, email: str, unit_ids, personal_address: bool = False
) -> User:
    """Create a clerk in status Ausstehend with a new one-time password and its grants (manual §3).

    `personal_address`: the administrator confirmed that an address that reads like a role address belongs to the
    clerk; the audit entry says so."""
    email = normalize_email(email)
    if not unit_ids:
        raise DomainError("Bitte wählen Sie mindestens eine Abrechnungsstelle aus.")
    with transaction.atomic():
        _require_active(by)
        units = _scoped_units(by, unit_ids)
        check_clerk_email(email=email)
        clerk = User(
            role=Role.CLERK,
            status=Status.PENDING,
            email=email,
            first_name=first_name,
            last_name=last_name,
            phone=phone,
        )
        clerk.set_unusable_password()
        otp.issue(clerk)
        clerk.sync_is_active()
        try:
            with transaction.atomic():
                clerk.save()
        except IntegrityError:  # the same address saved a moment ago by a parallel request
            raise DomainError({"email": [EMAIL_TAKEN]}) from None
        _join_members(clerk, {unit.member_id for unit in units})
        Grant.objects.bulk_create([Grant(clerk=clerk, billing_unit=unit, granted_by=by) for unit in units])
        audit.record(
            "clerk.created",
            actor=by,
            target=clerk,
            member=_single_member(units),
            data={"email": email, "units": sorted(unit.number for unit in units)}
            | _personal_address_note(email, personal_address),
        )
        emails.clerk_created(clerk)
    return clerk


# --- §4 Persönliche Daten -------------------------------------------------------------------------

PERSONAL_FIELDS = ["first_name", "last_name", "phone", "email"]


def _personal_address_note(email: str, confirmed: bool) -> dict:
    """The audit detail of a role-like address the administrator confirmed as personal (manual §3 d)."""
    return {"personal_address": True} if confirmed and is_generic_email(email) else {}


def update_personal_data(*, clerk: User, by: User, personal_address: bool = False, **data) -> dict:
    """Change a clerk's name, phone or e-mail (the login name). Returns {field: [old, new]} of what changed.

    `personal_address` as for create_clerk, recorded when the e-mail changes."""
    data["email"] = normalize_email(data.get("email", clerk.email))
    with transaction.atomic():
        _require_visible(clerk, by, Role.CLERK)
        _require_active(by)
        clerk = _lock_user(clerk)
        changes = {
            f: [getattr(clerk, f), data[f]] for f in PERSONAL_FIELDS if f in data and getattr(clerk, f) != data[f]
        }
        if not changes:
            return {}
        if "email" in changes:
            _require_credential_authority(clerk, by, {"email": [authority.REFUSED]})
            check_clerk_email(email=data["email"], exclude=clerk)
        for field, (_old, new) in changes.items():
            setattr(clerk, field, new)
        clerk.save(update_fields=list(changes))
        Membership.objects.follow(clerk)
        note = _personal_address_note(data["email"], personal_address) if "email" in changes else {}
        audit.record("user.personal_data_changed", actor=by, target=clerk, data={"changes": changes} | note)
        if "email" in changes:
            factor_services.forget_remembered_browsers(user=clerk)
            emails.email_changed(clerk, old_email=changes["email"][0])
    return changes


# --- §5 +/- Zuordnen ----------------------------------------------------------------------------


def assignable_units(*, clerk: User, by: User):
    """The administrator's billing units, less those of members that have locked the clerk."""
    locked_members = MemberLock.objects.open().filter(clerk=clerk).values("member_id")
    return BillingUnit.objects.visible_to(by).exclude(member_id__in=locked_members)


def leaves_without_units(*, clerk: User, by: User, unit_ids) -> bool:
    """Would "+/- Zuordnen" with these units take the clerk's last billing unit, of any member? Then it can no
    longer work at all, and the page asks once more before it saves."""
    if unit_ids:
        return False
    grants = Grant.objects.filter(clerk=clerk)
    return grants.exists() and not grants.exclude(billing_unit__in=assignable_units(clerk=clerk, by=by)).exists()


def set_grants(*, clerk: User, by: User, unit_ids) -> dict:
    """Make the clerk's grants within the administrator's assignable units exactly `unit_ids` (manual §5).

    Grants for billing units outside the administrator's scope are never touched. The clerk keeps its
    credentials and can use a new grant at once. Returns {"added": [...], "removed": [...]} unit numbers.
    """
    unit_ids = set(unit_ids)
    with transaction.atomic():
        _require_visible(clerk, by, Role.CLERK)
        _lock_members(_member_ids(by))
        _require_active(by)
        clerk = _lock_user(clerk)
        if clerk.is_locked:
            raise DomainError("Dem Sachbearbeiter ist die Berechtigung entzogen. Erteilen Sie sie zuerst wieder.")
        allowed = {unit.pk: unit for unit in assignable_units(clerk=clerk, by=by).select_related("member")}
        if not unit_ids <= set(allowed):
            raise DomainError("Sie können nur Abrechnungsstellen zuordnen, für die Sie registriert sind.")
        current = set(
            Grant.objects.filter(clerk=clerk, billing_unit__in=list(allowed)).values_list("billing_unit_id", flat=True)
        )
        added, removed = unit_ids - current, current - unit_ids
        if not added and not removed:
            return {"added": [], "removed": []}
        Grant.objects.filter(clerk=clerk, billing_unit__in=removed).delete()
        Grant.objects.bulk_create([Grant(clerk=clerk, billing_unit_id=pk, granted_by=by) for pk in added])
        if added:
            attention.forget_without_units(clerk)
        _join_members(clerk, {allowed[pk].member_id for pk in added})
        change = {
            "added": sorted(allowed[pk].number for pk in added),
            "removed": sorted(allowed[pk].number for pk in removed),
        }
        audit.record(
            "clerk.grants_changed",
            actor=by,
            target=clerk,
            member=_single_member([allowed[pk] for pk in added | removed]),
            data=change,
        )
    return change


# --- §6 Einmalpasswort setzen ---------------------------------------------------------------------


def reset_otp(*, clerk: User, by: User) -> str:
    """Einmalpasswort setzen: status Ausstehend, previous OTP and personal password void, sessions end."""
    with transaction.atomic():
        _require_visible(clerk, by, Role.CLERK)
        _require_active(by)
        clerk = _lock_user(clerk)
        _require_credential_authority(clerk, by)
        old, new = clerk.transition(Event.RESET_OTP)
        value, fields = credentials.renew(clerk)
        clerk.save(update_fields=["status", "is_active", *fields])
        devices.clear(clerk)  # untrusted clients may try the new one-time password at once
        audit.record("user.otp_reset", actor=by, target=clerk, data={"status": [old, new]})
        emails.otp_reset(clerk)
    return value


def record_overview_export(*, by: User, export: str, filters: dict) -> None:
    """ "Berechtigungsübersicht exportiert": who took the list of who may work where out of the portal, in which form."""
    unit = filters.get("unit")
    with transaction.atomic():
        audit.record(
            "overview.exported",
            actor=by,
            member_id=unit.member_id if unit else None,
            data={"format": export, "unit": unit.number if unit else "alle", "status": filters.get("status") or "alle"},
        )


def set_notice_preference(*, by: User, value: str) -> None:
    """How the administrator hears of its clerks' cases (clerks/notices.py)."""
    with transaction.atomic():
        by = _lock_user(by)
        if by.notices == value:
            return
        old, by.notices = by.notices, value
        by.save(update_fields=["notices"])
        audit.record("user.notices_changed", actor=by, target=by, data={"changes": {"notices": [old, value]}})


def record_protocol_export(*, by: User) -> None:
    with transaction.atomic():
        audit.record("protocol.exported", actor=by)


def record_handover_slip(*, clerk: User, by: User) -> bool:
    """Every printed hand-over slip is audited: it shows the one-time password on paper. False (and no slip) while
    the clerk's row is held by a change under way, as with `accounts.services.record_otp_shown`."""
    return record_while_showing("user.otp_slip_printed", actor=by, target=clerk, data={"otp": otp_key(clerk)})


def reset_second_factor(*, clerk: User, by: User) -> None:
    """Zweiten Faktor zurücksetzen (DESIGN §8): the clerk's remembered browsers are forgotten (every browser confirms
    an e-mail code again), any factor goes, open sessions end; only for an administrator who may handle the clerk's
    credentials (clerks.authority.may_handle_credentials), as "Einmalpasswort setzen"."""
    with transaction.atomic():
        _require_visible(clerk, by, Role.CLERK)
        _require_active(by)
        clerk = _lock_user(clerk)
        _require_credential_authority(clerk, by)
        factor_services.reset(user=clerk, by=by)


# --- §7.1 Sachbearbeiter sperren und entsperren -------------------------------------------------


def lockable_member_ids(*, clerk: User, by: User, shared=None, locks=None, handles_credentials=False) -> set[int]:
    """The administrator's members the clerk belongs to that have not locked it yet and where the administrator is
    registered for all of the clerk's grants (a member lock suspends them all): what "Berechtigung entziehen"
    would lock. Where the caller has read them already (the detail page), `shared` are the members of both and
    `locks` the clerk's member locks there; otherwise they are read here. `handles_credentials` says that the caller
    found `authority.may_handle_credentials(by=by, target=clerk)`: then the clerk's whole reach, its grants among
    it, lies inside the administrator's registration and no member is blocked."""
    if shared is None:
        shared = set(clerk.member_ids) & set(by.member_ids)
    if locks is None:
        locks = MemberLock.objects.open().filter(clerk=clerk, member_id__in=shared)
    unlocked = shared - {lock.member_id for lock in locks if lock.is_open}
    if handles_credentials:
        return unlocked
    return unlocked - authority.lock_blocked_member_ids(clerk=clerk, by=by, member_ids=unlocked)


PARTIAL_LOCK_REFUSED = (
    "Der Sachbearbeiter hat bei Ihrem Mitglied auch Berechtigungen für Abrechnungsstellen, für die Sie nicht "
    "registriert sind. Entziehen Sie ihm Ihre Abrechnungsstellen über „+/- Zuordnen“; die Sperre für das ganze "
    "Mitglied kann ein Administrator vornehmen, der für alle diese Abrechnungsstellen registriert ist."
)


def lock_refusal(*, clerk: User, by: User) -> str | None:
    """Why "Berechtigung entziehen" would lock nothing for this administrator, in German; None when it would."""
    if not clerk.can(Event.LOCK):
        return lock_collisions.already_locked(clerk=clerk, by=by)
    if lockable_member_ids(clerk=clerk, by=by):
        return None
    shared = set(clerk.member_ids) & set(by.member_ids)
    if authority.lock_blocked_member_ids(clerk=clerk, by=by, member_ids=shared):
        return PARTIAL_LOCK_REFUSED
    return lock_collisions.already_locked(clerk=clerk, by=by)


def lock_clerk(*, clerk: User, by: User, reason: str) -> list[MemberLock]:
    """Berechtigung entziehen: a member lock for each of the administrator's members the clerk belongs to.

    Those members' grants are suspended; the clerk becomes Gesperrt (and its sessions end) when no member
    is left that has not locked it.
    """
    reason = reason.strip()
    if not reason:
        raise DomainError("Bitte geben Sie einen Grund für die Sperrung ein.")
    with transaction.atomic():
        _require_visible(clerk, by, Role.CLERK)
        _lock_members(_member_ids(by) & _member_ids(clerk))
        _require_active(by)
        clerk = _lock_user(clerk)
        if not clerk.can(Event.LOCK):  # locked a moment ago: say by whom
            raise TransitionNotAllowed(lock_refusal(clerk=clerk, by=by), code=f"{Event.LOCK}_refused")
        targets = sorted(lockable_member_ids(clerk=clerk, by=by))
        if not targets:
            raise DomainError(lock_refusal(clerk=clerk, by=by))
        locks = [_suspend(clerk, member_id, LockKind.ADMINISTRATOR, reason, by) for member_id in targets]
        for lock in locks:
            audit.record("clerk.locked", actor=by, target=clerk, member_id=lock.member_id, data={"reason": reason})
        _lock_if_no_member_left(clerk, Event.LOCK)
        emails.clerk_locked(
            clerk, members=list(Member.objects.filter(pk__in=targets).order_by("number")), locked=clerk.is_locked
        )
    return locks


@inside_transaction
def _suspend(clerk: User, member_id: int, kind: str, reason: str, by: User | None) -> MemberLock:
    lock = MemberLock.objects.create(
        clerk=clerk,
        member_id=member_id,
        kind=kind,
        reason=reason,
        locked_by=by,
        locked_by_label=by.email if by else audit.SYSTEM,
    )
    grants = list(Grant.objects.filter(clerk=clerk, billing_unit__member_id=member_id))
    SuspendedGrant.objects.bulk_create(
        [
            SuspendedGrant(
                lock=lock, billing_unit_id=g.billing_unit_id, granted_by_id=g.granted_by_id, granted_at=g.granted_at
            )
            for g in grants
        ]
    )
    Grant.objects.filter(pk__in=[g.pk for g in grants]).delete()
    return lock


@inside_transaction
def _lock_if_no_member_left(clerk: User, event: Event) -> None:
    open_members = MemberLock.objects.open().filter(clerk=clerk).values("member_id")
    if Membership.objects.filter(user=clerk).exclude(member_id__in=open_members).exists():
        return
    clerk.save(update_fields=credentials.lock(clerk, event))


def restore_clerk(*, lock: MemberLock, by: User) -> str | None:
    """Berechtigung erteilen on a member lock (§7.1 g–h): the lock is lifted (and kept in the history),
    exactly the suspended grants come back, and a clerk that was Gesperrt becomes Ausstehend with a new
    one-time password to hand over. Returns that one-time password, if one was set."""
    with transaction.atomic():
        if not MemberLock.objects.visible_to(by).filter(pk=lock.pk).exists():
            raise DomainError("Diese Sperre gehört nicht zu Ihren Mitgliedern.")
        _lock_members([lock.member_id])
        _require_active(by)
        clerk = _lock_user(lock.clerk)
        lock = MemberLock.objects.get(pk=lock.pk)
        if not lock.is_open:
            raise DomainError(lock_collisions.already_lifted(lock=lock, by=by))
        if not authority.may_lift(lock=lock, by=by):
            raise DomainError(lock_collisions.lift_refused(lock=lock, by=by))
        value = _lift(lock, clerk, by)
        audit.record(
            "clerk.unlocked",
            actor=by,
            target=clerk,
            member_id=lock.member_id,
            data={"lock": lock.pk, "new_otp": value is not None},
        )
        emails.clerk_restored(clerk, member=lock.member, new_otp=value is not None)
    return value


@inside_transaction
def _lift(lock: MemberLock, clerk: User, by: User | None) -> str | None:
    lock.lifted_at = timezone.now()
    lock.lifted_by = by
    lock.lifted_by_label = by.email if by else audit.SYSTEM
    lock.save(update_fields=["lifted_at", "lifted_by", "lifted_by_label"])
    Grant.objects.bulk_create(
        [
            Grant(
                clerk=clerk, billing_unit_id=s.billing_unit_id, granted_by_id=s.granted_by_id, granted_at=s.granted_at
            )
            for s in lock.suspended_grants.all()
        ],
        ignore_conflicts=True,
    )
    attention.forget_without_units(clerk)
    if not clerk.is_locked:
        return None
    clerk.transition(Event.UNLOCK)
    value, fields = credentials.renew(clerk)
    clerk.save(update_fields=["status", "is_active", *fields])
    return value


# --- §7.2 Administrator sperren -----------------------------------------------------------------


@dataclass
class AdministratorLockPlan:
    """What "Berechtigung entziehen" for an administrator does (DESIGN §8: per member, and no further than the
    acting administrator's registration), for the confirmation page and for the service alike."""

    withdrawn_units: list  # the target's registered units inside the acting administrator's registration
    ended_members: list  # members whose registration ends altogether
    kept_members: list  # members the target stays administrator of
    becomes_locked: bool  # no registration left: Gesperrt for good
    cascades: dict = field(default_factory=dict)  # member -> clerks locked because it was the last administrator

    @property
    def affected_clerk_count(self) -> int:
        return sum(len(clerks) for clerks in self.cascades.values())


def administrator_lock_plan(*, administrator: User, by: User) -> AdministratorLockPlan:
    registered = set(administrator.scope_units.values_list("pk", flat=True))
    withdrawn = registered & authority.registered_unit_ids(by)
    units = list(BillingUnit.objects.filter(pk__in=withdrawn).select_related("member").order_by("number"))
    kept_units = BillingUnit.objects.filter(pk__in=registered - withdrawn)
    kept_member_ids = set(kept_units.values_list("member_id", flat=True))
    touched = {unit.member_id: unit.member for unit in units}
    ended = [m for pk, m in sorted(touched.items()) if pk not in kept_member_ids]
    plan = AdministratorLockPlan(
        withdrawn_units=units,
        ended_members=ended,
        kept_members=list(Member.objects.filter(pk__in=kept_member_ids).order_by("number")),
        becomes_locked=not (registered - withdrawn),
    )
    for member in ended:
        if not _other_active_administrators(member, administrator).exists():
            plan.cascades[member] = list(_cascade_clerks(member))
    return plan


def members_with_a_single_administrator(*, by: User) -> list[Member]:
    """The administrator's members that have at most one administrator not Gesperrt: a second one keeps the member's
    clerks working when the first leaves (the last-administrator cascade). One query.

    `by` is one of them: it is registered for a unit of each of its members and not Gesperrt (a lock ends an
    administrator's whole registration first). So a member has a single administrator when nobody else not Gesperrt
    is registered for one of its units, which the database answers at the first such registration it finds instead
    of counting every unit's administrators."""
    registrations = User.scope_units.through.objects
    others = (
        registrations.filter(billingunit__member=OuterRef("pk")).exclude(user_id=by.pk).filter(unlocked_q("user__"))
    )
    return list(Member.objects.filter(pk__in=by.member_ids).exclude(Exists(others)).order_by("number"))


def _other_active_administrators(member: Member, administrator: User):
    """Administrators other than this one, not Gesperrt, registered for at least one unit of the member."""
    return User.objects.administering(member).exclude(pk=administrator.pk)


def lock_administrator(*, administrator: User, by: User, reason: str) -> list[Member]:
    """Berechtigung entziehen for an administrator (§7.2, DESIGN §8). It ends the administrator's registration for
    the billing units of the acting administrator's registration, and only those: an administrator also
    registered elsewhere stays that member's administrator. With no registration left it is Gesperrt for good
    and its sessions end.

    Where a member is left without an administrator not locked, every clerk of that member gets a member lock
    "letzter Administrator gesperrt" (the cascade), for that member only. Returns the members that cascaded.
    """
    reason = reason.strip()
    if not reason:
        raise DomainError("Bitte geben Sie einen Grund für die Sperrung ein.")
    with transaction.atomic():
        _require_visible(administrator, by, Role.ADMINISTRATOR)
        _lock_members(_member_ids(administrator) | _member_ids(by))
        rows = {
            u.pk: u for u in User.objects.select_for_update().filter(pk__in={by.pk, administrator.pk}).order_by("pk")
        }
        actor, administrator = rows[by.pk], rows[administrator.pk]
        if actor.is_locked:
            raise DomainError("Ihnen wurde die Berechtigung inzwischen entzogen.")
        administrator.require(Event.LOCK)
        plan = administrator_lock_plan(administrator=administrator, by=actor)
        if not plan.withdrawn_units:
            raise DomainError("Dieser Administrator ist für keine Ihrer Abrechnungsstellen registriert.")
        administrator.scope_units.remove(*plan.withdrawn_units)
        administrator.forget_member_ids()
        status = [administrator.status, administrator.status]
        if plan.becomes_locked:
            administrator.save(update_fields=credentials.lock(administrator, Event.LOCK))
            status[1] = administrator.status
        for member in sorted({unit.member for unit in plan.withdrawn_units}, key=lambda m: m.pk):
            audit.record(
                "administrator.locked",
                actor=actor,
                target=administrator,
                member=member,
                data={
                    "reason": reason,
                    "status": status,
                    "units": sorted(u.number for u in plan.withdrawn_units if u.member_id == member.pk),
                },
            )
        cascaded = sorted(plan.cascades, key=lambda m: m.pk)
        locked = {}  # clerk id -> (the clerk as the last cascade left it, the members that locked it)
        for member in cascaded:
            for clerk in _cascade(member, by=actor):
                locked[clerk.pk] = (clerk, [*locked.get(clerk.pk, (None, []))[1], member])
        for clerk, members in locked.values():
            emails.clerk_locked(
                clerk,
                members=sorted(members, key=lambda m: m.number),
                locked=clerk.is_locked,
                by_administrator=False,
                ask_fund=True,
            )
    return cascaded


def _cascade_clerks(member: Member):
    clerk_ids = Membership.objects.filter(member=member, user__role=Role.CLERK).values("user_id")
    already = MemberLock.objects.open().filter(member=member).values("clerk_id")
    return User.objects.filter(pk__in=clerk_ids).exclude(pk__in=already).order_by("pk")


@inside_transaction
def _cascade(member: Member, *, by: User) -> list[User]:
    """Locks every clerk of the member that it has not locked yet; returns them."""
    clerks = list(_cascade_clerks(member).select_for_update())
    for clerk in clerks:
        _suspend(clerk, member.pk, LockKind.CASCADE, CASCADE_REASON, by)
        audit.record("clerk.cascade_locked", actor=by, target=clerk, member=member, data={"reason": CASCADE_REASON})
        _lock_if_no_member_left(clerk, Event.CASCADE_LOCK)
    return clerks


@inside_transaction
def lift_cascade_locks(*, member: Member, by: User) -> list[User]:
    """A new administrator was approved for the member: lift its cascade locks, and only those (DESIGN §4).

    Runs inside the caller's transaction, after it took the member's row. Returns the clerks lifted.
    """
    lifted = []
    locks = MemberLock.objects.open().filter(member=member, kind=LockKind.CASCADE).order_by("clerk_id")
    for lock in locks.select_related("clerk"):
        clerk = _lock_user(lock.clerk)
        value = _lift(lock, clerk, by)
        audit.record("clerk.cascade_lifted", actor=by, target=clerk, member=member, data={"lock": lock.pk})
        emails.clerk_restored(clerk, member=member, new_otp=value is not None, by_administrator=False)
        lifted.append(clerk)
    return lifted
