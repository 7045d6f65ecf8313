"""Names in German order (DIN 5007-1) in every list and export, the same on PostgreSQL and SQLite: "Böhm" before
"Braun", "Öztürk" among the O, "Freiin von Stein" under S, "de Vries" under V, "Benutzer #9" before "#10"."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import Membership, User
from base import collation
from clerks import review, services
from clerks.forms import SORTS
from tests import factories

pytestmark = pytest.mark.django_db

# (last name, first name) in the order a German reader expects them.
IN_ORDER = [
    ("Bauer", "Anton"),
    ("Benutzer #9", "Gelöschter"),
    ("Benutzer #10", "Gelöschter"),
    ("Böhm", "Anna"),
    ("Bohm", "Zacharias"),  # ö = o: the first names decide
    ("Bohme", "Anna"),
    ("Braun", "Anna"),
    ("Müller", "Änne"),
    ("Müller", "Hans"),
    ("Müller-Lüdenscheidt", "Axel"),
    ("Ortmann", "Olga"),
    ("Öztürk", "Ayşe"),
    ("Stein", "Anna"),
    ("von Stein", "Anna"),
    ("Freiin von Stein", "Charlotte"),
    ("Strauß", "Emil"),
    ("de Vries", "Jan"),
    ("Weber", "Ute"),
]


def test_the_key_puts_particles_and_titles_behind_the_surname():
    assert collation.name_key("Freiin von Stein", "Charlotte") == "Stein\tCharlotte\tFreiin von"
    assert collation.name_key("von und zu Guttenberg", "Karl") == "Guttenberg\tKarl\tvon und zu"
    assert collation.name_key("de Vries", "Jan") == "Vries\tJan\tde"
    assert collation.name_key("Müller von Berg", "Eva") == "Müller von Berg\tEva"  # only before the surname
    assert collation.name_key("Graf", "Eva") == "Graf\tEva"  # a surname of its own stays one


def test_the_sqlite_order_and_python_order_agree():
    shuffled = [collation.name_key(last, first) for last, first in reversed(IN_ORDER)]
    assert sorted(shuffled, key=collation.sort_key) == [collation.name_key(*name) for name in IN_ORDER]


@pytest.fixture
def people(gera_units):
    return [
        factories.ClerkFactory(last_name=last, first_name=first, units=gera_units[:1])
        for last, first in reversed(IN_ORDER)
    ]


def emails_in_order(text: str, people, marker=lambda person: person.email) -> list[str]:
    found = sorted((text.index(marker(person)), person.email) for person in people)
    return [email for _at, email in found]


def detail_link(person) -> str:
    return f'href="/benutzer/{person.pk}/"'


def expected(people) -> list[str]:
    by_name = {(p.last_name, p.first_name): p.email for p in people}
    return [by_name[name] for name in IN_ORDER]


def test_the_users_and_the_memberships_are_ordered_by_the_german_key(people, gera_admin):
    assert [(u.last_name, u.first_name) for u in User.objects.clerks()] == IN_ORDER
    memberships = Membership.objects.visible_to(gera_admin).filter(role="clerk").order_by(*SORTS["name"]["key"])
    assert [(m.last_name, m.first_name) for m in memberships] == IN_ORDER


def test_verwaltung_der_benutzer_lists_in_german_order(client, people, gera_admin):
    client.force_login(gera_admin)
    html = client.get("/benutzer/", {"role": "clerk"}).content.decode()
    assert emails_in_order(html, people, detail_link) == expected(people)
    backwards = client.get("/benutzer/", {"role": "clerk", "sort": "-name"}).content.decode()
    assert emails_in_order(backwards, people, detail_link) == expected(people)[::-1]


def test_the_berechtigungsuebersicht_and_its_exports_list_in_german_order(client, people, gera_admin):
    client.force_login(gera_admin)
    assert emails_in_order(client.get("/berechtigungen/").content.decode(), people) == expected(people)
    csv = client.get("/berechtigungen/", {"format": "csv"}).content.decode("utf-8-sig")
    assert emails_in_order(csv, people) == expected(people)
    sheet = load_workbook(io.BytesIO(client.get("/berechtigungen/", {"format": "xlsx"}).content)).active
    assert [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)] == expected(people)


def test_a_changed_name_moves_to_its_new_place(people, gera_admin):
    weber = User.objects.get(last_name="Weber")
    services.update_personal_data(
        clerk=weber, by=gera_admin, first_name="Ute", last_name="Ärmel", phone=weber.phone, email=weber.email
    )
    memberships = Membership.objects.visible_to(gera_admin).filter(role="clerk").order_by(*SORTS["name"]["key"])
    assert [m.last_name for m in memberships][:2] == ["Ärmel", "Bauer"]
    assert User.objects.clerks().first().last_name == "Ärmel"


postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the ICU collation is PostgreSQL's")


@postgresql_only
def test_postgresqls_icu_collation_orders_as_the_python_key_does():
    keys = [collation.name_key(last, first) for last, first in IN_ORDER]
    extra = [
        "Ärger",
        "Arger",
        "arger",
        "Strauss",
        "Straus",
        "Müller, A",
        "Müller-A",
        "Zoë",
        "Zoe",
        "Ølsen",
        "Olsen",
        "Łukasz",
    ]
    values = ", ".join(["(%s)"] * len(keys + extra))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT v FROM (VALUES {values}) t(v) ORDER BY v COLLATE {collation.NAME}", keys + extra)
        ordered = [row[0] for row in cursor.fetchall()]
    assert ordered == sorted(keys + extra, key=collation.sort_key)


# --- the other lists of people: the same order wherever a German reader looks for a name ------------------------


def names_in_order(html: str, marker) -> list[tuple[str, str]]:
    found = sorted((html.index(marker(last, first)), (last, first)) for last, first in IN_ORDER)
    return [name for _at, name in found]


def test_versicherte_are_listed_in_german_order(client, gera_clerk, gera_units):
    for last, first in reversed(IN_ORDER):
        person = factories.InsuredPersonFactory(last_name=last, first_name=first)
        factories.EmploymentFactory(person=person, billing_unit=gera_units[0])
    client.force_login(gera_clerk)
    html = client.get("/versicherte/").content.decode()
    assert names_in_order(html, lambda last, first: f">{last}, {first}</a>") == IN_ORDER


def test_handlungsbedarf_lists_its_entries_in_german_order(client, gera_admin, gera_units):
    for last, first in reversed(IN_ORDER):
        factories.PendingClerkFactory(last_name=last, first_name=first, units=gera_units[:1])
    client.force_login(gera_admin)
    html = client.get("/benutzer/").content.decode()
    panel = html[html.index('data-testid="attention-handover"') :]
    assert names_in_order(panel, lambda last, first: f"<span>{last}, {first} – ") == IN_ORDER


def test_berechtigungen_bestaetigen_lists_in_german_order(client, people, gera_admin, settings):
    settings.ACCESS_REVIEW_DAY = "01-15"
    with time_machine.travel(review.review_day(timezone.now().year) + timedelta(hours=8), tick=False):
        review.run()
    client.force_login(gera_admin)
    member = gera_admin.memberships.get().member
    html = client.get(f"/berechtigungen-bestaetigen/{member.pk}/").content.decode()
    assert emails_in_order(html, people) == expected(people)
