"""Forms for a user's own access and for the public pages. They validate input and nothing else."""

import re
import unicodedata

from django import forms
from django.conf import settings
from django.contrib.auth.forms import SetPasswordMixin
from django.contrib.auth.hashers import check_password

from accounts.models import Role, is_generic_email, normalize_email
from base.forms import PageForm

LOGIN_FAILED = "E-Mail-Adresse oder Passwort ist falsch."
# The same for every refused password, whether or not the account exists: an account is found per role (DESIGN §3),
# so a right password in the other role fails too, and the hint names the one field a person easily overlooks.
LOGIN_FAILED_CHECK_ROLE = f"{LOGIN_FAILED} Bitte prüfen Sie auch die gewählte Benutzerrolle."
OTP_EXPIRED = (
    "Ihr Einmalpasswort ist abgelaufen. Bitte wenden Sie sich an Ihren Administrator; er kann Ihnen ein neues "
    "Einmalpasswort setzen."
)


def otp_expired_message(role: str) -> str:
    """A clerk's one-time password comes from its administrator, an administrator's by letter from the fund."""
    if role == Role.ADMINISTRATOR:
        return (
            f"Ihr Einmalpasswort ist abgelaufen. Bitte wenden Sie sich an die {settings.FUND_NAME} "
            f"(Telefon {settings.FUND_PHONE}); Sie erhalten neue Zugangsdaten per Brief."
        )
    return OTP_EXPIRED


PORTAL_ROLES = [(Role.ADMINISTRATOR.value, "Administrator"), (Role.CLERK.value, "Sachbearbeiter")]

PHONE_MIN_DIGITS, PHONE_MAX_DIGITS = 6, 20
PHONE_RULE = (
    f"Bitte geben Sie die Telefonnummer mit Vorwahl und {PHONE_MIN_DIGITS} bis {PHONE_MAX_DIGITS} Ziffern ein, "
    "z. B. 0365 838-1234 oder +49 365 838-1234. Außer Ziffern sind nur Leerzeichen, Schrägstrich (/), "
    "Bindestrich (-), runde Klammern und ein + am Anfang erlaubt."
)
PHONE_HELP = "Mit Vorwahl, z. B. 0365 838-1234 oder +49 365 838-1234."
PHONE_PATTERN = re.compile(r"\+?[0-9 ()/\-]*")


def phone_validator(value: str) -> None:
    """A phone number as PHONE_RULE says: 6 to 20 digits, a leading + and the usual separators, nothing else."""
    digits = sum(char in "0123456789" for char in value)
    if not PHONE_PATTERN.fullmatch(value) or not PHONE_MIN_DIGITS <= digits <= PHONE_MAX_DIGITS:
        raise forms.ValidationError(PHONE_RULE, code="invalid_phone")


BUSINESS_DATA_NOTE = (
    "Bitte geben Sie auf dieser Seite keine privaten, sondern lediglich dienstliche Daten ein. "
    "Achten Sie darauf, keine allgemeine E-Mail-Adresse zu verwenden."
)


GENERIC_EMAIL = (
    "Bitte verwenden Sie keine allgemeine E-Mail-Adresse (wie info@… oder poststelle@…), sondern die dienstliche "
    "Adresse der Person."
)
GENERIC_EMAIL_OVERRIDE = (
    f"{GENERIC_EMAIL} Gehört diese Adresse doch einer einzelnen Person (z. B. mit einem Nachnamen wie „Post“), "
    "kreuzen Sie „Es handelt sich um eine persönliche Adresse“ an und speichern Sie erneut."
)


class BusinessEmailField(forms.EmailField):
    """A personal business address in lower case: no role address like info@ (manual §3 d). A form that lets the
    person typing confirm a personal address (PersonalAddressMixin) checks the role address itself."""

    default_error_messages = {"invalid": "Bitte geben Sie eine gültige E-Mail-Adresse ein."}

    def __init__(self, *args, refuse_generic=True, **kwargs):
        self.refuse_generic = refuse_generic
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        return normalize_email(super().to_python(value))

    def validate(self, value):
        super().validate(value)
        if self.refuse_generic and value and is_generic_email(value):
            raise forms.ValidationError(GENERIC_EMAIL, code="generic_email")


class PersonalAddressMixin(forms.Form):
    """An address that reads like a role address is refused unless the person typing confirms that it belongs to one
    person: the box appears beside the refusal (`asks_personal_address`) and its tick travels as `personal_address`
    (true only for an address that needed it), for the audit entry. An address that is not changed is not asked
    again."""

    personal_address = forms.BooleanField(
        label="Es handelt sich um eine persönliche Adresse",
        required=False,
        help_text="Nur ankreuzen, wenn die Adresse trotz ihres Namens einer einzelnen Person gehört.",
    )

    @property
    def asks_personal_address(self) -> bool:
        if self.is_bound:
            return getattr(self, "_asks_personal_address", False)
        return bool(self.initial.get("personal_address")) and is_generic_email(self.initial.get("email") or "")

    def clean(self):
        cleaned = super().clean()
        email = cleaned.get("email")
        self._asks_personal_address = bool(email) and "email" in self.changed_data and is_generic_email(email)
        confirmed = self._asks_personal_address and bool(cleaned.get("personal_address"))
        if self._asks_personal_address and not confirmed:
            self.add_error("email", forms.ValidationError(GENERIC_EMAIL_OVERRIDE, code="generic_email"))
        cleaned["personal_address"] = confirmed
        return cleaned


