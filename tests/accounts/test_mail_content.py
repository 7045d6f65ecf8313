"""What an attacker could put into the portal's mails: a forged Host header (links point to PORTAL_URL, never to
the host a request named), markup in a name (mails are plain text), line breaks in a name (refused by the form,
never a header)."""

import pytest
from django.core.mail import EmailMultiAlternatives

from tests.helpers import page_text
from tests.mail import deliver_outbox

pytestmark = pytest.mark.django_db


PERSON = {"first_name": "Anna", "last_name": "Neu", "phone": "0365 838-1234", "email": "anna.neu@stadt-gera.example"}


def create_clerk(client, unit, *, host="testserver", **headers_and_names):
    """ "Sachbearbeiter hinzufügen", both steps, as the administrator's browser sends them."""
    headers = {k: v for k, v in headers_and_names.items() if k.startswith("HTTP_")}
    names = {k: v for k, v in headers_and_names.items() if k not in headers}
    response = client.post("/benutzer/neu/", PERSON | names, HTTP_HOST=host, **headers)
    if response.status_code != 302:
        return response
    token = client.session["clerk_draft"]["token"]
    return client.post(response.url, {"token": token, "units": [unit.pk]}, HTTP_HOST=host, **headers)


def test_a_forged_host_header_is_refused_and_mails_link_to_the_portal_url(settings, admin_client, gera_units):
    settings.ALLOWED_HOSTS = ["portal.kvt-zvk.example"]
    settings.PORTAL_URL = "https://portal.kvt-zvk.example"
    assert create_clerk(admin_client, gera_units[0], host="boese.example").status_code == 400
    assert deliver_outbox() == []
    response = create_clerk(
        admin_client, gera_units[0], host="portal.kvt-zvk.example", HTTP_X_FORWARDED_HOST="boese.example"
    )
    assert response.status_code == 302 and "boese.example" not in response.url
    [mail] = deliver_outbox()
    assert "https://portal.kvt-zvk.example/login/" in mail.body and "boese.example" not in mail.body


def test_markup_in_a_name_reaches_the_mail_as_plain_text(admin_client, gera_units):
    response = create_clerk(
        admin_client, gera_units[0], first_name="<b>Anna</b>", last_name='<a href="https://boese.example/">Klick</a>'
    )
    assert response.status_code == 302, page_text(response)
    [mail] = [m for m in deliver_outbox() if m.to == ["anna.neu@stadt-gera.example"]]
    assert mail.content_subtype == "plain" and not isinstance(mail, EmailMultiAlternatives)
    assert "<b>Anna</b>" in mail.body  # shown as typed, in a mail no program renders as HTML


@pytest.mark.parametrize("field", ["first_name", "last_name"])
def test_a_line_break_in_a_name_is_refused_beside_the_field(admin_client, field):
    data = {
        "first_name": "Anna",
        "last_name": "Schmidt",
        "phone": "0365 838-1234",
        "email": "anna.umbruch@stadt-gera.example",
    }
    response = admin_client.post("/benutzer/neu/", {**data, field: "Anna\r\nBcc: opfer@example.org"})
    assert response.status_code == 200 and "ohne Steuerzeichen" in page_text(response)
    assert deliver_outbox() == []
