"""What a grant protects (DESIGN §9): the insured persons (Versicherte) of the billing units, their
Versicherungsverlauf, the Meldungen the clerks write for them, and the log of every read of their data.

Scope: every queryset here has `visible_to(user)`, which starts from the clerk's active grants
(`BillingUnit.objects.visible_to`): a grant withdrawn, suspended by a member lock or ended with the clerk's lock
is gone from the next request on. Administrators see none of it (they administer users); fund staff see all of it
in the Django admin only.
"""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Exists, OuterRef
from django.db.models.functions import Upper
from django.utils import timezone

from accounts.models import DomainError
from accounts.spelling import fold
from base import collation
from base.append_only import AppendOnly, AppendOnlyQuerySet
from billing_units.models import BillingUnit

insurance_number_validator = RegexValidator(
    r"^\d{10}\Z", "Bitte geben Sie die zehnstellige Versicherungsnummer ein (z. B. 0020200001)."
)
MAX_PAY = Decimal("10000000000")  # the columns hold 12 digits, two of them cents
not_negative = MinValueValidator(Decimal("0"), "Das Entgelt darf nicht negativ sein.")


def granted_units(user):
    """The billing units whose insured persons the user may read and report for: a clerk's active grants, nobody
    else's."""
    if not getattr(user, "is_clerk", False):
        return BillingUnit.objects.none()
    return BillingUnit.objects.visible_to(user)


class InsuredPersonQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The persons employed (now or earlier) at one of the clerk's granted units."""
        if not getattr(user, "is_clerk", False):
            return self.none()
        return self.filter(Exists(Employment.objects.filter(person=OuterRef("pk"), billing_unit__grants__clerk=user)))


class InsuredPerson(models.Model):
    """Versicherter: a person insured at the fund. The Versicherungsnummer is the fund's and unique; the
    employments say at which billing units of which member the person is (or was) reported."""

    insurance_number = models.CharField(
        "Versicherungsnummer", max_length=10, unique=True, validators=[insurance_number_validator]
    )
    last_name = models.CharField("Name", max_length=100)
    first_name = models.CharField("Vorname", max_length=100)
    birth_date = models.DateField("Geburtsdatum")
    # "Name Vorname" folded as the search folds a word (accounts/spelling.py), set by save(): the search compares
    # this column, under a trigram index on PostgreSQL (migration 0003), instead of folding every name per query.
    search_name = models.CharField("Name zum Suchen", max_length=201, editable=False, default="")

    objects = InsuredPersonQuerySet.as_manager()

    class Meta:
        verbose_name = "Versicherter"
        verbose_name_plural = "Versicherte"
        ordering = ["last_name", "first_name", "pk"]
        indexes = [models.Index(fields=["last_name", "first_name"], name="insured_name_idx")]

    def __str__(self):
        return f"{self.last_name}, {self.first_name} ({self.insurance_number})"

    def save(self, *args, **kwargs):
        """Keeps the folded name of the search and the employments' copy of the name (their sort key in
        "Versicherte") in step."""
        self.search_name = fold(f"{self.last_name} {self.first_name}")[:201]
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_name"}
        super().save(*args, **kwargs)
        Employment.objects.filter(person=self).exclude(sort_name=self.sort_name).update(sort_name=self.sort_name)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def sort_name(self) -> str:
        return collation.name_key(self.last_name, self.first_name)[:310]


class EmploymentQuerySet(models.QuerySet):
    def visible_to(self, user, *, granted=None):
        """The employments at the clerk's granted units. `granted`: the ids of `granted_units(user)` where the caller
        has read them in this request already; the filter is then a plain list, along which the database walks the
        index of "Versicherte" in name order instead of sorting every person of the unit."""
        if not getattr(user, "is_clerk", False):
            return self.none()
        if granted is not None:
            return self.filter(billing_unit_id__in=list(granted))
        return self.filter(billing_unit__grants__clerk=user)


