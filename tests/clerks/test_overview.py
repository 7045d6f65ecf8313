"""Berechtigungsübersicht: the page, its filters, the CSV for German Excel and the XLSX, scoped and audited."""

import io

import pytest
from openpyxl import load_workbook

from audit.models import AuditEntry
from clerks.models import AccessReview, Confirmation
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_page_shows_who_may_work_where(client, gera_admin, gera_clerk, jena_clerk, gera_units):
    client.force_login(gera_admin)
    html = client.get("/berechtigungen/").content.decode()
    assert gera_clerk.email in html and "002020" in html and "002021" in html
    assert jena_clerk.email not in html  # another member's
    only = client.get("/berechtigungen/", {"unit": gera_units[1].pk}).content.decode()
    assert "1 Berechtigungen" in only


def test_the_csv_opens_in_german_excel_and_carries_the_last_confirmation(client, gera_admin, gera_admin2, gera_clerk):
    review = AccessReview.objects.create(member=gera_clerk.memberships.get().member, year=2026)
    Confirmation.objects.create(review=review, user=gera_clerk, confirmed_by=gera_admin2)
    client.force_login(gera_admin)
    response = client.get("/berechtigungen/", {"format": "csv"})
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf") and response["Content-Type"].startswith("text/csv")
    lines = body.decode("utf-8-sig").splitlines()
    assert lines[0].split(";")[0] == "Nachname" and len(lines) == 3
    assert "Schmidt;Anna;anna.schmidt@stadt-gera.example;Aktiv;002020" in lines[1]
    assert gera_admin2.email in lines[1]
    assert AuditEntry.objects.filter(action="overview.exported", actor=gera_admin, data__format="csv").exists()


def test_the_xlsx_has_a_frozen_header_and_the_same_rows(client, gera_admin, gera_clerk):
    client.force_login(gera_admin)
    response = client.get("/berechtigungen/", {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.freeze_panes == "A2" and sheet["A1"].value == "Nachname" and sheet["A1"].font.bold
    assert [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)] == [gera_clerk.email] * 2


def test_another_members_unit_is_no_filter_and_exports_nothing_of_it(client, jena_admin, gera_units, gera_clerk):
    client.force_login(jena_admin)
    response = client.get("/berechtigungen/", {"unit": gera_units[0].pk, "format": "csv"})
    assert gera_clerk.email not in response.content.decode("utf-8-sig")


def test_the_overview_query_budget(client, gera_admin, gera_units, django_assert_max_num_queries):
    factories.ClerkFactory.create_batch(30, units=gera_units[:2])
    client.force_login(gera_admin)
    client.get("/berechtigungen/")
    with django_assert_max_num_queries(6):
        assert client.get("/berechtigungen/").status_code == 200


def test_every_date_of_the_xlsx_is_a_date_in_german_format_under_an_autofilter(
    client, gera_admin, gera_admin2, gera_clerk
):
    review = AccessReview.objects.create(member=gera_clerk.memberships.get().member, year=2026)
    Confirmation.objects.create(review=review, user=gera_clerk, confirmed_by=gera_admin2)
    client.force_login(gera_admin)
    sheet = load_workbook(io.BytesIO(client.get("/berechtigungen/", {"format": "xlsx"}).content)).active
    header = [cell.value for cell in sheet[1]]
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(row=sheet.max_row, column=len(header)).coordinate}"
    for name in ("Berechtigt seit", "Zuletzt bestätigt"):
        column = header.index(name) + 1
        for row in range(2, sheet.max_row + 1):
            cell = sheet.cell(row=row, column=column)
            assert cell.is_date and cell.number_format == "DD.MM.YYYY HH:MM", (name, row, cell.value)
    numbers = [sheet.cell(row=row, column=header.index("Abrechnungsstellennummer") + 1) for row in (2, 3)]
    assert [(cell.value, cell.data_type) for cell in numbers] == [("002020", "s"), ("002021", "s")]


def test_the_csv_button_says_that_excel_drops_leading_zeros(client, gera_admin, gera_clerk):
    client.force_login(gera_admin)
    html = client.get("/berechtigungen/").content.decode()
    assert 'aria-describedby="csv-leading-zeros"' in html and "wird 4040" in html
    csv = client.get("/berechtigungen/", {"format": "csv"}).content.decode("utf-8-sig")
    assert ";002020;" in csv and "'002020" not in csv and "=" not in csv  # the number as it is, never a formula
