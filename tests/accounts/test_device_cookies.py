"""The device cookie (a trusted browser: its wrong passwords count towards Deaktiviert, it still logs in while
untrusted clients are refused) and the factor cookie (a clerk's browser that confirmed an e-mail code within
CLERK_REMEMBER_DAYS) under attack: forged, carried to another account or the other cookie, and what ends them.

What ends a remembered browser (the factor cookie): "Zweiten Faktor zurücksetzen" (every browser), a new login
e-mail (the code goes to another mailbox now) and CLERK_REMEMBER_DAYS. A reset of the password — "Passwort
vergessen", "Einmalpasswort setzen", "Passwort ändern" — leaves it, as a reset of the factor leaves the password:
each is one factor of two. The device cookie's trust has no end but its year: it only decides how wrong passwords
count, and its holder can at most deactivate the account in the manual's way."""

import pytest
from django.core import signing
from django.test import Client

from accounts import otp
from accounts import services as account_services
from accounts.models import Role, Status
from clerks import services as clerk_services
from security import devices
from tests import factories
from tests.helpers import fresh, post_login

pytestmark = pytest.mark.django_db

VERIFY = "/anmeldung-bestaetigen/"


def remembered_browser(clerk) -> Client:
    """A browser where the clerk logged in with its e-mail code: trusted and remembered for it."""
    browser = Client()
    assert post_login(browser, clerk, factories.PASSWORD, ip="127.0.70.1").url == "/start/"
    browser.post("/logout/")
    return browser


def asks_for_code(browser, clerk) -> bool:
    response = post_login(browser, clerk, factories.PASSWORD, ip="127.0.70.2", factor=False)
    answer = response.url.startswith(VERIFY)
    browser.post("/logout/")
    return answer


# --- Forged ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "forge",
    [
        lambda tokens: signing.dumps(tokens, salt="eine andere Anwendung", compress=True),
        lambda tokens: signing.dumps(tokens, key="geraten", salt=devices.SALT, compress=True),
        lambda tokens: signing.dumps(tokens, salt=devices.SALT, compress=True)[:-3] + "abc",
        lambda tokens: ",".join(tokens),
    ],
)
def test_a_forged_device_cookie_is_not_trusted(settings, gera_clerk, forge):
    browser = Client()
    browser.cookies[settings.DEVICE_COOKIE_NAME] = forge(factories.device_tokens(gera_clerk))
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        post_login(browser, gera_clerk, "geraten", ip="127.0.71.1")
    assert fresh(gera_clerk).status == Status.ACTIVE and fresh(gera_clerk).failed_login_count == 0


def test_a_forged_factor_cookie_does_not_skip_the_e_mail_code(settings, gera_clerk):
    browser = remembered_browser(gera_clerk)
    stamps = signing.loads(browser.cookies[settings.DEVICE_FACTOR_COOKIE_NAME].value, salt=devices.FACTOR_SALT)
    stamps[devices.token(gera_clerk)] = 4102444800  # "confirmed in 2100", signed with the wrong key
    browser.cookies[settings.DEVICE_FACTOR_COOKIE_NAME] = signing.dumps(stamps, key="geraten", salt=devices.FACTOR_SALT)
    assert asks_for_code(browser, gera_clerk)


def test_the_device_cookie_does_not_pass_for_the_factor_cookie(settings, gera_clerk):
    """Both are signed by the portal with the same tokens inside: their salts keep one from standing in for the
    other."""
    browser = remembered_browser(gera_clerk)
    other = Client()
    other.cookies[settings.DEVICE_FACTOR_COOKIE_NAME] = browser.cookies[settings.DEVICE_COOKIE_NAME].value
    assert asks_for_code(other, gera_clerk)


# --- Carried to another account --------------------------------------------------------------------------------


def test_a_browser_trusted_and_remembered_for_one_clerk_is_neither_for_another(settings, gera_clerk, gera_units):
    colleague = factories.ClerkFactory(units=gera_units[:1])
    browser = remembered_browser(gera_clerk)
    assert asks_for_code(browser, colleague)
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        post_login(browser, colleague, "geraten", ip="127.0.72.1")
    assert fresh(colleague).status == Status.ACTIVE  # counted as from an untrusted client


def test_a_clerks_cookies_do_not_carry_to_its_administrator_account_of_the_same_address(gera_clerk, gera_units):
    """One person, two accounts (DESIGN §3: the e-mail is unique per role): the tokens name the account."""
    same_person = factories.AdministratorFactory(email=gera_clerk.email, units=gera_units)
    browser = remembered_browser(gera_clerk)
    assert devices.token(same_person) not in devices.tokens_from(browser.get("/login/").wsgi_request)


def test_the_cookies_hold_only_opaque_tokens(settings, gera_clerk):
    browser = remembered_browser(gera_clerk)
    device = browser.cookies[settings.DEVICE_COOKIE_NAME]
    factor = browser.cookies[settings.DEVICE_FACTOR_COOKIE_NAME]
    assert device["httponly"] and factor["httponly"] and device["samesite"] == factor["samesite"] == "Lax"
    assert signing.loads(device.value, salt=devices.SALT) == [devices.token(gera_clerk)]
    stamps = signing.loads(factor.value, salt=devices.FACTOR_SALT)
    assert list(stamps) == [devices.token(gera_clerk)] and isinstance(stamps[devices.token(gera_clerk)], int)


# --- What ends them ----------------------------------------------------------------------------------------------


def test_a_new_login_e_mail_ends_every_remembered_browser(gera_admin, gera_clerk):
    browser = remembered_browser(gera_clerk)
    clerk_services.update_personal_data(
        clerk=gera_clerk,
        by=gera_admin,
        first_name=gera_clerk.first_name,
        last_name=gera_clerk.last_name,
        phone=gera_clerk.phone,
        email="anna.neu@stadt-gera.example",
    )
    assert asks_for_code(browser, fresh(gera_clerk))


def test_a_change_of_name_or_phone_keeps_the_remembered_browser(gera_admin, gera_clerk):
    browser = remembered_browser(gera_clerk)
    clerk_services.update_personal_data(
        clerk=gera_clerk,
        by=gera_admin,
        first_name=gera_clerk.first_name,
        last_name="Schmidt-Neu",
        phone="0365 838-1111",
        email=gera_clerk.email,
    )
    assert not asks_for_code(browser, fresh(gera_clerk))


def test_a_reset_of_the_password_leaves_the_remembered_browser(gera_admin, gera_clerk):
    browser = remembered_browser(gera_clerk)
    account_services.request_password_reset(role=Role.CLERK, email=gera_clerk.email)  # "Passwort vergessen"
    assert not asks_for_code(browser, gera_clerk)  # the personal password still works and is asked no code
    value = clerk_services.reset_otp(clerk=gera_clerk, by=gera_admin)  # "Einmalpasswort setzen"
    response = post_login(browser, gera_clerk, value, ip="127.0.73.1", factor=False)
    assert response.url == "/passwort-aendern/"  # the one-time password, then the new password: no code
    assert otp.readable(fresh(gera_clerk)) == value


def test_the_device_cookie_stays_trusted_after_a_new_one_time_password(settings, gera_admin, gera_clerk):
    browser = remembered_browser(gera_clerk)
    clerk_services.reset_otp(clerk=gera_clerk, by=gera_admin)
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        post_login(browser, gera_clerk, "vertippt", ip="127.0.74.1")
    assert fresh(gera_clerk).status == Status.DEACTIVATED  # its wrong passwords still count the manual's way
