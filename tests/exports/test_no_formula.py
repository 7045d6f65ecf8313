"""No name, unit name, lock reason or e-mail address turns into a formula in any export (OWASP "CSV Injection").

The values are planted the way an attacker would: names and e-mail addresses through the administrator's own form,
a lock reason through "Berechtigung entziehen", a unit's name as fund staff type it, a Versicherter's name as the
fund's data bring it. Each file is read back with the csv module and openpyxl: the Berechtigungsübersicht (CSV and
XLSX), the Änderungsprotokoll (CSV) and the access log that fund staff download from the Django admin (CSV)."""

import csv
import io
from datetime import datetime

import pytest
from django.test import Client
from openpyxl import load_workbook

from accounts.models import Role, User
from clerks import services
from exports import spreadsheets
from insured.models import AccessLogEntry
from tests import factories
from tests.helpers import post_login

pytestmark = pytest.mark.django_db

FORMULAS = {
    "=": '=HYPERLINK("http://x.example";"Klick")',
    "+": "+1+cmd|' /C calc'!A0",
    "-": "-2+3",
    "@": "@SUM(1+1)*cmd|' /C calc'!A0",
    "tab": "\t=1+1",
    "cr": "\r=1+1",
}
# E-mail local parts may begin with "=", "+" and "-" (RFC 5322), not with "@", a tab or a carriage return.
LOCAL_PARTS = {"=": "=1+1", "+": "+1+1", "-": "-1-1"}


def plant_clerk(client, unit, *, last_name, first_name="Erika", email="erika.planted@stadt-gera.example"):
    """Through "+ Sachbearbeiter hinzufügen", as an administrator types it."""
    person = {"first_name": first_name, "last_name": last_name, "phone": "036512345", "email": email}
    assert client.post("/benutzer/neu/", person).status_code == 302
    token = client.session["clerk_draft"]["token"]
    client.post("/benutzer/neu/abrechnungsstellen/", {"token": token, "units": [unit.pk]})
    return User.objects.get(email=email, role=Role.CLERK)


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline=""), delimiter=";"))


def xlsx_cells(response):
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [cell for row in sheet.iter_rows() for cell in row]


def assert_inert_csv(rows, planted):
    cells = [cell for row in rows for cell in row]
    assert "'" + planted in cells, "the planted value must be in the file, behind an apostrophe"
    assert not [cell for cell in cells if cell.startswith(spreadsheets.FORMULA_STARTS)]


def assert_inert_xlsx(cells, planted):
    assert planted.replace("\r", "\n") in [cell.value for cell in cells]  # XML reads a carriage return as a newline
    assert {cell.data_type for cell in cells if isinstance(cell.value, str)} == {"s"}
    assert not [cell for cell in cells if cell.data_type == "f"]


@pytest.mark.parametrize("first", FORMULAS)
def test_a_typed_name_is_text_in_the_overviews_csv_and_xlsx(admin_client, gera_units, first):
    clerk = plant_clerk(admin_client, gera_units[0], last_name=FORMULAS[first], first_name=FORMULAS[first])
    planted = clerk.last_name  # the form strips a leading tab or carriage return; what stays still starts with "="
    assert planted.startswith(spreadsheets.FORMULA_STARTS)
    assert_inert_csv(csv_rows(admin_client.get("/berechtigungen/", {"format": "csv"})), planted)
    assert_inert_xlsx(xlsx_cells(admin_client.get("/berechtigungen/", {"format": "xlsx"})), planted)


@pytest.mark.parametrize("first", LOCAL_PARTS)
def test_an_email_local_part_is_text_in_every_export(admin_client, gera_units, first):
    email = f"{LOCAL_PARTS[first]}@stadt-gera.example"
    clerk = plant_clerk(admin_client, gera_units[0], last_name="Planted", email=email)
    assert_inert_csv(csv_rows(admin_client.get("/berechtigungen/", {"format": "csv"})), email)
    assert_inert_xlsx(xlsx_cells(admin_client.get("/berechtigungen/", {"format": "xlsx"})), email)
    post_login(Client(), clerk, "falsch-getippt", ip="127.0.91.1")  # the Änderungsprotokoll names it as typed
    assert_inert_csv(csv_rows(admin_client.get("/protokoll/", {"format": "csv"})), email)


