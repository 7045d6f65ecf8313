"""After a refused submit every form of the portal starts with an error summary (GOV.UK pattern): one macro,
`forms.form_errors` (templates/includes/_forms.html), used by every template that shows a form field; each error of a
field is a link to that field. The focus moving there is tested in the browser (tests/e2e/test_reflow.py)."""

import re
import secrets
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django_otp_webauthn.models import WebAuthnCredential

from tests import factories
from tests.helpers import password_only_login

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"
SHOWS_A_FIELD = re.compile(r"forms\.field\(|forms\.long_select\(|_units_field\.html")


def form_templates() -> list[Path]:
    return [path for path in sorted(TEMPLATES.rglob("*.html")) if SHOWS_A_FIELD.search(path.read_text())]


@pytest.mark.parametrize("path", form_templates(), ids=lambda path: str(path.relative_to(TEMPLATES)))
def test_every_template_with_a_form_field_shows_the_error_summary(path):
    if path.name == "_forms.html" or path.name == "_units_field.html":
        return  # the macros themselves
    assert "forms.form_errors(" in path.read_text(), f"{path.name}: call forms.form_errors(form) at the top of the form"


class Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids[attrs["id"]] = tag


def summary_links(html: str) -> tuple[list[str], dict]:
    assert "data-error-summary" in html, "no error summary"
    summary = html.split("data-error-summary", 1)[1].split("</div>", 1)[0]
    parser = Ids()
    parser.feed(html)
    return re.findall(r'<a href="#([^"]+)" data-error-link>', summary), parser.ids


def refused(client, method, url, data=None):
    return client.post(url, data or {}) if method == "post" else client.get(url, data or {})


@pytest.fixture
def forms(gera_admin, gera_admin2, gera_clerk, gera_units):
    passkey = WebAuthnCredential.objects.create(
        user=gera_admin, name="Büro-PC", credential_id=secrets.token_bytes(16), public_key=b"key", sign_count=0
    )
    return {
        # who (None: nobody logged in), method, address, what is sent: every field left empty or wrong
        "Login": (None, "post", "/login/", {}),
        "Passwort vergessen": (None, "post", "/passwort-vergessen/", {}),
        "Registrierung": (None, "post", "/registrierung/", {"member_number": "abc"}),
        "Barriere melden": (None, "post", "/barrierefreiheit/melden/", {"email": "keine-adresse"}),
        "Passwort ändern": (gera_admin, "post", "/passwort-aendern/", {"new_password1": "kurz"}),
        "Sachbearbeiter hinzufügen": (gera_admin, "post", "/benutzer/neu/", {"email": "info@stadt-gera.example"}),
        "Persönliche Daten": (gera_admin, "post", f"/benutzer/{gera_clerk.pk}/persoenliche-daten/", {}),
        "+/- Zuordnen": (gera_admin, "post", f"/benutzer/{gera_clerk.pk}/zuordnen/", {"units": ["999999"]}),
        "Berechtigung entziehen": (gera_admin, "post", f"/benutzer/{gera_clerk.pk}/sperren/", {"reason": ""}),
        "Administrator sperren": (gera_admin, "post", f"/administratoren/{gera_admin2.pk}/sperren/", {}),
        "Einstellungen": (gera_admin, "post", "/einstellungen/", {"notices": "nie"}),
        "Authenticator-App": (gera_admin, "post", "/zweiter-faktor/einrichten/app/", {"code": ""}),
        "Passkey umbenennen": (gera_admin, "post", f"/sicherheit/passkey/{passkey.pk}/umbenennen/", {"name": ""}),
        "Passkey eingerichtet": (gera_admin, "post", "/sicherheit/passkey-eingerichtet/", {"name": ""}),
        "Verwaltung der Benutzer": (gera_admin, "get", "/benutzer/", {"unit": "999999"}),
        "Berechtigungsübersicht": (gera_admin, "get", "/berechtigungen/", {"unit": "999999"}),
        "Änderungsprotokoll": (gera_admin, "get", "/protokoll/", {"since": "gestern"}),
    }


def test_every_refused_form_starts_with_a_summary_that_links_each_error_to_its_field(client, forms):
    for name, (user, method, url, data) in forms.items():
        client.logout()
        if user is not None:
            client.force_login(user)
        response = refused(client, method, url, data)
        assert response.status_code in (200, 400, 422), (name, response.status_code)
        links, ids = summary_links(response.content.decode())
        assert links, f"{name}: each error of a field is a link"
        for target in links:
            assert ids.get(target) in ("input", "select", "textarea"), f"{name}: #{target} is no field of the page"


def test_the_second_factors_code_form_too(client, gera_admin):
    password_only_login(client, gera_admin)
    links, ids = summary_links(client.post("/anmeldung-bestaetigen/", {"code": ""}).content.decode())
    assert links == ["id_code"] and ids["id_code"] == "input"


def test_a_form_refused_as_a_whole_shows_its_message_alone(client, gera_clerk):
    html = client.post("/login/", {"role": "clerk", "email": gera_clerk.email, "password": "falsch"}).content.decode()
    assert 'role="alert" tabindex="-1" data-error-summary' in html and "data-error-link" not in html
    assert factories.PASSWORD not in html
