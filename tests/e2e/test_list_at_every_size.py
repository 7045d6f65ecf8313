""" "Verwaltung der Benutzer" at every size (WCAG 1.4.10 Reflow, 1.4.4 Resize text), measured in Chromium.

At 1280 px the list is a table whose words stay whole ("Sachbearbeiter" on one line, an e-mail address wraps
only after "@" or a dot); at 320 CSS px, on a 375 px phone and at 200 % zoom of a 1280 px window (640 CSS px)
it is one card per user with every field and action visible and nothing to scroll sideways. The people are
those that make a list hard: the longest names, long e-mail addresses, a clerk with 40 billing units.
"""

import pytest

from tests import factories

LONG_FIRST = "Maximiliane Friederike Charlotte Henriette Wilhelmine"
LONG_LAST = "von Schönberg-Hohenstein"
LONG_EMAIL = "maximiliane.friederike.von-schoenberg-hohenstein@personalverwaltung.stadt-gera.example"

# Where each line of a cell's text begins, found by the position of each character: a line that begins
# inside a text other than after a space (or "@" and "." in an e-mail, "," or the "-" of a double name) broke
# a word. A new element (a badge, a line of its own) may begin a line.
BROKEN_WORDS = """
(cells, inEmails) => cells.flatMap((cell) => {
  const allowed = cell.classList.contains("email") ? inEmails : ",-";
  const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT, {
    acceptNode: (node) => node.parentElement.closest(".visually-hidden") ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT,
  });
  const broken = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    let previous = null, afterSpace = false;
    for (let i = 0; i < node.length; i++) {
      const ch = node.data[i];
      if (ch.trim() === "") { afterSpace = true; continue; }
      const range = document.createRange();
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      const rect = range.getClientRects()[0];
      if (!rect) continue;
      const top = Math.round(rect.top);
      if (previous && top > previous.top + 2 && !afterSpace && !allowed.includes(previous.ch))
        broken.push(node.data.trim().slice(0, 40) + " … after " + JSON.stringify(previous.ch));
      previous = {ch, top};
      afterSpace = false;
    }
  }
  return broken;
})
"""

# Every element of the table that is wider than the box it sits in, or reaches beyond the window.
TOO_WIDE = """
(table) => {
  const width = document.documentElement.clientWidth;
  return [...table.querySelectorAll("td, td *:not(.visually-hidden)")].filter((el) => {
    const box = el.getBoundingClientRect();
    return el.scrollWidth > el.clientWidth + 1 || box.right > width + 1 || box.left < -1;
  }).map((el) => el.tagName + " " + el.textContent.trim().slice(0, 40));
}
"""


@pytest.fixture
def large_member(gera, gera_units, gera_admin):
    units = gera_units + factories.BillingUnitFactory.create_batch(37, member=gera)
    gera_admin.scope_units.add(*units)
    factories.ClerkFactory(first_name=LONG_FIRST, last_name=LONG_LAST, email=LONG_EMAIL, units=units)
    factories.ClerkFactory(
        first_name="Hans-Joachim",
        last_name="Müller-Lüdenscheidt",
        email="hans-joachim.mueller-luedenscheidt@stadt-gera.example",
        units=units[:2],
    )
    factories.PendingClerkFactory(
        first_name="Jürgen", last_name="Weiß", email="j.weiss@stadt-gera.example", units=units[:1]
    )
    factories.AdministratorFactory(
        first_name="Karl-Theodor",
        last_name="Freiherr von Gutenberg-Wildenstein",
        email="karl-theodor.freiherr-von-gutenberg-wildenstein@stadt-gera.example",
        units=units[:3],
    )
    return units


def measure(page, breaks_in_emails="@.") -> dict:
    table = page.get_by_test_id("user-table")
    cells = page.locator("[data-testid=user-table] td")
    return {
        "page_fits": page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"),
        "box_fits": page.evaluate(
            "() => [...document.querySelectorAll('.table-scroll')].every(b => b.scrollWidth <= b.clientWidth)"
        ),
        "too_wide": table.evaluate(TOO_WIDE),
        "broken": cells.evaluate_all(BROKEN_WORDS, breaks_in_emails),
        "widths": page.evaluate(
            "() => [...document.querySelectorAll('.table-scroll, thead th')].map(e => Math.round(e.scrollWidth)).join(' ')"
        ),
        "header_shown": page.locator("[data-testid=user-table] thead").bounding_box()["height"] > 2,
    }


def test_at_1280_px_the_table_keeps_every_word_whole(portal, gera_admin, large_member):
    portal.login(gera_admin)
    page = portal.open_user_list()
    found = measure(page)
    assert found["header_shown"], "a table with its column headings"
    assert found["page_fits"] and found["box_fits"], ("nothing to scroll sideways", found["widths"])
    assert found["too_wide"] == []
    assert found["broken"] == []
    lines = page.locator("[data-testid=user-table] td[data-label=Benutzerrolle]").evaluate_all(
        "cells => cells.map(c => { const r = document.createRange(); r.selectNodeContents(c); return r.getClientRects().length; })"
    )
    assert lines == [1] * 5, "„Sachbearbeiter“ and „Administrator“ on one line each"


@pytest.mark.parametrize(
    ("size", "why"),
    [
        ({"width": 320, "height": 640}, "320 CSS px (1280 px at 400 %)"),
        ({"width": 375, "height": 740}, "a phone"),
        ({"width": 640, "height": 450}, "200 % zoom of a 1280 px window"),
    ],
    ids=["320px", "phone", "zoom200"],
)
def test_narrow_windows_show_one_card_per_user_with_every_field_and_action(portal, gera_admin, large_member, size, why):
    portal.page.set_viewport_size(size)
    portal.login(gera_admin)
    page = portal.open_user_list()
    found = measure(page, breaks_in_emails="@.-")  # a card may also wrap an address after a hyphen
    assert not found["header_shown"], f"{why}: cards, not a table"
    assert found["page_fits"] and found["box_fits"], f"{why}: nothing to scroll sideways"
    assert found["too_wide"] == [], why
    assert found["broken"] == [], why
    width = size["width"]
    row = page.get_by_role("row").filter(has_text="maximiliane.friederike")
    for label in ("Name", "E-Mail", "Benutzerrolle", "Portalzugang", "Benutzerstatus", "Letzte Anmeldung"):
        cell = row.locator(f"td[data-label='{label}']")
        box = cell.bounding_box()
        assert box and box["height"] > 0 and box["x"] + box["width"] <= width + 1, f"{why}: {label}"
    units = row.locator("td[data-label=Abrechnungsstellen] span")
    assert units.count() == 40
    assert all(box["x"] + box["width"] <= width + 1 for box in (span.bounding_box() for span in units.all()))
    administrator = page.get_by_role("row").filter(has_text="gutenberg-wildenstein")
    for action in ("Detailansicht", "Berechtigung entziehen"):
        link = administrator.get_by_role("link", name=action)
        box = link.bounding_box()
        assert link.is_visible() and box["x"] >= 0 and box["x"] + box["width"] <= width + 1, f"{why}: {action}"
    page.mouse.wheel(0, 100000)  # the last card, too, is on the page and reachable
    assert page.locator("nav.pagination").count() == 0 or page.locator("nav.pagination").is_visible()
