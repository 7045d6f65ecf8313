"""Grants (Berechtigungen) and member locks (Mitgliedersperren) of clerks."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class GrantQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Grants an administrator may see and change: those for its own billing units."""
        if not getattr(user, "is_administrator", False):
            return self.none()
        # A join with the registration (unique per user and unit, so no duplicates) rather than "unit IN (...)":
        # SQLite then starts from the clerks asked for instead of from every registered unit.
        return self.filter(billing_unit__administrators=user)


class Grant(models.Model):
    """Berechtigung: full read and write access of a clerk to one billing unit (manual §3 Hinweis)."""

    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grants", verbose_name="Sachbearbeiter"
    )
    billing_unit = models.ForeignKey(
        "billing_units.BillingUnit", on_delete=models.PROTECT, related_name="grants", verbose_name="Abrechnungsstelle"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="erteilt von",
    )
    granted_at = models.DateTimeField("erteilt am", default=timezone.now)

    objects = GrantQuerySet.as_manager()

    class Meta:
        verbose_name = "Berechtigung"
        verbose_name_plural = "Berechtigungen"
        ordering = ["billing_unit__number"]
        constraints = [models.UniqueConstraint(fields=["clerk", "billing_unit"], name="unique_grant")]
        indexes = [models.Index(fields=["billing_unit", "clerk"], name="grant_unit_clerk_idx")]

    def __str__(self):
        return f"{self.clerk} – {self.billing_unit}"


class LockKind(models.TextChoices):
    ADMINISTRATOR = "administrator", "durch einen Administrator"
    CASCADE = "cascade", "letzter Administrator gesperrt"
    INACTIVITY = "inactivity", "Inaktivität"


INACTIVITY_REASON = "Inaktivität"
CASCADE_REASON = (
    "Der letzte Administrator des Mitglieds wurde gesperrt. Der Zugang wird wieder aktiviert, sobald die "
    "Zusatzversorgungskasse einen neuen Administrator freigegeben hat."
)


class MemberLockQuerySet(models.QuerySet):
    def open(self):
        return self.filter(lifted_at__isnull=True)

    def visible_to(self, user):
        """Locks of the members an administrator registered for."""
        if not getattr(user, "is_administrator", False):
            return self.none()
        return self.filter(member_id__in=user.member_ids)


class MemberLock(models.Model):
    """Mitgliedersperre: one member's withdrawal of a clerk (manual §7.1). Never deleted; lifting keeps it."""

    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="member_locks", verbose_name="Sachbearbeiter"
    )
    member = models.ForeignKey(
        "billing_units.Member", on_delete=models.PROTECT, related_name="clerk_locks", verbose_name="Mitglied"
    )
    kind = models.CharField("Art", max_length=20, choices=LockKind.choices, default=LockKind.ADMINISTRATOR)
    reason = models.TextField("Sperrgrund", max_length=500)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="gesperrt von",
    )
    locked_by_label = models.CharField("Gesperrt von", max_length=254)
    locked_at = models.DateTimeField("Gesperrt am", default=timezone.now)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="aufgehoben von",
    )
    lifted_by_label = models.CharField("Aufgehoben von", max_length=254, blank=True)
    lifted_at = models.DateTimeField("Aufgehoben am", null=True, blank=True)

    objects = MemberLockQuerySet.as_manager()

    class Meta:
        verbose_name = "Mitgliedersperre"
        verbose_name_plural = "Mitgliedersperren"
        ordering = ["-locked_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["clerk", "member"],
                condition=models.Q(lifted_at__isnull=True),
                name="one_open_lock_per_clerk_and_member",
            ),
            models.CheckConstraint(condition=models.Q(kind__in=LockKind.values), name="member_lock_kind_valid"),
        ]
        indexes = [models.Index(fields=["member", "kind"], name="lock_member_kind_idx")]

    def __str__(self):
        return f"{self.clerk} – {self.member} ({self.get_kind_display()})"

    @property
    def is_open(self) -> bool:
        return self.lifted_at is None


class SuspendedGrant(models.Model):
    """A grant taken away by a member lock, kept so that lifting the lock restores exactly it (§7.1 h)."""

    lock = models.ForeignKey(
        MemberLock, on_delete=models.CASCADE, related_name="suspended_grants", verbose_name="Mitgliedersperre"
    )
    billing_unit = models.ForeignKey(
        "billing_units.BillingUnit", on_delete=models.PROTECT, related_name="+", verbose_name="Abrechnungsstelle"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="erteilt von",
    )
    granted_at = models.DateTimeField("erteilt am")

    class Meta:
        verbose_name = "ausgesetzte Berechtigung"
        verbose_name_plural = "ausgesetzte Berechtigungen"
        constraints = [models.UniqueConstraint(fields=["lock", "billing_unit"], name="unique_suspended_grant")]

    def __str__(self):
        return str(self.billing_unit)


