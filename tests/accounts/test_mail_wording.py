"""Whom a mail tells to turn to: a clerk to its administrator, an administrator never to "Ihren Administrator" but
to the fund, with its telephone number."""

from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string

from tests import factories

pytestmark = pytest.mark.django_db

EMAILS = Path(settings.BASE_DIR) / "templates" / "emails"
# Mails sent to clerks only (clerks/emails.py, accounts/emails.py, factors: the e-mail code, the lock and its lifting).
CLERK_ONLY = {
    "clerk_created",
    "clerk_locked",
    "clerk_restored",
    "email_changed",
    "otp_reset",
    "forgot_password_clerk",
    "factor_email_code",
}
ADMINISTRATOR_MAILS = sorted(
    path.name.removesuffix("_body.txt")
    for path in EMAILS.glob("*_body.txt")
    if path.name.removesuffix("_body.txt") not in CLERK_ONLY
)


def render(name, user, **context):
    base = {"fund_name": settings.FUND_NAME, "fund_phone": settings.FUND_PHONE, "fund_email": settings.FUND_EMAIL}
    return render_to_string(f"emails/{name}_body.txt", base | {"user": user, "by_fund": True} | context)


@pytest.mark.parametrize("name", ADMINISTRATOR_MAILS)
def test_no_mail_to_an_administrator_sends_it_to_its_administrator(name, gera_units):
    admin = factories.AdministratorFactory(units=gera_units)
    for phrase in ("Ihren Administrator", "Ihrem Administrator", "Ihr Administrator"):
        assert phrase not in render(name, admin)


@pytest.mark.parametrize(
    "name", ["password_set", "deactivated", "forgot_password_administrator", "factor_added", "factor_reset"]
)
def test_an_administrators_mail_names_the_funds_telephone(name, gera_units):
    admin = factories.AdministratorFactory(units=gera_units)
    assert settings.FUND_PHONE in render(name, admin)


def test_a_clerk_is_still_sent_to_its_administrator(gera_clerk, gera_admin):
    assert "Ihren Administrator" in render("password_set", gera_clerk)
    assert "Ihren Administrator" in render("deactivated", gera_clerk, administrators=[gera_admin])
    assert settings.FUND_PHONE in render("deactivated", gera_clerk, administrators=[])  # nobody can act: the fund
