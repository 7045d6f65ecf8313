"""The mail outbox: every e-mail the portal sends is first a row here, written in the transaction of the
action it belongs to, and then sent by the worker (outbox/worker.py) with retries (DESIGN §8)."""

from django.db import models
from django.utils import timezone


class MessageStatus(models.TextChoices):
    QUEUED = "queued", "Wartet auf Versand"
    SENT = "sent", "Gesendet"
    FAILED = "failed", "Fehlgeschlagen"


SECRET_REMOVED = "(Vertraulicher Inhalt, nach dem Versand gelöscht.)"


class OutboxMessageQuerySet(models.QuerySet):
    def due(self, now=None):
        """Queued messages whose next attempt has come."""
        return self.filter(status=MessageStatus.QUEUED, next_attempt_at__lte=now or timezone.now())


class OutboxMessage(models.Model):
    """One e-mail to one recipient, so that a refused address does not hold up another's mail.

    Holds what is sent (subject, body, the headers fixed at enqueue) and never a password or one-time
    password: the mails only tell people to ask their administrator (tests/outbox/test_outbox.py). The one secret
    a mail carries, a login's e-mail code, is marked `secret` and blanked once the mail is out."""

    template = models.CharField("Vorlage", max_length=100)
    to = models.EmailField("Empfänger", max_length=254)
    subject = models.CharField("Betreff", max_length=300)
    body = models.TextField("Text")
    from_email = models.CharField("Absender", max_length=300)
    message_id = models.CharField("Message-ID", max_length=300, unique=True)
    status = models.CharField("Status", max_length=10, choices=MessageStatus.choices, default=MessageStatus.QUEUED)
    attempts = models.PositiveIntegerField("Versuche", default=0)
    created_at = models.DateTimeField("Erstellt am", default=timezone.now)
    next_attempt_at = models.DateTimeField("Nächster Versuch", default=timezone.now)
    sent_at = models.DateTimeField("Gesendet am", null=True, blank=True)
    last_error = models.TextField("Letzter Fehler", blank=True)
    # A mail that carries a secret (the e-mail code of a clerk's login): its text is replaced by SECRET_REMOVED
    # as soon as it was sent or failed for good, so the outbox never keeps the secret readable.
    secret = models.BooleanField("Vertraulich", default=False)

    objects = OutboxMessageQuerySet.as_manager()

    class Meta:
        verbose_name = "E-Mail im Postausgang"
        verbose_name_plural = "E-Mails im Postausgang"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due"),
            # How many mails an address got in the last hour (outbox.mail.within_rate).
            models.Index(fields=["to", "created_at"], name="outbox_recipient"),
        ]

    def __str__(self):
        return f"{self.subject} an {self.to}"


class Sending(models.Model):
    """Whether this database may send its mails: one row (outbox/sending.py).

    It names the database it was released for. A copy restored from a dump carries the original's name, so its
    worker holds every mail until an operator has reconciled the copy with what the original sent and released it
    (`manage.py outbox resume`); the same .env cannot make a copy send twice."""

    database = models.CharField("Freigegeben für Datenbank", max_length=200)
    paused_at = models.DateTimeField("Angehalten seit", null=True, blank=True)
    pause_reason = models.CharField("Grund", max_length=300, blank=True)
    released_at = models.DateTimeField("Freigegeben am", null=True, blank=True)
    # A restored copy does not turn cases from before its restore into notices again (clerks/notices.py): the
    # original told the administrators of them.
    notices_from = models.DateTimeField("Hinweise erst für Fälle ab", null=True, blank=True)

    class Meta:
        verbose_name = "Versandfreigabe"
        verbose_name_plural = "Versandfreigabe"

    def __str__(self):
        return "angehalten" if self.paused_at else "freigegeben"


class WorkerHeartbeat(models.Model):
    """A running outbox worker says it is alive here (every few seconds) and when it last took a mail; /healthz
    reads it to tell a stopped worker from an idle one."""

    name = models.CharField("Worker", max_length=200, unique=True)  # host:pid
    started_at = models.DateTimeField("Gestartet am", default=timezone.now)
    beat_at = models.DateTimeField("Zuletzt gemeldet", default=timezone.now)
    claimed_at = models.DateTimeField("Zuletzt E-Mail übernommen", null=True, blank=True)
    paused = models.BooleanField("Versand angehalten", default=False)

    class Meta:
        verbose_name = "Outbox-Worker"
        verbose_name_plural = "Outbox-Worker"

    def __str__(self):
        return self.name
