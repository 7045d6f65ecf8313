"""A form sent after the session ended: nothing is saved, the login page says why, and after the next login of the
same administrator the personal data typed into "Sachbearbeiter hinzufügen" or "Persönliche Daten" are there
again (never a password), for it alone."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from accounts.models import Role, User
from audit.models import AuditEntry
from tests import factories
from tests.helpers import fresh, post_login

pytestmark = pytest.mark.django_db

PERSON = {"first_name": "Max", "last_name": "Test", "phone": "012345678", "email": "max.test@stadt-gera.example"}
KEPT = "Ihre Sitzung ist abgelaufen, deshalb wurde nichts gespeichert. Bitte melden Sie sich erneut an. Danach sind"
NOT_KEPT = "Ihre Sitzung ist abgelaufen, deshalb wurde nichts gespeichert. Bitte melden Sie sich erneut an.</"
AGAIN = "Ihre Eingaben sind wieder eingetragen. Bitte prüfen Sie sie und klicken Sie erneut auf"


@pytest.fixture
def clock(settings):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        traveller.idle = lambda: traveller.shift(timedelta(seconds=settings.SESSION_IDLE_TIMEOUT_SECONDS + 1))
        yield traveller


def opened(client, user, url):
    client.force_login(user)
    assert client.get(url).status_code == 200  # the form is on the screen; the idle clock runs


def login_again(client, user, url):
    response = post_login(client, user, factories.PASSWORD, next=url)
    assert response.status_code == 302 and response.url == url
    return client.get(url).content.decode()


def test_step_one_sent_after_the_timeout_saves_nothing_and_comes_back_after_the_login(client, gera_admin, clock):
    opened(client, gera_admin, "/benutzer/neu/")
    clock.idle()
    response = client.post("/benutzer/neu/", PERSON)
    assert response.status_code == 302 and response.url == "/login/?next=/benutzer/neu/"
    assert "clerk_draft" not in client.session
    assert KEPT in client.get(response.url).content.decode()
    html = login_again(client, gera_admin, "/benutzer/neu/")
    assert AGAIN in html and "„Weiter“" in html
    for value in PERSON.values():
        assert f'value="{value}"' in html
    assert client.get("/benutzer/neu/").content.decode().count('value="Max"') == 0  # once only


def test_another_administrator_logging_in_on_that_browser_gets_nothing(client, gera_admin, gera_admin2, clock):
    opened(client, gera_admin, "/benutzer/neu/")
    clock.idle()
    client.post("/benutzer/neu/", PERSON)
    html = login_again(client, gera_admin2, "/benutzer/neu/")
    assert "Max" not in html and AGAIN not in html
    assert "typed_input" not in client.session


def test_step_two_keeps_step_one_and_the_ticked_units(client, gera_admin, gera_units, clock):
    opened(client, gera_admin, "/benutzer/neu/")
    client.post("/benutzer/neu/", PERSON)
    token = client.session["clerk_draft"]["token"]
    clock.idle()
    response = client.post("/benutzer/neu/abrechnungsstellen/", {"token": token, "units": [gera_units[1].pk]})
    assert response.url.startswith("/login/")
    assert not User.objects.filter(email=PERSON["email"]).exists()
    html = login_again(client, gera_admin, "/benutzer/neu/abrechnungsstellen/")
    assert AGAIN in html and "Max" in html
    ticked = re.findall(r'<input type="checkbox" name="units" value="(\d+)"[^>]*checked', html)
    assert ticked == [str(gera_units[1].pk)]
    saved = client.post("/benutzer/neu/abrechnungsstellen/", {"token": token, "units": [gera_units[1].pk]})
    clerk = User.objects.get(email=PERSON["email"], role=Role.CLERK)
    assert saved.url == f"/benutzer/{clerk.pk}/angelegt/"


def test_personal_data_sent_after_the_timeout_change_nothing_and_come_back(client, gera_admin, gera_clerk, clock):
    url = f"/benutzer/{gera_clerk.pk}/persoenliche-daten/"
    opened(client, gera_admin, f"/benutzer/{gera_clerk.pk}/")
    clock.idle()
    data = {"first_name": "Anna", "last_name": "Neumann", "phone": "0365 838-7777", "email": gera_clerk.email}
    response = client.post(url, data)
    assert response.url.startswith("/login/")
    assert fresh(gera_clerk).last_name == "Schmidt"
    assert not AuditEntry.objects.filter(action="user.personal_data_changed").exists()
    html = login_again(client, gera_admin, url)
    assert AGAIN in html and "„Speichern“" in html
    assert 'value="Neumann"' in html and 'value="0365 838-7777"' in html and "Persönliche Daten" in html
    assert client.get(url).url == f"/benutzer/{gera_clerk.pk}/"  # shown once; afterwards the page as before


def test_a_password_form_sent_after_the_timeout_keeps_nothing(client, gera_clerk, clock):
    opened(client, gera_clerk, "/passwort-aendern/")
    clock.idle()
    response = client.post(
        "/passwort-aendern/",
        {"old_password": factories.PASSWORD, "new_password1": "Ein neuer langer Satz", "new_password2": "x"},
    )
    assert response.url.startswith("/login/")
    assert "typed_input" not in client.session
    assert NOT_KEPT in client.get(response.url).content.decode()


def test_a_form_sent_after_a_logout_elsewhere_says_the_session_ended(client, gera_admin):
    response = client.post("/benutzer/neu/", PERSON)  # no session at all: logged out in another window
    assert response.url == "/login/?next=/benutzer/neu/"
    assert NOT_KEPT in client.get(response.url).content.decode()
    assert "typed_input" not in client.session


def test_a_stale_form_token_leads_back_to_the_form_to_open_it_afresh(gera_admin):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(gera_admin)
    response = browser.post("/benutzer/neu/", PERSON, HTTP_REFERER="http://testserver/benutzer/neu/")
    html = response.content.decode()
    assert response.status_code == 403 and "Formular abgelaufen" in html and "Es wurde nichts gespeichert." in html
    assert '<a class="button" href="/benutzer/neu/">Formular neu öffnen</a>' in html
    foreign = browser.post("/benutzer/neu/", PERSON, HTTP_REFERER="https://boese.example/benutzer/neu/")
    assert "boese.example" not in foreign.content.decode() and "Zur Startseite" in foreign.content.decode()
    # A page of ours whose path starts with "//" would lead a browser to another site.
    sneaky = browser.post("/benutzer/neu/", PERSON, HTTP_REFERER="http://testserver//boese.example/formular/")
    assert "boese.example" not in sneaky.content.decode() and "Zur Startseite" in sneaky.content.decode()


def test_a_stale_form_without_a_session_asks_to_log_in_again(db):
    browser = Client(enforce_csrf_checks=True)
    html = browser.post("/benutzer/neu/", PERSON, HTTP_REFERER="http://testserver/benutzer/neu/").content.decode()
    assert "Ihre Sitzung ist abgelaufen oder Sie wurden abgemeldet" in html
    assert 'href="/login/?next=/benutzer/neu/"' in html


@pytest.mark.parametrize("path", ["/\\boese.example/formular/", "/\\/boese.example/"])
def test_a_referer_path_that_a_browser_reads_as_another_site_is_not_offered(gera_admin, path):
    """Browsers read a backslash in a link's path as a slash: "/\\host/" leads to another site like "//host/"."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(gera_admin)
    html = browser.post("/benutzer/neu/", PERSON, HTTP_REFERER=f"http://testserver{path}").content.decode()
    assert "boese.example" not in html and "Zur Startseite" in html
