"""Money as a German reads and types it: "1.234,56 €"; an amount that is not plainly one is refused."""

from decimal import Decimal

import pytest

from insured.formats import euro, parse_euro
from insured.models import check_section


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("1.234,56", "1234.56"),
        ("1234,56", "1234.56"),
        ("1234.56", "1234.56"),
        ("21.000,00 €", "21000.00"),
        ("1.234.567,89", "1234567.89"),
        ("0,5", "0.5"),
        ("42", "42"),
    ],
)
def test_what_a_clerk_types_is_the_amount_meant(typed, amount):
    assert parse_euro(typed) == Decimal(amount)


@pytest.mark.parametrize(
    "typed", ["1.234", "1.234.567", "1,2,3", "12.34.56", "1e309", "NaN", "Infinity", "１２３", "zwanzig"]
)
def test_an_amount_that_is_not_plainly_one_is_refused(typed):
    with pytest.raises(ValueError):
        parse_euro(typed)


def test_amounts_are_shown_german():
    assert (euro(Decimal("1234.5")), euro(Decimal("0")), euro(None)) == ("1.234,50 €", "0,00 €", "–")
    assert euro(Decimal("1234567.891")) == "1.234.567,89 €"


def test_an_entgelt_beyond_the_column_is_refused_beside_its_field():
    assert check_section(None, None, "10", Decimal("10000000000")) == {
        "pay": ["Das Entgelt ist zu hoch: höchstens 9.999.999.999,99 €."]
    }
