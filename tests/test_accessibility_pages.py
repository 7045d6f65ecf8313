"""The Erklärung zur Barrierefreiheit with its "Barriere melden" form (ThürBITVO §3), and the idle clock that
"Sitzung verlängern" starts again (WCAG 2.2.1)."""

import re
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


def test_the_reporters_name_and_address_reach_the_mail_and_nothing_kept(client):
    """The audit log is kept for the life of the portal and is no place for a visitor's personal data."""
    from audit.models import AuditEntry

    report = {"description": "Kontrast zu schwach.", "name": "Erika Muster", "email": "erika.muster@example.org"}
    client.post("/barrierefreiheit/melden/", report)
    [mail] = deliver_outbox()
    assert "Erika Muster" in mail.body and "erika.muster@example.org" in mail.body
    [entry] = AuditEntry.objects.filter(action="feedback.sent")
    assert entry.actor_label == "anonym" and entry.data == {"answer_wanted": True}


def test_the_reporters_own_data_name_their_purpose_so_the_browser_can_fill_them(client):
    """WCAG 1.3.5: fields about the user themselves carry `autocomplete`."""
    html = client.get("/barrierefreiheit/melden/").content.decode()
    assert re.search(r'<input type="text" name="name" autocomplete="name"', html)
    assert re.search(r'<input type="email" name="email" autocomplete="email"', html)


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


# --- "Barriere melden" under attack ------------------------------------------------------------------------------

REPORT = {"description": "Der Knopf ist mit der Tastatur nicht erreichbar.", "page": "Login", "name": "", "email": ""}


@pytest.fixture
def frozen():
    from django.utils import timezone

    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


@pytest.mark.parametrize(
    "field, value",
    [
        ("name", "Erika\r\nBcc: opfer@example.org"),
        ("page", "Login\r\nSubject: Gewinn\r\n\r\nKlicken Sie hier"),
        ("email", "erika@example.org\r\nBcc: opfer@example.org"),
        ("description", "Text\r\nBcc: opfer@example.org"),
    ],
)
def test_line_breaks_in_a_report_never_reach_a_header_of_the_mail(client, settings, field, value):
    client.post("/barrierefreiheit/melden/", {**REPORT, field: value}, REMOTE_ADDR="127.0.60.1")
    mails = deliver_outbox()
    assert len(mails) == (0 if field == "email" else 1)  # an address with a line break is no address
    for mail in mails:
        message = mail.message()
        assert mail.to == [settings.FUND_EMAIL] and mail.bcc == [] and mail.cc == []
        assert message["Subject"] == "Barriere gemeldet im Mitgliederportal"
        assert "opfer@example.org" not in "".join(f"{k}: {v}" for k, v in message.items())
        assert message.get("Reply-To") is None


def test_reports_are_limited_per_address_and_the_limit_is_said_in_german(client, settings, frozen):
    from outbox.models import OutboxMessage

    for _ in range(settings.FEEDBACK_PER_ADDRESS):
        assert client.post("/barrierefreiheit/melden/", REPORT, REMOTE_ADDR="127.0.61.1").status_code == 302
    response = client.post("/barrierefreiheit/melden/", REPORT, REMOTE_ADDR="127.0.61.1")
    assert response.status_code == 429 and "Zu viele Meldungen" in response.content.decode()
    assert OutboxMessage.objects.filter(template="barrier_report").count() == settings.FEEDBACK_PER_ADDRESS
    assert client.post("/barrierefreiheit/melden/", REPORT, REMOTE_ADDR="127.0.61.2").status_code == 302
    frozen.shift(settings.THROTTLE_WINDOW_SECONDS + 1)  # a minute later the address still waits: the hour counts
    assert client.post("/barrierefreiheit/melden/", REPORT, REMOTE_ADDR="127.0.61.1").status_code == 429
    frozen.shift(settings.FEEDBACK_WINDOW_SECONDS)
    assert client.post("/barrierefreiheit/melden/", REPORT, REMOTE_ADDR="127.0.61.1").status_code == 302


def test_a_flood_from_many_addresses_stops_at_the_portals_hourly_limit(client, settings, frozen):
    from outbox.models import OutboxMessage

    settings.FEEDBACK_PER_HOUR = 4
    for n in range(4):
        assert client.post("/barrierefreiheit/melden/", REPORT, REMOTE_ADDR=f"127.0.62.{n + 1}").status_code == 302
    response = client.post("/barrierefreiheit/melden/", REPORT, REMOTE_ADDR="127.0.62.9")
    html = response.content.decode()
    assert response.status_code == 429 and settings.FUND_EMAIL in html
    assert OutboxMessage.objects.filter(template="barrier_report").count() == 4
    frozen.shift(settings.FEEDBACK_WINDOW_SECONDS)
    assert client.post("/barrierefreiheit/melden/", REPORT, REMOTE_ADDR="127.0.62.9").status_code == 302
