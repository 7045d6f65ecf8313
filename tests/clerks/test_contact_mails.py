"""A clerk's mails name whom to call: the administrators who can act for this clerk (DESIGN §8, credential_holders),
each with telephone and e-mail, or the fund where nobody can. So say "Ihr Zugang …", "Passwort vergessen", the
deactivation, "Einmalpasswort setzen", the e-mail change, and "Berechtigung entziehen" / "erteilen"."""

import pytest
from django.conf import settings

from accounts import services as account_services
from accounts.models import Role
from clerks import services
from tests import factories
from tests.helpers import post_login
from tests.mail import deliver_outbox

pytestmark = pytest.mark.django_db


@pytest.fixture
def gera_admins(gera_units, gera_admin):
    colleague = factories.AdministratorFactory(
        first_name="Jonas", last_name="Vogt", phone="0365 838-2222", email="vogt@stadt-gera.example", units=gera_units
    )
    partial = factories.AdministratorFactory(last_name="Teilweise", units=gera_units[1:])  # not for every unit
    return gera_admin, colleague, partial


def names_both(body, gera_admin, colleague, partial) -> bool:
    return (
        f"- {gera_admin.full_name}, Telefon {gera_admin.phone}, E-Mail {gera_admin.email}" in body
        and f"- {colleague.full_name}, Telefon {colleague.phone}, E-Mail {colleague.email}" in body
        and partial.last_name not in body
        and settings.FUND_PHONE not in body
    )


def only_mail_to(address):
    [mail] = [mail for mail in deliver_outbox() if mail.to == [address]]
    return mail.body


def test_ihr_zugang_names_the_administrators_who_hold_the_clerks_credentials(gera_admins, gera_units):
    gera_admin, colleague, partial = gera_admins
    clerk = services.create_clerk(
        by=gera_admin,
        first_name="Jürgen",
        last_name="Weiß",
        phone="0365 838-4711",
        email="j.weiss@stadt-gera.example",
        unit_ids=[unit.pk for unit in gera_units],
    )
    body = only_mail_to(clerk.email)
    assert "Ihre Administratoren für diesen Zugang" in body and names_both(body, *gera_admins)


def test_passwort_vergessen_and_the_deactivation_name_them_too(client, gera_admins, gera_clerk, settings):
    account_services.request_password_reset(role=Role.CLERK, email=gera_clerk.email)
    assert names_both(only_mail_to(gera_clerk.email), *gera_admins)
    factories.trust_device(client, gera_clerk)  # the clerk's own browser: its wrong passwords count (DESIGN §8)
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        post_login(client, gera_clerk.email, "falsch", role=Role.CLERK)
    body = only_mail_to(gera_clerk.email)
    assert "deaktiviert" in body and names_both(body, *gera_admins)


def test_einmalpasswort_setzen_and_the_new_address_name_them(admin_client, gera_admins, gera_clerk):
    services.reset_otp(clerk=gera_clerk, by=gera_admins[0])
    assert names_both(only_mail_to(gera_clerk.email), *gera_admins)


def test_lock_and_unlock_mails_name_them(gera_admins, gera_clerk):
    gera_admin = gera_admins[0]
    [lock] = services.lock_clerk(clerk=gera_clerk, by=gera_admin, reason="Elternzeit")
    assert names_both(only_mail_to(gera_clerk.email), *gera_admins)
    services.restore_clerk(lock=lock, by=gera_admin)
    assert names_both(only_mail_to(gera_clerk.email), *gera_admins)


def test_a_clerk_of_two_members_is_sent_to_the_administrator_of_both(shared_clerk, both_admin, gera_admin, jena_admin):
    deliver_outbox()
    services.reset_otp(clerk=shared_clerk, by=both_admin)
    body = only_mail_to(shared_clerk.email)
    assert f"Ihr Administrator für diesen Zugang:\n- {both_admin.full_name}, Telefon {both_admin.phone}" in body
    assert gera_admin.email not in body and jena_admin.email not in body  # neither may hand over its password


def test_where_nobody_can_act_the_mail_sends_the_clerk_to_the_fund(shared_clerk, both_admin, gera_admin):
    deliver_outbox()
    services.lock_administrator(administrator=both_admin, by=gera_admin, reason="ausgeschieden")
    deliver_outbox()
    account_services.request_password_reset(role=Role.CLERK, email=shared_clerk.email)
    body = only_mail_to(shared_clerk.email)
    assert "Administrator" not in body.split("Wenn Sie das nicht waren")[0].split("angefordert.")[1]
    assert f"Telefon {settings.FUND_PHONE}, E-Mail {settings.FUND_EMAIL}" in body
