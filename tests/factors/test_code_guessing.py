"""Guessing the second factor (AUTH-11, AUTH-12, AUTH-18): the clerk's e-mail code, the recovery codes and the
authenticator app's code are limited per address and per account, from other loopback addresses as an attacker
who knows the password would send them; an app's code counts once."""

import time
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from accounts.models import Status
from factors import services as factor_services
from outbox.models import OutboxMessage
from tests import factories
from tests.helpers import email_code, fresh, post_factor, post_login

pytestmark = pytest.mark.django_db

VERIFY = "/anmeldung-bestaetigen/"
NEW_CODE = "/anmeldung-bestaetigen/neuer-code/"


def wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def password_step(user, ip: str) -> Client:
    """A browser that passed the password from `ip` and now stands on "Anmeldung bestätigen"."""
    browser = Client()
    response = post_login(browser, user, factories.PASSWORD, ip=ip, factor=False)
    assert response.status_code == 302 and response.url.startswith(VERIFY), response
    return browser


@pytest.fixture
def frozen():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


# --- Per account ---------------------------------------------------------------------------------------------


def test_a_session_opened_before_the_account_was_refused_gets_no_further_guess(gera_clerk, settings):
    """Untrusted clients are refused for the account once UNTRUSTED_LOGIN_FAILURE_LIMIT wrong factors came from
    elsewhere: a session that passed the password earlier must not go on guessing, not even with the right code."""
    settings.UNTRUSTED_LOGIN_FAILURE_LIMIT = 3
    waiting = password_step(gera_clerk, "127.0.41.1")  # opened first, kept for later
    guesser = password_step(gera_clerk, "127.0.41.2")
    code = email_code(gera_clerk)
    for _ in range(2):
        post_factor(guesser, wrong(code), ip="127.0.41.2")
    guesser = password_step(gera_clerk, "127.0.41.3")  # three wrong tries voided the first code: a new login
    code = email_code(gera_clerk)
    assert post_factor(guesser, wrong(code), ip="127.0.41.3").url == "/login/"  # the limit: that session ended

    response = post_factor(waiting, code, ip="127.0.41.1")

    assert response.status_code == 302 and response.url == "/login/"
    assert waiting.get("/start/").url.startswith("/login/")
    assert fresh(gera_clerk).status == Status.ACTIVE


def test_while_the_account_is_refused_no_new_e_mail_code_is_sent_to_an_untrusted_browser(gera_clerk, settings):
    settings.UNTRUSTED_LOGIN_FAILURE_LIMIT = 2
    waiting = password_step(gera_clerk, "127.0.42.1")
    guesser = password_step(gera_clerk, "127.0.42.2")
    code = email_code(gera_clerk)
    post_factor(guesser, wrong(code), ip="127.0.42.2")
    post_factor(guesser, wrong(code), ip="127.0.42.2")
    sent = OutboxMessage.objects.filter(template="factor_email_code").count()

    response = waiting.post(NEW_CODE, REMOTE_ADDR="127.0.42.1")

    assert response.url == "/login/"
    assert OutboxMessage.objects.filter(template="factor_email_code").count() == sent


def test_the_owners_trusted_browser_still_confirms_while_untrusted_clients_are_refused(gera_clerk, settings):
    settings.UNTRUSTED_LOGIN_FAILURE_LIMIT = 2
    guesser = password_step(gera_clerk, "127.0.43.2")
    code = email_code(gera_clerk)
    post_factor(guesser, wrong(code), ip="127.0.43.2")
    post_factor(guesser, wrong(code), ip="127.0.43.2")
    own = factories.trust_device(Client(), gera_clerk)
    assert post_login(own, gera_clerk, factories.PASSWORD, ip="127.0.43.1").url == "/start/"


