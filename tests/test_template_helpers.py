"""accounts/templatetags/portal.py: the fast helpers give exactly what Django's date filter and url tag give."""

from datetime import UTC, datetime

import pytest
from django.template import Context, Template
from django.urls import reverse

MOMENTS = [
    datetime(2020, 7, 6, 9, 55, tzinfo=UTC),  # summer time: 11:55 in Berlin
    datetime(2024, 1, 2, 23, 5, tzinfo=UTC),  # winter time, next day in Berlin
    datetime(2025, 3, 30, 0, 59, tzinfo=UTC),  # the night the clocks change
]


def render(source: str, **context) -> str:
    return Template("{% load portal %}" + source).render(Context(context))


@pytest.mark.parametrize("moment", MOMENTS)
def test_dates_read_as_with_djangos_date_filter(moment):
    assert render("{{ m|datetime_de }}", m=moment) == render('{{ m|date:"d.m.Y H:i" }}', m=moment)
    assert render("{{ m|date_de }}", m=moment) == render('{{ m|date:"d.m.Y" }}', m=moment)


def test_the_manuals_example_and_an_empty_date():
    assert render("{{ m|datetime_de }}", m=MOMENTS[0]) == "06.07.2020 11:55"
    assert render("[{{ m|datetime_de }}][{{ m|date_de }}]", m=None) == "[][]"


@pytest.mark.parametrize("name", ["clerks:detail", "clerks:assign", "clerks:lock_administrator"])
def test_url_pk_is_the_url_tag(name):
    for pk in (1, 42, 9876543):
        assert render(f'{{% url_pk "{name}" pk %}}', pk=pk) == reverse(name, args=[pk])
