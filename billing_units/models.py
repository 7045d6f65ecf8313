from django.core.validators import RegexValidator
from django.db import models

six_digits = RegexValidator(r"^\d{6}\Z", "Bitte geben Sie eine sechsstellige Nummer ein (z. B. 002020).")


class Member(models.Model):
    """Mitglied: an employer, e.g. 002020 "Stadt Gera"."""

    number = models.CharField("Mitgliedsnummer", max_length=6, unique=True, validators=[six_digits])
    name = models.CharField("Mitgliedsname", max_length=200)
    street = models.CharField("Straße und Hausnummer", max_length=200, blank=True)
    postal_code = models.CharField("Postleitzahl", max_length=5, blank=True)
    city = models.CharField("Ort", max_length=100, blank=True)

    class Meta:
        verbose_name = "Mitglied"
        verbose_name_plural = "Mitglieder"
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(condition=models.Q(number__regex=r"^[0-9]{6}$"), name="member_number_six_digits"),
        ]

    def __str__(self):
        return f"{self.number} {self.name}"

    def address_lines(self, attention: str = "") -> list[str]:
        """The lines of the address field in DIN 5008 order: organisation, attention line ("z. Hd. …"), street,
        postcode and city; empty lines are left out."""
        lines = (self.name, attention, self.street, f"{self.postal_code} {self.city}".strip())
        return [line for line in lines if line]


class BillingUnitQuerySet(models.QuerySet):
    def visible_to(self, user):
        """An administrator's registered billing units; a clerk's granted ones; nothing for anyone else."""
        if getattr(user, "is_administrator", False):
            return self.filter(administrators=user)
        if getattr(user, "is_clerk", False):
            return self.filter(grants__clerk=user)
        return self.none()

    def of_members_visible_to(self, user):
        """Every billing unit of the members an administrator belongs to, registered for or not (to show which units
        its colleagues are registered for)."""
        if not getattr(user, "is_administrator", False):
            return self.none()
        return self.filter(member_id__in=user.member_ids)


class BillingUnit(models.Model):
    """Abrechnungsstelle: the unit through which a member reports, e.g. 002021 "Stadt Gera – Eigenbetrieb Bäder"."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="billing_units", verbose_name="Mitglied")
    number = models.CharField("Abrechnungsstellennummer", max_length=6, unique=True, validators=[six_digits])
    name = models.CharField("Abrechnungsstellenname", max_length=200)

    objects = BillingUnitQuerySet.as_manager()

    class Meta:
        verbose_name = "Abrechnungsstelle"
        verbose_name_plural = "Abrechnungsstellen"
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(number__regex=r"^[0-9]{6}$"), name="billing_unit_number_six_digits"
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.name}"
