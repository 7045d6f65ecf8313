"""The fund's accountability pages in the browser, each checked by axe-core: the Erklärung zur Barrierefreiheit and
"Barriere melden", the hand-over slip, and the session-timeout warning used with the keyboard alone."""

from playwright.sync_api import expect

from tests import factories


def test_the_statement_and_the_report_form(portal):
    page = portal.goto("/login/")
    portal.click(page.get_by_role("link", name="Erklärung zur Barrierefreiheit"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Erklärung zur Barrierefreiheit")
    portal.click(page.get_by_role("link", name="melden Sie uns die Barriere"))
    portal.click(page.get_by_role("button", name="Meldung senden"))
    expect(page.get_by_label("Was hat nicht funktioniert?")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("Was hat nicht funktioniert?").fill("Der Kalender lässt sich nicht mit der Tastatur bedienen.")
    portal.click(page.get_by_role("button", name="Meldung senden"))
    expect(portal.messages).to_contain_text("Ihre Meldung ist bei der Zusatzversorgungskasse eingegangen")


def test_the_hand_over_slip(portal, gera_admin, gera_units):
    clerk = factories.PendingClerkFactory(units=gera_units[:1])
    portal.login(gera_admin)
    portal.open_user_list()
    page = portal.open_detail(clerk.email)
    portal.click(page.get_by_role("link", name="Übergabeblatt drucken"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Ihre Zugangsdaten für das Mitgliederportal")
    expect(page.get_by_text(clerk.otp_plain)).to_be_visible()


def test_the_timeout_warning_with_the_keyboard(portal, gera_admin, settings):
    settings.SESSION_IDLE_TIMEOUT_SECONDS = 123  # the warning comes two minutes before: after three seconds
    page = portal.login(gera_admin)
    warning = page.locator("#session-warning")
    expect(warning).to_be_visible(timeout=15_000)
    expect(warning).to_have_attribute("role", "alert")
    extend = page.get_by_role("button", name="Sitzung verlängern")
    expect(extend).to_be_focused()
    portal.check()  # axe-core with the warning shown
    page.keyboard.press("Enter")
    expect(warning).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_have_text("Verwaltung der Benutzer")


def test_berechtigungen_bestaetigen(portal, gera_admin, gera_admin2, gera_clerk):
    from clerks.models import AccessReview

    AccessReview.objects.create(member=gera_clerk.memberships.get().member, year=2026)
    page = portal.login(gera_admin)
    portal.click(page.get_by_test_id("review-task").get_by_role("link", name="Berechtigungen bestätigen"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Berechtigungen bestätigen")
    row = page.get_by_role("row").filter(has_text=gera_clerk.email)
    portal.click(row.get_by_role("button", name="bestätigen"))
    expect(portal.messages).to_contain_text("ist bestätigt")
    expect(page.get_by_role("row").filter(has_text=gera_clerk.email)).to_contain_text(gera_admin.email)


def test_the_berechtigungsuebersicht(portal, gera_admin, gera_clerk, gera_units):
    page = portal.login(gera_admin)
    menu = page.get_by_role("navigation", name="Hauptmenü")
    portal.click(menu.get_by_role("link", name="Berechtigungsübersicht"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Berechtigungsübersicht")
    page.get_by_label("Abrechnungsstelle").select_option(label=f"{gera_units[1].number} {gera_units[1].name}")
    portal.click(page.get_by_role("button", name="Anzeigen"))
    expect(page.get_by_role("row").filter(has_text=gera_clerk.email)).to_have_count(1)
    with page.expect_download() as download:
        page.get_by_role("link", name="Als Excel-Datei (XLSX) herunterladen").click()
    assert download.value.suggested_filename.endswith(".xlsx")


def test_the_aenderungsprotokoll(portal, gera_admin, gera_clerk, gera_units):
    from clerks import services

    services.set_grants(clerk=gera_clerk, by=gera_admin, unit_ids=[gera_units[0].pk])
    page = portal.login(gera_admin)
    menu = page.get_by_role("navigation", name="Hauptmenü")
    portal.click(menu.get_by_role("link", name="Änderungsprotokoll"))
    page.get_by_label("Benutzer (Name oder E-Mail)").fill("Schmidt")
    portal.click(page.get_by_role("button", name="Anzeigen"))
    expect(page.get_by_role("table")).to_contain_text("entfernt: 002021")


def test_the_co_administrators_page(portal, gera_admin, gera_admin2):
    portal.login(gera_admin)
    page = portal.open_user_list()
    row = page.get_by_role("row").filter(has_text=gera_admin2.email)
    portal.click(row.get_by_role("link", name=f"Detailansicht {gera_admin2.first_name} {gera_admin2.last_name}"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{gera_admin2.first_name} {gera_admin2.last_name}")
    expect(page.get_by_role("link", name="Berechtigung entziehen")).to_be_visible()


def test_the_einstellungen(portal, gera_admin):
    page = portal.login(gera_admin)
    menu = page.get_by_role("navigation", name="Hauptmenü")
    portal.click(menu.get_by_role("link", name="Einstellungen"))
    page.get_by_role("radio", name="täglich als Sammelmail").check()
    portal.click(page.get_by_role("button", name="Speichern"))
    expect(portal.messages).to_contain_text("gespeichert")


def test_what_was_typed_survives_the_end_of_the_session(portal, gera_admin, settings):
    """A page with typed input is not reloaded at the timeout; its form, sent then, leads to the login, and after it
    the personal data are there again."""
    settings.SESSION_IDLE_TIMEOUT_SECONDS = 10
    portal.login(gera_admin)
    page = portal.goto("/benutzer/neu/")
    page.get_by_label("Vorname").fill("Max")
    page.get_by_label("Nachname").fill("Test")
    page.get_by_label("Telefonnummer").fill("0365 838-1234")
    page.get_by_label("E-Mail", exact=True).fill("max.test@stadt-gera.example")
    expect(page.locator("#session-ended-kept")).to_be_visible(timeout=20_000)
    expect(page.get_by_label("Vorname")).to_have_value("Max")
    portal.check()  # axe-core with the notice shown
    portal.click(page.get_by_role("button", name="Weiter"))
    expect(portal.messages).to_contain_text("Ihre Sitzung ist abgelaufen, deshalb wurde nichts gespeichert.")
    page.get_by_role("radio", name="Administrator", exact=True).check()
    page.get_by_label("E-Mail", exact=True).fill(gera_admin.email)
    page.get_by_label("Passwort", exact=True).fill(factories.PASSWORD)
    portal.click(page.get_by_role("button", name="Anmelden"))
    page = portal.confirm_factor("Administrator", gera_admin.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sachbearbeiter hinzufügen")
    expect(portal.messages).to_contain_text("Ihre Eingaben sind wieder eingetragen.")
    expect(page.get_by_label("Nachname")).to_have_value("Test")
    expect(page.get_by_label("E-Mail", exact=True)).to_have_value("max.test@stadt-gera.example")
