"""The panels of "Verwaltung der Benutzer" (Handlungsbedarf, the yearly review's task, the hint to register a second
administrator) are computed once and kept until a member of the administrator's registration changes, or for
PANELS_CACHE_SECONDS at most (clerks/panels.py)."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts import services as account_services
from clerks import attention, services
from tests import factories
from tests.helpers import page_text, post_login

pytestmark = pytest.mark.django_db

KEPT, COMPUTED = 7, 12  # the list's queries with the panels kept, and computed anew


def list_queries(client) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/benutzer/")
    assert response.status_code == 200
    return len(captured), page_text(response)


def logged_in(client, user):
    client.force_login(user)
    client.get("/")  # the first request after the login starts the session clock (one session write)
    return client


def test_the_second_view_reads_the_kept_panels(client, gera_admin, gera_units):
    factories.PendingClerkFactory(units=gera_units[:1], last_name="Neuling")
    logged_in(client, gera_admin)
    first, html = list_queries(client)
    second, again = list_queries(client)
    assert (first, second) == (COMPUTED, KEPT)
    assert (
        "Neuling" in html.split('data-testid="attention"')[1] and "Neuling" in again.split('data-testid="attention"')[1]
    )


def test_a_colleagues_change_shows_on_the_next_page(client, gera_admin, gera_admin2, gera_units):
    logged_in(client, gera_admin)
    list_queries(client)
    services.create_clerk(
        by=gera_admin2,
        first_name="Nele",
        last_name="Neumann",
        phone="03651234567",
        email="nele.neumann@stadt-gera.example",
        unit_ids=[gera_units[0].pk],
    )
    count, html = list_queries(client)
    assert count == COMPUTED and "Neumann" in html.split('data-testid="attention"')[1]


def test_a_clerks_own_password_shows_on_the_next_page(client, gera_admin, gera_units):
    clerk = factories.PendingClerkFactory(units=gera_units[:1], last_name="Neuling")
    logged_in(client, gera_admin)
    list_queries(client)
    account_services.set_personal_password(user=clerk, password="ein-ganz-eigenes-Passwort-2026")
    count, html = list_queries(client)
    assert count == COMPUTED and 'data-testid="attention"' not in html


def test_logins_and_another_members_changes_keep_the_panels(client, gera_admin, gera_clerk, jena_admin, jena_units):
    logged_in(client, gera_admin)
    list_queries(client)
    post_login(Client(), gera_clerk, factories.PASSWORD)
    services.create_clerk(
        by=jena_admin,
        first_name="Jan",
        last_name="Jenaer",
        phone="03641123456",
        email="jan.jenaer@stadt-jena.example",
        unit_ids=[jena_units[0].pk],
    )
    assert list_queries(client)[0] == KEPT


def test_what_changes_with_time_alone_shows_after_the_kept_time(client, gera_admin, gera_units, settings):
    clerk = factories.PendingClerkFactory(units=gera_units[:1], last_name="Eilig")
    warned_from = clerk.otp_expires_at - timedelta(days=attention.EXPIRY_WARNING_DAYS)
    with time_machine.travel(warned_from - timedelta(minutes=1), tick=False) as traveller:
        logged_in(client, gera_admin)
        assert "Einmalpasswort läuft am" not in list_queries(client)[1]
        traveller.shift(timedelta(minutes=2))  # the password now runs out within the warning's days
        assert "Einmalpasswort läuft am" not in list_queries(client)[1]  # as kept
        traveller.shift(timedelta(seconds=settings.PANELS_CACHE_SECONDS))
        assert "Einmalpasswort läuft am" in list_queries(client)[1]


def test_an_administrator_reads_only_its_own_panels(client, gera_admin, both_admin, gera_units):
    factories.PendingClerkFactory(units=gera_units[:1], last_name="Neuling")
    logged_in(client, both_admin)
    list_queries(client)
    logged_in(client, gera_admin)
    assert list_queries(client)[0] == COMPUTED


def test_the_kept_panels_forms_carry_each_pages_own_form_token(gera_admin, gera_units):
    """Handlungsbedarf is kept as HTML; its "übergeben" forms take the token of the page that shows them."""
    clerk = factories.PendingClerkFactory(units=gera_units[:1], last_name="Neuling")
    browser = logged_in(Client(enforce_csrf_checks=True), gera_admin)
    tokens = []
    for _view in range(2):
        html = page_text(browser.get("/benutzer/"))
        mark_form = html.split(f'action="/benutzer/{clerk.pk}/handlungsbedarf/"')[1].split("</form>")[0]
        on_page = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html))
        assert "<!--csrf-input-->" not in html and len(on_page) == 1  # one token per page, in every form
        tokens.append(re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', mark_form)[1])
    assert tokens[0] != tokens[1]  # masked anew for every page (BREACH)
    response = browser.post(
        f"/benutzer/{clerk.pk}/handlungsbedarf/", {"kind": "handover", "csrfmiddlewaretoken": tokens[0]}
    )
    assert response.status_code == 302
    html = page_text(browser.get("/benutzer/"))
    assert "als übergeben markiert" in html and 'data-testid="attention"' not in html
