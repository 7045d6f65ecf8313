"""Mail never blocks or breaks an action (DESIGN §8): the outbox against a real SMTP server on loopback.

Every action that mails answers normally whether the mail server is up, down or hanging, because the page
only writes the mail into the outbox; the worker sends it, with retries, once the server answers."""

import re
import time
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.utils import timezone

from accounts import emails, otp
from accounts.models import Role, Status, User
from clerks import services as clerk_services
from outbox import worker
from outbox.models import MessageStatus, OutboxMessage
from tests import factories
from tests.smtp import HangingServer, SMTPServer, closed_port

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Kickelhahn im Nebel 77"


@pytest.fixture
def smtp_settings(settings):
    """The SMTP backend, as production configures it with EMAIL_URL; the port is set by each test."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 2
    settings.PORTAL_URL = "https://portal.meinezvk.de"
    return settings


@pytest.fixture
def smtp_server(smtp_settings):
    server = SMTPServer().start()
    smtp_settings.EMAIL_PORT = server.port
    yield server
    server.stop()


def queued() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(status=MessageStatus.QUEUED).order_by("pk"))


def every_action_that_mails(gera_admin, gera_units, gera_clerk) -> list[tuple[str, int]]:
    """Create a clerk, "Einmalpasswort setzen", change an e-mail, "Passwort vergessen", set a personal
    password, the fifth wrong password: (what, HTTP status) of each."""
    answers = []
    admin = Client()
    admin.force_login(gera_admin)
    person = {"first_name": "Max", "last_name": "Test", "phone": "012345678", "email": "max.test@stadt-gera.example"}
    admin.post("/benutzer/neu/", person)
    token = admin.session["clerk_draft"]["token"]
    response = admin.post("/benutzer/neu/abrechnungsstellen/", {"token": token, "units": [gera_units[0].pk]})
    answers.append(("Sachbearbeiter anlegen", response.status_code))
    response = admin.post(f"/benutzer/{gera_clerk.pk}/einmalpasswort/")
    answers.append(("Einmalpasswort setzen", response.status_code))
    data = {
        "first_name": "Anna",
        "last_name": "Schmidt",
        "phone": "0365 838-2222",
        "email": "anna.neu@stadt-gera.example",
    }
    response = admin.post(f"/benutzer/{gera_clerk.pk}/persoenliche-daten/", data)
    answers.append(("E-Mail ändern", response.status_code))
    response = Client().post("/passwort-vergessen/", {"role": Role.CLERK, "email": "anna.neu@stadt-gera.example"})
    answers.append(("Passwort vergessen", response.status_code))
    pending = factories.PendingClerkFactory(email="bernd.mueller@stadt-gera.example", units=gera_units[:1])
    clerk = Client()
    clerk.post("/login/", {"role": Role.CLERK, "email": pending.email, "password": pending.otp_plain})
    response = clerk.post("/passwort-aendern/", {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    answers.append(("persönliches Passwort setzen", response.status_code))
    victim = factories.ClerkFactory(email="clara.wagner@stadt-gera.example", units=gera_units[:1])
    own_browser = factories.trust_device(Client(), victim)  # wrong passwords count from the clerk's own browser
    for _ in range(5):
        response = own_browser.post("/login/", {"role": Role.CLERK, "email": victim.email, "password": "falsch"})
    assert User.objects.get(pk=victim.pk).status == Status.DEACTIVATED
    answers.append(("fünftes falsches Passwort", response.status_code))
    return answers


EXPECTED_ANSWERS = [
    ("Sachbearbeiter anlegen", 302),
    ("Einmalpasswort setzen", 302),
    ("E-Mail ändern", 302),
    ("Passwort vergessen", 200),
    ("persönliches Passwort setzen", 302),
    ("fünftes falsches Passwort", 200),
]
# the e-mail change tells the old and the new address, each in a mail of its own
EXPECTED_RECIPIENTS = sorted(
    [
        "max.test@stadt-gera.example",
        "anna.schmidt@stadt-gera.example",  # new one-time password, before the change
        "anna.schmidt@stadt-gera.example",  # the old address
        "anna.neu@stadt-gera.example",  # the new address
        "anna.neu@stadt-gera.example",  # "Passwort vergessen"
        "bernd.mueller@stadt-gera.example",
        "clara.wagner@stadt-gera.example",
    ]
)


def test_mails_arrive_at_a_real_smtp_server_with_their_headers(smtp_server, gera_admin, gera_units, gera_clerk):
    with time_machine.travel(datetime(2026, 7, 6, 11, 55, tzinfo=UTC), tick=True):
        assert every_action_that_mails(gera_admin, gera_units, gera_clerk) == EXPECTED_ANSWERS
        assert smtp_server.messages == []  # the pages wrote the mails, nobody sent them yet
        call_command("outbox_worker", "--once")
    assert sorted(rcpt for rcpts, _ in smtp_server.messages for rcpt in rcpts) == EXPECTED_RECIPIENTS
    assert queued() == [] and OutboxMessage.objects.filter(status=MessageStatus.SENT).count() == 7
    for _rcpts, message in smtp_server.messages:
        assert re.fullmatch(r"<[^@<>]+@portal\.meinezvk\.de>", message["Message-ID"])
        assert message["Auto-Submitted"] == "auto-generated"
        date = parsedate_to_datetime(message["Date"])
        assert date.utcoffset() == timedelta(hours=2)  # Berlin in summer
        assert message["Date"].endswith("+0200")
        assert message["From"] == "=?utf-8?q?Zusatzversorgungskasse_Th=C3=BCringen?= <portal@kvt-zvk.de>"
    ids = {message["Message-ID"] for _rcpts, message in smtp_server.messages}
    assert len(ids) == 7
    # a second run sends nothing again
    call_command("outbox_worker", "--once")
    assert len(smtp_server.messages) == 7


def test_with_the_mail_server_down_every_action_answers_and_its_mail_arrives_once_the_server_is_back(
    smtp_settings, gera_admin, gera_units, gera_clerk
):
    smtp_settings.EMAIL_PORT = closed_port()
    assert every_action_that_mails(gera_admin, gera_units, gera_clerk) == EXPECTED_ANSWERS
    assert len(queued()) == 7
    result = worker.deliver_due()
    assert result.interrupted and result.sent == [] and len(result.retried) == 1
    tried = OutboxMessage.objects.get(pk=result.retried[0].pk)
    assert tried.status == MessageStatus.QUEUED and tried.attempts == 1
    assert "Connection refused" in tried.last_error or "ConnectionRefusedError" in tried.last_error
    assert tried.next_attempt_at > timezone.now() + timedelta(seconds=25)  # back-off, not a busy loop
    assert len(queued()) == 7

    server = SMTPServer()
    server.port = smtp_settings.EMAIL_PORT
    server.start()
    try:
        with time_machine.travel(timezone.now() + timedelta(minutes=1), tick=True):
            result = worker.deliver_due()
    finally:
        server.stop()
    assert len(result.sent) == 7
    assert sorted(rcpt for rcpts, _ in server.messages for rcpt in rcpts) == EXPECTED_RECIPIENTS
    assert queued() == []


def test_a_hanging_mail_server_delays_no_page_and_the_worker_gives_up_after_email_timeout(
    smtp_settings, gera_admin, gera_clerk
):
    hanging = HangingServer()
    smtp_settings.EMAIL_PORT = hanging.port
    smtp_settings.EMAIL_TIMEOUT = 0.5
    try:
        admin = Client()
        admin.force_login(gera_admin)
        assert admin.post(f"/benutzer/{gera_clerk.pk}/einmalpasswort/").status_code == 302
        assert hanging.connections_waiting() == 0  # the page never talked to the mail server
        started = time.monotonic()
        result = worker.deliver_due()
        assert time.monotonic() - started < 5
        assert hanging.connections_waiting() == 1
    finally:
        hanging.close()
    assert result.interrupted and len(result.retried) == 1
    message = OutboxMessage.objects.get()
    assert message.status == MessageStatus.QUEUED and "timed out" in message.last_error


def test_a_refused_old_address_does_not_stop_the_mail_to_the_new_one(smtp_server, gera_admin, gera_clerk):
    smtp_server.handler.refuse = {"anna.schmidt@stadt-gera.example"}
    clerk_services.update_personal_data(clerk=gera_clerk, by=gera_admin, email="anna.neu@stadt-gera.example")
    result = worker.deliver_due()
    assert [m.to for m in result.sent] == ["anna.neu@stadt-gera.example"]
    assert [rcpts for rcpts, _ in smtp_server.messages] == [["anna.neu@stadt-gera.example"]]
    # the refusal is permanent (5xx): failed at once, for fund staff to see, not retried for hours
    failed = OutboxMessage.objects.get(to="anna.schmidt@stadt-gera.example")
    assert failed.status == MessageStatus.FAILED and "550" in failed.last_error


def test_a_temporary_failure_is_retried_with_growing_back_off_until_the_last_attempt(settings, smtp_settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    smtp_settings.EMAIL_PORT = closed_port()
    message = factories.OutboxMessageFactory()
    waits = []
    now = timezone.now()
    for _ in range(3):
        with time_machine.travel(now, tick=False):
            worker.deliver_due()
        message.refresh_from_db()
        waits.append(message.next_attempt_at - now)
        now = message.next_attempt_at + timedelta(seconds=1)
    assert waits[:2] == [timedelta(seconds=30), timedelta(seconds=60)]
    assert message.status == MessageStatus.FAILED and message.attempts == 3


def test_a_rolled_back_action_sends_nothing_and_a_committed_one_always_sends(gera_admin, gera_clerk):
    with pytest.raises(RuntimeError), transaction.atomic():
        clerk_services.reset_otp(clerk=gera_clerk, by=gera_admin)
        raise RuntimeError("the rest of the action failed")
    assert OutboxMessage.objects.count() == 0
    clerk_services.reset_otp(clerk=gera_clerk, by=gera_admin)
    assert [m.to for m in queued()] == [gera_clerk.email]


def test_two_workers_never_claim_the_same_mail(gera_clerk):
    factories.OutboxMessageFactory.create_batch(3)
    first, second, third = worker.claim(), worker.claim(), worker.claim()
    assert len({first.pk, second.pk, third.pk}) == 3
    assert worker.claim() is None  # each is reserved for the worker that took it


def test_a_claimed_mail_whose_worker_died_is_sent_after_the_claim_period(settings):
    message = factories.OutboxMessageFactory()
    assert worker.claim().pk == message.pk
    assert worker.deliver_due().sent == []
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS + 1)):
        assert [m.pk for m in worker.deliver_due().sent] == [message.pk]


def test_forgot_password_for_a_known_and_an_unknown_address_only_writes_rows(smtp_settings, gera_clerk):
    """No SMTP in the request at all, so its time reveals nothing about the account."""
    hanging = HangingServer()
    smtp_settings.EMAIL_PORT = hanging.port
    try:
        for email in (gera_clerk.email, "niemand@stadt-gera.example"):
            response = Client().post("/passwort-vergessen/", {"role": Role.CLERK, "email": email})
            assert response.status_code == 200
        assert hanging.connections_waiting() == 0
    finally:
        hanging.close()
    assert [m.to for m in queued()] == [gera_clerk.email]


def test_no_mail_in_the_outbox_carries_a_password_or_one_time_password(gera_admin, gera_units, gera_clerk):
    every_action_that_mails(gera_admin, gera_units, gera_clerk)
    secrets = {factories.PASSWORD, NEW_PASSWORD}
    secrets |= {otp.readable(user) for user in User.objects.all()} - {None}
    assert len(secrets) >= 5
    stored = " ".join(f"{m.subject} {m.body} {m.to} {m.message_id}" for m in OutboxMessage.objects.all())
    assert sorted(s for s in secrets if s in stored) == []


def test_the_outbox_is_the_one_door_for_every_mail(gera_clerk):
    emails.send_templated("otp_reset", gera_clerk.email, {"user": gera_clerk})
    assert [m.template for m in queued()] == ["otp_reset"]
