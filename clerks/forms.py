"""Forms of the administrator's screens. They validate input; the services own the rules."""

from django import forms

from accounts.forms import (
    BUSINESS_DATA_NOTE,
    PHONE_HELP,
    BusinessEmailField,
    PersonalAddressMixin,
    ReadableText,
    phone_validator,
    required,
)
from accounts.models import NoticePreference, Role, Status
from audit.actions import ACTION_CHOICES
from base.forms import Choices, PageForm
from clerks.listing import ATTENTION, last_login_order


class PersonalDataForm(PersonalAddressMixin, PageForm):
    """Vorname, Nachname, Telefonnummer, E-Mail: all required, business data only (manual §3 d, §4); a role address
    only with "Es handelt sich um eine persönliche Adresse"."""

    first_name = forms.CharField(
        label="Vorname", max_length=150, validators=[ReadableText()], error_messages=required("den Vornamen")
    )
    last_name = forms.CharField(
        label="Nachname", max_length=150, validators=[ReadableText()], error_messages=required("den Nachnamen")
    )
    phone = forms.CharField(
        label="Telefonnummer",
        max_length=40,
        validators=[phone_validator],
        widget=forms.TextInput(attrs={"type": "tel"}),
        help_text=PHONE_HELP,
        error_messages=required("die dienstliche Telefonnummer")
        | {"max_length": "Die Telefonnummer darf höchstens 40 Zeichen lang sein."},
    )
    email = BusinessEmailField(
        label="E-Mail",
        max_length=254,
        refuse_generic=False,
        error_messages=required("die dienstliche E-Mail-Adresse"),
    )

    note = BUSINESS_DATA_NOTE

    def __init__(self, *args, email_locked=False, **kwargs):
        super().__init__(*args, **kwargs)
        # The login e-mail is a credential (DESIGN §8): shown, but not sent back, to whom may not change it.
        self.fields["email"].disabled = email_locked


MAX_ID = 2**63 - 1


class UnitChoiceField(forms.ModelMultipleChoiceField):
    """Checkbox ids are checked to be ids before any query, so a forged huge or odd value is just invalid.

    ASCII digits only: str.isdigit() also accepts "²" or "١", which int() refuses or reads differently."""

    def _check_values(self, value):
        for pk in value:
            if not (str(pk).isascii() and str(pk).isdigit()) or not 0 < int(pk) <= MAX_ID:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": pk}
                )
        return super()._check_values(value)


