"""Registrierung (manual §2, §7.2): a person's application to administer a member's billing units, decided by fund
staff."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.models import Salutation, User
from billing_units.models import BillingUnit


class ApplicationStatus(models.TextChoices):
    OPEN = "open", "Offen"
    APPROVED = "approved", "Freigegeben"
    REJECTED = "rejected", "Abgelehnt"


class AdministratorApplication(models.Model):
    """Registrierung: a person's application to administer a member's billing units (manual §2, §7.2)."""

    salutation = models.CharField("Anrede", max_length=10, choices=Salutation.choices, blank=True, default="")
    first_name = models.CharField("Vorname", max_length=150)
    last_name = models.CharField("Nachname", max_length=150)
    email = models.EmailField("E-Mail")
    phone = models.CharField("Telefonnummer", max_length=40)
    member = models.ForeignKey(
        "billing_units.Member", on_delete=models.PROTECT, related_name="applications", verbose_name="Mitglied"
    )
    all_units = models.BooleanField("alle Abrechnungsstellen des Mitglieds", default=False)
    billing_units = models.ManyToManyField(
        "billing_units.BillingUnit",
        blank=True,
        related_name="+",
        verbose_name="Abrechnungsstellen",
        db_table="accounts_administratorapplication_billing_units",
    )
    responsibilities_confirmed = models.BooleanField("Verantwortung bestätigt", default=False)
    status = models.CharField(
        "Status", max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.OPEN
    )
    created_at = models.DateTimeField("eingegangen am", default=timezone.now)
    decided_at = models.DateTimeField("entschieden am", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="entschieden von",
    )
    rejection_reason = models.TextField("Ablehnungsgrund", max_length=500, blank=True)
    administrator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name="Administrator",
    )

    class Meta:
        db_table = "accounts_administratorapplication"
        verbose_name = "Registrierung als Administrator"
        verbose_name_plural = "Registrierungen als Administrator"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ApplicationStatus.values), name="application_status_valid"
            ),
            models.CheckConstraint(condition=models.Q(email=Lower("email")), name="application_email_lower_case"),
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name} <{self.email}> – {self.member}"

    @property
    def is_open(self) -> bool:
        """Not decided yet: fund staff may still approve or reject it."""
        return self.status == ApplicationStatus.OPEN

    def earlier_accounts(self) -> list[User]:
        """Administrator accounts of the same person at the same member: by e-mail, or by name (§4: a change
        of name or e-mail means registering again). The account that this registration's approval created is not
        an earlier one; an account it renewed is."""
        return earlier_accounts_of([self])[self.pk]

    def is_earlier_account(self, user: User) -> bool:
        """The rule of `earlier_accounts` for one administrator account whose memberships are loaded."""
        same_person = user.email == self.email or (
            user.first_name.casefold() == self.first_name.casefold()
            and user.last_name.casefold() == self.last_name.casefold()
            and any(membership.member_id == self.member_id for membership in user.memberships.all())
        )
        created_by_this = user.pk == self.administrator_id and user.date_joined >= self.created_at
        return same_person and not created_by_this


def earlier_accounts_of(applications) -> dict[int, list[User]]:
    """The earlier accounts of each registration (`AdministratorApplication.earlier_accounts`), with their
    memberships and registered units, in a fixed number of queries however many registrations there are (the
    Django admin's change list)."""
    applications = list(applications)
    if not applications:
        return {}
    candidates = models.Q()
    for application in applications:
        candidates |= models.Q(email=application.email) | models.Q(
            first_name__iexact=application.first_name,
            last_name__iexact=application.last_name,
            memberships__member_id=application.member_id,
        )
    users = list(
        User.objects.administrators()
        .filter(candidates)
        .distinct()
        .order_by("pk")
        .prefetch_related(
            "memberships", models.Prefetch("scope_units", queryset=BillingUnit.objects.select_related("member"))
        )
    )
    return {application.pk: [u for u in users if application.is_earlier_account(u)] for application in applications}
