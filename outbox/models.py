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
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]

    def __str__(self):
        return f"{self.subject} an {self.to}"
