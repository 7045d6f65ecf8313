""" "Drucken" of the Berechtigungsübersicht prints all of it: every grant of the filter, not the page shown, under a
header that says what was filtered, when and by whom, on numbered sheets ("Seite 1 von 3"). Printed to PDF by
Chromium and read back; at 1280 px and at 320 px."""

import io
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from tests import factories

SIZES = [{"width": 1280, "height": 900}, {"width": 320, "height": 640}]


@pytest.mark.parametrize("size", SIZES, ids=["1280px", "320px"])
def test_drucken_prints_every_grant_of_the_filter_with_a_header_and_page_numbers(portal, gera_admin, gera_units, size):
    clerks = factories.ClerkFactory.create_batch(130, units=gera_units[:1])
    factories.ClerkFactory.create_batch(5, units=gera_units[1:2])  # another unit: filtered out
    last = max(clerks, key=lambda clerk: (clerk.last_name, clerk.first_name, clerk.pk))
    portal.page.set_viewport_size(size)
    page = portal.login(gera_admin)
    page = portal.click(portal.menu().get_by_role("link", name="Berechtigungsübersicht"))
    page.get_by_label("Abrechnungsstelle").select_option(label=f"{gera_units[0].number} {gera_units[0].name}")
    page = portal.click(page.get_by_role("button", name="Anzeigen"))
    expect(page.get_by_role("status").filter(has_text="130 Berechtigungen, Seite 1 von 2")).to_be_visible()

    page = portal.click(page.get_by_role("link", name="Drucken"))
    header = page.get_by_test_id("print-header")
    expect(header).to_contain_text(f"Abrechnungsstelle: {gera_units[0].number} {gera_units[0].name}")
    expect(header).to_contain_text("Benutzerstatus: alle")
    expect(header).to_contain_text(f"{gera_admin.full_name} ({gera_admin.email})")
    expect(header).to_contain_text(timezone.localtime().strftime("%d.%m.%Y"))
    expect(page.get_by_test_id("overview-table").locator("tbody tr")).to_have_count(130)
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")

    sheets = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True))).pages
    texts = [sheet.extract_text() for sheet in sheets]
    count = len(sheets)
    assert count > 1
    for number, text in enumerate(texts, start=1):
        assert f"Seite {number} von {count}" in text, number
    assert "Filter" in texts[0] and gera_admin.email in texts[0]
    everything = " ".join(texts)
    assert last.email in everything and "Menü" not in everything and "Anzeigen" not in everything
    assert len(re.findall(r"sachbearbeiter\d+@gemeinde\.example", everything)) == 130
