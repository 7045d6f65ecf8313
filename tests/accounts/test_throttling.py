"""Limits per client address (AUTH-12): beyond the limit a login is refused with 429 before any
password is checked, counted against no account, and allowed again once the window has passed."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connections
from django.test import Client
from django.utils import timezone

from accounts.models import PasswordRequest, Role, Status
from audit.models import AuditEntry
from registration.models import AdministratorApplication
from security import throttling
from security.models import ThrottleWindow
from tests import factories
from tests.helpers import post_login

pytestmark = pytest.mark.django_db

WAIT = "Zu viele Anmeldeversuche. Bitte warten Sie eine Minute und versuchen Sie es dann erneut."
LOGIN_FAILED = "E-Mail-Adresse oder Passwort ist falsch."


def use_up_budget(client, settings, ip="192.0.2.10"):
    """Wrong passwords for addresses nobody has, as a password sprayer would send them."""
    for number in range(settings.LOGIN_ATTEMPTS_PER_ADDRESS):
        assert post_login(client, f"niemand{number}@gemeinde.example", "falsch", ip=ip).status_code == 200


@pytest.fixture
def frozen():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def test_eleventh_attempt_in_a_minute_is_refused_even_with_the_right_password(client, gera_clerk, settings, frozen):
    assert settings.LOGIN_ATTEMPTS_PER_ADDRESS == 10
    factories.trust_device(client, gera_clerk)  # so that its wrong passwords count against the account
    for _ in range(4):
        assert LOGIN_FAILED in post_login(client, gera_clerk, "falsch").content.decode()
    for number in range(6):
        post_login(client, f"niemand{number}@gemeinde.example", "falsch")
    gera_clerk.refresh_from_db()
    assert gera_clerk.failed_login_count == 4

    response = post_login(client, gera_clerk, factories.PASSWORD)

    assert response.status_code == 429
    assert int(response["Retry-After"]) == 60
    html = response.content.decode()
    assert WAIT in html and "Ihr Zugang wurde dadurch nicht gesperrt." in html
    assert "<h1>Login</h1>" in html and "Anmelden" in html
    assert gera_clerk.email in html  # what was typed stays in the form
    assert factories.PASSWORD not in html
    assert "_auth_user_id" not in client.session
    gera_clerk.refresh_from_db()
    assert gera_clerk.failed_login_count == 4 and gera_clerk.status == Status.ACTIVE
    assert AuditEntry.objects.filter(action="login.failed", target=gera_clerk).count() == 4
    assert AuditEntry.objects.filter(action="login.throttled").count() == 1


def test_the_address_may_try_again_after_the_window(client, gera_clerk, settings, frozen):
    use_up_budget(client, settings)
    frozen.shift(timedelta(seconds=59))
    assert post_login(client, gera_clerk, factories.PASSWORD).status_code == 429
    frozen.shift(timedelta(seconds=1))
    response = post_login(client, gera_clerk, factories.PASSWORD)
    assert response.status_code == 302 and response.url == "/start/"


def test_two_addresses_do_not_share_a_budget(gera_clerk, settings, frozen):
    sprayer, colleague = Client(), Client()
    use_up_budget(sprayer, settings, ip="192.0.2.10")
    assert post_login(sprayer, gera_clerk, factories.PASSWORD, ip="192.0.2.10").status_code == 429
    assert post_login(colleague, gera_clerk, factories.PASSWORD, ip="198.51.100.7").status_code == 302


def test_spraying_from_one_address_does_not_lock_the_victims(client, gera_units, settings, frozen):
    victims = [factories.ClerkFactory(units=gera_units[:1]) for _ in range(5)]
    use_up_budget(client, settings)
    for _ in range(10):
        for victim in victims:
            assert post_login(client, victim, "Sommer2026!").status_code == 429
    for victim in victims:
        victim.refresh_from_db()
        assert victim.status == Status.ACTIVE and victim.failed_login_count == 0
        assert not AuditEntry.objects.filter(target=victim).exists()
    # one audit entry for the window, not one per refused request
    assert AuditEntry.objects.filter(action="login.throttled").count() == 1
    assert ThrottleWindow.objects.get(scope=throttling.LOGIN).refused == 50


def test_successful_logins_do_not_use_up_the_budget(gera_units, settings, frozen):
    """Colleagues behind one town-hall address log in one after another without waiting."""
    clerks = [factories.ClerkFactory(units=gera_units[:1]) for _ in range(settings.LOGIN_ATTEMPTS_PER_ADDRESS + 5)]
    for clerk in clerks:
        assert post_login(Client(), clerk, factories.PASSWORD).status_code == 302


def test_forwarded_for_is_ignored_without_trusted_proxies(client, gera_clerk, settings, frozen):
    use_up_budget(client, settings)
    response = post_login(client, gera_clerk, factories.PASSWORD, headers={"x-forwarded-for": "203.0.113.99"})
    assert response.status_code == 429


def test_behind_a_trusted_proxy_the_address_it_appended_counts(gera_clerk, settings, frozen):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    sprayer = Client()
    for number in range(settings.LOGIN_ATTEMPTS_PER_ADDRESS):
        # the sprayer puts a new address in front each time; the proxy appends the real one
        forwarded = f"203.0.113.{number}, 192.0.2.10"
        post_login(
            sprayer, f"niemand{number}@gemeinde.example", "falsch", ip=proxy, headers={"x-forwarded-for": forwarded}
        )
    refused = post_login(sprayer, gera_clerk, factories.PASSWORD, ip=proxy, headers={"x-forwarded-for": "192.0.2.10"})
    assert refused.status_code == 429
    colleague = post_login(
        Client(), gera_clerk, factories.PASSWORD, ip=proxy, headers={"x-forwarded-for": "198.51.100.7"}
    )
    assert colleague.status_code == 302


def test_an_ipv6_line_counts_as_one_address(client, gera_clerk, settings, frozen):
    for number in range(settings.LOGIN_ATTEMPTS_PER_ADDRESS):
        post_login(client, f"niemand{number}@gemeinde.example", "falsch", ip=f"2001:db8:1:2::{number + 1:x}")
    assert post_login(client, gera_clerk, factories.PASSWORD, ip="2001:db8:1:2:ffff::1").status_code == 429
    assert post_login(client, gera_clerk, factories.PASSWORD, ip="2001:db8:1:3::1").status_code == 302


def test_client_keys():
    assert throttling.client_key("192.0.2.10") == "192.0.2.10"
    assert throttling.client_key("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64"
    assert throttling.client_key("::ffff:192.0.2.10") == "192.0.2.10"


def test_the_django_admin_login_shares_the_budget(client, staff, settings, frozen):
    use_up_budget(client, settings)
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": staff.email, "password": factories.PASSWORD},
        REMOTE_ADDR="192.0.2.10",
    )
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    staff.refresh_from_db()
    assert staff.failed_login_count == 0
    assert (
        Client()
        .post(
            "/admin/login/?next=/admin/",
            {"username": staff.email, "password": factories.PASSWORD},
            REMOTE_ADDR="198.51.100.7",
        )
        .url
        == "/admin/"
    )


def test_forgot_password_is_limited_per_address(client, gera_units, settings, frozen):
    clerks = [
        factories.ClerkFactory(units=gera_units[:1]) for _ in range(settings.FORGOT_PASSWORD_REQUESTS_PER_ADDRESS + 1)
    ]
    responses = [
        client.post("/passwort-vergessen/", {"role": Role.CLERK, "email": clerk.email}, REMOTE_ADDR="192.0.2.10")
        for clerk in clerks
    ]
    assert [r.status_code for r in responses] == [200] * settings.FORGOT_PASSWORD_REQUESTS_PER_ADDRESS + [429]
    assert "Zu viele Anfragen. Bitte warten Sie eine Minute" in responses[-1].content.decode()
    assert PasswordRequest.objects.count() == settings.FORGOT_PASSWORD_REQUESTS_PER_ADDRESS
    clerks[-1].refresh_from_db()
    assert clerks[-1].status == Status.ACTIVE  # its password was not replaced
    assert AuditEntry.objects.filter(action="password.forgot_throttled").count() == 1


def test_registration_is_limited_per_address_and_refused_input_is_not_checked(client, gera, settings, frozen):
    form = {
        "first_name": "Petra",
        "last_name": "Neumann",
        "email": "petra.neumann@stadt-gera.example",
        "phone": "0365 838-1234",
        "member_number": "999999",  # unknown: answered with a message while the budget lasts
        "responsibilities": "on",
    }
    for _ in range(settings.REGISTRATIONS_PER_ADDRESS):
        assert "passen nicht zusammen" in client.post("/registrierung/", form).content.decode()
    refused = client.post("/registrierung/", {**form, "member_number": gera.number})
    assert refused.status_code == 429
    html = refused.content.decode()
    assert "Zu viele Registrierungen in kurzer Zeit" in html and "passen nicht zusammen" not in html
    assert not AdministratorApplication.objects.exists()
    assert AuditEntry.objects.filter(action="application.throttled").count() == 1


def test_old_windows_are_forgotten_by_the_hourly_command(client, settings, frozen):
    use_up_budget(client, settings)
    assert throttling.forget_old_windows() == 0
    frozen.shift(timedelta(seconds=settings.THROTTLE_WINDOW_SECONDS + 1))
    assert throttling.forget_old_windows() == 1  # the address's window; the account windows last longer
    assert ThrottleWindow.objects.exclude(scope=throttling.ACCOUNT_SCOPE).count() == 0
    frozen.shift(timedelta(seconds=settings.UNTRUSTED_LOGIN_WINDOW_SECONDS))
    throttling.forget_old_windows()
    assert not ThrottleWindow.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_parallel_attempts_cannot_slip_past_the_limit(settings):
    """20 requests at the same moment from one address: exactly the budget gets through."""
    barrier = threading.Barrier(20)
    results = []

    def attempt():
        try:
            barrier.wait()
            results.append(throttling.attempt(throttling.LOGIN, ip="192.0.2.10").allowed)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == [False] * 10 + [True] * settings.LOGIN_ATTEMPTS_PER_ADDRESS
    assert ThrottleWindow.objects.get().attempts == settings.LOGIN_ATTEMPTS_PER_ADDRESS
    assert AuditEntry.objects.filter(action="login.throttled").count() == 1


def test_the_wait_is_said_in_whole_minutes():
    assert "Bitte warten Sie eine Minute" in throttling.Decision(False, retry_after=60).message
    longer = throttling.Decision(False, retry_after=290, scope=throttling.REGISTRATION).message
    assert longer.startswith("Zu viele Registrierungen") and "Bitte warten Sie 5 Minuten" in longer


def test_head_requests_of_the_public_forms_count_no_attempt(client, settings):
    from security.models import ThrottleWindow

    for url in ("/login/", "/passwort-vergessen/", "/registrierung/"):
        for _ in range(settings.LOGIN_ATTEMPTS_PER_ADDRESS + 2):
            assert client.head(url).status_code == 200, url
    assert not ThrottleWindow.objects.exists()


def test_an_attempt_inside_a_running_window_is_counted_by_one_statement(settings, frozen, django_assert_num_queries):
    assert throttling.attempt(throttling.LOGIN, ip="192.0.2.77").allowed  # the window starts: the locked way
    with django_assert_num_queries(1):
        assert throttling.attempt(throttling.LOGIN, ip="192.0.2.77").allowed
    for _ in range(settings.LOGIN_ATTEMPTS_PER_ADDRESS - 2):
        assert throttling.attempt(throttling.LOGIN, ip="192.0.2.77").allowed
    assert not throttling.attempt(throttling.LOGIN, ip="192.0.2.77").allowed  # the budget is spent
    frozen.shift(timedelta(seconds=settings.THROTTLE_WINDOW_SECONDS))
    assert throttling.attempt(throttling.LOGIN, ip="192.0.2.77").allowed  # a new window
    row = ThrottleWindow.objects.get(scope=throttling.LOGIN, client="192.0.2.77")
    assert (row.attempts, row.refused) == (1, 0)
