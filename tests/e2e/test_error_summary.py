"""After a failed submit the focus moves to the error summary at the top of the form; each of its links puts the focus
into its field (GOV.UK pattern). In Chromium at 1280 px and at 320 px, on "+ Sachbearbeiter hinzufügen"."""

import pytest
from playwright.sync_api import expect

SIZES = [{"width": 1280, "height": 900}, {"width": 320, "height": 640}]


@pytest.mark.parametrize("size", SIZES, ids=["1280px", "320px"])
def test_the_focus_moves_to_the_error_summary_and_its_links_lead_to_the_fields(portal, gera_admin, size):
    portal.page.set_viewport_size(size)
    page = portal.login(gera_admin)
    page = portal.click(page.get_by_role("link", name="+ Sachbearbeiter hinzufügen"))
    page.get_by_label("Vorname").fill("Jürgen")
    page.get_by_label("E-Mail").fill("info@stadt-gera.example")
    page = portal.click(page.get_by_role("button", name="Weiter"))
    summary = page.get_by_role("alert").filter(has_text="Bitte korrigieren Sie Ihre Eingaben")
    expect(summary).to_be_focused()
    box = summary.bounding_box()
    assert 0 <= box["y"] < size["height"], "the summary is in view"
    links = summary.get_by_role("link")
    expect(links).to_have_count(3)  # Nachname, Telefonnummer, the role address
    links.filter(has_text="Bitte geben Sie die dienstliche Telefonnummer ein.").click()
    expect(page.get_by_label("Telefonnummer")).to_be_focused()
    links.last.click()
    expect(page.get_by_label("E-Mail")).to_be_focused()
