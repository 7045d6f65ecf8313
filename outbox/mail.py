"""Putting an e-mail into the outbox. The only way the portal sends mail (accounts.emails.send_templated)."""

from datetime import timedelta
from email.utils import format_datetime, make_msgid
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone

from outbox.models import OutboxMessage


def portal_domain() -> str:
    """The host of PORTAL_URL: the right-hand side of every Message-ID."""
    return urlsplit(settings.PORTAL_URL).hostname or "localhost"


def enqueue(*, template: str, to: str, subject: str, body: str, secret: bool = False) -> OutboxMessage:
    """Store one mail to one recipient. Call it inside the transaction of the action it belongs to: a rolled
    back action leaves no mail, a committed one always gets its mail sent. A `secret` mail's text is removed from
    the outbox once it was sent or failed for good."""
    return OutboxMessage.objects.create(
        template=template,
        to=to,
        subject=subject,
        body=body,
        secret=secret,
        from_email=settings.DEFAULT_FROM_EMAIL,
        message_id=make_msgid(domain=portal_domain()),
        created_at=timezone.now(),
    )


def within_rate(to: str, now=None) -> bool:
    """May one more mail that can wait (a notice, which otherwise goes into the day's digest) be written to this
    address now? At most OUTBOX_RATE_PER_RECIPIENT_HOUR mails of any kind in the last hour: a storm of cases stays a
    trickle in anyone's inbox. Mails a person waits for (a login code, a changed password) are never held."""
    since = (now or timezone.now()) - timedelta(hours=1)
    return OutboxMessage.objects.filter(to=to, created_at__gte=since).count() < settings.OUTBOX_RATE_PER_RECIPIENT_HOUR


def headers(message: OutboxMessage) -> dict:
    """The headers fixed when the mail was written: a retry sends the same Message-ID and Date."""
    berlin = message.created_at.astimezone(ZoneInfo(settings.TIME_ZONE))
    return {
        "Message-ID": message.message_id,
        "Date": format_datetime(berlin),
        # RFC 3834: an automatic mail; well-behaved servers send no vacation replies to it.
        "Auto-Submitted": "auto-generated",
    }


def as_email(message: OutboxMessage, connection=None) -> EmailMessage:
    return EmailMessage(
        message.subject,
        message.body,
        message.from_email,
        [message.to],
        headers=headers(message),
        connection=connection,
    )
