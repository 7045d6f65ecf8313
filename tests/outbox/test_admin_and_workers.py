"""Fund staff see what waits and what failed, and resend; two workers never send the same mail twice."""

import threading
from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from outbox import worker
from outbox.models import MessageStatus, OutboxMessage
from tests import factories


@pytest.fixture
def staff_client(staff):
    client = Client()
    client.force_login(staff)
    return client


@pytest.mark.django_db
def test_fund_staff_see_queued_and_failed_mails_in_german(staff_client):
    factories.OutboxMessageFactory(to="wartet@stadt-gera.example")
    factories.OutboxMessageFactory(
        to="kaputt@stadt-gera.example", status=MessageStatus.FAILED, attempts=12, last_error="550 Mailbox unavailable"
    )
    html = staff_client.get("/admin/outbox/outboxmessage/").content.decode()
    for text in ("E-Mails im Postausgang", "Empfänger", "Betreff", "Wartet auf Versand", "Fehlgeschlagen", "Versuche"):
        assert text in html, text
    assert "wartet@stadt-gera.example" in html and "kaputt@stadt-gera.example" in html
    failed_only = staff_client.get("/admin/outbox/outboxmessage/", {"status": "failed"}).content.decode()
    assert "kaputt@stadt-gera.example" in failed_only and "wartet@stadt-gera.example" not in failed_only
    index = staff_client.get("/admin/").content.decode()
    assert "E-Mail-Postausgang" in index


@pytest.mark.django_db
def test_resending_a_failed_mail_queues_it_and_the_worker_sends_it(staff_client):
    failed = factories.OutboxMessageFactory(status=MessageStatus.FAILED, attempts=12, last_error="Timeout")
    sent = factories.OutboxMessageFactory(status=MessageStatus.SENT, attempts=1, sent_at=timezone.now())
    response = staff_client.post(
        "/admin/outbox/outboxmessage/", {"action": "resend", "_selected_action": [failed.pk, sent.pk]}, follow=True
    )
    assert "2 E-Mail(s) werden erneut gesendet." in response.content.decode()
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (MessageStatus.QUEUED, 0)
    # the sent one goes out again as a mail of its own, with a new Message-ID
    copy = OutboxMessage.objects.exclude(pk__in=[failed.pk, sent.pk]).get()
    assert (copy.to, copy.subject, copy.status) == (sent.to, sent.subject, MessageStatus.QUEUED)
    assert copy.message_id != sent.message_id
    result = worker.deliver_due()
    assert sorted(m.pk for m in result.sent) == sorted([failed.pk, copy.pk])
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_the_admin_cannot_write_or_delete_mails(staff_client):
    message = factories.OutboxMessageFactory()
    assert staff_client.get("/admin/outbox/outboxmessage/add/").status_code == 403
    assert staff_client.post(f"/admin/outbox/outboxmessage/{message.pk}/delete/").status_code == 403
    staff_client.post(f"/admin/outbox/outboxmessage/{message.pk}/change/", {"to": "anders@example.org"})
    message.refresh_from_db()
    assert message.to != "anders@example.org"


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_the_same_time_send_every_mail_exactly_once():
    messages = factories.OutboxMessageFactory.create_batch(30)
    barrier = threading.Barrier(2)
    errors = []

    def run_worker():
        try:
            barrier.wait(10)
            worker.deliver_due()
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run_worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    sent = Counter(message.extra_headers["Message-ID"] for message in mail.outbox)
    assert sorted(sent) == sorted(m.message_id for m in messages)
    assert set(sent.values()) == {1}
    assert OutboxMessage.objects.filter(status=MessageStatus.SENT).count() == 30


@pytest.mark.django_db(transaction=True)
def test_the_running_worker_sends_what_is_due_and_stops_when_told(monkeypatch):
    """As under systemd: the loop sends, and SIGTERM (here: its stop event) ends it after the current mail."""
    message = factories.OutboxMessageFactory()
    stop = threading.Event()
    deliver = worker.deliver_due

    def deliver_then_stop(**kwargs):
        result = deliver(**kwargs)
        stop.set()
        return result

    monkeypatch.setattr(worker, "deliver_due", deliver_then_stop)
    worker.run(poll_seconds=0, stop=stop)
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert [m.extra_headers["Message-ID"] for m in mail.outbox] == [message.message_id]


