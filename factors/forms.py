from django import forms

from accounts.forms import PageForm, required

CODE_INVALID = "Der Code ist ungültig oder abgelaufen. Bitte versuchen Sie es erneut."


class CodeForm(PageForm):
    """ "Anmeldung bestätigen" with a typed code: the authenticator app's six digits or a recovery code."""

    code = forms.CharField(
        label="Code",
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "spellcheck": "false"}),
        error_messages=required("den Code") | {"max_length": CODE_INVALID},
    )


class EmailCodeForm(CodeForm):
    code = forms.CharField(
        label="Code aus der E-Mail",
        max_length=32,
        help_text="Sechs Ziffern. Der Code gilt 10 Minuten und nur für diese Anmeldung.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        error_messages=required("den Code aus der E-Mail") | {"max_length": CODE_INVALID},
    )


class TotpEnrolForm(PageForm):
    code = forms.CharField(
        label="Code aus der App",
        max_length=32,
        help_text="Die sechs Ziffern, die die App jetzt für „ZVK Thüringen“ anzeigt.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        error_messages=required("den Code aus der App") | {"max_length": CODE_INVALID},
    )


class PasskeyNameForm(PageForm):
    """The passkey's name, as "Sicherheit" lists it."""

    name = forms.CharField(
        label="Bezeichnung des Passkeys",
        max_length=64,
        help_text="Woran Sie ihn erkennen, zum Beispiel „Büro-PC“ oder „Sicherheitsschlüssel blau“.",
        error_messages=required("eine Bezeichnung")
        | {"max_length": "Die Bezeichnung darf höchstens 64 Zeichen lang sein."},
    )
