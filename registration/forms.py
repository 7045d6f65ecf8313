"""The public registration form (manual §2). It validates input and nothing else."""

import re

from django import forms
from django.core.validators import RegexValidator

from accounts.forms import PHONE_HELP, BusinessEmailField, ReadableText, phone_validator, required
from accounts.models import Salutation
from base.forms import PageForm
from billing_units.models import BillingUnit, Member

member_number = RegexValidator(r"^\d{6}\Z", "Bitte geben Sie die sechsstellige Nummer ein (z. B. 002020).")
UNKNOWN_NUMBERS = (
    "Mitgliedsnummer und Abrechnungsstellennummern passen nicht zusammen oder sind uns nicht bekannt. "
    "Bitte prüfen Sie die Nummern anhand Ihrer Unterlagen der Zusatzversorgungskasse."
)


def padded(number: str) -> str:
    """A member or unit number as the fund writes it: six digits with leading zeros ("4040" is 004040; spreadsheets
    drop the zeros, and people copy from them)."""
    number = number.strip()
    return number.zfill(6) if number.isascii() and number.isdigit() and len(number) < 6 else number


class SixDigitField(forms.CharField):
    def to_python(self, value):
        return padded(super().to_python(value))


class RegistrationForm(PageForm):
    # The applicant's own data: `autocomplete` names each field's purpose (WCAG 1.3.5) so browsers can fill it.
    salutation = forms.ChoiceField(
        label="Anrede",
        required=False,
        choices=Salutation.choices,
        widget=forms.Select(attrs={"autocomplete": "honorific-prefix"}),
        help_text="So reden wir Sie in Briefen und E-Mails an.",
    )
    first_name = forms.CharField(
        label="Vorname",
        max_length=150,
        validators=[ReadableText()],
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
        error_messages=required("Ihren Vornamen"),
    )
    last_name = forms.CharField(
        label="Nachname",
        max_length=150,
        validators=[ReadableText()],
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
        error_messages=required("Ihren Nachnamen"),
    )
    email = BusinessEmailField(
        label="E-Mail",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "work email"}),
        help_text="Ihre dienstliche E-Mail-Adresse. Sie ist später Ihr Benutzername.",
        error_messages=required("Ihre dienstliche E-Mail-Adresse"),
    )
    phone = forms.CharField(
        label="Telefonnummer",
        max_length=40,
        validators=[phone_validator],
        widget=forms.TextInput(attrs={"autocomplete": "work tel", "type": "tel"}),
        help_text=PHONE_HELP,
        error_messages=required("Ihre dienstliche Telefonnummer"),
    )
    member_number = SixDigitField(
        label="Mitgliedsnummer",
        max_length=6,
        validators=[member_number],
        help_text="Sechsstellig, z. B. 002020 (fehlende führende Nullen ergänzen wir).",
        error_messages=required("die Mitgliedsnummer") | {"max_length": "Die Mitgliedsnummer hat genau sechs Ziffern."},
    )
    unit_numbers = forms.CharField(
        label="Abrechnungsstellennummern",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Sechsstellige Nummern, getrennt durch Komma oder Zeilenumbruch. "
        "Leer lassen, wenn Sie sich für alle Abrechnungsstellen des Mitglieds registrieren.",
    )
    responsibilities = forms.BooleanField(
        label="Ich habe die Erklärung zur Benutzerverwaltung gelesen und übernehme als Administrator die Verantwortung "
        "für die Vergabe und Verwaltung der Berechtigungen meiner Sachbearbeiter sowie für jede Änderung in der "
        "Benutzerverwaltung.",
        error_messages={"required": "Bitte bestätigen Sie, dass Sie diese Verantwortung übernehmen."},
    )

    def clean_unit_numbers(self):
        raw = [padded(part) for part in re.split(r"[\s,;]+", self.cleaned_data["unit_numbers"]) if part.strip()]
        bad = [part for part in raw if not re.fullmatch(r"\d{6}", part)]
        if bad:
            raise forms.ValidationError(
                "Bitte geben Sie nur sechsstellige Abrechnungsstellennummern ein (z. B. 002021).", code="bad_number"
            )
        return sorted(set(raw))

    def clean(self):
        data = super().clean()
        if "member_number" not in data or "unit_numbers" not in data:
            return data
        member = Member.objects.filter(number=data["member_number"]).first()
        units = list(BillingUnit.objects.filter(member=member, number__in=data["unit_numbers"])) if member else []
        if member is None or len(units) != len(data["unit_numbers"]):
            raise forms.ValidationError(UNKNOWN_NUMBERS, code="unknown_numbers")
        data["member"], data["units"] = member, units
        return data
