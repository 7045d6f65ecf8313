"""What an administrator meets right after a change: the new one-time password first, the question before a clerk's
last billing unit goes, and the browser's "Zurück" after saving, which shows what is saved and says so."""

import re

from playwright.sync_api import expect

from clerks import services
from tests import factories

SAVED_NOTE = "Die Änderungen wurden bereits gespeichert"


def test_a_new_one_time_password_opens_the_page_and_takes_the_focus(portal, gera_admin, gera_clerk):
    page = portal.login(gera_admin)
    portal.goto(f"/benutzer/{gera_clerk.pk}/einmalpasswort/")
    portal.click(page.get_by_role("button", name="Einmalpasswort setzen"))
    panel = page.get_by_role("region", name="Neues Einmalpasswort")
    expect(panel).to_be_focused()
    expect(panel.get_by_test_id("otp")).to_have_text(re.compile(r"^\d{10}$"))
    expect(page.get_by_test_id("otp")).to_have_count(1)  # shown once, in the panel that opens the page
    assert page.url.endswith("#neues-einmalpasswort")


def test_zuordnen_asks_before_the_last_unit_goes(portal, gera_admin, gera_units):
    clerk = factories.ClerkFactory(units=gera_units[:1])
    page = portal.login(gera_admin)
    portal.goto(f"/benutzer/{clerk.pk}/zuordnen/")
    page.get_by_label(f"{gera_units[0].number} {gera_units[0].name}", exact=True).uncheck()
    portal.click(page.get_by_role("button", name="Speichern"))
    expect(page.get_by_role("alert")).to_have_text(
        "Der Sachbearbeiter hat danach keine Abrechnungsstelle mehr und kann nicht arbeiten. Trotzdem speichern?"
    )
    portal.click(page.get_by_role("button", name="Trotzdem speichern"))
    expect(portal.messages).to_have_text("Die Berechtigungen wurden gespeichert.")
    expect(page.get_by_role("main")).to_contain_text("Keine Abrechnungsstellen zugeordnet.")


def test_back_after_zuordnen_shows_the_units_as_they_are_now(portal, gera_admin, gera_admin2, gera_clerk, gera_units):
    page = portal.login(gera_admin)
    portal.goto(f"/benutzer/{gera_clerk.pk}/zuordnen/")
    first = page.get_by_label(f"{gera_units[0].number} {gera_units[0].name}", exact=True)
    first.uncheck()
    portal.click(page.get_by_role("button", name="Speichern"))
    expect(portal.messages).to_have_text("Die Berechtigungen wurden gespeichert.")
    # A colleague gives the unit back meanwhile: "Zurück" shows the units as they are now, not the old ticks.
    services.set_grants(clerk=gera_clerk, by=gera_admin2, unit_ids=[unit.pk for unit in gera_units[:2]])
    portal.back()
    expect(page.get_by_test_id("already-saved")).to_contain_text(SAVED_NOTE)
    expect(first).to_be_checked()


def test_back_after_saving_the_personal_data_shows_them_saved(portal, gera_admin, gera_clerk):
    page = portal.login(gera_admin)
    portal.goto(f"/benutzer/{gera_clerk.pk}/")
    page.get_by_label("Nachname", exact=True).fill("Schmidt-Berg")
    portal.click(page.get_by_role("button", name="Speichern"))
    expect(portal.messages).to_have_text("Sie haben den Sachbearbeiter erfolgreich gespeichert.")
    expect(page.get_by_test_id("already-saved")).to_have_count(0)
    portal.back()
    expect(page.get_by_test_id("already-saved")).to_contain_text(SAVED_NOTE)
    expect(page.get_by_label("Nachname", exact=True)).to_have_value("Schmidt-Berg")
