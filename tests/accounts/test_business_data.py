"""The rules of the business data an administrator or an applicant types: the phone number and the e-mail address
that must belong to a person, not a role (manual §3 d, §4)."""

import pytest
from django import forms

from accounts.forms import PHONE_RULE, phone_validator


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
    for part in ("6 bis 20 Ziffern", "Leerzeichen", "Schrägstrich (/)", "Bindestrich (-)", "runde Klammern", "+ am Anfang"):
        assert part in PHONE_RULE
