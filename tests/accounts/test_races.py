"""Races: threads with their own database connections, started together
by a barrier. Each ends in a state DESIGN §4 allows, with exactly one audit entry per effect.

They run on both databases: PostgreSQL serialises through SELECT … FOR UPDATE, SQLite through its
IMMEDIATE transactions (the test database is a file, so every thread has its own connection)."""

import pytest
from django.test import Client

from accounts import otp, services
from accounts.models import Role, Status, User
from clerks import services as clerk_services
from clerks.models import MemberLock
from tests import factories
from tests.helpers import audit_count, run_together

pytestmark = pytest.mark.django_db(transaction=True)


def test_twenty_parallel_wrong_passwords_end_in_exactly_one_lockout_and_one_new_otp(gera_units, settings):
    clerk = factories.ClerkFactory(units=gera_units[:1])
    results = run_together(
        *[
            lambda: services.log_in(
                role=Role.CLERK, email=clerk.email, password="falsch", device_tokens=factories.device_tokens(clerk)
            )
        ]
        * 20
    )
    assert all(not isinstance(result, Exception) and not result.ok for result in results), results
    clerk.refresh_from_db()
    assert clerk.status == Status.DEACTIVATED
    assert audit_count("user.deactivated", target=clerk) == 1
    assert audit_count("login.failed", target=clerk) == 20
    # the failures after the lockout counted against the new one-time password (at most the limit)
    assert clerk.failed_login_count == min(20 - settings.LOGIN_FAILURE_LIMIT, settings.LOGIN_FAILURE_LIMIT)
    assert otp.readable(clerk) is not None


def test_two_administrators_locking_each_other_leave_exactly_one_locked(gera_admin, gera_admin2, gera_clerk):
    results = run_together(
        lambda: clerk_services.lock_administrator(administrator=gera_admin2, by=gera_admin, reason="A sperrt B"),
        lambda: clerk_services.lock_administrator(administrator=gera_admin, by=gera_admin2, reason="B sperrt A"),
    )
    statuses = sorted(User.objects.filter(pk__in=[gera_admin.pk, gera_admin2.pk]).values_list("status", flat=True))
    assert statuses == [Status.ACTIVE, Status.LOCKED], results
    assert audit_count("administrator.locked") == 1
    assert sum(isinstance(result, Exception) for result in results) == 1
    gera_clerk.refresh_from_db()
    assert gera_clerk.status == Status.ACTIVE and not MemberLock.objects.exists()


def test_two_members_locking_a_shared_administrator_at_once_end_both_registrations_once(
    gera_admin, jena_admin, gera_units, jena_units, gera_clerk, jena_clerk
):
    """DESIGN §8: Gera and Jena each end their own registration of an administrator registered for both, at the
    same moment. It ends Gesperrt with one audit entry per member, and no member cascades (each keeps its own
    administrator)."""
    shared = factories.AdministratorFactory(units=gera_units + jena_units)
    results = run_together(
        lambda: clerk_services.lock_administrator(administrator=shared, by=gera_admin, reason="Gera"),
        lambda: clerk_services.lock_administrator(administrator=shared, by=jena_admin, reason="Jena"),
    )
    assert results == [[], []], results
    shared.refresh_from_db()
    assert shared.status == Status.LOCKED and not shared.scope_units.exists()
    assert audit_count("administrator.locked", target=shared) == 2
    assert not MemberLock.objects.exists()


def test_the_last_two_administrators_locked_at_once_cascade_exactly_once(
    gera_admin, gera_admin2, gera_clerk, jena_admin
):
    """Jena's administrator also administers Gera here; it locks both Gera administrators at the same moment."""
    gera_units = list(gera_admin.scope_units.all())
    third = factories.AdministratorFactory(units=gera_units)
    results = run_together(
        lambda: clerk_services.lock_administrator(administrator=gera_admin, by=third, reason="eins"),
        lambda: clerk_services.lock_administrator(administrator=gera_admin2, by=third, reason="zwei"),
    )
    assert not any(isinstance(result, Exception) for result in results), results
    assert results.count([]) == 2  # third is still active: no cascade
    third_result = clerk_services.lock_administrator(administrator=third, by=third, reason="drei")
    assert [m.number for m in third_result] == ["002020"]
    assert audit_count("clerk.cascade_locked", target=gera_clerk) == 1
    assert MemberLock.objects.filter(clerk=gera_clerk).count() == 1


def test_otp_reset_while_the_clerk_logs_in_with_the_old_one(gera_admin, gera_units):
    clerk = factories.PendingClerkFactory(units=gera_units[:1])
    old = clerk.otp_plain
    login, reset = run_together(
        lambda: services.log_in(role=Role.CLERK, email=clerk.email, password=old),
        lambda: clerk_services.reset_otp(clerk=clerk, by=gera_admin),
    )
    assert not isinstance(login, Exception) and isinstance(reset, str)
    clerk.refresh_from_db()
    assert clerk.status == Status.PENDING and otp.readable(clerk) == reset != old
    assert audit_count("user.otp_reset", target=clerk) == 1
    assert audit_count("login.otp_used", target=clerk) + audit_count("login.failed", target=clerk) == 1
    assert not services.log_in(role=Role.CLERK, email=clerk.email, password=old).ok


def test_double_submitted_create_form_makes_one_clerk(gera_admin, gera_units):
    browser = Client()
    browser.force_login(gera_admin)
    browser.post(
        "/benutzer/neu/",
        {"first_name": "Max", "last_name": "Test", "phone": "0123456", "email": "max@stadt-gera.example"},
    )
    token = browser.session["clerk_draft"]["token"]
    cookies = browser.cookies

    def submit():
        twin = Client()
        twin.cookies = cookies
        return twin.post("/benutzer/neu/abrechnungsstellen/", {"token": token, "units": [gera_units[0].pk]})

    first, second = run_together(submit, submit)
    assert User.objects.filter(role=Role.CLERK).count() == 1
    clerk = User.objects.get(role=Role.CLERK)
    assert first.status_code == second.status_code == 302
    assert first.url == second.url == f"/benutzer/{clerk.pk}/angelegt/"
    assert audit_count("clerk.created") == 1


def test_locking_a_clerk_while_the_last_administrator_is_locked_keeps_one_lock_per_member(gera_admin, gera_clerk):
    lock_clerk, lock_admin = run_together(
        lambda: clerk_services.lock_clerk(clerk=gera_clerk, by=gera_admin, reason="Elternzeit"),
        lambda: clerk_services.lock_administrator(administrator=gera_admin, by=gera_admin, reason="Ruhestand"),
    )
    assert not isinstance(lock_admin, Exception), lock_admin
    gera_clerk.refresh_from_db()
    assert gera_clerk.status == Status.LOCKED
    [lock] = MemberLock.objects.open().filter(clerk=gera_clerk)
    if isinstance(lock_clerk, Exception):  # the cascade came first; a locked administrator acts no more
        assert lock.kind == "cascade" and audit_count("clerk.locked") == 0
    else:  # the administrator's lock came first; the cascade left the clerk alone
        assert lock.kind == "administrator" and audit_count("clerk.cascade_locked") == 0
