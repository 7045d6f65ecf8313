"""The password rules (AUTH-02, AUTH-06), each refusing with a German message that names the rule it applies.

Length, not composition: no rule asks for capitals, digits or special characters (NIST SP 800-63B 5.1.1.2); a long
sentence is a good password. Refused are passwords that are too short or too long, only digits, on the list of common
passwords, built on the person's own name or e-mail, or on the fund's and the portal's own words.
"""

import re

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

from accounts.spelling import fold

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
# Name particles are common words of their own ("von der Heide"): a password may contain them.
NAME_PARTICLES = {"von", "van", "der", "den", "dem", "del", "des", "zu", "zum", "zur", "de", "di", "da", "la", "le"}
# A name shorter than this is part of too many ordinary words to be refused inside a password.
MIN_NAME_LENGTH = 3
MIN_EMAIL_PART_LENGTH = 4


def _spellings(text: str) -> set[str]:
    """A text as compared with a name: folded however its umlauts are typed, and also with its letters only."""
    folded = fold(text)
    return {folded, re.sub(r"[^a-z]", "", folded)}


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError(
                f"Das Passwort ist zu kurz: Es muss mindestens {self.min_length} Zeichen lang sein "
                f"(Sie haben {len(password)} eingegeben).",
                code="password_too_short",
            )

    def get_help_text(self):
        return f"Mindestens {self.min_length} Zeichen."


class MaximumLengthValidator:
    def __init__(self, max_length=128):
        self.max_length = max_length

    def validate(self, password, user=None):
        if len(password) > self.max_length:
            raise ValidationError(
                f"Das Passwort ist zu lang: Es darf höchstens {self.max_length} Zeichen lang sein "
                f"(Sie haben {len(password)} eingegeben).",
                code="password_too_long",
            )

    def get_help_text(self):
        return f"Höchstens {self.max_length} Zeichen."


class NumericPasswordValidator(password_validation.NumericPasswordValidator):
    def get_error_message(self):
        return "Das Passwort darf nicht nur aus Ziffern bestehen. Bitte verwenden Sie auch Buchstaben oder Wörter."

    def get_help_text(self):
        return "Nicht nur Ziffern."


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    def get_error_message(self):
        return "Dieses Passwort gehört zu den häufig verwendeten Passwörtern und ist leicht zu erraten."

    def get_help_text(self):
        return "Kein häufig verwendetes Passwort."


SIMILAR_TO = {"first_name": "Ihrem Vornamen", "last_name": "Ihrem Nachnamen", "email": "Ihrer E-Mail-Adresse"}


class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    """Django's similarity test (the whole password close to a name or the e-mail), saying which one it is close to."""

    def validate(self, password, user=None):
        for attribute in self.user_attributes:
            single = password_validation.UserAttributeSimilarityValidator([attribute], self.max_similarity)
            try:
                single.validate(password, user)
            except ValidationError:
                raise ValidationError(
                    f"Das Passwort ähnelt zu sehr {SIMILAR_TO.get(attribute, 'Ihren persönlichen Angaben')}.",
                    code="password_too_similar",
                ) from None

    def get_help_text(self):
        return "Nicht ähnlich zu Ihrem Namen oder Ihrer E-Mail-Adresse."


class PersonalWordsValidator:
    """Refuses a password that contains the person's own first name, last name (or a part of a double name) or
    its e-mail address or a part of it before the @, in any case and with umlauts written either way."""

    def validate(self, password, user=None):
        if user is None:
            return
        typed = _spellings(password)
        for attribute, label in (("first_name", "Ihren Vornamen"), ("last_name", "Ihren Nachnamen")):
            name = getattr(user, attribute, "") or ""
            parts = {name, *re.split(r"[\s\-]+", name)}
            words = {
                spelling
                for part in parts
                if part.casefold() not in NAME_PARTICLES
                for spelling in _spellings(part)
                if len(spelling) >= MIN_NAME_LENGTH
            }
            if any(word in form for word in words for form in typed):
                raise ValidationError(f"Das Passwort darf {label} nicht enthalten.", code="password_contains_name")
        email = (getattr(user, "email", "") or "").casefold()
        local_part = email.split("@")[0]
        pieces = {local_part, *re.split(r"[._\-+0-9]+", local_part)}
        if email and (
            email in password.casefold()
            or any(len(piece) >= MIN_EMAIL_PART_LENGTH and fold(piece) in form for piece in pieces for form in typed)
        ):
            raise ValidationError(
                "Das Passwort darf Ihre E-Mail-Adresse oder einen Teil davon (vor dem @) nicht enthalten.",
                code="password_contains_email",
            )

    def get_help_text(self):
        return "Nicht Ihr Vorname, Ihr Nachname oder Ihre E-Mail-Adresse."


class ContextWordsValidator:
    """Refuses passwords built on the fund's or the portal's own words, naming the word found."""

    def validate(self, password, user=None):
        folded = password.casefold()
        letters = re.sub(r"[^a-zäöüß]", "", folded)
        for word in CONTEXT_WORDS:
            if word in folded or (len(word) > 5 and word in letters):
                raise ValidationError(
                    f"Das Passwort darf den Begriff „{word}“ nicht enthalten: Naheliegende Begriffe wie der Name der "
                    "Kasse oder des Portals sind leicht zu erraten.",
                    code="password_context_word",
                )

    def get_help_text(self):
        return "Keine naheliegenden Begriffe wie den Namen der Kasse oder des Portals."
