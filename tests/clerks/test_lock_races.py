"""More races (gaps found while load testing): two administrators of one member acting on the same
clerk at the same moment. Each ends in a state DESIGN §4 allows, with exactly one audit entry per effect.

Threads with their own connections, started together by a barrier (tests/accounts/test_races.py), on SQLite and
on PostgreSQL."""

import pytest

from accounts import otp
from accounts.models import DomainError, Status
from clerks import services
from clerks.models import Grant, MemberLock
from tests.helpers import audit_count, run_together

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_administrators_locking_the_same_clerk_make_one_lock(gera_admin, gera_admin2, gera_clerk):
    results = run_together(
        lambda: services.lock_clerk(clerk=gera_clerk, by=gera_admin, reason="Elternzeit"),
        lambda: services.lock_clerk(clerk=gera_clerk, by=gera_admin2, reason="Versetzung"),
    )
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 1 and isinstance(refused[0], DomainError), results
    gera_clerk.refresh_from_db()
    assert gera_clerk.status == Status.LOCKED and not gera_clerk.is_active
    assert MemberLock.objects.open().filter(clerk=gera_clerk).count() == 1
    assert audit_count("clerk.locked", target=gera_clerk) == 1
    assert not Grant.objects.filter(clerk=gera_clerk).exists()


def test_two_administrators_lifting_the_same_lock_give_one_new_one_time_password(gera_admin, gera_admin2, gera_clerk):
    [lock] = services.lock_clerk(clerk=gera_clerk, by=gera_admin, reason="Elternzeit")
    results = run_together(
        lambda: services.restore_clerk(lock=lock, by=gera_admin),
        lambda: services.restore_clerk(lock=lock, by=gera_admin2),
    )
    values = [r for r in results if isinstance(r, str)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(values) == 1 and len(refused) == 1 and isinstance(refused[0], DomainError), results
    gera_clerk.refresh_from_db()
    assert gera_clerk.status == Status.PENDING and otp.readable(gera_clerk) == values[0]
    assert audit_count("clerk.unlocked", target=gera_clerk) == 1
    assert Grant.objects.filter(clerk=gera_clerk).count() == 2  # exactly the suspended grants, once


def test_assigning_while_another_administrator_locks_never_leaves_a_grant_behind_the_lock(
    gera_admin, gera_admin2, gera_clerk, gera_units
):
    results = run_together(
        lambda: services.set_grants(clerk=gera_clerk, by=gera_admin, unit_ids=[u.pk for u in gera_units]),
        lambda: services.lock_clerk(clerk=gera_clerk, by=gera_admin2, reason="Elternzeit"),
    )
    assign, lock = results
    assert not isinstance(lock, Exception), results
    gera_clerk.refresh_from_db()
    assert gera_clerk.status == Status.LOCKED
    assert not Grant.objects.filter(clerk=gera_clerk).exists()  # whatever came first, the lock suspended it all
    [member_lock] = MemberLock.objects.open().filter(clerk=gera_clerk)
    suspended = set(member_lock.suspended_grants.values_list("billing_unit__number", flat=True))
    if isinstance(assign, Exception):  # the lock came first: +/- Zuordnen is refused, grants as before
        assert isinstance(assign, DomainError) and audit_count("clerk.grants_changed") == 0
        assert suspended == {"002020", "002021"}
    else:  # the assignment came first: the lock suspended the new grants too
        assert audit_count("clerk.grants_changed") == 1 and suspended == {"002020", "002021", "002022"}
    assert audit_count("clerk.locked") == 1


def test_locking_while_another_administrator_lifts_the_lock(gera_admin, gera_admin2, gera_clerk):
    [lock] = services.lock_clerk(clerk=gera_clerk, by=gera_admin, reason="Elternzeit")
    lift, relock = run_together(
        lambda: services.restore_clerk(lock=lock, by=gera_admin2),
        lambda: services.lock_clerk(clerk=gera_clerk, by=gera_admin, reason="doch nicht"),
    )
    assert not isinstance(lift, Exception), lift
    gera_clerk.refresh_from_db()
    locks = MemberLock.objects.open().filter(clerk=gera_clerk)
    assert locks.count() <= 1
    if isinstance(relock, Exception):  # the lock was still open: nothing to lock again
        assert isinstance(relock, DomainError) and gera_clerk.status == Status.PENDING and not locks.exists()
        assert audit_count("clerk.locked") == 1
    else:  # lifted first, then locked again
        assert gera_clerk.status == Status.LOCKED and locks.count() == 1 and audit_count("clerk.locked") == 2
        assert not Grant.objects.filter(clerk=gera_clerk).exists()
    assert audit_count("clerk.unlocked") == 1
