"""Reflow at 320 CSS px (WCAG 1.4.10, 1280 px at 400 %), measured in Chromium: the header and the menu take less
than a third of the screen, the pages with long values (a one-time password, a passkey's name, a long e-mail) need no
sideways scrolling, and headings divide long German words."""

from playwright.sync_api import expect

NARROW = {"width": 320, "height": 640}

# Every element wider than the window or reaching beyond it (the visually hidden texts aside).
OVERFLOWING = """
() => {
  const width = document.documentElement.clientWidth;
  const wide = document.documentElement.scrollWidth > width ? ["the page: " + document.documentElement.scrollWidth] : [];
  return wide.concat([...document.querySelectorAll("main *:not(.visually-hidden)")].filter((el) => {
    if (el.closest(".visually-hidden") || el.closest(".table-scroll")) return false;
    const box = el.getBoundingClientRect();
    return box.width > 0 && (box.right > width + 1 || box.left < -1);
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
