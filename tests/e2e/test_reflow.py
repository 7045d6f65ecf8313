"""Reflow at 320 CSS px (WCAG 1.4.10, 1280 px at 400 %), measured in Chromium: the header and the menu take less
than a third of the screen, the pages with long values (a one-time password, a passkey's name, a long e-mail) need no
sideways scrolling, and headings divide long German words."""

from django_otp_webauthn.models import WebAuthnCredential
from playwright.sync_api import expect

from tests import factories

NARROW = {"width": 320, "height": 640}

# Every element wider than the window or reaching beyond it or beyond its panel (the visually hidden texts aside; a wide table may scroll
# in its own box).
OVERFLOWING = """
() => {
  const width = document.documentElement.clientWidth;
  const wide = document.documentElement.scrollWidth > width ? ["the page: " + document.documentElement.scrollWidth] : [];
  return wide.concat([...document.querySelectorAll("main *:not(.visually-hidden)")].filter((el) => {
    // hidden for the eye (a card table's column headings) or scrolling inside its own box
    if (el.closest(".visually-hidden") || el.closest(".table-scroll") || el.closest(".table--cards thead")) return false;
    const box = el.getBoundingClientRect();
    const frame = el.parentElement.closest(".panel, main").getBoundingClientRect();  // a panel's border, or the page's
    return box.width > 0 && (box.right > Math.min(width, frame.right) + 1 || box.left < -1);
  }).map((el) => el.tagName + " " + el.textContent.trim().slice(0, 50)));
}
"""


def overflowing(page) -> list[str]:
    return page.evaluate(OVERFLOWING)


def test_at_320_px_the_header_and_menu_take_less_than_a_third_of_the_screen(portal, gera_admin):
    portal.page.set_viewport_size(NARROW)
    page = portal.login(gera_admin)
    header = page.locator("header.site-header").bounding_box()
    assert header["height"] < NARROW["height"] / 3, header
    menu = page.get_by_role("navigation", name="Hauptmenü")
    link = menu.get_by_role("link", name="Berechtigungsübersicht")
    expect(link).to_be_hidden()
    menu.get_by_text("Menü", exact=True).click()  # one click unfolds it
    expect(link).to_be_visible()
    assert overflowing(page) == []
    hyphens = page.locator("h1, h2, h3").evaluate_all("hs => hs.map(h => getComputedStyle(h).hyphens)")
    assert set(hyphens) == {"auto"} and page.locator("html").get_attribute("lang") == "de"


def test_at_1280_px_the_menu_stands_open(portal, gera_admin):
    page = portal.login(gera_admin)
    menu = page.get_by_role("navigation", name="Hauptmenü")
    expect(menu.get_by_role("link", name="Berechtigungsübersicht")).to_be_visible()
    expect(menu.get_by_text("Menü", exact=True)).to_be_hidden()


LONG_EMAIL = "maximiliane.friederike.von-schoenberg-hohenstein@personalverwaltung.stadt-gera.example"


def test_at_320_px_the_detailansicht_with_its_password_needs_no_sideways_scrolling(portal, gera_admin, gera_units):
    clerk = factories.PendingClerkFactory(
        first_name="Maximiliane", last_name="von Schönberg-Hohenstein", email=LONG_EMAIL, units=gera_units
    )
    portal.page.set_viewport_size(NARROW)
    portal.login(gera_admin)
    page = portal.goto(f"/benutzer/{clerk.pk}/")
    expect(page.get_by_test_id("otp")).to_be_visible()
    assert overflowing(page) == []


def test_at_320_px_sicherheit_lists_passkeys_without_sideways_scrolling(portal, gera_admin):
    WebAuthnCredential.objects.create(
        user=gera_admin,
        name="Sicherheitsschlüssel der Personalabteilung, Zimmer 204",
        credential_id=b"reflow-passkey",
        public_key=b"key",
        sign_count=0,
    )
    portal.page.set_viewport_size(NARROW)
    portal.login(gera_admin)
    page = portal.goto("/sicherheit/")
    expect(page.get_by_role("region", name="Passkeys")).to_contain_text("Zimmer 204")
    assert overflowing(page) == []
    assert page.evaluate("[...document.querySelectorAll('.table-scroll')].every(b => b.scrollWidth <= b.clientWidth)")


def test_at_320_px_a_co_administrators_page_with_a_long_address_needs_no_sideways_scrolling(
    portal, gera_admin, gera_units
):
    colleague = factories.AdministratorFactory(
        first_name="Karl-Theodor", last_name="Freiherr von Gutenberg", email=LONG_EMAIL, units=gera_units
    )
    portal.page.set_viewport_size(NARROW)
    portal.login(gera_admin)
    page = portal.goto(f"/administratoren/{colleague.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Gutenberg")
    assert overflowing(page) == []


def test_the_logins_e_mail_field_shows_a_long_address_whole_at_1280_px(portal):
    page = portal.goto("/login/")
    field = page.get_by_label("E-Mail", exact=True)
    field.fill("hans-joachim.mueller-luedenscheidt@personalamt.stadt-gera.example")  # 66 characters
    assert field.evaluate("input => input.scrollWidth <= input.clientWidth")
