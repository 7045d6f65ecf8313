"""The outbox worker: claims due messages one at a time, sends them and records the outcome.

A claim is a short transaction that takes the message (SKIP LOCKED on PostgreSQL; SQLite's IMMEDIATE
transactions serialise the claims) and moves its next attempt past the claim period, so no second worker
takes it while it is being sent. The SMTP conversation runs outside any transaction and is bounded by
EMAIL_TIMEOUT. A temporary failure schedules the next attempt with exponential back-off; a permanent one
(the server refuses the recipient with a 5xx code) or the last allowed attempt marks the message failed,
for fund staff to see and resend in the Django admin.

Nothing is sent while sending is held on this database (outbox/sending.py: a restored copy, or paused by hand). A
running worker writes its heartbeat (WorkerHeartbeat) every few seconds, so that /healthz tells a stopped worker from
an idle one.
"""

import logging
import os
import signal
import smtplib
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from outbox import sending
from outbox.mail import as_email, enqueue
from outbox.models import SECRET_REMOVED, MessageStatus, OutboxMessage, WorkerHeartbeat

log = logging.getLogger("outbox")

MAX_ERROR_LENGTH = 2000
BEAT_SECONDS = 5  # how often a running worker writes its heartbeat at most
PAUSED_LOG_SECONDS = 600  # how often a held worker says so in the log


@dataclass
class RunResult:
    sent: list = field(default_factory=list)
    retried: list = field(default_factory=list)
    failed: list = field(default_factory=list)
    interrupted: bool = False  # the mail server could not be reached: the rest waits for the next run
    paused: bool = False  # sending is held on this database (outbox/sending.py): nothing was sent


class Heartbeat:
    """This worker's row in WorkerHeartbeat: written at most every BEAT_SECONDS, removed when it stops."""

    def __init__(self):
        self.name = f"{socket.gethostname()}:{os.getpid()}"[:200]
        self._written = float("-inf")
        self._claimed = False

    def claimed(self) -> None:
        self._claimed = True
        self.beat()

    def beat(self, *, paused: bool = False, force: bool = False) -> None:
        if not force and time.monotonic() - self._written < BEAT_SECONDS:
            return
        now = timezone.now()
        values = {"beat_at": now, "paused": paused} | ({"claimed_at": now} if self._claimed else {})
        WorkerHeartbeat.objects.update_or_create(name=self.name, defaults=values, create_defaults=values)
        self._written, self._claimed = time.monotonic(), False

    def stop(self) -> None:
        WorkerHeartbeat.objects.filter(name=self.name).delete()

    @staticmethod
    def forget_old(now=None) -> None:
        """Rows of workers that ended without saying so (killed), once nobody can mistake them for running ones."""
        WorkerHeartbeat.objects.filter(beat_at__lt=(now or timezone.now()) - timedelta(days=1)).delete()


def backoff(attempts: int) -> timedelta:
    """Wait after the n-th failed attempt: base, 2×base, 4×base … up to the maximum."""
    seconds = settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.OUTBOX_RETRY_MAX_SECONDS))


def send_again(messages) -> int:
    """Fund staff's "Erneut senden": a failed or waiting mail is tried again at once, with a fresh count of
    attempts (the same Message-ID); a sent one is sent again as a new mail. A mail that carried a secret (a login's
    e-mail code) whose text is gone is not sent again: it would reach its owner without the code, who asks for a new
    one instead. Returns how many go out."""
    with transaction.atomic():
        waiting = list(
            messages.exclude(status=MessageStatus.SENT)
            .exclude(secret=True, body=SECRET_REMOVED)
            .select_for_update()
            .order_by("pk")
        )
        OutboxMessage.objects.filter(pk__in=[m.pk for m in waiting]).update(
            status=MessageStatus.QUEUED, attempts=0, next_attempt_at=timezone.now()
        )
        copies = [
            enqueue(template=m.template, to=m.to, subject=m.subject, body=m.body)
            for m in messages.filter(status=MessageStatus.SENT, secret=False).order_by("pk")
        ]
    return len(waiting) + len(copies)


def claim(now=None, among=None) -> OutboxMessage | None:
    """Take the next due message (of `among`, a queryset of messages, if given) for this worker, or None when
    nothing is due."""
    now = now or timezone.now()
    with transaction.atomic():
        due = (among if among is not None else OutboxMessage.objects).due(now).order_by("next_attempt_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        message = due.first()
        if message is None:
            return None
        message.attempts += 1
        message.next_attempt_at = now + timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS)
        message.save(update_fields=["attempts", "next_attempt_at"])
    return message


def is_permanent(error: Exception) -> bool:
    """A 5xx answer about this message: trying again cannot help."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _text in error.recipients.values())
    if isinstance(error, smtplib.SMTPSenderRefused | smtplib.SMTPDataError):
        return error.smtp_code >= 500
    return False


def concerns_message(error: Exception) -> bool:
    """The server answered, but refused this message: the next message may still go through."""
    return isinstance(error, smtplib.SMTPRecipientsRefused | smtplib.SMTPSenderRefused | smtplib.SMTPDataError)


def _record(message: OutboxMessage, **changes) -> None:
    # Only if no other worker claimed the message after this worker's claim period ran out.
    OutboxMessage.objects.filter(pk=message.pk, attempts=message.attempts).update(**changes)
    for name, value in changes.items():
        setattr(message, name, value)


def _forget_secret(message: OutboxMessage) -> dict:
    """A secret mail's text leaves the outbox with its last attempt."""
    return {"body": SECRET_REMOVED} if message.secret else {}


