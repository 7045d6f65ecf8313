"""The insured persons of the tests: Hanna Müller at Gera's first unit (with a Verlauf for 2024 and 2025), Jörg
Weiß at Gera's third unit (which Gera's clerk is not granted), Jens Jäger at Jena's first unit."""

from datetime import date
from decimal import Decimal

import pytest

from tests import factories


def with_history(person, unit, years=(2024, 2025)):
    factories.EmploymentFactory(person=person, billing_unit=unit, start=date(2015, 4, 1))
    for year in years:
        factories.SectionFactory(
            person=person,
            billing_unit=unit,
            start=date(year, 1, 1),
            end=date(year, 12, 31),
            pay=Decimal("42000.00") + year,
            contribution=Decimal("1785.00"),
        )
    return person


@pytest.fixture
def hanna(gera_units):
    person = factories.InsuredPersonFactory(
        insurance_number="0020200001", last_name="Müller", first_name="Hanna", birth_date=date(1980, 5, 17)
    )
    return with_history(person, gera_units[0])


@pytest.fixture
def joerg(gera_units):
    person = factories.InsuredPersonFactory(
        insurance_number="0020220001", last_name="Weiß", first_name="Jörg", birth_date=date(1975, 2, 3)
    )
    return with_history(person, gera_units[2])


@pytest.fixture
def jens(jena_units):
    person = factories.InsuredPersonFactory(
        insurance_number="0030300001", last_name="Jäger", first_name="Jens", birth_date=date(1990, 9, 9)
    )
    return with_history(person, jena_units[0])