class Employment(models.Model):
    """Beschäftigung: a person reported by one billing unit, with the employer's Personalnummer, Beschäftigungsbeginn
    and -ende. A person may have been employed by two units of a member over time; one row per unit."""

    person = models.ForeignKey(
        InsuredPerson, on_delete=models.PROTECT, related_name="employments", verbose_name="Versicherter"
    )
    billing_unit = models.ForeignKey(
        BillingUnit, on_delete=models.PROTECT, related_name="employments", verbose_name="Abrechnungsstelle"
    )
    personnel_number = models.CharField("Personalnummer", max_length=20)
    start = models.DateField("Beschäftigungsbeginn")
    end = models.DateField("Beschäftigungsende", null=True, blank=True)
    # The person's place in "Versicherte" (German order, DIN 5007-1: base/collation.py), a copy kept in step by
    # InsuredPerson.save: with it the list of a unit of 5,000 reads its first 50 rows from an index in order instead
    # of joining and sorting all 5,000 (make bench: t(5,000)/t(50)).
    sort_name = models.CharField(
        "Name zum Sortieren", max_length=310, editable=False, default="", db_collation=collation.NAME
    )

    objects = EmploymentQuerySet.as_manager()

    class Meta:
        verbose_name = "Beschäftigung"
        verbose_name_plural = "Beschäftigungen"
        ordering = ["billing_unit__number", "start"]
        indexes = [
            models.Index(fields=["billing_unit", "sort_name", "person"], name="employment_list_idx"),
            # A search word as a whole Personalnummer (`personnel_number__iexact`, insured/search.py).
            models.Index(Upper("personnel_number"), name="employment_personnel_upper_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["billing_unit", "personnel_number"], name="unique_personnel_number"),
            models.UniqueConstraint(fields=["person", "billing_unit"], name="one_employment_per_unit"),
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                name="employment_end_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.person} – {self.billing_unit.number}"

    def save(self, *args, **kwargs):
        if self._state.adding or not self.sort_name:
            self.sort_name = self.person.sort_name
        super().save(*args, **kwargs)

    @property
    def is_employed(self) -> bool:
        """Still employed: no Beschäftigungsende, or one still ahead."""
        return self.end is None or self.end >= timezone.localdate()

    def covers(self, day) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


class BookingKey(models.TextChoices):
    """Buchungsschlüssel: what a Versicherungsabschnitt is (a small fixed catalogue)."""

    COMPULSORY = "10", "Pflichtversicherung"
    PARTIAL_RETIREMENT = "12", "Pflichtversicherung in Altersteilzeit"
    INTERRUPTION_SICKNESS = "30", "Unterbrechung (Krankheit ohne Entgelt)"
    INTERRUPTION_PARENTAL = "31", "Unterbrechung (Elternzeit)"
    INTERRUPTION_OTHER = "39", "Unterbrechung (sonstige, ohne Entgelt)"

    @classmethod
    def interruptions(cls) -> set[str]:
        return {cls.INTERRUPTION_SICKNESS, cls.INTERRUPTION_PARENTAL, cls.INTERRUPTION_OTHER}


def holds_a_full_month(start, end) -> bool:
    """Whether the days from `start` to `end` hold at least one whole calendar month."""
    first = start if start.day == 1 else (start.replace(day=1) + timedelta(days=32)).replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return last <= end


def check_section(start, end, booking_key, pay) -> dict[str, list[str]]:
    """The rules of one Versicherungsabschnitt on its own, as {field: [German message]}: Beginn ≤ Ende, within one
    calendar year, Entgelt ≥ 0 (two decimals are the field's own rule), none during an Unterbrechung; an Unterbrechung
    holds at least one whole calendar month without Entgelt (a shorter one splits no Abschnitt)."""
    errors: dict[str, list[str]] = {}
    if start and end and end < start:
        errors.setdefault("end", []).append("Das Ende darf nicht vor dem Beginn liegen.")
    elif start and end and start.year != end.year:
        errors.setdefault("end", []).append(
            "Ein Abschnitt liegt innerhalb eines Kalenderjahres: Jedes Jahr beginnt einen neuen Abschnitt."
        )
    elif start and end and booking_key in BookingKey.interruptions() and not holds_a_full_month(start, end):
        errors.setdefault("end", []).append(
            "Eine Unterbrechung umfasst mindestens einen vollen Kalendermonat ohne Entgelt. Kürzere Zeiten "
            "bleiben im Abschnitt der Pflichtversicherung."
        )
    if pay is not None and (not pay.is_finite() or abs(pay) >= MAX_PAY):
        errors.setdefault("pay", []).append("Das Entgelt ist zu hoch: höchstens 9.999.999.999,99 €.")
    elif pay is not None and pay != pay.quantize(Decimal("0.01")):
        errors.setdefault("pay", []).append("Das Entgelt hat höchstens zwei Nachkommastellen (Euro und Cent).")
    elif pay is not None and pay < 0:
        errors.setdefault("pay", []).append("Das Entgelt darf nicht negativ sein.")
    elif pay and booking_key in BookingKey.interruptions():
        errors.setdefault("pay", []).append("Während einer Unterbrechung wird kein Entgelt gemeldet (0,00 €).")
    return errors


class SectionFields(models.Model):
    """What a Versicherungsabschnitt holds, in the Verlauf and in a Jahresmeldung alike."""

    start = models.DateField("Beginn")
    end = models.DateField("Ende")
    booking_key = models.CharField("Buchungsschlüssel", max_length=2, choices=BookingKey.choices)
    pay = models.DecimalField(
        "Zusatzversorgungspflichtiges Entgelt", max_digits=12, decimal_places=2, validators=[not_negative]
    )

    class Meta:
        abstract = True

    def clean(self):
        errors = check_section(self.start, self.end, self.booking_key, self.pay)
        if errors:
            raise ValidationError(errors)

    def overlaps(self, other) -> bool:
        return self.start <= other.end and other.start <= self.end


class SectionQuerySet(models.QuerySet):
    def visible_to(self, user, *, granted=None):
        """The Abschnitte reported by the clerk's granted units. `granted`: ids of the clerk's granted units the caller
        has read through `visible_to` in this request (a Versicherter's page: the units of the person's visible
        employments); the filter is then a plain list, and never wider than the grants."""
        if not getattr(user, "is_clerk", False):
            return self.none()
        if granted is not None:
            return self.filter(billing_unit_id__in=list(granted))
        return self.filter(billing_unit__grants__clerk=user)


class Section(SectionFields):
    """Versicherungsabschnitt: one part of a person's Versicherungsverlauf as the fund processed it. Only the fund
    writes them, by processing a Meldung (`insured.services.process_report`)."""

    person = models.ForeignKey(
        InsuredPerson, on_delete=models.PROTECT, related_name="sections", verbose_name="Versicherter"
    )
    billing_unit = models.ForeignKey(
        BillingUnit, on_delete=models.PROTECT, related_name="+", verbose_name="Abrechnungsstelle"
    )
    contribution = models.DecimalField("Umlage/Beitrag", max_digits=12, decimal_places=2)
    report = models.ForeignKey(
        "Report",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="processed_sections",
        verbose_name="Meldung",
    )

    objects = SectionQuerySet.as_manager()

    class Meta:
        verbose_name = "Versicherungsabschnitt"
        verbose_name_plural = "Versicherungsabschnitte"
        ordering = ["-start", "-pk"]
        indexes = [models.Index(fields=["person", "billing_unit", "-start"], name="section_person_unit_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gte=models.F("start")), name="section_end_after_start"),
            models.CheckConstraint(condition=models.Q(pay__gte=0), name="section_pay_not_negative"),
        ]

    def __str__(self):
        return f"{self.start:%d.%m.%Y}–{self.end:%d.%m.%Y} {self.get_booking_key_display()}"


class Kind(models.TextChoices):
    REGISTRATION = "registration", "Anmeldung"
    DEREGISTRATION = "deregistration", "Abmeldung"
    ANNUAL = "annual", "Jahresmeldung"
    CORRECTION = "correction", "Berichtigungsmeldung"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "erfasst"
    SUBMITTED = "submitted", "übermittelt"
    PROCESSED = "processed", "verarbeitet"
    REJECTED = "rejected", "zurückgewiesen"


class DeregistrationReason(models.TextChoices):
    """Abmeldegrund."""

    END_OF_EMPLOYMENT = "end", "Ende des Beschäftigungsverhältnisses"
    EMPLOYER_CHANGE = "change", "Wechsel zu einem anderen Arbeitgeber im öffentlichen Dienst"
    OLD_AGE_PENSION = "pension", "Beginn der Altersrente"
    DISABILITY_PENSION = "disability", "Beginn einer Rente wegen Erwerbsminderung"
    DEATH = "death", "Tod"


class ReportEvent(models.TextChoices):
    CHANGE = "change", "bearbeiten"
    DELETE = "delete", "löschen"
    SUBMIT = "submit", "übermitteln"
    PROCESS = "process", "verarbeiten"
    REJECT = "reject", "zurückweisen"


# event -> (the statuses it starts from, the status it leads to; None: the Meldung is gone)
REPORT_TRANSITIONS = {
    ReportEvent.CHANGE: ({ReportStatus.DRAFT, ReportStatus.REJECTED}, ReportStatus.DRAFT),
    ReportEvent.DELETE: ({ReportStatus.DRAFT}, None),
    ReportEvent.SUBMIT: ({ReportStatus.DRAFT}, ReportStatus.SUBMITTED),
    ReportEvent.PROCESS: ({ReportStatus.SUBMITTED}, ReportStatus.PROCESSED),
    ReportEvent.REJECT: ({ReportStatus.SUBMITTED}, ReportStatus.REJECTED),
}
REFUSALS = {
    ReportEvent.CHANGE: "Nur eine erfasste oder zurückgewiesene Meldung kann bearbeitet werden.",
    ReportEvent.DELETE: "Nur eine erfasste Meldung kann gelöscht werden.",
    ReportEvent.SUBMIT: "Nur eine erfasste Meldung kann übermittelt werden.",
    ReportEvent.PROCESS: "Nur eine übermittelte Meldung kann verarbeitet werden.",
    ReportEvent.REJECT: "Nur eine übermittelte Meldung kann zurückgewiesen werden.",
}
# The statuses of a Meldung that is still open: not yet taken into the Verlauf.
OPEN_STATUSES = (ReportStatus.DRAFT, ReportStatus.SUBMITTED, ReportStatus.REJECTED)


class ReportQuerySet(models.QuerySet):
    def visible_to(self, user, *, granted=None):
        """The Meldungen of the clerk's granted units, whoever wrote them: they belong to the unit, not the clerk.
        `granted`: as for `SectionQuerySet.visible_to`."""
        if not getattr(user, "is_clerk", False):
            return self.none()
        if granted is not None:
            return self.filter(billing_unit_id__in=list(granted))
        return self.filter(billing_unit__grants__clerk=user)

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)


class Report(models.Model):
    """Meldung: what a clerk reports for a Versicherter of a unit it is granted. An Anmeldung has Beginn and
    Personalnummer, an Abmeldung Ende and Abmeldegrund, a Jahresmeldung a year and its Abschnitte; a
    Berichtigungsmeldung names the processed Meldung it corrects and carries what that one carried."""

    person = models.ForeignKey(
        InsuredPerson, on_delete=models.PROTECT, related_name="reports", verbose_name="Versicherter"
    )
    billing_unit = models.ForeignKey(
        BillingUnit, on_delete=models.PROTECT, related_name="reports", verbose_name="Abrechnungsstelle"
    )
    kind = models.CharField("Art", max_length=20, choices=Kind.choices)
    status = models.CharField("Status", max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    year = models.PositiveSmallIntegerField("Jahr", null=True, blank=True)
    start = models.DateField("Beginn", null=True, blank=True)
    personnel_number = models.CharField("Personalnummer", max_length=20, blank=True)
    end = models.DateField("Ende", null=True, blank=True)
    deregistration_reason = models.CharField(
        "Abmeldegrund", max_length=20, choices=DeregistrationReason.choices, blank=True
    )
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name="berichtigt Meldung",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="erfasst von"
    )
    created_at = models.DateTimeField("erfasst am", default=timezone.now)
    changed_at = models.DateTimeField("zuletzt geändert am", default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="übermittelt von",
    )
    submitted_at = models.DateTimeField("übermittelt am", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="bearbeitet von (Zusatzversorgungskasse)",
    )
    decided_at = models.DateTimeField("verarbeitet/zurückgewiesen am", null=True, blank=True)
    rejection_reason = models.TextField("Grund der Zurückweisung", max_length=1000, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = "Meldung"
        verbose_name_plural = "Meldungen"
        ordering = ["-changed_at", "-pk"]
        indexes = [
            models.Index(fields=["billing_unit", "status", "-changed_at"], name="report_unit_status_idx"),
            models.Index(fields=["person", "-created_at"], name="report_person_idx"),
            models.Index(fields=["status", "decided_at"], name="report_status_decided_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=Kind.values), name="report_kind_valid"),
            models.CheckConstraint(condition=models.Q(status__in=ReportStatus.values), name="report_status_valid"),
            # No second open Jahresmeldung for the same person and year (also under a race of two clerks).
            models.UniqueConstraint(
                fields=["person", "year"],
                condition=models.Q(kind="annual", status__in=["draft", "submitted", "rejected"]),
                name="one_open_annual_report_per_year",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.subject} – {self.person}"

    # --- What it is ---------------------------------------------------------------------------------------
    @property
    def effective_kind(self) -> str:
        """What the Meldung carries: its own kind, for a Berichtigung the kind of the Meldung it corrects."""
        if self.kind == Kind.CORRECTION and self.corrects is not None:
            return self.corrects.effective_kind
        return self.kind

    @property
    def carries_sections(self) -> bool:
        return self.effective_kind == Kind.ANNUAL

    @property
    def subject(self) -> str:
        """One line that tells Meldungen of a person apart: the year, the Beginn or the Ende."""
        kind = self.effective_kind
        if kind == Kind.ANNUAL and self.year:
            return str(self.year)
        if kind == Kind.REGISTRATION and self.start:
            return f"ab {self.start:%d.%m.%Y}"
        if kind == Kind.DEREGISTRATION and self.end:
            return f"zum {self.end:%d.%m.%Y}"
        return ""

    @property
    def choice_label(self) -> str:
        decided = f", verarbeitet am {timezone.localtime(self.decided_at):%d.%m.%Y}" if self.decided_at else ""
        return f"{self.get_kind_display()} {self.subject}{decided} (Nr. {self.pk})"

    # --- Status questions (the templates ask these) ---------------------------------------------------------
    def allows(self, event: str) -> bool:
        return self.status in REPORT_TRANSITIONS[event][0]

    @property
    def can_be_changed(self) -> bool:
        return self.allows(ReportEvent.CHANGE)

    @property
    def can_be_deleted(self) -> bool:
        return self.allows(ReportEvent.DELETE)

    @property
    def can_be_submitted(self) -> bool:
        return self.allows(ReportEvent.SUBMIT)

    @property
    def is_rejected(self) -> bool:
        return self.status == ReportStatus.REJECTED

    @property
    def is_processed(self) -> bool:
        return self.status == ReportStatus.PROCESSED

    def transition(self, event: str) -> None:
        """Apply an event in memory (the service saves); refuse one the status does not allow."""
        sources, target = REPORT_TRANSITIONS[event]
        if self.status not in sources:
            raise DomainError(REFUSALS[event])
        if target is not None:
            self.status = target


class ReportSection(SectionFields):
    """A Versicherungsabschnitt as a Jahresmeldung (or its Berichtigung) reports it; processing the Meldung makes
    a `Section` of it, with the Umlage."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="sections", verbose_name="Meldung")

    class Meta:
        verbose_name = "Abschnitt der Meldung"
        verbose_name_plural = "Abschnitte der Meldung"
        ordering = ["start", "pk"]

    def __str__(self):
        return f"{self.start:%d.%m.%Y}–{self.end:%d.%m.%Y} {self.get_booking_key_display()}"


class AccessLogQuerySet(AppendOnlyQuerySet):
    def visible_to(self, user):
        """Nobody reads the access log in the portal; fund staff read it in the Django admin."""
        return self.none()


class Page(models.TextChoices):
    PERSONS = "persons", "Versicherte (Liste)"
    PERSON = "person", "Versicherter"
    REPORTS = "reports", "Meldungen (Liste)"
    REPORT = "report", "Meldung"
    REPORT_FORM = "report_form", "Meldung (Formular)"
    ADMIN_PERSONS = "admin_persons", "Verwaltung: Versicherte (Liste)"
    ADMIN_PERSON = "admin_person", "Verwaltung: Versicherter"
    ADMIN_REPORTS = "admin_reports", "Verwaltung: Meldungen (Liste)"
    ADMIN_REPORT = "admin_report", "Verwaltung: Meldung"


class AccessLogEntry(AppendOnly):
    """Lesezugriff: one read of a person's data — who, when, which person, which unit, which page (DSGVO Art. 5 (1) f,
    Art. 32; LOG-11). Append-only: the model refuses changes, and on PostgreSQL a trigger refuses UPDATE, DELETE
    and TRUNCATE but for the deletion rule (migration insured 0002, `insured.access_log`)."""

    REFUSED_CHANGE = "Das Zugriffsprotokoll kann nicht geändert werden."
    REFUSED_DELETION = "Das Zugriffsprotokoll kann nicht gelöscht werden."

    created_at = models.DateTimeField("Zeitpunkt", default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="Benutzer"
    )
    # The person's and the unit's lookups (and their foreign keys' checks) use the composite indexes below, which
    # start with them: one index fewer each for every read's INSERT.
    person = models.ForeignKey(
        InsuredPerson,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="Versicherter",
        db_constraint=True,
        db_index=False,
    )
    billing_unit = models.ForeignKey(
        BillingUnit, on_delete=models.PROTECT, related_name="+", verbose_name="Abrechnungsstelle", db_index=False
    )
    page = models.CharField("Seite", max_length=20, choices=Page.choices)
    path = models.CharField("Adresse", max_length=200)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = "Lesezugriff"
        verbose_name_plural = "Zugriffsprotokoll (Lesezugriffe)"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["person", "-created_at"], name="access_person_time_idx"),
            models.Index(fields=["-created_at"], name="access_time_idx"),
            models.Index(fields=["billing_unit", "-created_at"], name="access_unit_time_idx"),
        ]

    def __str__(self):
        return f"{self.created_at:%d.%m.%Y %H:%M} {self.user_id} → {self.person_id}"
