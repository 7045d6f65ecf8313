"""The security log (checklist LOG-01 to LOG-06) and the error page (LOG-08).

Log output is captured through the portal's own JSON formatter (the one LOGGING configures), from every
logger at every level, so the tests see exactly the lines production would write."""

import io
import json
import logging
import re
from datetime import datetime, timedelta

import pytest
from django.test import Client

from accounts import otp
from accounts.models import Role, Status, User
from outbox.models import OutboxMessage
from tests import factories
from tests.helpers import post_factor, post_login
from tests.mail import deliver_outbox

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Kickelhahn im Nebel 77"
WRONG_PASSWORDS = ["Kickelhahn im Nebel 78", "Ein sicheres Passwort 2025"]


@pytest.fixture
def log_output():
    """A stream that receives every record of every logger, formatted as in production."""
    formatter = logging.getLogger("security").handlers[0].formatter
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    loggers = [logging.getLogger(), logging.getLogger("security"), logging.getLogger("django")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    yield stream
    for logger, level in zip(loggers, levels, strict=True):
        logger.removeHandler(handler)
        logger.setLevel(level)


def records(stream) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def events(stream, name) -> list[dict]:
    return [record for record in records(stream) if record.get("event") == name]


# --- LOG-01, LOG-06: every authentication event, with UTC time, event, user, address and outcome ------------


def test_authentication_events_are_logged_with_utc_time_user_address_and_outcome(log_output, gera_units):
    clerk = factories.PendingClerkFactory(units=gera_units[:1])
    client = Client()
    post_login(client, clerk.email, otp_value := clerk.otp_plain, role=Role.CLERK, secure=True)
    client.post("/passwort-aendern/", {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, secure=True)
    client.post("/logout/", secure=True)
    post_login(client, clerk.email, NEW_PASSWORD, role=Role.CLERK, secure=True)
    for _ in range(5):
        post_login(
            client, clerk.email, WRONG_PASSWORDS[0], role=Role.CLERK, secure=True
        )  # from the clerk's trusted browser
    clerk.refresh_from_db()
    assert clerk.status == Status.DEACTIVATED and otp_value

    expected = [
        ("login.otp_used", "granted", logging.INFO),
        ("user.logged_out", "ended", logging.INFO),
        ("login.succeeded", "granted", logging.INFO),
        ("login.failed", "refused", logging.WARNING),
        ("user.deactivated", "locked_out", logging.WARNING),
    ]
    for name, outcome, level in expected:
        found = events(log_output, name)
        assert found, name
        assert found[0]["outcome"] == outcome and found[0]["user_id"] == clerk.pk
        assert found[0]["level"] == logging.getLevelName(level)
    assert events(log_output, "login.succeeded")[0]["ip"] == "192.0.2.10"
    assert len(events(log_output, "login.failed")) == 5
    for record in records(log_output):
        moment = datetime.fromisoformat(record["timestamp"])
        assert record["timestamp"].endswith("+00:00") and moment.utcoffset() == timedelta(0)


def test_unknown_login_names_are_logged_as_failures_without_a_user(log_output, db):
    post_login(Client(), "niemand@gemeinde.example", "egal", role=Role.ADMINISTRATOR, secure=True)
    (failure,) = events(log_output, "login.failed")
    assert failure["user_id"] is None and failure["verdict"] == "unknown"
    assert failure["login_name"] == "niemand@gemeinde.example" and failure["role"] == Role.ADMINISTRATOR


# --- LOG-05: no forged lines -------------------------------------------------------------------------------


def test_cr_and_lf_in_a_login_name_cannot_forge_a_log_line(log_output, db):
    post_login(Client(), 'x\r\nFAKE {"event": "login.succeeded"}', "egal", role=Role.CLERK, secure=True)
    lines = log_output.getvalue().splitlines()
    assert not any(line.startswith("FAKE") for line in lines)
    (failure,) = [line for line in lines if '"login.failed"' in line]
    assert "\\r\\n" in failure and "\r" not in failure
    assert json.loads(failure)["login_name"] == 'x\r\nfake {"event": "login.succeeded"}'
    assert events(log_output, "login.succeeded") == []


# --- LOG-04: no password, one-time password, session key or CSRF token in any log line ----------------------


def test_no_secret_ever_reaches_the_log_or_an_email(log_output, gera_admin, gera_units, staff):
    secrets = {factories.PASSWORD, NEW_PASSWORD, *WRONG_PASSWORDS}
    clients = []

    def client():
        clients.append(Client())
        return clients[-1]

    administrator = client()
    post_login(administrator, gera_admin.email, factories.PASSWORD, role=Role.ADMINISTRATOR, secure=True)
    person = {"first_name": "Max", "last_name": "Test", "phone": "012345678", "email": "max.test@stadt-gera.example"}
    administrator.post("/benutzer/neu/", person, secure=True)
    token = administrator.session["clerk_draft"]["token"]
    administrator.post("/benutzer/neu/abrechnungsstellen/", {"token": token, "units": [gera_units[0].pk]}, secure=True)
    clerk = User.objects.get(email=person["email"], role=Role.CLERK)
    secrets.add(otp.readable(clerk))
    detail = administrator.get(f"/benutzer/{clerk.pk}/", secure=True).content.decode()
    secrets.update(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', detail))

    # the clerk: a wrong one-time password, the right one, a personal password, a wrong and a right login
    clerk_client = client()
    post_login(clerk_client, clerk.email, WRONG_PASSWORDS[1], role=Role.CLERK, secure=True)
    post_login(clerk_client, clerk.email, otp.readable(clerk), role=Role.CLERK, secure=True)
    clerk_client.post("/passwort-aendern/", {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, secure=True)
    clerk_client.post("/logout/", secure=True)
    post_login(clerk_client, clerk.email, WRONG_PASSWORDS[0], role=Role.CLERK, secure=True)
    post_login(clerk_client, clerk.email, NEW_PASSWORD, role=Role.CLERK, secure=True)

    # the administrator sets a new one-time password; the clerk asks for one itself
    administrator.post(f"/benutzer/{clerk.pk}/einmalpasswort/", secure=True)
    clerk.refresh_from_db()
    secrets.add(otp.readable(clerk))
    client().post("/passwort-vergessen/", {"role": Role.CLERK, "email": clerk.email}, secure=True)
    clerk.refresh_from_db()
    secrets.add(otp.readable(clerk))

    # five wrong passwords from the clerk's own browser: Deaktiviert with a new one-time password
    for _ in range(5):
        post_login(clerk_client, clerk.email, WRONG_PASSWORDS[0], role=Role.CLERK, ip="198.51.100.7", secure=True)
    clerk.refresh_from_db()
    assert clerk.status == Status.DEACTIVATED
    secrets.add(otp.readable(clerk))

    # fund staff: the access letter with a new one-time password
    fund = client()
    fund.post("/admin/login/?next=/admin/", {"username": staff.email, "password": factories.PASSWORD}, secure=True)
    post_factor(fund, factories.totp_code(staff), secure=True)
    fund.post(
        "/admin/accounts/user/",
        {"action": "issue_access_letter", "_selected_action": [gera_admin.pk]},
        secure=True,
    )
    gera_admin.refresh_from_db()
    secrets.add(otp.readable(gera_admin))
    fund.get(f"/admin/accounts/user/{gera_admin.pk}/zugangsbrief/", secure=True)

    for each in clients:
        for cookie in each.cookies.values():
            secrets.add(cookie.value)
    secrets.discard("")
    assert len([s for s in secrets if s and s.isdigit() and len(s) == 10]) == 5  # five one-time passwords

    # what the outbox stores, and what the worker sends and logs
    stored = "".join(
        "".join(row)
        for row in OutboxMessage.objects.values_list("subject", "body", "to", "message_id", "template", "last_error")
    )
    sent = deliver_outbox()
    output = log_output.getvalue()
    names = {record.get("event") for record in records(log_output)}
    assert {"login.succeeded", "login.otp_used", "login.failed", "user.deactivated", "user.logged_out"} <= names
    assert "password.forgot_requested" in names
    leaked = sorted(secret for secret in secrets if secret in output)
    assert leaked == []
    assert sorted(secret for secret in secrets if secret in stored) == []
    mails = "".join(message.message().as_string() for message in sent)
    # created, personal password set, new one-time password, "Passwort vergessen", deactivated
    assert len(sent) >= 5
    assert sorted(secret for secret in secrets if secret in mails) == []


# --- LOG-02: refused access is logged --------------------------------------------------------------------


def test_another_members_object_is_a_logged_404(log_output, client, gera_admin, jena_clerk):
    client.force_login(gera_admin)
    assert client.get(f"/benutzer/{jena_clerk.pk}/", secure=True).status_code == 404
    (denied,) = events(log_output, "access.denied")
    assert denied["level"] == "WARNING" and denied["outcome"] == "not_found"
    assert denied["user_id"] == gera_admin.pk
    assert denied["path"] == f"/benutzer/{jena_clerk.pk}/" and denied["method"] == "GET"
    assert denied["view"] == "clerks:detail" and denied["arguments"] == {"pk": jena_clerk.pk}


def test_the_wrong_role_is_a_logged_403(log_output, client, gera_clerk):
    client.force_login(gera_clerk)
    assert client.post("/benutzer/neu/", secure=True).status_code == 403
    (denied,) = events(log_output, "access.denied")
    assert denied["outcome"] == "forbidden" and denied["user_id"] == gera_clerk.pk
    assert denied["view"] == "clerks:create" and denied["method"] == "POST"


def test_an_unknown_address_is_not_an_access_decision(log_output, client, gera_admin):
    client.force_login(gera_admin)
    assert client.get("/gibt-es-nicht/", secure=True).status_code == 404
    assert events(log_output, "access.denied") == []


def test_a_missing_csrf_token_is_logged(log_output, gera_clerk):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"role": Role.CLERK, "email": gera_clerk.email, "password": "x"}, secure=True)
    assert response.status_code == 403 and "Formular abgelaufen" in response.content.decode()
    (refused,) = events(log_output, "csrf.refused")
    assert refused["path"] == "/login/" and refused["level"] == "WARNING"


# --- LOG-08: a German error page without internals ------------------------------------------------------


@pytest.mark.urls("tests.urls_with_error")
def test_an_error_gives_a_german_page_with_an_incident_number_and_no_traceback(log_output, settings):
    assert settings.DEBUG is False
    client = Client(raise_request_exception=False)
    response = client.get("/kaputt/", secure=True)
    assert response.status_code == 500
    html = response.content.decode()
    assert "Es ist ein Fehler aufgetreten" in html and "portal@kvt-zvk.de" in html
    for internal in ("Traceback", "RuntimeError", "geheime Interna", "SELECT", "urls_with_error", "File "):
        assert internal not in html
    incident = re.search(r"Fehlernummer <strong>([0-9A-F]{12})</strong>", html).group(1)
    (logged,) = [r for r in records(log_output) if r.get("incident") == incident]
    assert logged["level"] == "ERROR" and logged["path"] == "/kaputt/"
    assert "RuntimeError: geheime Interna" in logged["exc_info"]
    # one record per error: Django's own "Internal Server Error" with a second traceback is not written
    assert [r for r in records(log_output) if "exc_info" in r] == [logged]
    assert [r for r in records(log_output) if r["logger"] == "django.request"] == []