def test_wrong_recovery_codes_from_elsewhere_count_per_account_and_never_deactivate(gera_admin, settings):
    settings.UNTRUSTED_LOGIN_FAILURE_LIMIT = 3
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    codes = factor_services.renew_recovery_codes(user=gera_admin)
    waiting = password_step(gera_admin, "127.0.44.1")
    for n in range(3):
        guesser = password_step(gera_admin, f"127.0.44.{n + 2}")
        post_factor(guesser, f"aaaaa-aaaa{'bcd'[n]}", ip=f"127.0.44.{n + 2}")

    assert post_factor(waiting, codes[0], ip="127.0.44.1").url == "/login/"  # refused, the code stays unused
    assert fresh(gera_admin).status == Status.ACTIVE and fresh(gera_admin).failed_login_count == 0
    own = factories.trust_device(Client(), gera_admin)
    post_login(own, gera_admin, factories.PASSWORD, ip="127.0.44.9", factor=False)
    assert post_factor(own, codes[0], ip="127.0.44.9").url == "/benutzer/"


def test_wrong_recovery_codes_from_the_own_browser_count_towards_deactivation(gera_admin, settings):
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    factor_services.renew_recovery_codes(user=gera_admin)
    own = factories.trust_device(Client(), gera_admin)
    for n in range(settings.LOGIN_FAILURE_LIMIT):
        post_login(own, gera_admin, factories.PASSWORD, ip="127.0.45.1", factor=False)
        post_factor(own, f"aaaaa-aaaa{'bcdef'[n]}", ip="127.0.45.1")
    assert fresh(gera_admin).status == Status.DEACTIVATED


# --- Per address -----------------------------------------------------------------------------------------------


def test_e_mail_codes_and_new_code_requests_share_the_login_limit_of_the_address(gera_clerk, settings, frozen):
    settings.LOGIN_ATTEMPTS_PER_ADDRESS = 4
    browser = password_step(gera_clerk, "127.0.46.1")  # the right password gives its attempt back
    code = email_code(gera_clerk)
    post_factor(browser, wrong(code), ip="127.0.46.1")
    browser.post(NEW_CODE, REMOTE_ADDR="127.0.46.1")
    code = email_code(gera_clerk)
    post_factor(browser, wrong(code), ip="127.0.46.1")
    post_factor(browser, wrong(code), ip="127.0.46.1")

    response = post_factor(browser, code, ip="127.0.46.1")

    assert response.status_code == 429 and browser.get("/start/").url.startswith(VERIFY)
    assert browser.post(NEW_CODE, REMOTE_ADDR="127.0.46.1").url == VERIFY  # refused: no mail
    assert OutboxMessage.objects.filter(template="factor_email_code").count() == 2
    frozen.shift(timedelta(seconds=settings.THROTTLE_WINDOW_SECONDS))
    assert post_factor(browser, code, ip="127.0.46.1").url == "/start/"


def test_recovery_codes_from_one_address_stop_at_its_login_limit_and_the_right_one_is_not_spent(
    gera_admin, settings, frozen
):
    settings.LOGIN_ATTEMPTS_PER_ADDRESS = 3
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    codes = factor_services.renew_recovery_codes(user=gera_admin)
    browser = password_step(gera_admin, "127.0.54.1")  # the right password gives its attempt back
    for n in range(3):
        assert post_factor(browser, f"aaaaa-aaaa{'bcd'[n]}", ip="127.0.54.1").status_code == 200

    response = post_factor(browser, codes[0], ip="127.0.54.1")

    assert response.status_code == 429 and browser.get("/benutzer/").url.startswith(VERIFY)
    frozen.shift(timedelta(seconds=settings.THROTTLE_WINDOW_SECONDS))
    assert post_factor(browser, codes[0], ip="127.0.54.1").url == "/benutzer/"  # refused before it was checked


def test_another_address_has_its_own_budget_for_the_factor_step(gera_admin, settings, frozen):
    settings.LOGIN_ATTEMPTS_PER_ADDRESS = 2
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    first = password_step(gera_admin, "127.0.47.1")
    post_factor(first, "000000", ip="127.0.47.1")
    post_factor(first, "000000", ip="127.0.47.1")
    assert post_factor(first, factories.totp_code(gera_admin), ip="127.0.47.1").status_code == 429
    second = password_step(gera_admin, "127.0.47.2")
    assert post_factor(second, factories.totp_code(gera_admin), ip="127.0.47.2").url == "/benutzer/"


