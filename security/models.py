"""The counters of the limits per client address and per account, shared by every app server."""

from django.db import models


class ThrottleWindow(models.Model):
    """Attempts from one client address at one public form (login, Passwort vergessen, registration) in the
    current window; the window starts with its first attempt (security/throttling.py). Also the failures of
    untrusted clients per account (security/devices.py).

    One row per form and address, in the database so that every app server shares the count."""

    scope = models.CharField("Formular", max_length=20)
    client = models.CharField("Absender (IP-Adresse bzw. IPv6-Netz)", max_length=64)
    started_at = models.DateTimeField("Beginn des Zeitfensters")
    attempts = models.PositiveIntegerField("Versuche", default=0)
    refused = models.PositiveIntegerField("abgewiesen", default=0)

    class Meta:
        db_table = "accounts_throttlewindow"
        verbose_name = "Versuchszähler"
        verbose_name_plural = "Versuchszähler"
        constraints = [models.UniqueConstraint(fields=["scope", "client"], name="throttle_scope_client_unique")]

    def __str__(self):
        return f"{self.scope} {self.client}: {self.attempts}"
