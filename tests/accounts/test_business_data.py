"""The rules of the business data an administrator or an applicant types: the phone number and the e-mail address
that must belong to a person, not a role (manual §3 d, §4)."""

import pytest
from django import forms

from accounts.forms import PHONE_RULE, phone_validator
from accounts.models import is_generic_email


@pytest.mark.parametrize(
    "phone",
    [
        "0365 838-1234",
        "+49 365 838-1234",
        "+49 (365) 838/4711-0",
        "03466 / 3364 - 75",  # the fund's own, as the manual prints it
        "012345678",
        "123456",
        "+" + "1" * 20,
    ],
)
def test_phone_numbers_the_message_describes_are_accepted(phone):
    phone_validator(phone)


@pytest.mark.parametrize(
    "phone",
    [
        "abc",
        "12345",  # fewer than 6 digits
        "------ ()",  # separators without digits
        "1" * 21,  # more than 20 digits
        "0365 +838",  # + only at the start
        "++49 365 8381",
        "0365.838.1234",  # a dot is not among the separators
        "0365 838-1234 Durchwahl",
    ],
)
def test_other_phone_numbers_are_refused_with_the_message_that_says_what_is_accepted(phone):
    with pytest.raises(forms.ValidationError) as refused:
        phone_validator(phone)
    assert refused.value.messages == [PHONE_RULE]


def test_the_phone_message_names_every_accepted_character():
    for part in (
        "6 bis 20 Ziffern",
        "Leerzeichen",
        "Schrägstrich (/)",
        "Bindestrich (-)",
        "runde Klammern",
        "+ am Anfang",
    ):
        assert part in PHONE_RULE


@pytest.mark.parametrize(
    "email",
    [
        "info@stadt-gera.example",
        "INFO@stadt-gera.example",
        "poststelle@x.example",
        "Post-Stelle@x.example",
        "info+gera@x.example",
        "kontakt2@x.example",
        "no-reply@x.example",
        "bürgerbüro@x.example",
        "buergerbuero@x.example",
        "personalamt@x.example",
        "rathaus@x.example",
    ],
)
def test_role_addresses_are_generic(email):
    assert is_generic_email(email)


@pytest.mark.parametrize(
    "email",
    [
        "post.thomas@x.example",
        "thomas.post@x.example",
        "infanger@x.example",
        "kontaktmann@x.example",
        "a.mail@x.example",
    ],
)
def test_a_person_whose_address_begins_or_ends_with_a_role_word_is_not_generic(email):
    assert not is_generic_email(email)


def test_an_applicant_cannot_register_with_a_role_address_but_can_with_a_surname_like_one():
    from registration.forms import RegistrationForm

    refused = RegistrationForm({"email": "poststelle@stadt-gera.example"})
    assert "keine allgemeine E-Mail-Adresse" in " ".join(refused.errors["email"])
    assert "email" not in RegistrationForm({"email": "post.thomas@stadt-gera.example"}).errors