def required(label: str) -> dict:
    return {"required": f"Bitte geben Sie {label} ein."}


# Marks that turn the reading direction: "\u202eretleW" is shown as "Welter" (a name that looks like another).
DIRECTION_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
UNREADABLE = "Bitte geben Sie einen lesbaren Text ein, ohne Steuerzeichen oder unsichtbare Zeichen."


class ReadableText:
    """A name or a reason that a person can read: at least one visible character, no control characters (line
    breaks only where `multiline`) and no direction marks. Found by the fuzz tests: a reason made of
    a zero-width space counted as a reason for a lock."""

    def __init__(self, multiline=False):
        self.allowed_controls = "\t\n\r" if multiline else ""

    def __call__(self, value):
        controls = any(
            unicodedata.category(char) == "Cc" and char not in self.allowed_controls for char in value
        ) or any(char in DIRECTION_CONTROLS for char in value)
        visible = any(unicodedata.category(char)[0] in "LNPS" for char in value)
        if controls or not visible:
            raise forms.ValidationError(UNREADABLE, code="unreadable")

    def __eq__(self, other):  # validators are compared in migrations and forms
        return isinstance(other, ReadableText) and other.allowed_controls == self.allowed_controls


class LoginForm(PageForm):
    # No role is preset: a preset one is kept by whoever does not look, and then the right password fails.
    role = forms.ChoiceField(
        label="Benutzerrolle",
        choices=PORTAL_ROLES,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Bitte wählen Sie Ihre Benutzerrolle.",
            "invalid_choice": "Bitte wählen Sie Ihre Benutzerrolle.",
        },
    )
    email = forms.CharField(
        label="E-Mail",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username"}),
        help_text="Ihr Benutzername ist Ihre dienstliche E-Mail-Adresse.",
        error_messages=required("Ihre E-Mail-Adresse") | {"max_length": LOGIN_FAILED},
    )
    password = forms.CharField(
        label="Passwort",
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages=required("Ihr Passwort") | {"max_length": LOGIN_FAILED},
    )


class ForgotPasswordForm(PageForm):
    role = LoginForm.base_fields["role"]
    email = forms.CharField(
        label="E-Mail",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username"}),
        error_messages=required("Ihre E-Mail-Adresse"),
    )


# The rules of AUTH_PASSWORD_VALIDATORS (accounts/validators.py) in one sentence, beside the field.
PASSWORD_RULES = (
    "Mindestens 12 und höchstens 128 Zeichen, nicht nur Ziffern, kein häufig verwendetes Passwort, nicht Ihr Vorname, "
    "Ihr Nachname oder Ihre E-Mail-Adresse und keine naheliegenden Begriffe wie der Name der Kasse oder des Portals. "
    "Groß- und Kleinbuchstaben, Ziffern oder Sonderzeichen sind nicht vorgeschrieben, aber erlaubt, ebenso Leerzeichen "
    "und Umlaute: Ein langer Satz ist ein gutes Passwort."
)


class NewPasswordForm(SetPasswordMixin, PageForm):
    """A personal password, twice; checked against Django's validators (SetPasswordMixin), the OTP and the
    e-mail."""

    error_messages = {"password_mismatch": "Die beiden Passwörter stimmen nicht überein."}

    new_password1 = forms.CharField(
        label="Neues Passwort",
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=PASSWORD_RULES,
        error_messages=required("ein neues Passwort"),
    )
    new_password2 = forms.CharField(
        label="Neues Passwort wiederholen",
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages=required("das neue Passwort noch einmal"),
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        self.validate_passwords("new_password1", "new_password2")
        if "new_password1" in self.cleaned_data:
            self.validate_password_for_user(self.user, "new_password1")
        return cleaned

    def clean_new_password1(self):
        password = self.cleaned_data["new_password1"]
        if self.user.otp_hash and check_password(password, self.user.otp_hash):
            raise forms.ValidationError(
                "Das neue Passwort muss sich vom Einmalpasswort unterscheiden.", code="password_is_otp"
            )
        if password.strip().casefold() == self.user.email.casefold():
            raise forms.ValidationError(
                "Das neue Passwort darf nicht Ihre E-Mail-Adresse sein.", code="password_is_email"
            )
        return password


class PasswordChangeForm(NewPasswordForm):
    """An active user changes the personal password; the current one is asked first (AUTH-07)."""

    old_password = forms.CharField(
        label="Bisheriges Passwort",
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages=required("Ihr bisheriges Passwort"),
    )
    field_order = ["old_password", "new_password1", "new_password2"]

    def clean_old_password(self):
        password = self.cleaned_data["old_password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("Das bisherige Passwort ist nicht richtig.", code="password_incorrect")
        return password
