"""The report of each run of the deletion rules (`manage.py apply_retention`), for fund staff to read."""

from django.db import models
from django.utils import timezone


class RetentionRun(models.Model):
    """One run of the deletion rules: when, whether it only looked (dry run), and what it did per data type."""

    started_at = models.DateTimeField("Zeitpunkt", default=timezone.now)
    dry_run = models.BooleanField("nur Probelauf", default=False)
    report = models.JSONField("Ergebnis", default=dict)

    class Meta:
        verbose_name = "Löschlauf"
        verbose_name_plural = "Löschläufe"
        ordering = ["-started_at", "-pk"]

    def __str__(self):
        kind = "Probelauf" if self.dry_run else "Löschlauf"
        return f"{kind} {self.started_at:%d.%m.%Y %H:%M}"
