"""How long a sent mail stays in the outbox: long enough for fund staff to answer "did the mail go out?",
not longer, since each row holds a person's address and what the portal told them."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from outbox.models import MessageStatus, OutboxMessage


def forget_old_sent() -> int:
    """Delete the mails sent more than OUTBOX_RETENTION_DAYS ago; waiting and failed mails stay for fund staff."""
    cutoff = timezone.now() - timedelta(days=settings.OUTBOX_RETENTION_DAYS)
    deleted, _ = OutboxMessage.objects.filter(status=MessageStatus.SENT, sent_at__lt=cutoff).delete()
    return deleted