def _failed(message: OutboxMessage, error: Exception, result: RunResult) -> None:
    now = timezone.now()
    text = f"{type(error).__name__}: {error}"[:MAX_ERROR_LENGTH]
    if is_permanent(error) or message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        _record(message, status=MessageStatus.FAILED, last_error=text, next_attempt_at=now, **_forget_secret(message))
        log.error("outbox.failed", extra={"outbox_id": message.pk, "template": message.template, "error": text})
        result.failed.append(message)
    else:
        _record(message, last_error=text, next_attempt_at=now + backoff(message.attempts))
        log.warning("outbox.retry", extra={"outbox_id": message.pk, "template": message.template, "error": text})
        result.retried.append(message)


def deliver_due(*, limit: int | None = None, among=None, heartbeat: Heartbeat | None = None) -> RunResult:
    """Send what is due now (of `among`, if given), one message after the other, over one SMTP connection; nothing
    while sending is held."""
    result = RunResult()
    if not sending.state().allowed:
        result.paused = True
        return result
    mail_connection = get_connection(timeout=settings.EMAIL_TIMEOUT)
    try:
        while limit is None or len(result.sent) + len(result.retried) + len(result.failed) < limit:
            message = claim(among=among)
            if message is None:
                break
            if heartbeat is not None:
                heartbeat.claimed()
            try:
                as_email(message, connection=mail_connection).send()
            except Exception as error:  # noqa: BLE001 - every failure of one mail is recorded on it
                _failed(message, error, result)
                _close(mail_connection)
                if not concerns_message(error):
                    result.interrupted = True
                    break
            else:
                _record(
                    message, status=MessageStatus.SENT, sent_at=timezone.now(), last_error="", **_forget_secret(message)
                )
                log.info("outbox.sent", extra={"outbox_id": message.pk, "template": message.template})
                result.sent.append(message)
    finally:
        _close(mail_connection)
    return result


def first_line(error: Exception) -> str:
    text = str(error).strip()
    return f"{type(error).__name__}: {text.splitlines()[0] if text else ''}".strip()


def _close(mail_connection) -> None:
    try:
        mail_connection.close()
    except Exception:  # noqa: BLE001 - a broken connection is discarded either way
        log.debug("outbox.close_failed", exc_info=True)


def _run_tasks(tasks) -> None:
    """The tasks that write mails beside the worker (OUTBOX_WORKER_TASKS), e.g. the administrators' notices. A failing
    task is logged and tried again at its next turn; it never stops the delivery of mail."""
    for task in tasks:
        try:
            task()
        except Exception:  # noqa: BLE001 - a task's error must not stop the worker
            log.warning("outbox.task_failed", exc_info=True, extra={"task": getattr(task, "__qualname__", str(task))})


def run(*, poll_seconds: float, stop: threading.Event | None = None) -> None:
    """Deliver due messages until stopped (SIGTERM or SIGINT end it after the current message)."""
    stop = stop or threading.Event()
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            previous[signum] = signal.signal(signum, lambda *_: stop.set())
    log.info("outbox.worker_started", extra={"poll_seconds": poll_seconds})
    tasks = [import_string(path) for path in settings.OUTBOX_WORKER_TASKS]
    tasks_due = 0.0
    heartbeat = Heartbeat()
    paused_logged = float("-inf")
    old_rows_forgotten = False
    try:
        while not stop.is_set():
            close_old_connections()
            try:
                if not old_rows_forgotten:
                    Heartbeat.forget_old()
                    old_rows_forgotten = True
                state = sending.state()
                heartbeat.beat(paused=not state.allowed)
                if not state.allowed:
                    if time.monotonic() - paused_logged >= PAUSED_LOG_SECONDS:
                        paused_logged = time.monotonic()
                        log.warning("outbox.paused", extra={"reason": state.reason})
                    stop.wait(poll_seconds)
                    continue
                if tasks and time.monotonic() >= tasks_due:
                    tasks_due = time.monotonic() + settings.OUTBOX_WORKER_TASK_SECONDS
                    _run_tasks(tasks)
                result = deliver_due(limit=100, heartbeat=heartbeat)
            except DatabaseError as error:
                # One line per poll while the database is away, not a traceback each time.
                log.warning("outbox.database_unavailable", extra={"error": first_line(error)})
                connection.close()
                result = RunResult(interrupted=True)
            busy = result.sent or result.retried or result.failed
            if not busy or result.interrupted or result.paused:
                stop.wait(poll_seconds)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        try:
            heartbeat.stop()
        except DatabaseError:
            log.debug("outbox.heartbeat_not_removed", exc_info=True)
    log.info("outbox.worker_stopped")
