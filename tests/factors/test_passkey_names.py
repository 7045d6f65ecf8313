"""A passkey's name ("Büro-PC"): given right after it was set up, shown and changed under "Sicherheit", audited; one's
own passkeys only. And the second factor announced before the first login: the access letter and the clerk's mail."""

import secrets

import pytest
from django.conf import settings
from django_otp_webauthn.models import WebAuthnCredential

from clerks import services as clerk_services
from factors import services
from tests.accounts.test_admin_site import staff_client  # noqa: F401 (a fixture)
from tests.helpers import audit_count, page_text
from tests.mail import deliver_outbox

pytestmark = pytest.mark.django_db


def passkey(user, name=""):
    return WebAuthnCredential.objects.create(
        user=user, name=name, credential_id=secrets.token_bytes(16), public_key=b"key", sign_count=0
    )


def test_renaming_is_audited_with_the_old_and_the_new_name(client, gera_admin):
    device = passkey(gera_admin, "Passkey 1")
    client.force_login(gera_admin)
    response = client.post(f"/sicherheit/passkey/{device.pk}/umbenennen/", {"name": "  Büro-PC "}, follow=True)
    assert "Büro-PC" in page_text(response) and "wurde gespeichert" in page_text(response)
    device.refresh_from_db()
    assert device.name == "Büro-PC"
    assert audit_count(
        "factor.renamed", actor=gera_admin, target=gera_admin, data__changes__name=["Passkey 1", "Büro-PC"]
    )


def test_an_empty_or_overlong_name_is_refused_and_changes_nothing(client, gera_admin):
    device = passkey(gera_admin, "Büro-PC")
    client.force_login(gera_admin)
    for name, message in (("", "Bitte geben Sie eine Bezeichnung ein."), ("x" * 65, "höchstens 64 Zeichen")):
        response = client.post(f"/sicherheit/passkey/{device.pk}/umbenennen/", {"name": name})
        assert response.status_code == 200 and message in page_text(response)
    device.refresh_from_db()
    assert device.name == "Büro-PC" and audit_count("factor.renamed") == 0


def test_another_users_passkey_is_a_404_and_keeps_its_name(client, gera_admin, gera_admin2):
    device = passkey(gera_admin2, "Büro-PC")
    client.force_login(gera_admin)
    assert client.post(f"/sicherheit/passkey/{device.pk}/umbenennen/", {"name": "meins"}).status_code == 404
    assert client.get(f"/sicherheit/passkey/{device.pk}/umbenennen/").status_code == 404
    device.refresh_from_db()
    assert device.name == "Büro-PC"


def test_after_a_passkey_the_codes_come_in_the_same_step_while_none_is_left(client, gera_admin):
    passkey(gera_admin, "")
    client.force_login(gera_admin)
    assert "Speichern und Wiederherstellungscodes anzeigen" in page_text(
        client.get("/sicherheit/passkey-eingerichtet/")
    )
    html = page_text(client.post("/sicherheit/passkey-eingerichtet/", {"name": "Büro-PC"}))
    assert "Ihr Passkey „Büro-PC“ ist eingerichtet." in html and "Codes herunterladen" in html
    assert not services.needs_recovery_codes(gera_admin)
    passkey(gera_admin, "")  # a second passkey later: its name only, the codes stay
    response = client.post("/sicherheit/passkey-eingerichtet/", {"name": "Schlüssel"})
    assert response.url == "/sicherheit/"


def test_sicherheit_warns_while_no_recovery_code_is_left(client, gera_admin):
    client.force_login(gera_admin)
    assert 'data-testid="no-recovery-codes"' in page_text(client.get("/sicherheit/"))


def test_the_access_letter_announces_the_second_factor(staff_client, gera_admin):  # noqa: F811
    staff_client.post("/admin/accounts/user/", {"action": "issue_access_letter", "_selected_action": [gera_admin.pk]})
    letter = staff_client.get(f"/admin/accounts/user/{gera_admin.pk}/zugangsbrief/").content.decode()
    assert "Authenticator-App auf Ihrem Diensthandy" in letter and "Windows Hello" in letter
    assert f"rufen Sie uns vor der Anmeldung an: Telefon {settings.FUND_PHONE}" in letter


def test_the_clerks_mail_announces_the_e_mail_code_unless_it_is_off(gera_admin, gera_units, settings):
    def created(email):
        clerk_services.create_clerk(
            by=gera_admin,
            first_name="Jo",
            last_name="Beispiel",
            phone="0365 838-4711",
            email=email,
            unit_ids=[gera_units[0].pk],
        )
        [mail] = deliver_outbox()
        return mail.body

    assert "sechsstelligen Code an diese E-Mail-Adresse" in created("jo.beispiel@stadt-gera.example")
    settings.CLERK_SECOND_FACTOR = "off"
    assert "sechsstelligen Code" not in created("jo.beispiel2@stadt-gera.example")


def test_leaving_a_new_passkey_without_its_codes_is_said_on_every_page_until_they_are_made(client, gera_admin):
    """The menu leads away from "Passkey eingerichtet" before the codes are made: every page of the session then says
    so, with the way to make them; making them ends it."""
    passkey(gera_admin, "")
    client.force_login(gera_admin)
    client.get("/sicherheit/passkey-eingerichtet/")
    for page in ("/benutzer/", "/sicherheit/", "/passwort-aendern/"):
        response = client.get(page, follow=True)
        assert 'data-testid="recovery-codes-due"' in response.content.decode(), page
        assert "Sie haben noch keine Wiederherstellungscodes." in page_text(response)
    assert (
        'data-testid="recovery-codes-due"'
        not in client.get("/zweiter-faktor/wiederherstellungscodes/").content.decode()
    )
    codes = client.post("/zweiter-faktor/wiederherstellungscodes/")
    assert "Codes herunterladen" in page_text(codes)
    assert 'data-testid="recovery-codes-due"' not in client.get("/benutzer/").content.decode()
    assert not services.needs_recovery_codes(gera_admin)


def test_a_session_that_made_its_codes_right_after_the_passkey_is_never_told(client, gera_admin):
    passkey(gera_admin, "")
    client.force_login(gera_admin)
    client.get("/sicherheit/passkey-eingerichtet/")
    client.post("/sicherheit/passkey-eingerichtet/", {"name": "Büro-PC"})
    assert 'data-testid="recovery-codes-due"' not in client.get("/benutzer/").content.decode()
