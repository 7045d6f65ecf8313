"""A copy of the database sends nothing until an operator has reconciled it with what the original sent and released
it; sending can be held by hand; the worker says it is alive (its heartbeat) and holds its tasks while held."""

import io
import threading
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from accounts import services as account_services
from accounts.models import Role, User
from audit.models import AuditEntry
from clerks import notices
from clerks.models import Notice
from outbox import sending, worker
from outbox.models import MessageStatus, OutboxMessage, Sending, WorkerHeartbeat
from tests import factories
from tests.mail import deliver_outbox

pytestmark = pytest.mark.django_db

ORIGINAL = "postgresql:7716215246779934868:16384"  # what a dump of another database carries


def manage(*args, stdin=None) -> str:
    out = io.StringIO()
    if stdin is not None:
        import sys

        previous, sys.stdin = sys.stdin, io.StringIO(stdin)
    try:
        call_command(*args, stdout=out)
    finally:
        if stdin is not None:
            sys.stdin = previous
    return out.getvalue()


def as_a_restored_copy():
    sending.state()  # this database has named itself (as migrate does)
    Sending.objects.filter(pk=1).update(database=ORIGINAL)


def test_a_new_database_sends_and_names_itself():
    factories.OutboxMessageFactory()
    assert len(deliver_outbox()) == 1
    assert Sending.objects.get().database == sending.database_identity()


def test_a_copy_sends_nothing_until_reconciled_and_released():
    first, second, third = factories.OutboxMessageFactory.create_batch(3)
    as_a_restored_copy()

    result = worker.deliver_due()
    assert result.paused and result.sent == [] and mail.outbox == []
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {MessageStatus.QUEUED}
    held = Sending.objects.get()
    assert held.paused_at is not None and ORIGINAL in held.pause_reason
    assert AuditEntry.objects.filter(action="outbox.paused").count() == 1
    assert "Versand angehalten, nichts gesendet" in manage("outbox_worker", "--once")
    status = manage("outbox", "status")
    assert "Versand: ANGEHALTEN" in status and "Kopie" in status and "Wartend: 3" in status
    queued = manage("outbox", "queued")
    assert [line.split("\t")[0] for line in queued.splitlines()] == [
        first.message_id,
        second.message_id,
        third.message_id,
    ]

    # The original's mail server log names the first one as sent (written without angle brackets there).
    marked = manage("outbox", "mark-sent", "-", stdin=first.message_id.strip("<>") + "\n")
    assert "1 wartende E-Mail(s) als bereits versandt vermerkt" in marked
    assert worker.deliver_due().paused  # still held: marking releases nothing

    assert "Versand freigegeben. 2 wartende E-Mail(s)" in manage("outbox", "resume")
    sent = deliver_outbox()
    assert sorted(m.extra_headers["Message-ID"] for m in sent) == sorted([second.message_id, third.message_id])
    first.refresh_from_db()
    assert first.status == MessageStatus.SENT and "bereits versandt" in first.last_error
    assert Sending.objects.get().database == sending.database_identity()
    actions = list(
        AuditEntry.objects.filter(action__startswith="outbox.").order_by("pk").values_list("action", "actor_label")
    )
    assert [a for a, _ in actions] == ["outbox.paused", "outbox.reconciled", "outbox.resumed"]
    assert actions[1][1].startswith("Betrieb (")


def test_a_secret_mail_marked_as_sent_keeps_no_secret():
    code = factories.OutboxMessageFactory(secret=True, body="Ihr Code: 123456")
    as_a_restored_copy()
    manage("outbox", "mark-sent", "-", stdin=code.message_id)
    code.refresh_from_db()
    assert code.status == MessageStatus.SENT and "123456" not in code.body


def test_sending_held_by_hand_waits_until_resumed():
    factories.OutboxMessageFactory()
    assert manage("outbox", "pause") == "Versand angehalten.\n"
    assert manage("outbox", "pause") == "Der Versand war bereits angehalten.\n"
    assert worker.deliver_due().paused and mail.outbox == []
    manage("outbox", "resume")
    assert len(deliver_outbox()) == 1
    assert Sending.objects.get().notices_from is None  # the original tells of every case


def test_a_released_copy_does_not_notice_again_what_the_original_noticed(gera_admin, gera_clerk):
    """Cases from before the copy was noticed were told by the original (after its dump, too); cases on the copy
    after that are told."""
    now = timezone.now()
    User.objects.filter(pk=gera_admin.pk).update(date_joined=now - timedelta(days=30))
    with time_machine.travel(now - timedelta(minutes=30), tick=False):
        account_services.request_password_reset(role=Role.CLERK, email=gera_clerk.email)
    as_a_restored_copy()
    with time_machine.travel(now - timedelta(minutes=20), tick=False):
        sending.state()  # the worker started on the copy: held from now on
    manage("outbox", "resume")
    assert notices.send_due() == 0
    account_services.request_password_reset(role=Role.CLERK, email=gera_clerk.email)
    assert notices.send_due() == 1
    assert Notice.objects.get().administrator == gera_admin


@pytest.mark.django_db(transaction=True)
def test_the_worker_beats_and_holds_its_tasks_while_sending_is_held(gera_admin, gera_clerk, settings):
    settings.OUTBOX_WORKER_TASK_SECONDS = 0
    account_services.request_password_reset(role=Role.CLERK, email=gera_clerk.email)
    sending.pause(by="Betrieb")
    beats = []

    class Stop(threading.Event):
        def wait(self, timeout=None):
            beats.append(WorkerHeartbeat.objects.values_list("paused", flat=True).first())
            if len(beats) >= 2:
                self.set()
            return self.is_set()

    worker.run(poll_seconds=0, stop=Stop())
    assert beats[0] is True  # alive, and saying that it is held
    assert Notice.objects.count() == 0 and not OutboxMessage.objects.filter(template="clerk_notices").exists()
    assert WorkerHeartbeat.objects.count() == 0  # a worker that stopped takes its row with it