@pytest.mark.parametrize("first", FORMULAS)
def test_a_units_name_is_text_in_both_files(client, gera, first):
    planted = FORMULAS[first]
    unit = factories.BillingUnitFactory(member=gera, number="002099", name=planted)
    admin = factories.AdministratorFactory(units=[unit])
    factories.ClerkFactory(units=[unit])
    client.force_login(admin)
    assert_inert_csv(csv_rows(client.get("/berechtigungen/", {"format": "csv"})), planted)
    assert_inert_xlsx(xlsx_cells(client.get("/berechtigungen/", {"format": "xlsx"})), planted)


@pytest.mark.parametrize("first", FORMULAS)
def test_names_and_a_lock_reason_are_text_in_the_protocols_csv(admin_client, gera_admin, gera_units, first):
    clerk = plant_clerk(admin_client, gera_units[0], last_name=FORMULAS[first], first_name=FORMULAS[first])
    planted = FORMULAS[first]
    services.lock_clerk(clerk=clerk, by=gera_admin, reason=planted)
    rows = csv_rows(admin_client.get("/protokoll/", {"format": "csv"}))
    assert any(planted.strip() in cell for row in rows for cell in row)  # the reason (stripped), in the sentence
    assert any(cell.startswith("'" + clerk.last_name) for row in rows for cell in row)  # the name opens a cell
    assert not [cell for row in rows for cell in row if cell.startswith(spreadsheets.FORMULA_STARTS)]


@pytest.mark.parametrize("first", FORMULAS)
def test_names_units_and_addresses_are_text_in_the_access_logs_csv(client, staff, gera, first):
    """Zugriffsprotokoll, "Angezeigte Einträge als CSV herunterladen": the clerk's name and the Versicherter's names
    each open a cell."""
    planted = FORMULAS[first]
    unit = factories.BillingUnitFactory(member=gera, number="002098")
    clerk = factories.ClerkFactory(units=[unit], first_name=planted, last_name=planted)
    person = factories.InsuredPersonFactory(last_name=planted, first_name=planted)
    factories.EmploymentFactory(person=person, billing_unit=unit)
    AccessLogEntry.objects.create(user=clerk, person=person, billing_unit=unit, page="person", path="/versicherte/1/")
    client.force_login(staff)

    rows = csv_rows(client.get("/admin/insured/accesslogentry/", {"format": "csv"}))

    [row] = rows[1:]
    assert row[4:6] == ["'" + planted, "'" + planted]  # Name, Vorname of the Versicherter
    assert row[1] == "'" + clerk.full_name  # the clerk's name opens its cell too
    assert not [cell for cell in row if cell.startswith(spreadsheets.FORMULA_STARTS)]


@pytest.mark.parametrize("first", LOCAL_PARTS)
def test_a_clerks_address_is_text_in_the_access_logs_csv(client, staff, gera_units, first):
    email = f"{LOCAL_PARTS[first]}@stadt-gera.example"
    clerk = factories.ClerkFactory(units=gera_units[:1], email=email)
    person = factories.InsuredPersonFactory()
    AccessLogEntry.objects.create(user=clerk, person=person, billing_unit=gera_units[0], page="person", path="/")
    client.force_login(staff)
    assert_inert_csv(csv_rows(client.get("/admin/insured/accesslogentry/", {"format": "csv"})), email)


def test_every_first_character_of_the_rule_is_defused_and_nothing_else():
    """The helper itself: every listed first character, nothing else, and only on text."""
    for planted in FORMULAS.values():
        assert spreadsheets.inert(planted) == "'" + planted
    assert spreadsheets.inert("\0=1+1") == "'\0=1+1"  # ASVS 5.0 V1.2.10; no form lets a null character through
    assert spreadsheets.inert("Müller") == "Müller" and spreadsheets.inert("Max=1") == "Max=1"
    rows = [[planted, 3, None, datetime(2026, 3, 1, 9, 30)] for planted in FORMULAS.values()]
    read = list(
        csv.reader(io.StringIO(spreadsheets.as_csv(["a", "b", "c", "d"], rows).decode("utf-8-sig")), delimiter=";")
    )
    assert [row[0] for row in read[1:]] == ["'" + planted for planted in FORMULAS.values()]
    assert read[1][1:] == ["3", "", "01.03.2026 09:30"]


def test_the_xlsx_has_dates_as_dates_and_an_autofilter(admin_client, gera_clerk):
    sheet = load_workbook(io.BytesIO(admin_client.get("/berechtigungen/", {"format": "xlsx"}).content)).active
    granted = sheet["G2"]
    assert isinstance(granted.value, datetime) and granted.number_format == spreadsheets.DATE_TIME_FORMAT
    assert sheet.auto_filter.ref == "A1:J3"
    assert sheet["E2"].value == "002020" and sheet["E2"].data_type == "s"  # the leading zeros stay
