"""zvk_portal/jinja2.py: the pages' helpers give exactly what Django's date filter and url tag give."""

import re
from datetime import UTC, date, datetime

import pytest
from django.template import Context, Template, engines
from django.test.utils import override_script_prefix
from django.urls import reverse

from base.forms import RENDERER

MOMENTS = [
    datetime(2020, 7, 6, 9, 55, tzinfo=UTC),  # summer time: 11:55 in Berlin
    datetime(2024, 1, 2, 23, 5, tzinfo=UTC),  # winter time, next day in Berlin
    datetime(2025, 3, 30, 0, 59, tzinfo=UTC),  # the night the clocks change
]


def render(source: str, **context) -> str:
    return engines["jinja2"].from_string(source).render(context)


def django_render(source: str, **context) -> str:
    return Template(source).render(Context(context))


@pytest.mark.parametrize("moment", MOMENTS)
def test_dates_read_as_with_djangos_date_filter(moment):
    assert render("{{ m|datetime_de }}", m=moment) == django_render('{{ m|date:"d.m.Y H:i" }}', m=moment)
    assert render("{{ m|date_de }}", m=moment) == django_render('{{ m|date:"d.m.Y" }}', m=moment)
    assert render("{{ m|datetime_de_seconds }}", m=moment) == django_render('{{ m|date:"d.m.Y H:i:s" }}', m=moment)


def test_the_manuals_example_and_an_empty_date():
    assert render("{{ m|datetime_de }}", m=MOMENTS[0]) == "06.07.2020 11:55"
    assert render("[{{ m|datetime_de }}][{{ m|date_de }}]", m=None) == "[][]"
    assert render("[{{ d|datetime_de }}][{{ d|date_de }}]", d=date(2020, 7, 6)) == "[06.07.2020 00:00][06.07.2020]"


@pytest.mark.parametrize("name", ["clerks:detail", "clerks:assign", "clerks:lock_administrator"])
def test_url_pk_and_url_are_the_url_tag(name):
    for pk in (1, 42, 9876543):
        assert render("{{ url_pk(name, pk) }}", name=name, pk=pk) == reverse(name, args=[pk])
        assert render("{{ url(name, pk) }}", name=name, pk=pk) == django_render("{% url name pk %}", name=name, pk=pk)


@pytest.mark.parametrize("name", ["home", "clerks:list", "accounts:logout", "admin:index"])
def test_url_without_arguments_is_the_url_tag(name):
    assert render("{{ url(name) }}", name=name) == django_render("{% url name %}", name=name)
    with override_script_prefix("/portal/"):  # behind a proxy's prefix: not the address cached without it
        assert render("{{ url(name) }}", name=name) == django_render("{% url name %}", name=name)
        assert render("{{ url(name) }}", name=name).startswith("/portal/")


def test_values_are_escaped_and_form_fields_are_not():
    from clerks.forms import LockReasonForm

    assert render("{{ v }}", v="<b>&") == "&lt;b&gt;&amp;"
    assert render("{{ f.reason }}", f=LockReasonForm()) == str(LockReasonForm()["reason"])


def test_the_admin_and_the_emails_stay_django_templates():
    from django.template.loader import get_template

    assert get_template("base.html").backend.name == "jinja2"
    assert get_template("admin/base_site.html").backend.name == "django"
    assert get_template("emails/clerk_created_body.txt").backend.name == "django"


@pytest.mark.django_db
@pytest.mark.parametrize("bound", [False, True], ids=["empty", "with errors"])
def test_the_portals_forms_render_as_with_djangos_own_renderer(bound, gera_units):
    from django.forms.renderers import DjangoTemplates

    from accounts import forms as account_forms
    from billing_units.models import BillingUnit
    from clerks import forms as clerk_forms
    from registration import forms as registration_forms

    data = {"email": "kein-gueltiger-wert", "status": "kaputt"} if bound else None
    made = [
        account_forms.LoginForm(data),
        account_forms.ForgotPasswordForm(data),
        account_forms.PasswordChangeForm(None, data),
        registration_forms.RegistrationForm(data),
        clerk_forms.PersonalDataForm(data),
        clerk_forms.UnitsForm(data, units=BillingUnit.objects.all()),
        clerk_forms.LockReasonForm(data),
        clerk_forms.UserFilterForm(data, units=BillingUnit.objects.values_list("pk", "number", "name")),
    ]
    django_renderer = DjangoTemplates()
    for form in made:
        assert form.renderer is RENDERER, type(form).__name__
        for field in form:
            html = str(field)
            form.renderer = django_renderer
            assert as_shown(str(form[field.name])) == as_shown(html), f"{type(form).__name__}.{field.name}"
            form.renderer = RENDERER


def as_shown(html: str) -> str:
    """The HTML as a browser shows it: the two engines' radio buttons differ only in line breaks beside the
    label text and around block elements, where a browser shows none."""
    html = re.sub(r"\s+", " ", html)
    return re.sub(r"\s*(</?(?:div|ul|li|p|fieldset)\b[^>]*>)\s*", r"\1", html)


def test_unit_numbers_and_select_options_escape_every_name_and_value():
    units = [("0100", 'Bauhof "Nord" <b>&</b>'), ("0200", "Schule")]
    assert render("{{ u|unit_numbers }}", u=units) == (
        '<span title="Bauhof &quot;Nord&quot; &lt;b&gt;&amp;&lt;/b&gt;">0100</span>, <span title="Schule">0200</span>'
    )
    choices = [("", "alle"), (1, "<script>"), (2, "0200 Schule")]
    assert render("{{ c|select_options('2') }}", c=choices) == (
        '<option value="">alle</option><option value="1">&lt;script&gt;</option>'
        '<option value="2" selected>0200 Schule</option>'
    )
