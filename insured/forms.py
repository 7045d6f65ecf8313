"""Forms of the clerk's workspace. They read input (dates, Euro amounts as a German types them); the rules of a
Meldung are `insured.rules`, and their messages are put beside these fields."""

from decimal import Decimal

from django import forms
from django.utils import timezone

from accounts.forms import ReadableText, required
from base.forms import PageForm
from insured.formats import parse_euro
from insured.models import BookingKey, DeregistrationReason, Kind, ReportStatus, insurance_number_validator

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {"invalid": "Bitte geben Sie ein gültiges Datum ein (TT.MM.JJJJ)."}
DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y"]


def date_field(label: str, what: str) -> forms.DateField:
    return forms.DateField(
        label=label, widget=DATE_WIDGET, input_formats=DATE_FORMATS, error_messages=required(what) | DATE_ERRORS
    )


def unit_choices(units) -> list:
    """The choices of a unit filter: `units` as (pk, number, name), or a queryset of billing units."""
    rows = units if isinstance(units, list) else units.values_list("pk", "number", "name")
    return [(pk, f"{number} {name}") for pk, number, name in rows]


class EuroField(forms.Field):
    """An amount in Euro and Cent as typed: "1.234,56", "1234,56" or "1234.56" (with or without "€")."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "maxlength": "20", "autocomplete": "off"})

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "in Euro, z. B. 21.000,00")
        super().__init__(**kwargs)

    def to_python(self, value):
        value = (value or "").strip()
        if not value:
            return None
        try:
            if len(value) > 20:
                raise ValueError(value)
            return parse_euro(value)
        except ValueError:
            raise forms.ValidationError(
                "Bitte geben Sie einen Betrag in Euro ein, z. B. 1.234,56.", code="invalid"
            ) from None

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return f"{value:.2f}".replace(".", ",")
        return value


class UnitFilterForm(PageForm):
    """A list's filter by one of the clerk's billing units ("alle" by default)."""

    unit = forms.TypedChoiceField(
        label="Abrechnungsstelle",
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": "Bitte wählen Sie eine angezeigte Abrechnungsstelle."},
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "alle"), *unit_choices(units)]


class PersonSearchForm(UnitFilterForm):
    q = forms.CharField(
        label="Suche nach Name, Versicherungsnummer oder Personalnummer",
        required=False,
        max_length=100,
        help_text="z. B. „Müller, Hanna“, „Mueller“ oder „0020200001“",
    )
    field_order = ["q", "unit"]


class ReportFilterForm(UnitFilterForm):
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "alle"), *ReportStatus.choices], initial=""
    )
    field_order = ["status", "unit"]


class FindPersonForm(PageForm):
    """ "Neue Meldung" from the list of Meldungen: first the person, by its Versicherungsnummer."""

    versicherungsnummer = forms.CharField(
        label="Versicherungsnummer",
        max_length=10,
        validators=[insurance_number_validator],
        error_messages=required("die Versicherungsnummer"),
        help_text="Die zehnstellige Nummer des Versicherten, z. B. 0020200001. Sie finden sie unter „Versicherte“.",
    )


class KindForm(PageForm):
    """Step 1 of "Neue Meldung": the kind, and where it needs them the billing unit and the Meldung a Berichtigung
    corrects."""

    kind = forms.ChoiceField(
        label="Art der Meldung",
        choices=Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Bitte wählen Sie die Art der Meldung."},
    )
    unit = forms.TypedChoiceField(
        label="Abrechnungsstelle",
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": "Bitte wählen Sie eine angezeigte Abrechnungsstelle."},
    )
    corrects = forms.TypedChoiceField(
        label="Zu berichtigende Meldung",
        coerce=int,
        required=False,
        empty_value=None,
        help_text="Nur für eine Berichtigungsmeldung: die verarbeitete Meldung, die Sie berichtigen.",
        error_messages={"invalid_choice": "Bitte wählen Sie eine angezeigte Meldung."},
    )

    def __init__(self, *args, employments, processed, **kwargs):
        super().__init__(*args, **kwargs)
        self.employments = list(employments)
        self.fields["unit"].choices = [
            (e.billing_unit_id, f"{e.billing_unit.number} {e.billing_unit.name}") for e in self.employments
        ]
        if len(self.employments) == 1:
            self.fields["unit"].initial = self.employments[0].billing_unit_id
        self.fields["corrects"].choices = [("", "–"), *((r.pk, r.choice_label) for r in processed)]

    def clean(self):
        data = super().clean()
        if data.get("kind") == Kind.CORRECTION and not data.get("corrects"):
            self.add_error("corrects", "Bitte wählen Sie die verarbeitete Meldung, die Sie berichtigen.")
        elif data.get("kind") and data.get("kind") != Kind.CORRECTION and not data.get("unit"):
            if len(self.employments) == 1:
                data["unit"] = self.employments[0].billing_unit_id
            else:
                self.add_error("unit", "Bitte wählen Sie die Abrechnungsstelle.")
        return data


class AnnualForm(PageForm):
    year = forms.TypedChoiceField(
        label="Jahr",
        coerce=int,
        error_messages={
            "required": "Bitte wählen Sie das Jahr der Meldung.",
            "invalid_choice": "Bitte wählen Sie ein angezeigtes Jahr.",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        self.fields["year"].choices = [("", "–"), *((y, str(y)) for y in range(this_year, this_year - 6, -1))]


class RegistrationForm(PageForm):
    start = date_field("Beginn der Beschäftigung", "den Beginn")
    personnel_number = forms.CharField(
        label="Personalnummer",
        max_length=20,
        validators=[ReadableText()],
        error_messages=required("die Personalnummer"),
    )


class DeregistrationForm(PageForm):
    end = date_field("Ende der Beschäftigung", "das Ende")
    deregistration_reason = forms.ChoiceField(
        label="Abmeldegrund",
        choices=[("", "–"), *DeregistrationReason.choices],
        error_messages={"required": "Bitte wählen Sie den Abmeldegrund."},
    )


class SectionForm(PageForm):
    """One Versicherungsabschnitt of a Jahresmeldung; a row left empty is no Abschnitt."""

    start = date_field("Beginn", "den Beginn")
    end = date_field("Ende", "das Ende")
    booking_key = forms.ChoiceField(
        label="Buchungsschlüssel",
        choices=[("", "–"), *((value, f"{value} {label}") for value, label in BookingKey.choices)],
        error_messages={"required": "Bitte wählen Sie den Buchungsschlüssel."},
    )
    pay = EuroField(label="Zusatzversorgungspflichtiges Entgelt", error_messages=required("das Entgelt"))

    def as_section(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("start", "end", "booking_key", "pay")}


class BaseSectionFormSet(forms.BaseFormSet):
    """The rows of Abschnitte. Every row may stay empty (no "initial" rows that must be filled); a row shown filled
    is sent back as typed data, never compared with what it showed."""

    def initial_form_count(self):
        return 0

    def sections(self) -> list[tuple[int, dict]]:
        """The filled rows as (index of the row, Abschnitt)."""
        return [(i, form.as_section()) for i, form in enumerate(self.forms) if form.is_valid() and form.cleaned_data]


MAX_SECTIONS = 24


def section_formset(*, data=None, sections=(), blank_rows: int = 1):
    """The Abschnitte of a Jahresmeldung: as sent (`data`), or the saved `sections` and `blank_rows` empty rows."""
    rows = len(sections) + blank_rows
    formset_class = forms.formset_factory(
        SectionForm, formset=BaseSectionFormSet, extra=rows, max_num=MAX_SECTIONS, absolute_max=MAX_SECTIONS
    )
    if data is not None:
        return formset_class(data, prefix="abschnitt")
    return formset_class(initial=list(sections), prefix="abschnitt")


def with_another_row(data):
    """The sent form with one more empty row ("Weiteren Abschnitt hinzufügen")."""
    data = data.copy()
    total = int(data.get("abschnitt-TOTAL_FORMS") or 0)
    data["abschnitt-TOTAL_FORMS"] = str(min(total + 1, MAX_SECTIONS))
    return data


VALUE_FORMS = {Kind.ANNUAL: AnnualForm, Kind.REGISTRATION: RegistrationForm, Kind.DEREGISTRATION: DeregistrationForm}
