"""A clerk's day in the workspace the grants protect, in the browser by its labels, with axe-core on every page: find
a person by a spelling of her name, read her Verlauf, write a Jahresmeldung with two Abschnitte, get a German message
for an overlapping Abschnitt, correct, send; fund staff reject it; correct and send again; fund staff process it; the
new Abschnitte are in the Verlauf; fund staff read who looked at her. At full width, at 320 CSS px and at 200 % zoom.
And a grant withdrawn while the clerk works: the next click is the German "Kein Zugriff" page, the other units work."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from insured import services
from insured.models import Kind, Report
from tests import factories
from tests.insured.conftest import with_history

SIZES = {
    "1280px": {"width": 1280, "height": 900},
    "320px": {"width": 320, "height": 640},  # 1280 px at 400 %
    "zoom200": {"width": 640, "height": 450},  # a 1280 px window at 200 %
}


def fits_width(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


@pytest.fixture
def hanna(gera_units):
    person = factories.InsuredPersonFactory(
        insurance_number="0020200001", last_name="Müller", first_name="Hanna", birth_date=date(1980, 5, 17)
    )
    year = timezone.localdate().year
    return with_history(person, gera_units[0], years=(year - 2, year - 1))


def staff_login(portal, staff):
    page = portal.goto("/admin/login/")
    page.get_by_label("E-Mail").fill(staff.email)
    page.get_by_label("Passwort").fill(factories.PASSWORD)
    portal.click(page.get_by_role("button", name="Anmelden"))
    portal.confirm_factor("ZVK-Mitarbeiter", staff.email)
    return page


def fill_section(page, number, start, end, pay):
    row = page.get_by_role("group", name=f"Abschnitt {number}")
    row.get_by_label("Beginn").fill(start)
    row.get_by_label("Ende").fill(end)
    row.get_by_label("Buchungsschlüssel").select_option(label="10 Pflichtversicherung")
    row.get_by_label("Zusatzversorgungspflichtiges Entgelt").fill(pay)
    return row


def staff_decides(staff_tab, decision, reason=None):
    page = staff_tab.goto("/admin/insured/report/?status__exact=submitted")
    staff_tab.click(page.get_by_role("link", name=re.compile(r"^\d+$")).first)
    staff_tab.click(page.get_by_role("link", name=decision, exact=True))
    if reason:
        page.get_by_label("Grund der Zurückweisung").fill(reason)
    staff_tab.click(page.get_by_role("button", name=decision))
    return page


@pytest.mark.parametrize("size", list(SIZES), ids=list(SIZES))
def test_a_clerks_day(open_portal, size, gera_clerk, gera_units, hanna, staff):
    year = timezone.localdate().year
    factories.InsuredPersonFactory.create_batch(3)  # persons of no unit of this clerk
    clerk = open_portal()
    clerk.page.set_viewport_size(SIZES[size])
    page = clerk.login(gera_clerk)
    expect(page.get_by_role("heading", level=1)).to_have_text("Meine Abrechnungsstellen")
    assert fits_width(page)

    # Find her by a spelling of her name, read her Verlauf.
    clerk.click(clerk.menu().get_by_role("link", name="Versicherte"))
    page.get_by_label("Suche nach Name, Versicherungsnummer oder Personalnummer").fill("mueller")
    clerk.click(page.get_by_role("button", name="Anzeigen"))
    assert fits_width(page)
    clerk.click(page.get_by_role("link", name="Müller, Hanna"))
    verlauf = page.get_by_test_id("verlauf")
    expect(verlauf).to_contain_text(f"Summe {year - 1}")
    expect(verlauf).to_contain_text(f"Summe {year - 2}")
    assert fits_width(page)

    # A Jahresmeldung with two Abschnitte, the second overlapping the first.
    clerk.click(page.get_by_role("link", name=re.compile("^Neue Meldung")))
    page.get_by_role("radio", name="Jahresmeldung").check()
    clerk.click(page.get_by_role("button", name="Weiter"))
    page.get_by_label("Jahr").select_option(str(year))
    fill_section(page, 1, f"{year}-01-01", f"{year}-06-30", "21.000,00")
    second = fill_section(page, 2, f"{year}-06-01", f"{year}-12-31", "21.500,00")
    clerk.click(page.get_by_role("button", name="Speichern", exact=True))
    expect(second.locator(".errorlist")).to_have_text(
        "Der Abschnitt überschneidet sich mit Abschnitt 1 dieser Meldung."
    )
    assert fits_width(page)

    # Correct it, send it (with the confirmation).
    second.get_by_label("Beginn").fill(f"{year}-07-01")
    clerk.click(page.get_by_role("button", name="Speichern und übermitteln"))
    expect(page.get_by_test_id("to-submit")).to_contain_text(f"Jahresmeldung {year} – Müller, Hanna")
    clerk.click(page.get_by_role("button", name="Übermitteln"))
    expect(clerk.messages).to_contain_text("1 Meldung(en) an die Zusatzversorgungskasse übermittelt.")

    # Fund staff reject it with a reason.
    fund = open_portal()
    staff_login(fund, staff)
    staff_decides(fund, "Zurückweisen", reason="Das Entgelt des zweiten Halbjahres fehlt ein Monat.")

    # The start page says what waits; correct and send again.
    clerk.click(clerk.menu().get_by_role("link", name="Meine Abrechnungsstellen"))
    waiting = page.get_by_test_id("waiting")
    clerk.click(waiting.get_by_role("link", name=re.compile("1 zurückgewiesene Meldung")))
    clerk.click(page.get_by_test_id("report-table").get_by_role("link", name=f"Jahresmeldung {year}"))
    expect(page.get_by_test_id("rejection")).to_contain_text("fehlt ein Monat")
    clerk.click(page.get_by_role("link", name="Korrigieren und erneut übermitteln"))
    page.get_by_role("group", name="Abschnitt 2").get_by_label("Zusatzversorgungspflichtiges Entgelt").fill("24.000,00")
    clerk.click(page.get_by_role("button", name="Speichern und übermitteln"))
    clerk.click(page.get_by_role("button", name="Übermitteln"))

    # Fund staff process it; the new Abschnitte are in her Verlauf.
    staff_decides(fund, "Verarbeiten")
    expect(fund.page.locator(".messagelist")).to_contain_text("1 Meldung(en) verarbeitet.")
    clerk.click(clerk.menu().get_by_role("link", name="Versicherte"))
    clerk.click(page.get_by_role("link", name="Müller, Hanna"))
    verlauf = page.get_by_test_id("verlauf")
    expect(verlauf).to_contain_text(f"Summe {year}")
    expect(verlauf).to_contain_text("24.000,00 €")
    expect(verlauf).to_contain_text("45.000,00 €")
    assert fits_width(page)

    # Fund staff: who looked at her this year.
    logged = fund.goto(f"/admin/insured/accesslogentry/?q=Mueller&jahr={year}")
    expect(logged.get_by_role("link", name="Angezeigte Einträge als CSV herunterladen")).to_be_visible()
    expect(logged.locator("#result_list")).to_contain_text(gera_clerk.email)
    expect(logged.locator("#result_list")).to_contain_text("0020200001")


def test_a_withdrawn_grant_ends_the_next_click(open_portal, gera_clerk, gera_admin, gera_units, hanna):
    other = factories.InsuredPersonFactory(last_name="Bäcker", first_name="Berta")
    with_history(other, gera_units[1])
    clerk = open_portal()
    clerk.page.set_viewport_size(SIZES["320px"])
    page = clerk.login(gera_clerk)
    page = clerk.goto(f"/versicherte/{hanna.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Müller, Hanna")

    # The administrator withdraws the unit ("+/- Zuordnen") while the clerk reads.
    admin = open_portal()
    page_admin = admin.login(gera_admin)
    admin.goto(f"/benutzer/{gera_clerk.pk}/zuordnen/")
    page_admin.get_by_role("checkbox", name=re.compile(gera_units[0].number)).uncheck()
    admin.click(page_admin.get_by_role("button", name="Speichern"))

    # The clerk's next click: "Kein Zugriff", in German, as a 404; its other unit still works.
    with page.expect_response(re.compile(r"/meldung/neu/$")) as answer:
        clerk.click(page.get_by_role("link", name=re.compile("^Neue Meldung")))
    assert answer.value.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Seite nicht gefunden")
    expect(page.get_by_text("Kein Zugriff.")).to_be_visible()
    clerk.click(page.get_by_role("link", name="Zu Ihren Abrechnungsstellen"))
    clerk.click(clerk.menu().get_by_role("link", name="Versicherte"))
    expect(page.get_by_test_id("person-table")).to_contain_text("Bäcker, Berta")
    expect(page.get_by_test_id("person-table")).not_to_contain_text("Müller, Hanna")
    clerk.click(page.get_by_role("link", name="Bäcker, Berta"))
    expect(page.get_by_test_id("verlauf")).to_be_visible()


def test_the_other_meldungen_and_their_pages(open_portal, gera_clerk, gera_units, hanna, staff):
    """The pages the clerk's day does not pass, each checked by axe-core at 320 CSS px: "Neue Meldung" by
    Versicherungsnummer, an Abmeldung saved and deleted after its confirmation, a Berichtigungsmeldung of a processed
    Jahresmeldung, an Anmeldung of a person whose employment ended, the Meldungen filtered by status."""
    year = timezone.localdate().year
    processed = services.create_report(
        person=hanna,
        unit=gera_units[0],
        by=gera_clerk,
        kind=Kind.ANNUAL,
        values={"year": year},
        sections=[{"start": date(year, 1, 1), "end": date(year, 6, 30), "booking_key": "10", "pay": Decimal("21000")}],
    )
    services.submit_reports(reports=[processed], by=gera_clerk)
    services.process_report(report=processed, by=staff)
    former = factories.InsuredPersonFactory(last_name="Bäcker", first_name="Berta")
    factories.EmploymentFactory(
        person=former, billing_unit=gera_units[1], start=date(2018, 1, 1), end=date(year - 1, 12, 31)
    )
    clerk = open_portal()
    clerk.page.set_viewport_size(SIZES["320px"])
    page = clerk.login(gera_clerk)

    # "Neue Meldung" from "Meldungen": the person by Versicherungsnummer, an Abmeldung, saved, then deleted.
    clerk.click(clerk.menu().get_by_role("link", name="Meldungen"))
    clerk.click(page.get_by_role("link", name="Neue Meldung"))
    page.get_by_label("Versicherungsnummer").fill(hanna.insurance_number)
    clerk.click(page.get_by_role("button", name="Weiter"))
    page.get_by_role("radio", name="Abmeldung").check()
    clerk.click(page.get_by_role("button", name="Weiter"))
    page.get_by_label("Ende der Beschäftigung").fill(f"{year}-09-30")
    page.get_by_label("Abmeldegrund").select_option(label="Beginn der Altersrente")
    clerk.click(page.get_by_role("button", name="Speichern", exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text("Abmeldung zum 30.09." + str(year))
    assert fits_width(page)
    clerk.click(page.get_by_role("link", name="Löschen"))
    expect(page.get_by_text("Möchten Sie die")).to_be_visible()
    clerk.click(page.get_by_role("button", name="Löschen"))
    expect(clerk.messages).to_contain_text("Die Meldung wurde gelöscht.")
    assert not Report.objects.filter(kind=Kind.DEREGISTRATION).exists()

    # A Berichtigungsmeldung of the processed Jahresmeldung: its Abschnitte to start from.
    clerk.click(page.get_by_role("link", name=re.compile("^Neue Meldung")))
    page.get_by_role("radio", name="Berichtigungsmeldung").check()
    page.get_by_label("Zu berichtigende Meldung").select_option(index=1)
    clerk.click(page.get_by_role("button", name="Weiter"))
    row = page.get_by_role("group", name="Abschnitt 1")
    expect(row.get_by_label("Zusatzversorgungspflichtiges Entgelt")).to_have_value("21000,00")
    row.get_by_label("Zusatzversorgungspflichtiges Entgelt").fill("22.000,00")
    clerk.click(page.get_by_role("button", name="Speichern", exact=True))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Berichtigungsmeldung")
    assert fits_width(page)

    # An Anmeldung of a person whose employment ended.
    page = clerk.goto(f"/versicherte/{former.pk}/")
    clerk.click(page.get_by_role("link", name=re.compile("^Neue Meldung")))
    page.get_by_role("radio", name="Anmeldung").check()
    clerk.click(page.get_by_role("button", name="Weiter"))
    page.get_by_label("Beginn der Beschäftigung").fill(f"{year}-02-01")
    page.get_by_label("Personalnummer").fill("B-4711")
    clerk.click(page.get_by_role("button", name="Speichern", exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Anmeldung ab 01.02.{year}")

    # The Meldungen erfasst of its units.
    clerk.click(clerk.menu().get_by_role("link", name="Meldungen"))
    page.get_by_label("Status").select_option(label="erfasst")
    clerk.click(page.get_by_role("button", name="Anzeigen"))
    table = page.get_by_test_id("report-table")
    expect(table).to_contain_text("Berichtigungsmeldung")
    expect(table).to_contain_text("Bäcker, Berta")
    assert fits_width(page)
