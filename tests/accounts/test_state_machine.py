"""Every row of the transition table of DESIGN §4, allowed and refused, through the services."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.hashers import check_password
from django.utils import timezone

from accounts import otp, services
from accounts.models import DomainError, Role, Status, TransitionNotAllowed, User
from audit.models import AuditEntry
from clerks import inactivity
from clerks import services as clerk_services
from clerks.models import CASCADE_REASON, Grant, LockKind, MemberLock
from registration import services as registration_services
from tests import factories
from tests.helpers import fresh
from tests.mail import deliver_outbox

pytestmark = pytest.mark.django_db


def units_of(clerk):
    return set(Grant.objects.filter(clerk=clerk).values_list("billing_unit__number", flat=True))


def actions(user):
    return list(AuditEntry.objects.filter(target=user).order_by("pk").values_list("action", flat=True))


# --- administrator creates clerk (§3) ----------------------------------------------------------------


def test_create_clerk_is_pending_with_otp_grants_and_confirmation_mail(gera_admin, gera_units):
    clerk = clerk_services.create_clerk(
        by=gera_admin,
        first_name="Max",
        last_name="Test",
        phone="012345678",
        email="  Max.Test@Stadt-Gera.example ",
        unit_ids=[gera_units[0].pk, gera_units[2].pk],
    )
    clerk = fresh(clerk)
    assert clerk.role == Role.CLERK
    assert clerk.status == Status.PENDING
    assert clerk.portal_access == "Aktiv"
    assert clerk.email == "max.test@stadt-gera.example"
    assert not clerk.has_usable_password()
    assert len(otp.readable(clerk)) == 10 and otp.readable(clerk).isdigit()
    assert clerk.otp_expires_at - clerk.otp_created_at == timedelta(days=14)
    assert units_of(clerk) == {"002020", "002022"}
    assert actions(clerk) == ["clerk.created"]
    sent = deliver_outbox()
    assert [m.to for m in sent] == [["max.test@stadt-gera.example"]]
    assert "Einmalpasswort" in sent[0].body and "Administrator" in sent[0].body
    assert otp.readable(clerk) not in sent[0].body


def test_create_clerk_refuses_units_outside_scope_and_changes_nothing(gera_admin, jena_units):
    with pytest.raises(DomainError):
        clerk_services.create_clerk(
            by=gera_admin,
            first_name="X",
            last_name="Y",
            phone="0123456",
            email="x@stadt-gera.example",
            unit_ids=[jena_units[0].pk],
        )
    assert not User.objects.filter(email="x@stadt-gera.example").exists()
    assert not AuditEntry.objects.exists()
    assert deliver_outbox() == []


def test_create_clerk_needs_a_unit_and_a_free_email(gera_admin, gera_units, gera_clerk):
    with pytest.raises(DomainError):
        clerk_services.create_clerk(
            by=gera_admin, first_name="X", last_name="Y", phone="0123456", email="x@stadt-gera.example", unit_ids=[]
        )
    with pytest.raises(DomainError) as refused:
        clerk_services.create_clerk(
            by=gera_admin,
            first_name="X",
            last_name="Y",
            phone="0123456",
            email=gera_clerk.email.upper(),
            unit_ids=[gera_units[0].pk],
        )
    assert "bereits" in refused.value.messages[0]
    assert User.objects.filter(role=Role.CLERK).count() == 1


# --- login with a valid OTP, then a personal password (§6) -------------------------------------------


@pytest.mark.parametrize("status", [Status.PENDING, Status.DEACTIVATED])
def test_personal_password_after_otp_login_makes_active_and_clears_otp(gera_units, status):
    clerk = factories.PendingClerkFactory(status=status, units=gera_units[:1])
    outcome = services.log_in(role=Role.CLERK, email=clerk.email, password=clerk.otp_plain)
    assert outcome.ok and outcome.verdict == "otp"
    services.set_personal_password(user=clerk, password="Ein ganz neues Passwort")
    clerk = fresh(clerk)
    assert clerk.status == Status.ACTIVE
    assert clerk.check_password("Ein ganz neues Passwort")
    assert (clerk.otp_hash, clerk.otp_ciphertext, clerk.otp_expires_at) == ("", "", None)
    assert otp.readable(clerk) is None
    assert actions(clerk) == ["login.otp_used", "user.password_set"]


@pytest.mark.parametrize("status", [Status.ACTIVE, Status.LOCKED])
def test_personal_password_is_refused_without_otp_status(gera_units, status):
    clerk = factories.ClerkFactory(status=status, units=gera_units[:1])
    with pytest.raises(TransitionNotAllowed):
        services.set_personal_password(user=clerk, password="Ein ganz neues Passwort")
    assert fresh(clerk).status == status
    assert actions(clerk) == []


# --- N wrong passwords in a row (§8) -----------------------------------------------------------------


@pytest.mark.parametrize("status", [Status.PENDING, Status.ACTIVE])
def test_five_wrong_passwords_deactivate_with_new_otp(gera_units, status, settings):
    factory = factories.PendingClerkFactory if status == Status.PENDING else factories.ClerkFactory
    clerk = factory(units=gera_units[:1])
    old_otp_hash = clerk.otp_hash
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        assert not services.log_in(
            role=Role.CLERK, email=clerk.email, password="falsch", device_tokens=factories.device_tokens(clerk)
        ).ok
    assert fresh(clerk).status == status
    services.log_in(role=Role.CLERK, email=clerk.email, password="falsch", device_tokens=factories.device_tokens(clerk))
    clerk = fresh(clerk)
    assert clerk.status == Status.DEACTIVATED
    assert clerk.portal_access == "Inaktiv"
    assert not clerk.has_usable_password()
    assert otp.readable(clerk) and clerk.otp_hash != old_otp_hash
    assert actions(clerk).count("user.deactivated") == 1
    assert [m.subject for m in deliver_outbox()] == ["Ihr Zugang zum Mitgliederportal wurde deaktiviert"]
    # the old personal password is void, the new one-time password works
    assert not services.log_in(role=Role.CLERK, email=clerk.email, password=factories.PASSWORD).ok
    assert services.log_in(role=Role.CLERK, email=clerk.email, password=otp.readable(clerk)).ok


def test_successful_login_resets_the_failure_counter(gera_clerk, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        services.log_in(
            role=Role.CLERK,
            email=gera_clerk.email,
            password="falsch",
            device_tokens=factories.device_tokens(gera_clerk),
        )
    assert services.log_in(role=Role.CLERK, email=gera_clerk.email, password=factories.PASSWORD).ok
    assert fresh(gera_clerk).failed_login_count == 0
    services.log_in(
        role=Role.CLERK, email=gera_clerk.email, password="falsch", device_tokens=factories.device_tokens(gera_clerk)
    )
    assert fresh(gera_clerk).status == Status.ACTIVE


def test_deactivated_user_is_not_deactivated_again_and_blocks_after_n_more_failures(gera_units, settings):
    clerk = factories.PendingClerkFactory(status=Status.DEACTIVATED, units=gera_units[:1])
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        services.log_in(
            role=Role.CLERK, email=clerk.email, password="0000000000", device_tokens=factories.device_tokens(clerk)
        )
    clerk = fresh(clerk)
    assert clerk.status == Status.DEACTIVATED
    assert "user.deactivated" not in actions(clerk)
    # even the right one-time password is refused now, until the administrator sets a new one
    assert services.log_in(role=Role.CLERK, email=clerk.email, password=otp.readable(clerk)).verdict == "blocked"


def test_locked_clerk_cannot_log_in_and_counts_nothing(gera_units):
    clerk = factories.ClerkFactory(status=Status.LOCKED, units=gera_units[:1])
    assert services.log_in(role=Role.CLERK, email=clerk.email, password=factories.PASSWORD).verdict == "locked"
    assert fresh(clerk).failed_login_count == 0


# --- "Passwort vergessen" (§6) -----------------------------------------------------------------------


@pytest.mark.parametrize("status", [Status.ACTIVE, Status.PENDING])
def test_forgot_password_makes_pending_with_new_otp(gera_units, gera_admin, status):
    clerk = factories.ClerkFactory(status=status, units=gera_units[:1])
    services.request_password_reset(role=Role.CLERK, email=clerk.email)
    clerk = fresh(clerk)
    assert clerk.status == Status.PENDING
    assert clerk.password_reset_pending  # the personal password keeps working until the OTP is used (DESIGN §8)
    assert otp.readable(clerk)
    sent = deliver_outbox()
    assert [m.to for m in sent] == [[clerk.email]]
    assert "wenden Sie sich an Ihren Administrator" in sent[0].body
    assert "Wenn Sie das nicht waren, melden Sie sich wie gewohnt an." in sent[0].body


def test_forgot_password_when_deactivated_gives_new_otp_and_stays(gera_units):
    clerk = factories.PendingClerkFactory(status=Status.DEACTIVATED, units=gera_units[:1])
    before = clerk.otp_hash
    services.request_password_reset(role=Role.CLERK, email=clerk.email)
    clerk = fresh(clerk)
    assert clerk.status == Status.DEACTIVATED
    assert clerk.otp_hash != before


def test_forgot_password_when_locked_changes_nothing(gera_units):
    clerk = factories.ClerkFactory(status=Status.LOCKED, units=gera_units[:1])
    services.request_password_reset(role=Role.CLERK, email=clerk.email)
    clerk = fresh(clerk)
    assert clerk.status == Status.LOCKED
    assert clerk.otp_hash == ""
    assert clerk.check_password(factories.PASSWORD)
    assert deliver_outbox() == []


# --- administrator "Einmalpasswort setzen" (§6) ------------------------------------------------------


@pytest.mark.parametrize("status", [Status.PENDING, Status.ACTIVE, Status.DEACTIVATED])
def test_reset_otp_makes_pending_and_voids_previous_credentials(gera_admin, gera_units, status):
    clerk = factories.PendingClerkFactory(status=status, units=gera_units[:1], password=factories.PASSWORD)
    old_otp, old_epoch = clerk.otp_plain, clerk.session_epoch
    new_otp = clerk_services.reset_otp(clerk=clerk, by=gera_admin)
    clerk = fresh(clerk)
    assert clerk.status == Status.PENDING
    assert otp.readable(clerk) == new_otp != old_otp
    assert not clerk.has_usable_password()
    assert clerk.session_epoch == old_epoch + 1
    assert not services.log_in(role=Role.CLERK, email=clerk.email, password=old_otp).ok
    assert not services.log_in(role=Role.CLERK, email=clerk.email, password=factories.PASSWORD).ok
    assert services.log_in(role=Role.CLERK, email=clerk.email, password=new_otp).ok


def test_reset_otp_is_refused_for_a_locked_clerk(gera_admin, gera_units):
    clerk = factories.ClerkFactory(status=Status.LOCKED, units=gera_units[:1])
    with pytest.raises(TransitionNotAllowed):
        clerk_services.reset_otp(clerk=clerk, by=gera_admin)
    assert fresh(clerk).otp_hash == ""
    assert actions(clerk) == []
    assert deliver_outbox() == []


# --- "Berechtigung entziehen" / "Berechtigung erteilen" (§7.1) --------------------------------------


@pytest.mark.parametrize("status", [Status.PENDING, Status.ACTIVE, Status.DEACTIVATED])
def test_lock_suspends_grants_and_locks_the_clerk(gera_admin, gera_clerk, status):
    User.objects.filter(pk=gera_clerk.pk).update(status=status)
    epoch = gera_clerk.session_epoch
    [lock] = clerk_services.lock_clerk(clerk=gera_clerk, by=gera_admin, reason="Elternzeit")
    clerk = fresh(gera_clerk)
    assert clerk.status == Status.LOCKED and clerk.portal_access == "Inaktiv"
    assert not clerk.is_active
    assert clerk.session_epoch == epoch + 1
    assert units_of(clerk) == set()
    assert set(lock.suspended_grants.values_list("billing_unit__number", flat=True)) == {"002020", "002021"}
    assert (lock.reason, lock.locked_by, lock.kind) == ("Elternzeit", gera_admin, LockKind.ADMINISTRATOR)
    assert actions(clerk) == ["clerk.locked"]


def test_lock_is_refused_for_a_locked_clerk_and_changes_nothing(gera_admin, gera_clerk):
    clerk_services.lock_clerk(clerk=gera_clerk, by=gera_admin, reason="Elternzeit")
    with pytest.raises(TransitionNotAllowed):
        clerk_services.lock_clerk(clerk=fresh(gera_clerk), by=gera_admin, reason="noch einmal")
    assert MemberLock.objects.count() == 1
    assert actions(gera_clerk) == ["clerk.locked"]


def test_lock_needs_a_reason(gera_admin, gera_clerk):
    with pytest.raises(DomainError):
        clerk_services.lock_clerk(clerk=gera_clerk, by=gera_admin, reason="   ")
    assert fresh(gera_clerk).status == Status.ACTIVE
    assert not MemberLock.objects.exists()


def test_restore_brings_back_exactly_the_suspended_grants_and_a_new_otp(gera_admin, gera_clerk, gera_units):
    before = units_of(gera_clerk)
    [lock] = clerk_services.lock_clerk(clerk=gera_clerk, by=gera_admin, reason="Elternzeit")
    new_otp = clerk_services.restore_clerk(lock=lock, by=gera_admin)
    clerk = fresh(gera_clerk)
    assert units_of(clerk) == before == {"002020", "002021"}
    assert clerk.status == Status.PENDING and clerk.portal_access == "Aktiv"
    assert otp.readable(clerk) == new_otp
    lock.refresh_from_db()
    assert lock.lifted_at is not None and lock.lifted_by == gera_admin
    assert MemberLock.objects.filter(pk=lock.pk).exists()  # the lock stays in the history
    assert actions(clerk) == ["clerk.locked", "clerk.unlocked"]


def test_restore_of_a_lifted_lock_is_refused(gera_admin, gera_clerk):
    [lock] = clerk_services.lock_clerk(clerk=gera_clerk, by=gera_admin, reason="Elternzeit")
    clerk_services.restore_clerk(lock=lock, by=gera_admin)
    with pytest.raises(DomainError):
        clerk_services.restore_clerk(lock=lock, by=gera_admin)
    assert actions(gera_clerk) == ["clerk.locked", "clerk.unlocked"]


def test_clerk_of_two_members_locked_by_one_stays_usable_for_the_other(gera_admin, jena_admin, gera_units, jena_units):
    clerk = factories.ClerkFactory(units=[gera_units[0], jena_units[0]])
    clerk_services.lock_clerk(clerk=clerk, by=jena_admin, reason="nicht mehr für Jena tätig")
    clerk = fresh(clerk)
    assert clerk.status == Status.ACTIVE
    assert units_of(clerk) == {"002020"}
    assert services.log_in(role=Role.CLERK, email=clerk.email, password=factories.PASSWORD).ok
    # Gera locks too: now no member is left
    clerk_services.lock_clerk(clerk=clerk, by=gera_admin, reason="ausgeschieden")
    assert fresh(clerk).status == Status.LOCKED


def test_restore_on_a_partly_locked_clerk_keeps_its_credentials(jena_admin, gera_units, jena_units):
    clerk = factories.ClerkFactory(units=[gera_units[0], jena_units[0]])
    [lock] = clerk_services.lock_clerk(clerk=clerk, by=jena_admin, reason="Abordnung")
    assert clerk_services.restore_clerk(lock=lock, by=jena_admin) is None
    clerk = fresh(clerk)
    assert clerk.status == Status.ACTIVE
    assert clerk.check_password(factories.PASSWORD)
    assert units_of(clerk) == {"002020", "003030"}


# --- last administrator locked (§7.2) and approval of a new one ---------------------------------------


def test_locking_one_of_two_administrators_does_not_cascade(gera_admin, gera_admin2, gera_clerk):
    assert clerk_services.lock_administrator(administrator=gera_admin2, by=gera_admin, reason="Wechsel") == []
    assert fresh(gera_admin2).status == Status.LOCKED
    assert fresh(gera_clerk).status == Status.ACTIVE
    assert not MemberLock.objects.exists()


def test_locking_the_last_administrator_locks_every_clerk_of_that_member_only(
    gera_admin, gera_clerk, gera_units, jena_admin, jena_clerk
):
    pending = factories.PendingClerkFactory(units=gera_units[2:])
    cascaded = clerk_services.lock_administrator(administrator=gera_admin, by=gera_admin, reason="Ruhestand")
    assert [m.number for m in cascaded] == ["002020"]
    for clerk in (gera_clerk, pending):
        clerk = fresh(clerk)
        assert clerk.status == Status.LOCKED
        lock = MemberLock.objects.get(clerk=clerk)
        assert (lock.kind, lock.reason, lock.member.number) == (LockKind.CASCADE, CASCADE_REASON, "002020")
        assert units_of(clerk) == set()
        assert "clerk.cascade_locked" in actions(clerk)
    assert fresh(jena_clerk).status == Status.ACTIVE
    assert units_of(jena_clerk) == {"003030"}


def test_cascade_spares_a_clerk_with_another_unlocked_member(gera_admin, gera_units, jena_admin, jena_units):
    clerk = factories.ClerkFactory(units=[gera_units[0], jena_units[0]])
    clerk_services.lock_administrator(administrator=gera_admin, by=gera_admin, reason="Ruhestand")
    clerk = fresh(clerk)
    assert clerk.status == Status.ACTIVE
    assert units_of(clerk) == {"003030"}


def test_administrator_lock_is_final_and_refused_twice(gera_admin, gera_admin2):
    clerk_services.lock_administrator(administrator=gera_admin2, by=gera_admin, reason="Wechsel")
    with pytest.raises(TransitionNotAllowed):
        clerk_services.lock_administrator(administrator=fresh(gera_admin2), by=gera_admin, reason="noch einmal")
    assert actions(gera_admin2) == ["administrator.locked"]


def test_a_locked_administrator_cannot_lock_anyone(gera_admin, gera_admin2):
    clerk_services.lock_administrator(administrator=gera_admin, by=gera_admin2, reason="Wechsel")
    with pytest.raises(DomainError):
        clerk_services.lock_administrator(administrator=gera_admin2, by=gera_admin, reason="Rache")
    assert fresh(gera_admin2).status == Status.ACTIVE


def test_approval_lifts_only_the_cascade_locks_of_that_member(
    gera_admin, gera_admin2, gera_units, staff, jena_admin, jena_units
):
    by_hand = factories.ClerkFactory(units=gera_units[:1])
    cascade_only = factories.ClerkFactory(units=gera_units[1:2])
    clerk_services.lock_clerk(clerk=by_hand, by=gera_admin, reason="Elternzeit")
    clerk_services.lock_administrator(administrator=gera_admin2, by=gera_admin, reason="Wechsel")
    clerk_services.lock_administrator(administrator=gera_admin, by=gera_admin, reason="Ruhestand")
    assert fresh(cascade_only).status == Status.LOCKED

    application = factories.ApplicationFactory(member=gera_admin.memberships.get().member)
    administrator, letter_otp = registration_services.approve_application(application=application, by=staff)

    assert fresh(cascade_only).status == Status.PENDING
    assert otp.readable(fresh(cascade_only))
    assert units_of(cascade_only) == {"002021"}
    assert fresh(by_hand).status == Status.LOCKED  # locked by an administrator: stays locked
    assert MemberLock.objects.open().get().clerk == by_hand
    assert fresh(gera_admin).status == Status.LOCKED  # an administrator's own lock is never lifted
    assert administrator.status == Status.PENDING and otp.readable(administrator) == letter_otp
    assert set(administrator.scope_units.values_list("number", flat=True)) == {"002020", "002021", "002022"}
    assert "clerk.cascade_lifted" in actions(cascade_only)


# --- OTP expiry -------------------------------------------------------------------------------------


def test_expired_otp_is_refused_and_unreadable(gera_units, settings):
    clerk = factories.PendingClerkFactory(units=gera_units[:1])
    later = timezone.now() + timedelta(days=settings.OTP_VALIDITY_DAYS, seconds=1)
    with time_machine.travel(later):
        outcome = services.log_in(role=Role.CLERK, email=clerk.email, password=clerk.otp_plain)
        assert not outcome.ok and outcome.otp_expired
        assert otp.readable(fresh(clerk)) is None
        assert fresh(clerk).otp_has_expired
    assert fresh(clerk).status == Status.PENDING
    assert fresh(clerk).failed_login_count == 0


def test_otp_is_stored_as_hash_and_ciphertext_never_in_plain(gera_units):
    clerk = factories.PendingClerkFactory(units=gera_units[:1])
    row = User.objects.filter(pk=clerk.pk).values().get()
    assert clerk.otp_plain not in str(row)
    assert check_password(clerk.otp_plain, row["otp_hash"])
    assert otp.decrypt(row["otp_ciphertext"]) == clerk.otp_plain


def test_expired_otps_are_cleared_by_the_purge_but_keep_their_date(gera_units, settings):
    from django.core.management import call_command

    clerk = factories.PendingClerkFactory(units=gera_units[:1])
    current = factories.PendingClerkFactory(units=gera_units[:1])
    with time_machine.travel(timezone.now() + timedelta(days=settings.OTP_VALIDITY_DAYS, seconds=1)):
        User.objects.filter(pk=current.pk).update(otp_expires_at=timezone.now() + timedelta(days=1))
        call_command("clear_expired_otps")
        clerk = fresh(clerk)
        assert (clerk.otp_hash, clerk.otp_ciphertext) == ("", "")
        assert clerk.otp_has_expired  # the detail view still says "abgelaufen"
        assert fresh(current).otp_hash
        assert actions(clerk)[-1] == "user.otp_expired" and "user.otp_expired" not in actions(current)


# --- The table itself, as DESIGN §4 writes it ---------------------------------------------------------

P, A, L, D = Status.PENDING, Status.ACTIVE, Status.LOCKED, Status.DEACTIVATED
DESIGN_TABLE = {
    "set_password": {P: A, D: A},
    "too_many_failures": {P: D, A: D},
    "forgot_password": {A: P, P: P, D: D, L: L},
    "reset_otp": {P: P, A: P, D: P},
    "lock": {P: L, A: L, D: L},
    "cascade_lock": {P: L, A: L, D: L, L: L},
    "unlock": {L: P},
    "approve": {P: P, A: P, L: P, D: P},
}


@pytest.mark.parametrize("event", sorted(DESIGN_TABLE))
@pytest.mark.parametrize("status", list(Status))
def test_every_event_from_every_status_is_allowed_or_refused_as_designed(event, status):
    from accounts.models import Event

    user = User(status=status, role=Role.CLERK)
    user.sync_is_active()
    expected = DESIGN_TABLE[event].get(status)
    if expected is None:
        with pytest.raises(TransitionNotAllowed):
            user.transition(Event(event))
        assert user.status == status
    else:
        assert user.transition(Event(event)) == (status, expected)
        assert user.is_active == (expected != Status.LOCKED)


def test_cascade_locks_a_deactivated_clerk_too(gera_admin, gera_units, settings):
    clerk = factories.ClerkFactory(units=gera_units[:1])
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        services.log_in(
            role=Role.CLERK, email=clerk.email, password="falsch", device_tokens=factories.device_tokens(clerk)
        )
    assert fresh(clerk).status == Status.DEACTIVATED
    clerk_services.lock_administrator(administrator=gera_admin, by=gera_admin, reason="Ruhestand")
    clerk = fresh(clerk)
    assert clerk.status == Status.LOCKED and otp.readable(clerk) is None


@pytest.mark.parametrize("status", [Status.ACTIVE, Status.DEACTIVATED, Status.PENDING])
def test_approving_a_registration_for_an_existing_administrator_renews_its_access(gera_admin, staff, status):
    User.objects.filter(pk=gera_admin.pk).update(status=status)
    application = factories.ApplicationFactory(member=gera_admin.memberships.get().member, email=gera_admin.email)
    administrator, value = registration_services.approve_application(application=application, by=staff)
    administrator = fresh(administrator)
    assert administrator.pk == gera_admin.pk
    assert administrator.status == Status.PENDING and otp.readable(administrator) == value
    assert not administrator.has_usable_password()


def test_the_cascade_tells_each_clerk_once_without_the_reason(gera_admin, gera_clerk, gera_units, jena_admin):
    """The last-administrator cascade sends the clerk's lock mail, as "Berechtigung entziehen" does: for which
    member, whether it can still log in, whom to ask; never the reason."""
    shared = factories.ClerkFactory(units=[gera_units[0], *jena_admin.scope_units.all()[:1]])
    deliver_outbox()
    clerk_services.lock_administrator(administrator=gera_admin, by=gera_admin, reason="Ruhestand ab Juli")
    sent = deliver_outbox()
    mails = {mail.to[0]: mail for mail in sent}
    assert [mail.to[0] for mail in sent].count(gera_clerk.email) == 1
    assert [mail.to[0] for mail in sent].count(shared.email) == 1
    locked, still_in = mails[gera_clerk.email], mails[shared.email]
    assert locked.subject == "Berechtigung im Mitgliederportal entzogen"
    assert "002020" in locked.body and "nicht mehr am Mitgliederportal anmelden" in locked.body
    assert "weiterhin wie gewohnt anmelden" in still_in.body
    for mail in (locked, still_in):
        assert "Ruhestand" not in mail.body and CASCADE_REASON not in mail.body
        assert "Ihr Administrator hat" not in mail.body


def test_a_lock_for_inactivity_tells_the_clerk_without_the_reason(gera_units, gera_admin, settings):
    clerk = factories.ClerkFactory(units=gera_units[:1], last_login=timezone.now())
    User.objects.filter(pk=gera_admin.pk).update(last_login=timezone.now() + timedelta(days=400))
    with time_machine.travel(timezone.now() + timedelta(days=settings.INACTIVITY_DAYS + 1), tick=False):
        inactivity.run()
        deliver_outbox()  # the warning
    later = settings.INACTIVITY_DAYS + settings.INACTIVITY_WARNING_DAYS + 2
    with time_machine.travel(timezone.now() + timedelta(days=later), tick=False):
        assert inactivity.run().locked == [clerk.pk]
        [mail] = deliver_outbox()
    assert mail.to == [clerk.email] and mail.subject == "Berechtigung im Mitgliederportal entzogen"
    assert "002020" in mail.body and "nicht mehr am Mitgliederportal anmelden" in mail.body
    assert "Inaktivität" not in mail.body and "Ihr Administrator hat" not in mail.body
