"""The second factor in the browser (AUTH-18, AUTH-21): an administrator sets up a passkey in Chromium's virtual
authenticator (a platform authenticator, as Windows Hello is), prints its recovery codes, logs in with the passkey,
and with a recovery code once; the authenticator app's enrolment page; every page checked by axe-core."""

import re

import pytest
from playwright.sync_api import expect

from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def virtual_authenticator(page) -> str:
    """Chromium's virtual platform authenticator (CDP WebAuthn domain): user verification succeeds, like a PIN or a
    fingerprint on Windows Hello."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    result = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return result["authenticatorId"]


def login_with_password(portal, user):
    page = portal.goto("/login/")
    page.get_by_role("radio", name=user.get_role_display(), exact=True).check()
    page.get_by_label("E-Mail", exact=True).fill(user.email)
    page.get_by_label("Passwort", exact=True).fill(factories.PASSWORD)
    return portal.click(page.get_by_role("button", name="Anmelden"))


def test_passkey_enrolment_login_and_a_recovery_code_once(portal, gera_units):
    administrator = factories.AdministratorFactory(units=gera_units, second_factor=False)
    virtual_authenticator(portal.page)
    page = login_with_password(portal, administrator)
    # Nothing but the enrolment until a factor is set up
    page = portal.goto("/benutzer/")
    expect(page.get_by_role("heading", name="Zweiten Faktor einrichten")).to_be_visible()
    page = portal.click(page.get_by_role("button", name="Passkey einrichten"))
    expect(page.get_by_role("heading", name="Passkey eingerichtet")).to_be_visible()
    page = portal.click(page.get_by_role("button", name="Speichern und Wiederherstellungscodes anzeigen"))
    codes = [c.strip() for c in page.get_by_role("list", name="Ihre Wiederherstellungscodes").all_inner_texts()]
    codes = re.findall(r"[a-z2-9]{5}-[a-z2-9]{5}", " ".join(codes))
    assert len(codes) == 10
    page = portal.click(page.get_by_role("link", name=re.compile("^Ich habe die Codes aufbewahrt")))
    expect(page.get_by_role("heading", name="Verwaltung der Benutzer")).to_be_visible()

    # Sicherheit lists the passkey
    page = portal.click(page.get_by_role("navigation", name="Hauptmenü").get_by_role("link", name="Sicherheit"))
    expect(page.get_by_role("region", name="Passkeys").get_by_role("cell").first).to_be_visible()

    # The next login: password, then the passkey
    portal.logout()
    page = login_with_password(portal, administrator)
    expect(page.get_by_role("heading", name="Anmeldung bestätigen")).to_be_visible()
    page = portal.click(page.get_by_role("button", name="Mit Passkey bestätigen"))
    expect(page.get_by_role("heading", name="Verwaltung der Benutzer")).to_be_visible()

    # A recovery code instead: once, and never again
    for attempt in range(2):
        portal.logout()
        page = login_with_password(portal, administrator)
        page.get_by_label("Code", exact=True).fill(codes[0])
        page = portal.click(page.get_by_role("button", name="Bestätigen", exact=True))
        if attempt == 0:
            expect(page.get_by_role("heading", name="Verwaltung der Benutzer")).to_be_visible()
        else:
            expect(page.locator("#id_code_error").get_by_text("Der Code ist ungültig oder abgelaufen.")).to_be_visible()


def test_authenticator_app_enrolment_page(portal, gera_units):
    administrator = factories.AdministratorFactory(units=gera_units, second_factor=False)
    login_with_password(portal, administrator)
    page = portal.goto("/zweiter-faktor/einrichten/")
    page = portal.click(page.get_by_role("link", name="Authenticator-App einrichten"))
    expect(page.get_by_role("img", name="QR-Code für die Authenticator-App")).to_be_visible()
    page.get_by_label("Code aus der App").fill("000000")
    page = portal.click(page.get_by_role("button", name="Bestätigen"))
    expect(page.locator("#id_code_error").get_by_text("Der Code ist ungültig oder abgelaufen.")).to_be_visible()


def test_a_clerk_confirms_a_new_browser_with_the_e_mail_code(portal, gera_clerk):
    page = login_with_password(portal, gera_clerk)
    expect(page.get_by_role("heading", name="Anmeldung bestätigen")).to_be_visible()
    page = portal.confirm_factor("Sachbearbeiter", gera_clerk.email)
    expect(page.get_by_role("heading", name="Meine Abrechnungsstellen")).to_be_visible()
    page = portal.click(page.get_by_role("navigation", name="Hauptmenü").get_by_role("link", name="Sicherheit"))
    expect(page.get_by_role("heading", name="Sicherheit")).to_be_visible()


def test_sicherheit_adds_a_second_passkey_and_never_removes_the_last(portal, gera_units):
    administrator = factories.AdministratorFactory(units=gera_units, second_factor=False)
    authenticator = virtual_authenticator(portal.page)
    page = login_with_password(portal, administrator)
    page = portal.goto("/zweiter-faktor/einrichten/")
    portal.click(page.get_by_role("button", name="Passkey einrichten"))
    # A second device: the virtual authenticator forgets the first passkey, as a new security key would not have it
    cdp = portal.page.context.new_cdp_session(portal.page)
    cdp.send("WebAuthn.enable")
    cdp.send("WebAuthn.clearCredentials", {"authenticatorId": authenticator})
    page = portal.goto("/sicherheit/")
    assert page.get_by_role("link", name=re.compile("^Entfernen")).count() == 0  # the only passkey stays
    page = portal.click(page.get_by_role("button", name="Passkey einrichten"))
    portal.click(page.get_by_role("button", name=re.compile("^Speichern")))  # its name, as offered
    page = portal.goto("/sicherheit/")
    passkeys = page.get_by_role("region", name="Passkeys")
    expect(passkeys.get_by_role("row")).to_have_count(3)  # the header and two passkeys
    page = portal.click(passkeys.get_by_role("link", name=re.compile("^Entfernen")).first)
    page = portal.click(page.get_by_role("button", name="Entfernen"))
    expect(portal.messages.first).to_contain_text("wurde entfernt")
    expect(page.get_by_role("region", name="Passkeys").get_by_role("row")).to_have_count(2)
    assert page.get_by_role("link", name=re.compile("^Entfernen")).count() == 0
