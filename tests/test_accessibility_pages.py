"""The Erklärung zur Barrierefreiheit with its "Barriere melden" form (ThürBITVO §3), and the idle clock that
"Sitzung verlängern" starts again (WCAG 2.2.1)."""

import time

import pytest
import time_machine
from django.test import Client

from accounts.middleware import LAST_SEEN
from tests.mail import deliver_outbox

pytestmark = pytest.mark.django_db


def test_every_page_links_the_statement_and_the_report_form(client, gera_admin):
    for page in ("/login/", "/registrierung/"):
        html = client.get(page).content.decode()
        assert "Erklärung zur Barrierefreiheit" in html and "Barriere melden" in html
    statement = client.get("/barrierefreiheit/").content.decode()
    assert "WCAG 2.1" in statement and "Durchsetzungsstelle" in statement and "portal@kvt-zvk.de" in statement


def test_a_barrier_report_reaches_the_fund_by_mail(client, settings):
    response = client.post(
        "/barrierefreiheit/melden/",
        {"description": "Die Tabelle ist mit dem Bildschirmleser nicht lesbar.", "page": "Detailansicht", "email": ""},
    )
    assert response.status_code == 302
    [mail] = deliver_outbox()
    assert mail.to == [settings.FUND_EMAIL] and "Bildschirmleser" in mail.body and "Detailansicht" in mail.body


def test_an_empty_report_gets_a_message_and_sends_nothing(client):
    response = client.post("/barrierefreiheit/melden/", {"description": ""})
    assert "Bitte beschreiben Sie, was nicht funktioniert hat." in response.content.decode()
    assert deliver_outbox() == []


def test_sitzung_verlaengern_starts_the_idle_clock_again(gera_admin, settings):
    client = Client()
    client.force_login(gera_admin)
    with time_machine.travel(time.time(), tick=False) as traveller:
        client.get("/benutzer/")
        traveller.shift(settings.SESSION_IDLE_TIMEOUT_SECONDS - 100)
        assert client.get("/sitzung/verlaengern/").status_code == 204
        assert client.session[LAST_SEEN] == int(time.time())
        traveller.shift(settings.SESSION_IDLE_TIMEOUT_SECONDS - 100)
        assert client.get("/benutzer/").status_code == 200  # still logged in: the clock started again
        traveller.shift(settings.SESSION_IDLE_TIMEOUT_SECONDS + 1)
        response = client.get("/benutzer/")
        assert response.status_code == 302 and response.url.startswith("/login/")


def test_the_pages_of_a_logged_in_user_carry_the_idle_timeout_for_the_warning(client, gera_admin, settings):
    client.force_login(gera_admin)
    html = client.get("/benutzer/").content.decode()
    assert f'data-idle-timeout="{settings.SESSION_IDLE_TIMEOUT_SECONDS}"' in html and "Sitzung verlängern" in html
    assert "data-idle-timeout" not in Client().get("/login/").content.decode()
