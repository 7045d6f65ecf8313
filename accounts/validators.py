"""Password rules beyond Django's own: an upper length limit and the fund's context words (AUTH-02, AUTH-06)."""

import re

from django.core.exceptions import ValidationError

CONTEXT_WORDS = [
    "zusatzversorgungskasse",
    "versorgungskasse",
    "zvk",
    "kvt",
    "thueringen",
    "thüringen",
    "mitgliederportal",
    "abrechnungsstelle",
    "sachbearbeiter",
    "administrator",
    "passwort",
    "einmalpasswort",
]


class MaximumLengthValidator:
    def __init__(self, max_length=128):
        self.max_length = max_length

    def validate(self, password, user=None):
        if len(password) > self.max_length:
            raise ValidationError(
                f"Das Passwort darf höchstens {self.max_length} Zeichen lang sein.", code="password_too_long"
            )

    def get_help_text(self):
        return f"Höchstens {self.max_length} Zeichen."


class ContextWordsValidator:
    """Refuses passwords built on the fund's or the portal's own words, or on the user's e-mail."""

    def validate(self, password, user=None):
        folded = password.casefold()
        letters = re.sub(r"[^a-zäöüß]", "", folded)
        for word in CONTEXT_WORDS:
            if word in folded or (len(word) > 5 and word in letters):
                raise ValidationError(
                    "Das Passwort darf keine naheliegenden Begriffe wie den Namen der Kasse oder des Portals enthalten.",
                    code="password_context_word",
                )
        email = (getattr(user, "email", "") or "").casefold()
        local_part = email.split("@")[0]
        if email and (email in folded or (len(local_part) >= 4 and local_part in folded)):
            raise ValidationError(
                "Das Passwort darf Ihre E-Mail-Adresse nicht enthalten.", code="password_contains_email"
            )

    def get_help_text(self):
        return "Keine naheliegenden Begriffe wie den Namen der Kasse, des Portals oder Ihre E-Mail-Adresse."