class UnitsForm(PageForm):
    """A checkbox per billing unit (Abrechnungsstellennummer and name)."""

    units = UnitChoiceField(
        label="Abrechnungsstellen",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Bitte wählen Sie mindestens eine Abrechnungsstelle aus.",
            "invalid_choice": "Bitte wählen Sie nur angezeigte Abrechnungsstellen aus.",
            "invalid_pk_value": "Bitte wählen Sie nur angezeigte Abrechnungsstellen aus.",
        },
    )

    def __init__(self, *args, units, require_one=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = units
        self.fields["units"].required = require_one
        self.fields["units"].label_from_instance = lambda unit: f"{unit.number} {unit.name}"


class LockReasonForm(PageForm):
    reason = forms.CharField(
        label="Grund für die Sperrung",
        max_length=500,
        validators=[ReadableText(multiline=True)],
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Höchstens 500 Zeichen. Der Grund wird in der Detailansicht und im Änderungsprotokoll angezeigt.",
        error_messages={
            "required": "Bitte geben Sie einen Grund für die Sperrung ein.",
            "max_length": "Der Grund darf höchstens 500 Zeichen lang sein (Sie haben %(show_value)d eingegeben).",
        },
    )


STATUS_FILTER = [("", "alle")] + [(value, label) for value, label in Status.choices]
ROLE_FILTER = [("", "alle"), (Role.CLERK, "Sachbearbeiter"), (Role.ADMINISTRATOR, "Administrator")]
# Each order twice: on the memberships' copy of the name, which finds a page, and on the users, which
# puts the page's 50 in the same order.
SORTS = {
    "name": {"key": ["name_key", "user_id"], "users": ["name_key", "pk"]},
    "-name": {"key": ["-name_key", "-user_id"], "users": ["-name_key", "-pk"]},
    "-login": {
        "key": [last_login_order(True, "user__last_login"), "name_key", "user_id"],
        "users": [last_login_order(True, "last_login"), "name_key", "pk"],
    },
    "login": {
        "key": [last_login_order(False, "user__last_login"), "name_key", "user_id"],
        "users": [last_login_order(False, "last_login"), "name_key", "pk"],
    },
}


class UserFilterForm(PageForm):
    """The list's search and filters. The billing units to filter by are the administrator's own."""

    q = forms.CharField(
        label="Suche nach Name, E-Mail oder Abrechnungsstelle",
        required=False,
        max_length=100,
        help_text="z. B. „Müller, Hans“, „002021“ oder „Kita“",
    )
    status = forms.ChoiceField(
        label="Benutzerstatus", required=False, choices=[*STATUS_FILTER, (ATTENTION, "Handlungsbedarf")]
    )
    role = forms.ChoiceField(label="Benutzerrolle", required=False, choices=ROLE_FILTER)
    # The unit's id; its choices are the administrator's units as plain values (the template's long_select).
    unit = forms.TypedChoiceField(
        label="Abrechnungsstelle",
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": "Bitte wählen Sie eine angezeigte Abrechnungsstelle."},
    )
    sort = forms.ChoiceField(
        label="Sortierung",
        required=False,
        choices=[
            ("name", "Name (A–Z)"),
            ("-name", "Name (Z–A)"),
            ("-login", "Letzte Anmeldung (neueste zuerst)"),
            ("login", "Letzte Anmeldung (älteste zuerst)"),
        ],
    )

    NARROWING = ("status", "role", "unit", "sort")  # folded under "Weitere Filter" on a narrow screen

    @property
    def narrows(self) -> bool:
        """Whether a filter besides the search is set (or wrong): "Weitere Filter" then stays open."""
        return any(self.data.get(name) not in (None, "", "name") for name in self.NARROWING)

    def __init__(self, *args, units, **kwargs):
        """`units`: the administrator's billing units as (pk, number, name)."""
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = Choices([("", "alle"), *((pk, f"{number} {name}") for pk, number, name in units)])


class OwnUnitFilterForm(PageForm):
    """A filter by one of the administrator's billing units (`units`): another's is refused beside the field and
    filters nothing."""

    unit = forms.ModelChoiceField(
        label="Abrechnungsstelle",
        queryset=None,
        required=False,
        empty_label="alle",
        error_messages={"invalid_choice": "Bitte wählen Sie eine angezeigte Abrechnungsstelle."},
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].label_from_instance = lambda unit: f"{unit.number} {unit.name}"


class OverviewFilterForm(OwnUnitFilterForm):
    """The Berechtigungsübersicht's filters: one of the administrator's billing units, a status."""

    status = forms.ChoiceField(label="Benutzerstatus", required=False, choices=STATUS_FILTER)


class ReviewFilterForm(OwnUnitFilterForm):
    """ "Berechtigungen bestätigen" for the people of one of the administrator's billing units."""


class ProtocolFilterForm(OwnUnitFilterForm):
    """The Änderungsprotokoll's filters: a date range, an administrator, a person, one of the administrator's billing
    units, an action."""

    since = forms.DateField(
        label="von",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Bitte geben Sie ein Datum ein (TT.MM.JJJJ)."},
    )
    until = forms.DateField(
        label="bis",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Bitte geben Sie ein Datum ein (TT.MM.JJJJ)."},
    )
    actor = forms.ModelChoiceField(
        label="Administrator",
        queryset=None,
        required=False,
        empty_label="alle",
        error_messages={"invalid_choice": "Bitte wählen Sie einen angezeigten Administrator."},
    )
    person = forms.CharField(
        label="Benutzer (Name oder E-Mail)", required=False, max_length=100, help_text="z. B. „Müller, Hans“"
    )
    action = forms.ChoiceField(label="Änderung", required=False)

    def __init__(self, *args, administrators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actor"].queryset = administrators
        self.fields["actor"].label_from_instance = lambda user: f"{user.last_name}, {user.first_name} ({user.email})"
        self.fields["action"].choices = [("", "alle"), *ACTION_CHOICES]


class NoticeSettingsForm(PageForm):
    notices = forms.ChoiceField(
        label="Hinweise zu Ihren Sachbearbeitern per E-Mail",
        choices=NoticePreference.choices,
        widget=forms.RadioSelect,
        help_text="Wenn ein Sachbearbeiter „Passwort vergessen“ nutzt, nach Falscheingaben deaktiviert wird oder sein "
        "Einmalpasswort bald abläuft, ohne dass er es genutzt hat.",
        error_messages={"required": "Bitte wählen Sie, wie Sie Hinweise erhalten möchten."},
    )
