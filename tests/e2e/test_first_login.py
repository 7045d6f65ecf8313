"""Before and at the first login, in the browser at 1280 px and at 320 px: the registration's confirmation announces the
second factor and where to get help; "Zweiten Faktor einrichten" says whom to call with neither a passkey nor a phone;
after a passkey the page confirms it, names it ("Büro-PC") and shows the recovery codes to print or download;
"Sicherheit" shows the name and renames it. A clerk's mails name the administrators who can act for it."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests import factories
from tests.e2e.test_second_factor import login_with_password, virtual_authenticator
from tests.mail import deliver_outbox

pytestmark = pytest.mark.django_db(transaction=True)

SIZES = [{"width": 1280, "height": 900}, {"width": 320, "height": 640}]
IDS = ["1280px", "320px"]


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_the_registrations_confirmation_announces_the_second_factor(portal, size):
    portal.page.set_viewport_size(size)
    page = portal.goto("/registrierung/eingegangen/")
    step = page.get_by_test_id("second-factor")
    expect(step).to_contain_text("Authenticator-App auf Ihrem Diensthandy")
    expect(step).to_contain_text("Passkey – Windows Hello an Ihrem Dienst-PC oder einen USB-Sicherheitsschlüssel")
    expect(step).to_contain_text(f"rufen Sie uns vor der ersten Anmeldung an: {settings.FUND_PHONE}")
    assert fits(page)


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_a_passkey_is_confirmed_named_and_its_recovery_codes_cannot_be_skipped_unnoticed(portal, gera_units, size):
    administrator = factories.AdministratorFactory(units=gera_units, second_factor=False)
    portal.page.set_viewport_size(size)
    virtual_authenticator(portal.page)
    page = login_with_password(portal, administrator)
    expect(page.get_by_role("heading", name="Zweiten Faktor einrichten")).to_be_visible()
    neither = page.get_by_role("region", name="Weder Passkey noch Diensthandy?")
    expect(neither).to_contain_text(f"Telefon {settings.FUND_PHONE}")

    page = portal.click(page.get_by_role("button", name="Passkey einrichten"))
    expect(page.get_by_test_id("passkey-confirmed")).to_contain_text("Ihr Passkey ist eingerichtet")
    page.get_by_label("Bezeichnung des Passkeys").fill("Büro-PC")
    page = portal.click(page.get_by_role("button", name="Speichern und Wiederherstellungscodes anzeigen"))
    expect(page.get_by_test_id("passkey-confirmed")).to_have_text("Ihr Passkey „Büro-PC“ ist eingerichtet.")
    codes = re.findall(
        r"[a-z2-9]{5}-[a-z2-9]{5}", page.get_by_role("list", name="Ihre Wiederherstellungscodes").inner_text()
    )
    assert len(codes) == settings.RECOVERY_CODE_COUNT
    expect(page.get_by_role("button", name="Codes drucken")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Codes herunterladen").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert all(code in text for code in codes) and administrator.email in text
    assert fits(page)

    page = portal.click(page.get_by_role("link", name=re.compile("^Ich habe die Codes aufbewahrt")))
    page = portal.click(portal.menu().get_by_role("link", name="Sicherheit"))
    passkeys = page.get_by_role("region", name="Passkeys")
    expect(passkeys).to_contain_text("Büro-PC")
    page = portal.click(passkeys.get_by_role("link", name="Umbenennen (Passkey „Büro-PC“)"))
    page.get_by_label("Bezeichnung des Passkeys").fill("Laptop Elternzeitvertretung")
    page = portal.click(page.get_by_role("button", name="Speichern"))
    expect(portal.messages.first).to_have_text("Die Bezeichnung des Passkeys wurde gespeichert.")
    expect(page.get_by_role("region", name="Passkeys")).to_contain_text("Laptop Elternzeitvertretung")
    assert fits(page)


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_ihr_zugang_names_the_administrators_of_a_clerk_created_in_the_browser(portal, gera_admin, gera_units, size):
    colleague = factories.AdministratorFactory(
        first_name="Jonas", last_name="Vogt", phone="0365 838-2222", email="vogt@stadt-gera.example", units=gera_units
    )
    portal.page.set_viewport_size(size)
    page = portal.login(gera_admin)
    page = portal.click(page.get_by_role("link", name="+ Sachbearbeiter hinzufügen"))
    page.get_by_label("Vorname").fill("Jürgen")
    page.get_by_label("Nachname").fill("Weiß")
    page.get_by_label("Telefonnummer").fill("0365 838-4711")
    page.get_by_label("E-Mail").fill("j.weiss@stadt-gera.example")
    page = portal.click(page.get_by_role("button", name="Weiter"))
    page.get_by_label(f"{gera_units[0].number} {gera_units[0].name}", exact=True).check()
    page = portal.click(page.get_by_role("button", name="Speichern"))
    expect(portal.messages.first).to_contain_text("erfolgreich gespeichert")
    [mail] = [mail for mail in deliver_outbox() if mail.to == ["j.weiss@stadt-gera.example"]]
    for admin in (gera_admin, colleague):
        assert f"- {admin.full_name}, Telefon {admin.phone}, E-Mail {admin.email}" in mail.body
    assert "Code an diese E-Mail-Adresse" in mail.body  # the clerk's second factor, announced
