"""The fund's manual (Anleitung Benutzerverwaltung für Administratoren) as browser tests: one test per section,
each following its steps by the labels a person sees on the screen. axe-core checks every page on the way
(see conftest.py); each test leaves a screenshot of its final page in test-artifacts/.
"""

import re

from playwright.sync_api import expect

from accounts.models import Status
from tests import factories
from tests.mail import deliver_outbox

OTP = re.compile(r"^\d{10}$")
NEW_PASSWORD = "Sonnenblumen am Saaleufer 7"
LOGIN_FAILED = "E-Mail-Adresse oder Passwort ist falsch. Bitte prüfen Sie auch die gewählte Benutzerrolle."
SAVED = "Sie haben den Sachbearbeiter erfolgreich gespeichert."


def test_section_3_create_a_clerk_read_its_otp_and_log_in_with_it_for_the_first_time(
    open_portal, gera_admin, gera_units
):
    """§3 a–k, then §6 Hinweis: the new clerk logs in with the one-time password the administrator read off the
    Detailansicht and must choose a personal password; afterwards the Detailansicht shows no one-time password."""
    admin = open_portal()
    # a) log in as Administrator, b) the menu item "Verwaltung der Benutzer"
    admin.login(gera_admin)
    page = admin.open_user_list()
    # c) "+ Sachbearbeiter hinzufügen"
    admin.click(page.get_by_role("link", name="+ Sachbearbeiter hinzufügen"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sachbearbeiter hinzufügen")
    # d) all required fields with business data; a general address like info@… is refused beside its field
    page.get_by_label("Vorname").fill("Max")
    page.get_by_label("Nachname").fill("Test")
    page.get_by_label("Telefonnummer").fill("0365 838-1234")
    page.get_by_label("E-Mail", exact=True).fill("info@stadt-gera.example")
    # e) "Weiter"
    admin.click(page.get_by_role("button", name="Weiter"))
    email = page.get_by_label("E-Mail", exact=True)
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description(re.compile("keine allgemeine E-Mail-Adresse"))
    expect(page.get_by_label("Vorname")).to_have_value("Max")
    email.fill("max.test@stadt-gera.example")
    admin.click(page.get_by_role("button", name="Weiter"))
    # f) a tick behind the billing unit the clerk shall work on
    expect(page.get_by_role("group", name="Abrechnungsstellen")).to_be_visible()
    page.get_by_label("002020 Stadt Gera", exact=True).check()
    # g) "Speichern" shows a success message
    admin.click(page.get_by_role("button", name="Speichern"))
    expect(admin.messages).to_have_text(SAVED)
    # Hinweis: the clerk is told by e-mail to ask the administrator for the one-time password
    sent = deliver_outbox()
    assert [message.to for message in sent] == [["max.test@stadt-gera.example"]]
    assert "Administrator" in sent[0].body
    # h) "Zurück zur Benutzerverwaltung": the new clerk is listed as Ausstehend with its billing unit
    admin.click(page.get_by_role("link", name="Zurück zur Benutzerverwaltung"))
    row = page.get_by_role("row").filter(has_text="max.test@stadt-gera.example")
    expect(row).to_contain_text("Test, Max")
    expect(row).to_contain_text("Ausstehend")
    expect(row).to_contain_text("002020")
    # i) "Detailansicht" beside the clerk, j) the one-time password to hand over
    admin.click(row.get_by_role("link", name=re.compile("^Detailansicht")))
    expect(page.get_by_role("heading", level=1)).to_have_text("Max Test")
    assert admin.rights() == ("Aktiv", "Ausstehend")
    one_time_password = admin.value_of("Einmalpasswort")
    assert OTP.match(one_time_password), one_time_password
    assert re.match(r"^\d\d\.\d\d\.\d{4} \d\d:\d\d$", admin.value_of("Ablaufdatum"))
    # k) "Zurück" to the overview
    admin.click(page.get_by_role("link", name="Zurück").first)
    expect(page.get_by_role("heading", level=1)).to_have_text("Verwaltung der Benutzer")

    # The clerk's first login with that one-time password leads straight to "Passwort ändern" (§6 Hinweis).
    clerk = open_portal()
    clerk_page = clerk.login_as("Sachbearbeiter", "max.test@stadt-gera.example", one_time_password)
    expect(clerk_page.get_by_role("heading", level=1)).to_have_text("Passwort ändern")
    expect(clerk_page.get_by_role("navigation", name="Hauptmenü")).to_have_count(0)
    # Nothing else is reachable before the personal password is set.
    clerk.goto("/start/")
    expect(clerk_page.get_by_role("heading", level=1)).to_have_text("Passwort ändern")
    # Two different entries are refused beside the field; nothing is saved.
    clerk_page.get_by_label("Neues Passwort", exact=True).fill(NEW_PASSWORD)
    clerk_page.get_by_label("Neues Passwort wiederholen").fill(NEW_PASSWORD + "!")
    clerk.click(clerk_page.get_by_role("button", name="Passwort speichern"))
    expect(clerk_page.get_by_label("Neues Passwort wiederholen")).to_have_attribute("aria-invalid", "true")
    clerk_page.get_by_label("Neues Passwort", exact=True).fill(NEW_PASSWORD)
    clerk_page.get_by_label("Neues Passwort wiederholen").fill(NEW_PASSWORD)
    clerk.click(clerk_page.get_by_role("button", name="Passwort speichern"))
    expect(clerk.messages).to_have_text("Ihr persönliches Passwort wurde gespeichert.")
    expect(clerk_page.get_by_role("heading", level=1)).to_have_text("Meine Abrechnungsstellen")
    my_units = clerk_page.get_by_role("table", name="Abrechnungsstellen, für die Sie berechtigt sind")
    expect(my_units.get_by_role("row").filter(has_text="002020")).to_contain_text("Stadt Gera")
    # whom to call: the administrator who created the clerk, with phone and e-mail
    expect(clerk_page.get_by_role("table", name="Ihre Administratoren")).to_contain_text(gera_admin.email)
    clerk.logout()
    # The one-time password is now void, the personal password works.
    clerk.login_as("Sachbearbeiter", "max.test@stadt-gera.example", one_time_password)
    expect(clerk_page.get_by_role("alert")).to_have_text(LOGIN_FAILED)
    clerk.login_as("Sachbearbeiter", "max.test@stadt-gera.example", NEW_PASSWORD)
    expect(clerk_page.get_by_role("heading", level=1)).to_have_text("Meine Abrechnungsstellen")

    # §6 Hinweis: the field Einmalpasswort in the Detailansicht is no longer filled; the clerk is Aktiv.
    admin.open_detail("max.test@stadt-gera.example")
    assert admin.rights() == ("Aktiv", "Aktiv")
    assert admin.value_of("Einmalpasswort") == "–"


def test_section_4_edit_personal_data_including_the_email(open_portal, gera_admin, gera_clerk):
    """§4 a–f: change name and e-mail under "Persönliche Daten"; the e-mail is the clerk's new login name."""
    admin = open_portal()
    admin.login(gera_admin)
    page = admin.open_user_list()
    admin.open_detail(gera_clerk.email)
    personal = page.get_by_role("region", name="Persönliche Daten", exact=True)
    expect(personal).to_contain_text("Wenn Sie die E-Mail-Adresse eines Benutzers ändern")
    # A required field left empty: a message beside it, nothing saved.
    personal.get_by_label("Vorname").fill("")
    admin.click(personal.get_by_role("button", name="Speichern"))
    first_name = page.get_by_label("Vorname")
    expect(first_name).to_have_accessible_description("Bitte geben Sie den Vornamen ein.")
    gera_clerk.refresh_from_db()
    assert gera_clerk.first_name == "Anna"
    # d) the changes, e) "Speichern": a success message at the top, the new data in the form
    first_name.fill("Anna-Lena")
    page.get_by_label("Nachname").fill("Schmidt-Wagner")
    page.get_by_label("Telefonnummer").fill("0365 838-2222")
    page.get_by_label("E-Mail", exact=True).fill("anna.schmidt-wagner@stadt-gera.example")
    admin.click(
        page.get_by_role("region", name="Persönliche Daten", exact=True).get_by_role("button", name="Speichern")
    )
    expect(admin.messages).to_have_text([SAVED, re.compile("E-Mail-Adresse ist der neue Benutzername")])
    expect(page.get_by_role("heading", level=1)).to_have_text("Anna-Lena Schmidt-Wagner")
    expect(page.get_by_label("E-Mail", exact=True)).to_have_value("anna.schmidt-wagner@stadt-gera.example")
    expect(page.get_by_label("Telefonnummer")).to_have_value("0365 838-2222")
    # The clerk is told by e-mail about the new login name.
    assert ["anna.schmidt-wagner@stadt-gera.example"] in [message.to for message in deliver_outbox()]
    # f) "Zurück": the overview shows the new name and e-mail
    admin.click(page.get_by_role("link", name="Zurück").first)
    expect(page.get_by_role("row").filter(has_text="anna.schmidt-wagner@stadt-gera.example")).to_contain_text(
        "Schmidt-Wagner, Anna-Lena"
    )
    # The clerk logs in with the new e-mail; the old one is no login name any more.
    clerk = open_portal()
    clerk_page = clerk.login_as("Sachbearbeiter", "anna.schmidt@stadt-gera.example", factories.PASSWORD)
    expect(clerk_page.get_by_role("alert")).to_have_text(LOGIN_FAILED)
    clerk.login_as("Sachbearbeiter", "anna.schmidt-wagner@stadt-gera.example", factories.PASSWORD)
    expect(clerk_page.get_by_role("heading", level=1)).to_have_text("Meine Abrechnungsstellen")


def test_section_5_assign_billing_units_with_the_select_all_toggle(open_portal, gera_admin, gera_clerk, gera_units):
    """§5 a–g: "+/- Zuordnen", the button that ticks or clears all billing units, "Speichern"."""
    admin = open_portal()
    admin.login(gera_admin)
    admin.open_user_list()
    page = admin.open_detail(gera_clerk.email)
    # d) "+/- Zuordnen": the clerk's two billing units are ticked, the third is not
    admin.click(page.get_by_role("link", name="+/- Zuordnen"))
    boxes = {unit.number: page.get_by_label(f"{unit.number} {unit.name}", exact=True) for unit in gera_units}
    expect(boxes["002020"]).to_be_checked()
    expect(boxes["002021"]).to_be_checked()
    expect(boxes["002022"]).not_to_be_checked()
    # e) the select-all button ticks all shown billing units, a second click clears them all
    toggle = page.get_by_role("button", name="Alle an- bzw. abwählen")
    toggle.click()
    for box in boxes.values():
        expect(box).to_be_checked()
    toggle.click()
    for box in boxes.values():
        expect(box).not_to_be_checked()
    toggle.click()
    # e) remove the tick of 002020, keep 002021 and the new 002022; f) "Speichern"
    boxes["002020"].uncheck()
    admin.click(page.get_by_role("button", name="Speichern"))
    expect(admin.messages).to_have_text("Die Berechtigungen wurden gespeichert.")
    units = page.get_by_role("region", name="Berechtigte Mitglieder und Abrechnungsstellen", exact=True)
    expect(units.get_by_role("row")).to_have_count(3)  # header + two billing units
    expect(units.get_by_role("row").nth(1)).to_contain_text("002020Stadt GeraStadt Gera – Eigenbetrieb Bäder002021")
    expect(units.get_by_role("row").nth(2)).to_contain_text("002022")
    expect(units).not_to_contain_text(re.compile(r"Stadt Gera\s*002020"))
    # Hinweis: the clerk works on the new billing units at once, with the credentials it already had.
    clerk = open_portal()
    clerk_page = clerk.login(gera_clerk)
    start_rows = clerk_page.get_by_role("table", name="Abrechnungsstellen, für die Sie berechtigt sind").get_by_role(
        "row"
    )
    expect(start_rows).to_have_count(3)
    expect(start_rows.nth(1)).to_contain_text("002021")
    expect(start_rows.nth(2)).to_contain_text("002022")
    # g) "Zurück" to the overview, which lists the new billing units
    admin.click(page.get_by_role("link", name="Zurück").first)
    expect(page.get_by_role("row").filter(has_text=gera_clerk.email)).to_contain_text("002021, 002022")


def test_section_6_set_a_new_otp_and_the_old_password_fails(open_portal, gera_admin, gera_clerk):
    """§6: "Einmalpasswort setzen" voids the previous password and ends the clerk's open session."""
    clerk = open_portal()
    clerk_page = clerk.login(gera_clerk)
    expect(clerk_page.get_by_role("heading", level=1)).to_have_text("Meine Abrechnungsstellen")

    admin = open_portal()
    admin.login(gera_admin)
    admin.open_user_list()
    # c) "Detailansicht": an active clerk has no one-time password
    page = admin.open_detail(gera_clerk.email)
    assert admin.value_of("Einmalpasswort") == "–"
    admin.click(page.get_by_role("link", name="Einmalpasswort setzen"))
    expect(page.get_by_role("main")).to_contain_text("Dadurch wird das vorherige Passwort")
    admin.click(page.get_by_role("button", name="Einmalpasswort setzen"))
    expect(admin.messages).to_have_text("Ein neues Einmalpasswort wurde gesetzt. Teilen Sie es dem Sachbearbeiter mit.")
    # d) the one-time password to hand over; the clerk is Ausstehend again
    assert admin.rights() == ("Aktiv", "Ausstehend")
    one_time_password = admin.value_of("Einmalpasswort")
    assert OTP.match(one_time_password), one_time_password

    # The clerk's open session has ended: its next click leads to the login page.
    clerk.goto("/start/")
    expect(clerk_page.get_by_role("heading", level=1)).to_have_text("Login")
    # The old personal password fails with the one generic message …
    clerk.login(gera_clerk)
    expect(clerk_page.get_by_role("alert")).to_have_text(LOGIN_FAILED)
    # … and the new one-time password leads to "Passwort ändern".
    clerk.login(gera_clerk, password=one_time_password)
    expect(clerk_page.get_by_role("heading", level=1)).to_have_text("Passwort ändern")
    # e) "Zurück" to the overview
    admin.click(page.get_by_role("link", name="Zurück").first)
    expect(page.get_by_role("row").filter(has_text=gera_clerk.email)).to_contain_text("Ausstehend")


def test_section_7_1_lock_and_unlock_a_clerk(open_portal, gera_admin, gera_clerk):
    """§7.1 a–h: "Berechtigung entziehen" with a reason, then "Berechtigung erteilen" on the Mitgliedersperre."""
    admin = open_portal()
    admin.login(gera_admin)
    admin.open_user_list()
    page = admin.open_detail(gera_clerk.email)
    expect(page.get_by_role("heading", name="Benutzersperre")).to_have_count(0)
    # d) "Berechtigung entziehen"; e) a reason is required
    admin.click(page.get_by_role("link", name="Berechtigung entziehen"))
    admin.click(page.get_by_role("button", name="Berechtigung entziehen"))
    reason = page.get_by_label("Grund für die Sperrung")
    expect(reason).to_have_accessible_description(re.compile("Bitte geben Sie einen Grund für die Sperrung ein.$"))
    reason.fill("Elternzeit")
    admin.click(page.get_by_role("button", name="Berechtigung entziehen"))
    # f) success message, Portalzugang "Inaktiv", the dialogs "Benutzersperre" and "Mitgliedersperre"
    expect(admin.messages).to_have_text("Dem Sachbearbeiter wurde die Berechtigung entzogen.")
    assert admin.rights() == ("Inaktiv", "Gesperrt")
    expect(page.get_by_role("region", name="Benutzersperre", exact=True)).to_contain_text("gesperrt")
    lock_row = page.get_by_role("region", name="Mitgliedersperre", exact=True).get_by_role("row").nth(1)
    expect(lock_row).to_contain_text("Elternzeit")
    expect(lock_row).to_contain_text("002020")
    expect(lock_row).to_contain_text(gera_admin.email)
    expect(page.get_by_role("link", name="+/- Zuordnen")).to_have_count(0)
    # The clerk cannot log in any more.
    clerk = open_portal()
    clerk_page = clerk.login(gera_clerk)
    expect(clerk_page.get_by_role("alert")).to_have_text(LOGIN_FAILED)

    # g) "Berechtigung erteilen" on the Mitgliedersperre; h) success message, Aktiv / Ausstehend,
    # the grants from before the lock are back and there is a new one-time password to hand over.
    admin.click(lock_row.get_by_role("button", name="Berechtigung erteilen"))
    expect(admin.messages).to_have_text(
        ["Die Berechtigung wurde erteilt.", "Teilen Sie dem Sachbearbeiter das neu generierte Einmalpasswort mit."]
    )
    assert admin.rights() == ("Aktiv", "Ausstehend")
    units = page.get_by_role("region", name="Berechtigte Mitglieder und Abrechnungsstellen", exact=True)
    expect(units).to_contain_text("002020")
    expect(units).to_contain_text("002021")
    one_time_password = admin.value_of("Einmalpasswort")
    assert OTP.match(one_time_password), one_time_password
    # The lock stays in the history with the date it was lifted.
    expect(page.get_by_role("region", name="Mitgliedersperre", exact=True).get_by_role("row").nth(1)).to_contain_text(
        f"von {gera_admin.email}"
    )
    # The clerk logs in again with the new one-time password.
    clerk.login(gera_clerk, password=one_time_password)
    expect(clerk_page.get_by_role("heading", level=1)).to_have_text("Passwort ändern")


def test_section_7_2_lock_administrators_with_two_confirmations_and_the_last_administrator_warning(
    open_portal, gera_admin, gera_admin2, gera_clerk
):
    """§7.2 a–c and the Wichtige Hinweise: a second confirmation for every administrator; a warning before the
    member's last active administrator is locked, whose lock then locks all clerks of the member too."""
    admin = open_portal()
    admin.login(gera_admin)
    page = admin.open_user_list()
    # a) "Berechtigung entziehen" beside the second administrator
    row = page.get_by_role("row").filter(has_text=gera_admin2.email)
    expect(row).to_contain_text("Administrator")
    admin.click(row.get_by_role("link", name=re.compile("^Berechtigung entziehen")))
    expect(page.get_by_role("main")).to_contain_text("neue Registrierung")
    # b) a reason, "Berechtigung entziehen"
    page.get_by_label("Grund für die Sperrung").fill("Wechsel in ein anderes Amt")
    admin.click(page.get_by_role("button", name="Berechtigung entziehen"))
    # c) the second confirmation; another administrator remains, so no warning
    expect(page.get_by_role("heading", level=1)).to_have_text("Berechtigung entziehen bestätigen")
    expect(page.get_by_role("main")).to_contain_text("Wechsel in ein anderes Amt")
    expect(page.get_by_text("letzte aktive Administrator")).to_have_count(0)
    gera_admin2.refresh_from_db()
    assert gera_admin2.status == Status.ACTIVE  # nothing happens before the second confirmation
    admin.click(page.get_by_role("button", name="Berechtigung entziehen"))
    expect(admin.messages).to_have_text("Dem Administrator wurde die Berechtigung entzogen.")
    row = page.get_by_role("row").filter(has_text=gera_admin2.email)
    expect(row).to_contain_text("Inaktiv")
    expect(row).to_contain_text("Gesperrt")
    expect(row.get_by_role("link", name=re.compile("^Berechtigung entziehen"))).to_have_count(
        0
    )  # no reactivation in the portal
    expect(row.get_by_role("link", name=re.compile("^Detailansicht"))).to_have_count(1)  # the page with the lock reason

    # Now Maria Keller is Gera's last active administrator: locking her (herself) warns first.
    row = page.get_by_role("row").filter(has_text=gera_admin.email)
    admin.click(row.get_by_role("link", name=re.compile("^Berechtigung entziehen")))
    page.get_by_label("Grund für die Sperrung").fill("Ausscheiden aus dem Dienst")
    admin.click(page.get_by_role("button", name="Berechtigung entziehen"))
    warning = page.get_by_role("alert")
    expect(warning).to_contain_text("Achtung: Dies ist der letzte aktive Administrator von 002020 Stadt Gera.")
    expect(warning).to_contain_text("sperren sich automatisch auch die Zugänge aller Sachbearbeiter")
    expect(page.get_by_role("main")).to_contain_text("Sie entziehen sich selbst die Berechtigung.")
    admin.click(page.get_by_role("button", name="Berechtigung entziehen"))
    # She is logged out; neither she nor Gera's clerk can log in any more.
    expect(page.get_by_role("heading", level=1)).to_have_text("Login")
    expect(admin.messages).to_have_text("Sie haben sich selbst die Berechtigung entzogen und wurden abgemeldet.")
    admin.login(gera_admin)
    expect(page.get_by_role("alert")).to_have_text(LOGIN_FAILED)
    clerk = open_portal()
    clerk_page = clerk.login(gera_clerk)
    expect(clerk_page.get_by_role("alert")).to_have_text(LOGIN_FAILED)
    gera_clerk.refresh_from_db()
    assert gera_clerk.status == Status.LOCKED


def test_section_8_five_wrong_passwords_deactivate_the_clerk(open_portal, gera_admin, gera_clerk, settings):
    """§8 Deaktiviert: five wrong passwords in a row; the administrator sees the automatically generated
    one-time password and hands it over."""
    assert settings.LOGIN_FAILURE_LIMIT == 5
    clerk = open_portal()
    # The clerk's own computer: it has logged in there before, so its wrong passwords count (DESIGN §8).
    clerk.login(gera_clerk)
    clerk.logout()
    for attempt in range(1, 6):
        clerk_page = clerk.login(gera_clerk, password=f"falsches Passwort {attempt}")
        expect(clerk_page.get_by_role("alert")).to_have_text(LOGIN_FAILED)
    # Even the right password is refused now, with the same message.
    clerk.login(gera_clerk)
    expect(clerk_page.get_by_role("alert")).to_have_text(LOGIN_FAILED)

    admin = open_portal()
    admin.login(gera_admin)
    page = admin.open_user_list()
    row = page.get_by_role("row").filter(has_text=gera_clerk.email)
    expect(row).to_contain_text("Inaktiv")
    expect(row).to_contain_text("Deaktiviert")
    # The explanation of the statuses on the same page (manual §8).
    page.get_by_text("Was bedeuten Portalzugang und Benutzerstatus?").click()
    expect(page.get_by_role("definition").filter(has_text="zu häufige Falscheingabe")).to_be_visible()
    admin.open_detail(gera_clerk.email)
    assert admin.rights() == ("Inaktiv", "Deaktiviert")
    one_time_password = admin.value_of("Einmalpasswort")
    assert OTP.match(one_time_password), one_time_password

    # With the new one-time password the clerk chooses a personal password and is Aktiv again.
    clerk.login(gera_clerk, password=one_time_password)
    expect(clerk_page.get_by_role("heading", level=1)).to_have_text("Passwort ändern")
    clerk_page.get_by_label("Neues Passwort", exact=True).fill(NEW_PASSWORD)
    clerk_page.get_by_label("Neues Passwort wiederholen").fill(NEW_PASSWORD)
    clerk.click(clerk_page.get_by_role("button", name="Passwort speichern"))
    expect(clerk_page.get_by_role("heading", level=1)).to_have_text("Meine Abrechnungsstellen")
    admin.open_user_list()
    expect(page.get_by_role("row").filter(has_text=gera_clerk.email)).to_contain_text("Aktiv")
    admin.open_detail(gera_clerk.email)
    assert admin.rights() == ("Aktiv", "Aktiv")