# --- The authenticator app's code counts once -------------------------------------------------------------------


def test_the_code_that_set_up_the_app_does_not_confirm_a_login(client, gera_units):
    administrator = factories.AdministratorFactory(units=gera_units, second_factor=False)
    post_login(client, administrator, factories.PASSWORD)
    from factors.views import ENROL_KEY

    client.get("/zweiter-faktor/einrichten/app/")
    key = client.session[ENROL_KEY]
    code = factories.totp_code(administrator, key=key)
    assert client.post("/zweiter-faktor/einrichten/app/", {"code": code}).status_code == 302
    client.post("/logout/")
    browser = password_step(administrator, "127.0.48.1")

    response = post_factor(browser, code, ip="127.0.48.1")

    assert response.status_code == 200 and browser.get("/benutzer/").url.startswith(VERIFY)


def test_an_earlier_code_is_refused_after_a_later_one_was_used(gera_admin, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    now = int(time.time()) // 30
    device = gera_admin.totpdevice_set.get()
    from binascii import unhexlify

    from django_otp.oath import TOTP

    def code_at(step):
        totp = TOTP(unhexlify(device.key), step=30, t0=0, digits=6, drift=0)
        totp.time = step * 30
        return f"{totp.token():06d}"

    first = password_step(gera_admin, "127.0.49.1")
    assert post_factor(first, code_at(now), ip="127.0.49.1").url == "/benutzer/"
    second = password_step(gera_admin, "127.0.49.2")
    response = post_factor(second, code_at(now - 1), ip="127.0.49.2")  # within the drift, but older
    assert response.status_code == 200 and second.get("/benutzer/").url.startswith(VERIFY)


def test_a_passkey_from_a_session_opened_before_the_refusal_is_not_checked(gera_admin, settings):
    settings.UNTRUSTED_LOGIN_FAILURE_LIMIT = 2
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    waiting = password_step(gera_admin, "127.0.50.1")
    for n in range(2):
        post_factor(password_step(gera_admin, f"127.0.50.{n + 2}"), "000000", ip=f"127.0.50.{n + 2}")

    response = waiting.post(
        "/webauthn/authentication/complete/", "{}", content_type="application/json", REMOTE_ADDR="127.0.50.1"
    )

    assert response.status_code == 403 and response.json()["code"] == "refused"
    assert waiting.get("/benutzer/").url.startswith("/login/")


# --- A password alone does not flood the clerk's mailbox ---------------------------------------------------------


def test_e_mail_codes_per_account_are_limited_and_the_last_one_stays_valid(gera_clerk, settings, frozen):
    """Logins with the right password from ever new addresses each send a code: the account's limit stops the
    mails, says so in German, and the last code sent still confirms the login."""
    for n in range(settings.EMAIL_CODES_PER_ACCOUNT):
        password_step(gera_clerk, f"127.0.53.{n + 1}")
    code = email_code(gera_clerk)
    browser = password_step(gera_clerk, "127.0.53.99")
    assert "schon mehrere Codes geschickt" in browser.get(VERIFY).content.decode()
    assert browser.post(NEW_CODE, REMOTE_ADDR="127.0.53.99").url == VERIFY
    assert OutboxMessage.objects.filter(template="factor_email_code").count() == settings.EMAIL_CODES_PER_ACCOUNT

    assert post_factor(browser, code, ip="127.0.53.99").url == "/start/"

    frozen.shift(timedelta(seconds=settings.EMAIL_CODE_WINDOW_SECONDS))
    password_step(gera_clerk, "127.0.53.100")
    assert OutboxMessage.objects.filter(template="factor_email_code").count() == settings.EMAIL_CODES_PER_ACCOUNT + 1
