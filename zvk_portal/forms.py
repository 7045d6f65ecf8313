"""The site-wide forms of the project (not of one app)."""

from django import forms

from base.forms import PageForm


class BarrierReportForm(PageForm):
    """ "Barriere melden" (ThürBITVO §3): what did not work, where, and optionally how to answer."""

    description = forms.CharField(
        label="Was hat nicht funktioniert?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Bitte beschreiben Sie, was nicht funktioniert hat."},
    )
    page = forms.CharField(
        label="Auf welcher Seite? (freiwillig)", max_length=300, required=False, help_text="z. B. „Detailansicht“"
    )
    # `autocomplete` names the purpose of the reporter's own data (WCAG 1.3.5), so browsers can fill it in.
    name = forms.CharField(
        label="Ihr Name (freiwillig)",
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label="Ihre E-Mail-Adresse für eine Antwort (freiwillig)",
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": "Bitte geben Sie eine gültige E-Mail-Adresse ein."},
    )