@pytest.mark.django_db(transaction=True)
def test_the_worker_survives_a_database_that_does_not_answer(monkeypatch):
    from django.db import OperationalError

    message = factories.OutboxMessageFactory()
    stop = threading.Event()
    calls = []
    deliver = worker.deliver_due

    def flaky(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        stop.set()
        return deliver(**kwargs)

    monkeypatch.setattr(worker, "deliver_due", flaky)
    worker.run(poll_seconds=0, stop=stop)
    message.refresh_from_db()
    assert len(calls) == 2 and message.status == MessageStatus.SENT


@pytest.mark.django_db
def test_sent_mails_are_forgotten_after_the_retention_period_waiting_and_failed_ones_stay(settings):
    settings.OUTBOX_RETENTION_DAYS = 90
    now = timezone.now()
    old = factories.OutboxMessageFactory(status=MessageStatus.SENT, sent_at=now - timedelta(days=91))
    recent = factories.OutboxMessageFactory(status=MessageStatus.SENT, sent_at=now - timedelta(days=89))
    failed = factories.OutboxMessageFactory(status=MessageStatus.FAILED, created_at=now - timedelta(days=200))
    waiting = factories.OutboxMessageFactory(created_at=now - timedelta(days=200))
    with time_machine.travel(now, tick=False):
        call_command("clear_expired_otps")
    left = set(OutboxMessage.objects.values_list("pk", flat=True))
    assert left == {recent.pk, failed.pk, waiting.pk} and old.pk not in left


@pytest.mark.django_db
def test_fund_staff_read_no_login_code_in_a_waiting_retried_or_failed_mail(staff_client, gera_clerk, settings):
    """The e-mail code in every state of its mail: waiting, waiting again after a temporary failure, failed for
    good. The list, the search and the mail's page show the subject and the address, never the code."""
    from tests.helpers import email_code, post_login

    post_login(Client(), gera_clerk, factories.PASSWORD, ip="127.0.80.1", factor=False)
    code = email_code(gera_clerk)
    message = OutboxMessage.objects.get(template="factor_email_code")
    pages = {}
    for state, change in {
        "waiting": {},
        "retried": {"attempts": 2, "last_error": "421 try again later"},
        "failed": {"status": MessageStatus.FAILED, "attempts": 12, "body": worker.SECRET_REMOVED},
    }.items():
        OutboxMessage.objects.filter(pk=message.pk).update(**change)
        pages[state] = " ".join(
            staff_client.get(url).content.decode()
            for url in ("/admin/outbox/outboxmessage/", f"/admin/outbox/outboxmessage/{message.pk}/change/")
        )
        found = staff_client.get("/admin/outbox/outboxmessage/", {"q": code}).content.decode()
        assert f"/admin/outbox/outboxmessage/{message.pk}/change/" not in found  # the search reads no text
    assert all(gera_clerk.email in page for page in pages.values())
    assert [state for state, page in pages.items() if code in page] == []


@pytest.mark.django_db
def test_no_mail_of_a_new_access_carries_its_one_time_password(staff_client, staff, gera_admin, gera_units):
    """ "Ihr Zugang" (a new clerk), "Neues Einmalpasswort", the access letter of fund staff: the password is handed
    over in person or by letter, never in a mail, so no state of the outbox shows it."""
    from accounts import services as account_services
    from clerks import services as clerk_services

    clerk = clerk_services.create_clerk(
        by=gera_admin,
        first_name="Neu",
        last_name="Zugang",
        phone="0365 838-1000",
        email="neu.zugang@stadt-gera.example",
        unit_ids=[gera_units[0].pk],
    )
    secrets = {clerk_services.reset_otp(clerk=clerk, by=gera_admin)}
    secrets.add(account_services.issue_access_letter_otp(user=gera_admin, by=staff))
    OutboxMessage.objects.update(status=MessageStatus.FAILED, last_error="550 unbekannt")
    stored = " ".join(f"{m.subject} {m.body} {m.last_error}" for m in OutboxMessage.objects.all())
    listing = staff_client.get("/admin/outbox/outboxmessage/").content.decode()
    assert {"clerk_created", "otp_reset"} <= set(OutboxMessage.objects.values_list("template", flat=True))
    assert [s for s in secrets if s in stored or s in listing] == []


@pytest.mark.django_db
def test_a_failed_code_mail_without_its_code_is_not_sent_again(staff_client):
    failed_code = factories.OutboxMessageFactory(
        status=MessageStatus.FAILED, attempts=12, secret=True, body=worker.SECRET_REMOVED, template="email_code"
    )
    response = staff_client.post(
        "/admin/outbox/outboxmessage/", {"action": "resend", "_selected_action": [failed_code.pk]}, follow=True
    )
    html = response.content.decode()
    assert "0 E-Mail(s) werden erneut gesendet." in html and "fordert bei der Anmeldung einen neuen Code an" in html
    failed_code.refresh_from_db()
    assert failed_code.status == MessageStatus.FAILED
    assert worker.deliver_due().sent == [] and mail.outbox == []
