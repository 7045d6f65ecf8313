"""Keyboard only: "+ Sachbearbeiter hinzufügen" (manual §3 c–h) with Tab, Space and Enter, and typing the data.

Each focused control must show a visible focus outline (WCAG 2.4.7), the focus must follow the reading
order (2.4.3), and the skip link must lead past the header straight to the page's content (2.4.1).
"""

from playwright.sync_api import Locator, expect


def tab_to(portal, target: Locator) -> None:
    """One Tab; the focus must land on `target` and be visible."""
    portal.page.keyboard.press("Tab")
    expect(target).to_be_focused()
    expect(target).to_be_in_viewport()
    outline = target.evaluate("element => getComputedStyle(element).outlineStyle")
    assert outline not in ("", "none"), f"no visible focus outline on {target}"


def skip_to_content(portal) -> None:
    """The first Tab reaches the skip link "Zum Inhalt springen"; Enter moves the focus into the content."""
    page = portal.page
    tab_to(portal, page.get_by_role("link", name="Zum Inhalt springen"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()


def test_add_a_clerk_with_the_keyboard_alone(portal, gera_admin, gera_units):
    page = portal.login(gera_admin)
    expect(page.get_by_role("heading", level=1)).to_have_text("Verwaltung der Benutzer")

    # Verwaltung der Benutzer: the focus walks the header in reading order, then the page's main button.
    tab_to(portal, page.get_by_role("link", name="Zum Inhalt springen"))
    tab_to(portal, page.get_by_role("link", name="Zusatzversorgungskasse Thüringen — Mitgliederportal"))
    tab_to(portal, page.get_by_role("button", name="Abmelden"))
    menu = page.get_by_role("navigation", name="Hauptmenü")
    tab_to(portal, menu.get_by_role("link", name="Verwaltung der Benutzer"))
    tab_to(portal, menu.get_by_role("link", name="Berechtigungsübersicht"))
    tab_to(portal, menu.get_by_role("link", name="Änderungsprotokoll"))
    tab_to(portal, menu.get_by_role("link", name="Einstellungen"))
    tab_to(portal, menu.get_by_role("link", name="Passwort ändern"))
    tab_to(portal, menu.get_by_role("link", name="Sicherheit"))
    tab_to(portal, page.get_by_role("link", name="+ Sachbearbeiter hinzufügen"))
    portal.press("Enter")

    # Step 1: the four required fields in order, then "Weiter".
    expect(page.get_by_role("heading", level=1)).to_have_text("Sachbearbeiter hinzufügen")
    skip_to_content(portal)
    for label, value in [
        ("Vorname", "Lena"),
        ("Nachname", "Tastatur"),
        ("Telefonnummer", "0365 838-4711"),
        ("E-Mail", "lena.tastatur@stadt-gera.example"),
    ]:
        tab_to(portal, page.get_by_label(label, exact=True))
        page.keyboard.type(value)
    tab_to(portal, page.get_by_role("button", name="Weiter"))
    portal.press("Enter")

    # Step 2: the select-all button works with Space, each checkbox too; Enter on "Speichern".
    # The form was sent from the skip link's target and the redirect keeps the "#inhalt": the page opens at
    # its content, so the first Tab goes to its first control.
    expect(page.get_by_text("Schritt 2 von 2")).to_be_visible()
    assert page.url.endswith("/benutzer/neu/abrechnungsstellen/#inhalt")
    boxes = [page.get_by_label(f"{unit.number} {unit.name}", exact=True) for unit in gera_units]
    tab_to(portal, page.get_by_role("button", name="Alle an- bzw. abwählen"))
    page.keyboard.press("Space")
    for box in boxes:
        expect(box).to_be_checked()
    page.keyboard.press("Space")
    for box in boxes:
        expect(box).not_to_be_checked()
    tab_to(portal, boxes[0])
    page.keyboard.press("Space")
    tab_to(portal, boxes[1])
    tab_to(portal, boxes[2])
    page.keyboard.press("Space")
    expect(boxes[0]).to_be_checked()
    expect(boxes[1]).not_to_be_checked()
    expect(boxes[2]).to_be_checked()
    tab_to(portal, page.get_by_role("button", name="Speichern"))
    portal.press("Enter")

    # The success message, then "Zurück zur Benutzerverwaltung": the new clerk with its two billing units.
    expect(portal.messages).to_have_text("Sie haben den Sachbearbeiter erfolgreich gespeichert.")
    assert page.url.endswith("/angelegt/#inhalt")
    tab_to(portal, page.get_by_role("link", name="Zurück zur Benutzerverwaltung"))
    portal.press("Enter")
    row = page.get_by_role("row").filter(has_text="lena.tastatur@stadt-gera.example")
    expect(row).to_contain_text("Tastatur, Lena")
    expect(row).to_contain_text("Ausstehend")
    expect(row).to_contain_text("002020, 002022")
