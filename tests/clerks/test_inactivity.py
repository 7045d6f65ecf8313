"""Dormant accounts: time moves past the inactivity period and the warning; `lock_inactive_accounts` warns, then
locks with the reason "Inaktivität" (a lock like any other), and reports a member's last administrator to fund
staff instead of locking it. Running it twice a day changes nothing the second time."""

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Status, User
from audit.models import AuditEntry
from clerks import inactivity
from clerks import services as clerk_services
from clerks.models import LockKind, MemberLock
from tests import factories
from tests.helpers import fresh
from tests.mail import deliver_outbox

pytestmark = pytest.mark.django_db


def at(days):
    return time_machine.travel(timezone.now() + timedelta(days=days), tick=False)


@pytest.fixture
def silent_clerk(gera_units):
    return factories.ClerkFactory(units=gera_units[:1], last_login=timezone.now())


def test_a_silent_clerk_is_warned_then_locked_for_inactivity_and_can_be_restored(silent_clerk, gera_admin, settings):
    User.objects.filter(pk=gera_admin.pk).update(last_login=timezone.now() + timedelta(days=400))  # works daily
    with at(settings.INACTIVITY_DAYS - 1):
        assert inactivity.run().warned == []
    with at(settings.INACTIVITY_DAYS + 1):
        assert inactivity.run().warned == [silent_clerk.pk]
        assert inactivity.run().warned == []  # once
        [mail] = deliver_outbox()
        assert mail.to == [silent_clerk.email] and "wegen Inaktivität gesperrt" in mail.body
    with at(settings.INACTIVITY_DAYS + settings.INACTIVITY_WARNING_DAYS + 2):
        assert inactivity.run().locked == [silent_clerk.pk]
        assert inactivity.run().locked == []
    clerk = fresh(silent_clerk)
    [lock] = MemberLock.objects.filter(clerk=clerk)
    assert clerk.status == Status.LOCKED and lock.kind == LockKind.INACTIVITY and lock.reason == "Inaktivität"
    assert AuditEntry.objects.filter(target=clerk, action="clerk.locked", data__reason="Inaktivität").exists()
    clerk_services.restore_clerk(lock=lock, by=gera_admin)  # "Berechtigung erteilen"
    assert fresh(clerk).status == Status.PENDING


def test_a_login_after_the_warning_keeps_the_access(silent_clerk, settings):
    with at(settings.INACTIVITY_DAYS + 1):
        inactivity.run()
    with at(settings.INACTIVITY_DAYS + 5):
        User.objects.filter(pk=silent_clerk.pk).update(last_login=timezone.now())
    with at(settings.INACTIVITY_DAYS + settings.INACTIVITY_WARNING_DAYS + 2):
        outcome = inactivity.run()
    assert outcome.locked == [] and fresh(silent_clerk).status == Status.ACTIVE


def test_a_one_time_password_that_expired_unused_counts_as_inactivity(gera_units, settings):
    clerk = factories.PendingClerkFactory(units=gera_units[:1])
    with at(settings.OTP_VALIDITY_DAYS + 1):
        assert inactivity.run().warned == [clerk.pk]


def test_the_last_administrator_is_reported_to_fund_staff_not_locked(jena_admin, jena_clerk, client, staff, settings):
    User.objects.filter(pk=jena_admin.pk).update(last_login=timezone.now())
    User.objects.filter(pk=jena_clerk.pk).update(last_login=timezone.now() + timedelta(days=400))
    with at(settings.INACTIVITY_DAYS + 1):
        call_command("lock_inactive_accounts")
    with at(settings.INACTIVITY_DAYS + settings.INACTIVITY_WARNING_DAYS + 2):
        assert inactivity.run().reported == [jena_admin.pk]
        assert inactivity.run().reported == [jena_admin.pk]  # still reported, recorded once
    assert fresh(jena_admin).status == Status.ACTIVE and fresh(jena_clerk).status == Status.ACTIVE
    assert AuditEntry.objects.filter(target=jena_admin, action="administrator.inactive_reported").count() == 1
    client.force_login(staff)
    listing = client.get("/admin/accounts/user/", {"inaktiv_gemeldet": "ja"}).content.decode()
    assert jena_admin.email in listing and jena_clerk.email not in listing


def test_an_administrator_with_a_colleague_is_locked(gera_admin, gera_admin2, settings):
    User.objects.filter(pk=gera_admin2.pk).update(last_login=timezone.now())
    User.objects.filter(pk=gera_admin.pk).update(last_login=timezone.now() + timedelta(days=400))
    with at(settings.INACTIVITY_DAYS + 1):
        inactivity.run()
    with at(settings.INACTIVITY_DAYS + settings.INACTIVITY_WARNING_DAYS + 2):
        assert gera_admin2.pk in inactivity.run().locked
    assert fresh(gera_admin2).status == Status.LOCKED and fresh(gera_admin).status == Status.ACTIVE
