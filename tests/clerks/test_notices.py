"""Administrators hear of their clerks' cases by mail, at once or in the day's digest, or not at all."""

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from accounts import services as account_services
from accounts.models import NoticePreference, Role, User
from clerks import notices
from clerks.models import Notice
from tests import factories
from tests.mail import deliver_outbox

pytestmark = pytest.mark.django_db


def test_passwort_vergessen_reaches_the_administrators_at_once_and_only_once(gera_admin, gera_admin2, gera_clerk):
    account_services.request_password_reset(role=Role.CLERK, email=gera_clerk.email)
    deliver_outbox()  # the clerk's own mail
    assert notices.send_due() == 2
    assert notices.send_due() == 0
    mails = deliver_outbox()
    assert sorted(m.to[0] for m in mails) == sorted([gera_admin.email, gera_admin2.email])
    body = mails[0].body
    assert "„Passwort vergessen“ angefordert" in body and f"/benutzer/{gera_clerk.pk}/" in body
    from accounts import otp

    gera_clerk.refresh_from_db()
    assert otp.readable(gera_clerk) not in body and "Ein sicheres Passwort" not in body  # never a password in it


def test_only_administrators_who_may_hand_over_the_credentials_hear_of_it(
    gera_admin, jena_admin, gera_units, jena_units
):
    shared = factories.ClerkFactory(units=[gera_units[0], jena_units[0]])
    both = factories.AdministratorFactory(units=gera_units + jena_units)
    account_services.request_password_reset(role=Role.CLERK, email=shared.email)
    notices.send_due()
    assert set(Notice.objects.values_list("administrator__email", flat=True)) == {both.email}


def test_the_daily_digest_and_off(gera_admin, gera_admin2, gera_clerk, gera_units):
    User.objects.filter(pk=gera_admin.pk).update(notices=NoticePreference.DAILY)
    User.objects.filter(pk=gera_admin2.pk).update(notices=NoticePreference.OFF)
    second = factories.ClerkFactory(units=gera_units[:1])
    for clerk in (gera_clerk, second):
        account_services.request_password_reset(role=Role.CLERK, email=clerk.email)
    deliver_outbox()
    notices.send_due()
    assert deliver_outbox() == []  # nothing at once
    call_command("send_notice_digest")
    [digest] = deliver_outbox()
    assert digest.to == [gera_admin.email] and "2 Hinweise" in digest.subject
    assert notices.send_digest() == 0


def test_an_expiring_unused_one_time_password_is_noticed(gera_admin, gera_units, settings):
    clerk = factories.PendingClerkFactory(units=gera_units[:1])
    with time_machine.travel(timezone.now() + timedelta(days=settings.OTP_VALIDITY_DAYS - 2), tick=False):
        notices.send_due()
    [notice] = Notice.objects.filter(clerk=clerk)
    assert notice.kind == "otp_expiring" and notice.administrator == gera_admin


def test_the_setting_under_einstellungen(client, gera_admin):
    client.force_login(gera_admin)
    assert "sofort" in client.get("/einstellungen/").content.decode()
    client.post("/einstellungen/", {"notices": "daily"})
    gera_admin.refresh_from_db()
    assert gera_admin.notices == NoticePreference.DAILY
    response = client.post("/einstellungen/", {"notices": "immer"})
    gera_admin.refresh_from_db()
    assert response.status_code == 200 and 'aria-invalid="true"' in response.content.decode()
    assert gera_admin.notices == NoticePreference.DAILY


def test_the_digest_names_no_clerk_whose_credentials_the_administrator_no_longer_hands_over(
    gera_admin, jena_admin, gera_clerk, gera_units, jena_units
):
    """A case recorded for the day's digest, then the administrator's registration for the clerk's member ended (a
    shared administrator locked by Gera): the digest must not name Gera's clerk to it any more."""
    from clerks import services as clerk_services

    shared_admin = factories.AdministratorFactory(units=gera_units + jena_units)
    User.objects.filter(pk__in=[gera_admin.pk, shared_admin.pk]).update(notices=NoticePreference.DAILY)
    account_services.request_password_reset(role=Role.CLERK, email=gera_clerk.email)
    deliver_outbox()
    notices.send_due()
    assert Notice.objects.filter(administrator=shared_admin, clerk=gera_clerk).exists()
    clerk_services.lock_administrator(administrator=shared_admin, by=gera_admin, reason="Wechsel nach Jena")
    deliver_outbox()

    notices.send_digest()

    mails = deliver_outbox()
    assert [m.to for m in mails] == [[gera_admin.email]]
    assert notices.send_digest() == 0  # the dropped case is not kept waiting either


def test_a_clerk_now_beyond_the_registration_is_not_named_in_the_digest(gera_admin, gera_clerk, gera_units, jena_units):
    User.objects.filter(pk=gera_admin.pk).update(notices=NoticePreference.DAILY)
    account_services.request_password_reset(role=Role.CLERK, email=gera_clerk.email)
    deliver_outbox()
    notices.send_due()
    factories.GrantFactory(clerk=gera_clerk, billing_unit=jena_units[0])  # the clerk works for Jena now too

    notices.send_digest()

    assert deliver_outbox() == []
