"""Sessions (SESS-01 to SESS-08): new key at login, POST logout, idle and absolute timeouts,
and every session of a user ends when its password or one-time password is reset or it is locked."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import otp, services
from accounts.models import Role
from accounts.sessions import SessionStore
from clerks import services as clerk_services
from tests import factories
from tests.helpers import post_login

pytestmark = pytest.mark.django_db


def logged_in(user, password=factories.PASSWORD) -> Client:
    client = Client()
    response = post_login(client, user, password)
    assert response.status_code == 302
    return client


def test_login_issues_a_new_session_key(client, gera_clerk):
    client.get("/login/")
    client.session.save()
    before = client.session.session_key
    post_login(client, gera_clerk, factories.PASSWORD)
    assert client.session.session_key != before
    assert not Session.objects.filter(session_key=before).exists()


def test_a_login_writes_its_new_session_once_with_the_login_in_it(gera_clerk, settings):
    settings.CLERK_SECOND_FACTOR = "off"
    client = Client()
    client.get("/login/")
    with CaptureQueriesContext(connection) as queries:
        post_login(client, gera_clerk, factories.PASSWORD)
    writes = [q["sql"] for q in queries.captured_queries if "django_session" in q["sql"]]
    assert len(writes) == 1 and writes[0].startswith("INSERT")
    assert client.get("/start/").status_code == 200  # the session the INSERT wrote holds the login


def test_a_new_session_key_that_exists_already_is_drawn_again(gera_clerk, monkeypatch, settings):
    settings.CLERK_SECOND_FACTOR = "off"
    taken = logged_in(gera_clerk).session.session_key
    keys = iter([taken, "z" * 32])
    monkeypatch.setattr(SessionStore, "_get_new_session_key", lambda self: next(keys))
    client = logged_in(gera_clerk)
    assert client.session.session_key == "z" * 32
    assert Session.objects.filter(session_key=taken).exists()  # the other browser's session is untouched


def test_logout_is_a_post_and_deletes_the_session(gera_clerk):
    client = logged_in(gera_clerk)
    key = client.session.session_key
    assert client.get("/logout/").status_code == 405
    response = client.post("/logout/")
    assert response.url == "/login/"
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get("/start/").status_code == 302


def test_every_page_of_a_logged_in_user_offers_abmelden(gera_clerk):
    client = logged_in(gera_clerk)
    html = client.get("/start/").content.decode()
    assert 'action="/logout/"' in html and "Abmelden" in html


def test_idle_session_ends_after_thirty_minutes(gera_clerk, settings):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client = logged_in(gera_clerk)
        clock.shift(timedelta(minutes=29))
        assert client.get("/start/").status_code == 200  # this request extends the window
        clock.shift(timedelta(minutes=29))
        assert client.get("/start/").status_code == 200
        clock.shift(timedelta(seconds=settings.SESSION_IDLE_TIMEOUT_SECONDS + 1))
        response = client.get("/start/")
        assert response.status_code == 302 and response.url.startswith("/login/")


def test_session_ends_after_ten_hours_however_busy(gera_clerk, settings):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client = logged_in(gera_clerk)
        for _ in range(59):
            clock.shift(timedelta(minutes=10))
            assert client.get("/start/").status_code == 200
        clock.shift(timedelta(minutes=11))
        assert client.get("/start/").status_code == 302


@pytest.mark.parametrize("action", ["reset_otp", "lock", "deactivate"])
def test_all_sessions_end_when_credentials_are_reset_or_the_user_is_locked(gera_admin, gera_clerk, action, settings):
    phone, laptop = logged_in(gera_clerk), logged_in(gera_clerk)
    if action == "reset_otp":
        clerk_services.reset_otp(clerk=gera_clerk, by=gera_admin)
    elif action == "lock":
        clerk_services.lock_clerk(clerk=gera_clerk, by=gera_admin, reason="Ausgeschieden")
    else:
        for _ in range(settings.LOGIN_FAILURE_LIMIT):
            services.log_in(
                role=Role.CLERK,
                email=gera_clerk.email,
                password="falsch",
                device_tokens=factories.device_tokens(gera_clerk),
            )
    for client in (phone, laptop):
        response = client.get("/start/")
        assert response.status_code == 302 and response.url.startswith("/login/")


def test_forgot_password_ends_no_session_until_its_one_time_password_is_used(gera_clerk):
    """DESIGN §8: an anonymous "Passwort vergessen" cuts nobody off; using its one-time password does end the
    other sessions, because only that password counts from then on."""
    phone, laptop = logged_in(gera_clerk), logged_in(gera_clerk)
    services.request_password_reset(role=Role.CLERK, email=gera_clerk.email)
    for client in (phone, laptop):
        assert client.get("/start/").status_code == 200
    gera_clerk.refresh_from_db()
    assert services.log_in(role=Role.CLERK, email=gera_clerk.email, password=otp.readable(gera_clerk)).ok
    for client in (phone, laptop):
        response = client.get("/start/")
        assert response.status_code == 302 and response.url.startswith("/login/")


def test_changing_the_password_ends_the_other_sessions_only(gera_clerk):
    phone, laptop = logged_in(gera_clerk), logged_in(gera_clerk)
    new = "Kickelhahn im Nebel 77"
    phone.post("/passwort-aendern/", {"old_password": factories.PASSWORD, "new_password1": new, "new_password2": new})
    assert phone.get("/start/").status_code == 200
    assert laptop.get("/start/").status_code == 302


def test_session_cookie_flags(client, gera_clerk, settings):
    response = post_login(client, gera_clerk, factories.PASSWORD, factor=False)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["secure"] is True  # DEBUG is off in the tests, as in production
    assert not cookie["domain"]


def test_private_pages_are_not_cached(gera_clerk):
    client = logged_in(gera_clerk)
    assert "no-store" in client.get("/start/")["Cache-Control"]


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_session_is_one_insert_and_a_taken_key_is_drawn_again(monkeypatch, settings):
    """A login's session INSERT runs in autocommit, without BEGIN and COMMIT of its own; a key that exists already
    is refused by the unique key and drawn again, and the connection stays usable."""
    settings.CLERK_SECOND_FACTOR = "off"
    clerk = factories.ClerkFactory(units=[factories.BillingUnitFactory()])
    taken = logged_in(clerk).session.session_key
    keys = iter([taken, "y" * 32])
    monkeypatch.setattr(SessionStore, "_get_new_session_key", lambda self: next(keys))
    inside_a_transaction = []

    def watch(execute, sql, params, many, context):
        if sql.startswith('INSERT INTO "django_session"'):
            inside_a_transaction.append(connection.in_atomic_block)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        client = logged_in(clerk)
    assert client.session.session_key == "y" * 32 and inside_a_transaction == [False, False]
    assert Session.objects.filter(session_key=taken).exists()
    assert client.get("/start/").status_code == 200