class AccessReviewQuerySet(models.QuerySet):
    def open(self):
        return self.filter(completed_at__isnull=True)

    def visible_to(self, user):
        """The reviews of the members an administrator belongs to."""
        if not getattr(user, "is_administrator", False):
            return self.none()
        return self.filter(member_id__in=user.member_ids)


class AccessReview(models.Model):
    """Berechtigungen bestätigen (BSI ORP.4.A3): once a year each member's administrators confirm, person by person,
    that the access of its clerks and co-administrators is still needed (clerks/review.py)."""

    member = models.ForeignKey(
        "billing_units.Member", on_delete=models.PROTECT, related_name="access_reviews", verbose_name="Mitglied"
    )
    year = models.PositiveSmallIntegerField("Jahr")
    started_at = models.DateTimeField("begonnen am", default=timezone.now)
    reminders = models.PositiveSmallIntegerField("Erinnerungen", default=0)
    completed_at = models.DateTimeField("abgeschlossen am", null=True, blank=True)

    objects = AccessReviewQuerySet.as_manager()

    class Meta:
        verbose_name = "Überprüfung der Berechtigungen"
        verbose_name_plural = "Überprüfungen der Berechtigungen"
        ordering = ["-year", "member__number"]
        constraints = [models.UniqueConstraint(fields=["member", "year"], name="one_access_review_per_member_year")]

    def __str__(self):
        return f"{self.member} {self.year}"

    @property
    def is_open(self) -> bool:
        return self.completed_at is None


class Confirmation(models.Model):
    """One person's access confirmed in a review, by whom and when ("zuletzt bestätigt am … von …")."""

    review = models.ForeignKey(AccessReview, on_delete=models.CASCADE, related_name="confirmations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="confirmations", verbose_name="Benutzer"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="bestätigt von"
    )
    confirmed_at = models.DateTimeField("bestätigt am", default=timezone.now)

    class Meta:
        verbose_name = "Bestätigung"
        verbose_name_plural = "Bestätigungen"
        constraints = [models.UniqueConstraint(fields=["review", "user"], name="one_confirmation_per_review_user")]

    def __str__(self):
        return f"{self.user} – {self.review}"


class NoticeKind(models.TextChoices):
    FORGOT_PASSWORD = "forgot_password", "„Passwort vergessen“ angefordert"
    DEACTIVATED = "deactivated", "nach Falscheingaben deaktiviert"
    OTP_EXPIRING = "otp_expiring", "Einmalpasswort läuft bald ab und wurde noch nicht genutzt"


class Notice(models.Model):
    """One case an administrator is told of (clerks/notices.py): at once, or in the day's digest."""

    administrator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notices_received",
        verbose_name="Administrator",
    )
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="Sachbearbeiter"
    )
    kind = models.CharField("Anlass", max_length=20, choices=NoticeKind.choices)
    case = models.CharField("Fall", max_length=64)  # the audit entry or one-time password it is about
    created_at = models.DateTimeField("erfasst am", default=timezone.now)
    sent_at = models.DateTimeField("versendet am", null=True, blank=True)

    class Meta:
        verbose_name = "Benachrichtigung"
        verbose_name_plural = "Benachrichtigungen"
        constraints = [
            models.UniqueConstraint(fields=["administrator", "clerk", "kind", "case"], name="one_notice_per_case"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.clerk} an {self.administrator}"


class AttentionKind(models.TextChoices):
    """The kinds of "Handlungsbedarf" (clerks/attention.py), with the title each shows."""

    HANDOVER = "handover", "Einmalpasswort übergeben"
    EXPIRY = "expiry", "Einmalpasswort läuft ab oder ist abgelaufen"
    WITHOUT_UNITS = "without_units", "Ohne Abrechnungsstelle"
    DORMANT = "dormant", "Lange nicht angemeldet"
    REFUSED = "refused", "Unbekannte Geräte werden abgewiesen"


class AttentionMark(models.Model):
    """An administrator's "übergeben" / "erledigt" on an entry of "Handlungsbedarf": the entry leaves that
    administrator's box until its case happens again. The occurrence names the case: the one-time password's
    creation (übergeben) or expiry, the last login (lange nicht angemeldet), the start of the refusal window; a clerk
    without billing units has none, and its mark is void once the clerk is given a unit."""

    administrator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="Administrator"
    )
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="Sachbearbeiter"
    )
    kind = models.CharField("Handlungsbedarf", max_length=20, choices=AttentionKind.choices)
    occurrence = models.DateTimeField("Fall vom", null=True, blank=True)
    marked_at = models.DateTimeField("markiert am", default=timezone.now)

    class Meta:
        verbose_name = "erledigter Handlungsbedarf"
        verbose_name_plural = "erledigter Handlungsbedarf"
        constraints = [
            models.UniqueConstraint(fields=["clerk", "administrator", "kind"], name="one_attention_mark_per_kind"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.clerk} von {self.administrator}"
