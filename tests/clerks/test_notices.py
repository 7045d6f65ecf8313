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


# --- a storm stays a trickle ------------------------------------------------------------------------------


def _forgotten(clerks, at):
    with time_machine.travel(at, tick=False):
        for clerk in clerks:
            account_services.request_password_reset(role=Role.CLERK, email=clerk.email)


def test_twenty_new_administrators_are_not_told_of_the_cases_before_them(gera_admin, gera_units):
    now = timezone.now()
    User.objects.filter(pk=gera_admin.pk).update(date_joined=now - timedelta(days=30))
    clerks = factories.ClerkFactory.create_batch(10, units=gera_units[:1])
    _forgotten(clerks, now - timedelta(hours=3))
    deliver_outbox()  # the clerks' own mails
    with time_machine.travel(now - timedelta(hours=3), tick=False):
        assert notices.send_due() == 10  # the administrator who was there
    assert [m.to for m in deliver_outbox()] == [[gera_admin.email]]  # in one mail
    newcomers = factories.AdministratorFactory.create_batch(20, units=gera_units)
    assert notices.send_due() == 0
    assert not Notice.objects.filter(administrator__in=newcomers).exists()
    # ... and they are told of what happens from now on
    _forgotten(clerks[:1], timezone.now())
    assert notices.send_due() == 21
    mails = deliver_outbox()
    assert len(mails) == 1 + 21  # the clerk's own mail and one per administrator


def test_the_cases_of_one_run_reach_an_administrator_in_one_mail(gera_admin, gera_units):
    clerks = factories.ClerkFactory.create_batch(5, units=gera_units[:1])
    _forgotten(clerks, timezone.now())
    deliver_outbox()
    assert notices.send_due() == 5
    [mail] = deliver_outbox()
    assert mail.to == [gera_admin.email] and "5 Hinweise zu Ihren Sachbearbeitern" in mail.subject
    assert all(f"/benutzer/{clerk.pk}/" in mail.body for clerk in clerks)


def test_the_same_case_again_within_minutes_is_counted_as_told(gera_admin, gera_clerk, settings):
    settings.FORGOT_PASSWORD_LIMIT_PER_HOUR = 10
    now = timezone.now()
    for minutes in (0, 4, 9):
        _forgotten([gera_clerk], now + timedelta(minutes=minutes))
        with time_machine.travel(now + timedelta(minutes=minutes, seconds=30), tick=False):
            notices.send_due()
    with time_machine.travel(now + timedelta(minutes=10), tick=False):
        told = [m for m in deliver_outbox() if m.to == [gera_admin.email]]
    assert len(told) == 1  # three requests in nine minutes: one mail
    assert Notice.objects.filter(administrator=gera_admin, sent_at__isnull=True).count() == 0
    assert Notice.objects.filter(administrator=gera_admin).count() == 3  # each case recorded once
    _forgotten([gera_clerk], now + timedelta(minutes=40))  # a new request after the window is news again
    with time_machine.travel(now + timedelta(minutes=40, seconds=30), tick=False):
        notices.send_due()
        assert [m.to for m in deliver_outbox() if m.to == [gera_admin.email]] == [[gera_admin.email]]


def test_beyond_the_hourly_rate_notices_wait_for_the_digest(gera_admin, gera_units, settings):
    settings.OUTBOX_RATE_PER_RECIPIENT_HOUR = 3
    factories.OutboxMessageFactory.create_batch(3, to=gera_admin.email)  # the hour's share is used up
    deliver_outbox()
    clerk = factories.ClerkFactory(units=gera_units[:1])
    _forgotten([clerk], timezone.now())
    assert notices.send_due() == 1
    assert [m.to for m in deliver_outbox() if m.to == [gera_admin.email]] == []  # not at once
    [waiting] = Notice.objects.filter(administrator=gera_admin, sent_at__isnull=True)
    assert notices.send_digest() == 1
    [digest] = [m for m in deliver_outbox() if m.to == [gera_admin.email]]
    assert f"/benutzer/{clerk.pk}/" in digest.body
    waiting.refresh_from_db()
    assert waiting.sent_at is not None


def test_mails_a_person_waits_for_are_never_held_by_the_rate(gera_clerk, settings):
    settings.OUTBOX_RATE_PER_RECIPIENT_HOUR = 1
    factories.OutboxMessageFactory.create_batch(2, to=gera_clerk.email)
    account_services.request_password_reset(role=Role.CLERK, email=gera_clerk.email)
    assert any(m.to == [gera_clerk.email] and "Passwort" in m.subject for m in deliver_outbox())
