"""The test helper for mail: every mail goes through the outbox, so a test asserts it was queued and sent."""

from django.core import mail

from outbox import worker
from outbox.models import MessageStatus, OutboxMessage


def deliver_outbox() -> list:
    """Run the outbox worker once, as `manage.py outbox_worker --once` does, and return the mails it sent
    (Django's test backend: `mail.outbox`). Every mail that was waiting must have been sent."""
    waiting = set(OutboxMessage.objects.filter(status=MessageStatus.QUEUED).values_list("pk", flat=True))
    before = len(mail.outbox)
    result = worker.deliver_due()
    assert {m.pk for m in result.sent} == waiting, (result.retried, result.failed)
    return mail.outbox[before:]
