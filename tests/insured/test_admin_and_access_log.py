"""Fund staff in the Django admin: "Verarbeiten" and "Zurückweisen" per Meldung and in bulk, each after a
confirmation page; a Versicherter's and its employment's changes audited old → new; the access log, append-only
(the model, and on PostgreSQL the database), answers "who looked at Versicherter X in 2026?" with a filter and a
CSV."""

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEntry
from base.append_only import AppendOnlyError
from insured import access_log, services
from insured.models import AccessLogEntry, ReportStatus, Section
from tests import factories
from tests.helpers import audit_count

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def submitted(hanna, gera_units, gera_clerk):
    report = factories.ReportFactory(person=hanna, billing_unit=gera_units[0], created_by=gera_clerk)
    services.submit_reports(reports=[report], by=gera_clerk)
    return report


def test_verarbeiten_asks_first_then_writes_the_verlauf(staff_client, submitted, hanna):
    url = f"/admin/insured/report/{submitted.pk}/verarbeiten/"
    assert "Möchten Sie diese übermittelte Meldung verarbeiten?" in staff_client.get(url).content.decode()
    assert not Section.objects.filter(report=submitted).exists()
    staff_client.post(url)
    submitted.refresh_from_db()
    assert submitted.status == ReportStatus.PROCESSED
    assert Section.objects.filter(report=submitted, person=hanna).count() == 1
    assert audit_count("report.processed") == 1


def test_zurueckweisen_needs_a_reason(staff_client, submitted):
    url = f"/admin/insured/report/{submitted.pk}/zurueckweisen/"
    refused = staff_client.post(url, {"reason": ""})
    assert "Bitte geben Sie einen Grund für die Zurückweisung an." in refused.content.decode()
    staff_client.post(url, {"reason": "Entgelt fehlt für Juli"})
    submitted.refresh_from_db()
    assert (submitted.status, submitted.rejection_reason) == (ReportStatus.REJECTED, "Entgelt fehlt für Juli")


def test_bulk_actions_confirm_and_act_on_the_submitted_ones_only(staff_client, submitted, jens, jena_units, jena_clerk):
    draft = factories.ReportFactory(person=jens, billing_unit=jena_units[0], created_by=jena_clerk)
    chosen = {"action": "process", "_selected_action": [submitted.pk, draft.pk]}
    page = staff_client.post("/admin/insured/report/", chosen)
    assert "Möchten Sie diese übermittelte Meldung verarbeiten?" in page.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == ReportStatus.SUBMITTED
    staff_client.post("/admin/insured/report/", chosen | {"confirmed": "1"})
    submitted.refresh_from_db()
    draft.refresh_from_db()
    assert (submitted.status, draft.status) == (ReportStatus.PROCESSED, ReportStatus.DRAFT)


def test_bulk_reject_with_a_reason(staff_client, submitted):
    chosen = {"action": "reject", "_selected_action": [submitted.pk]}
    assert "Grund der Zurückweisung" in staff_client.post("/admin/insured/report/", chosen).content.decode()
    staff_client.post("/admin/insured/report/", chosen | {"reason": "Bitte Jahr prüfen"})
    submitted.refresh_from_db()
    assert submitted.status == ReportStatus.REJECTED


def test_the_access_log_refuses_change_and_deletion(hanna, gera_units, gera_clerk):
    entry = AccessLogEntry.objects.create(
        user=gera_clerk, person=hanna, billing_unit=gera_units[0], page="person", path="/versicherte/1/"
    )
    with pytest.raises(AppendOnlyError, match="Das Zugriffsprotokoll kann nicht"):
        entry.save()
    with pytest.raises(AppendOnlyError, match="Das Zugriffsprotokoll kann nicht"):
        entry.delete()
    with pytest.raises(AppendOnlyError, match="Das Zugriffsprotokoll kann nicht"):
        AccessLogEntry.objects.all().delete()
    with pytest.raises(AppendOnlyError, match="Das Zugriffsprotokoll kann nicht"):
        AccessLogEntry.objects.update(page="persons")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers exist on PostgreSQL only")
def test_postgresql_refuses_update_delete_and_truncate_of_the_access_log(hanna, gera_units, gera_clerk):
    AccessLogEntry.objects.create(user=gera_clerk, person=hanna, billing_unit=gera_units[0], page="person", path="/")
    for statement in (
        "UPDATE insured_accesslogentry SET page = 'persons'",
        "DELETE FROM insured_accesslogentry",
        "SET CONSTRAINTS ALL IMMEDIATE; SET LOCAL zvk.allow_audit_truncate = 'off'; TRUNCATE insured_accesslogentry",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert AccessLogEntry.objects.count() == 1


def test_the_deletion_rule_is_the_one_door(hanna, gera_units, gera_clerk):
    old = datetime(2023, 6, 1, tzinfo=BERLIN)
    AccessLogEntry.objects.create(
        created_at=old, user=gera_clerk, person=hanna, billing_unit=gera_units[0], page="person", path="/"
    )
    AccessLogEntry.objects.create(user=gera_clerk, person=hanna, billing_unit=gera_units[0], page="person", path="/")
    assert access_log.forget_before(datetime(2024, 1, 1, tzinfo=BERLIN)) == 1
    assert AccessLogEntry.objects.count() == 1


def test_who_looked_at_versicherter_x_in_2026(
    staff_client, hanna, jens, gera_units, jena_units, gera_clerk, jena_clerk
):
    def read(person, unit, clerk, year):
        AccessLogEntry.objects.create(
            created_at=datetime(year, 3, 4, 10, 30, tzinfo=BERLIN),
            user=clerk,
            person=person,
            billing_unit=unit,
            page="person",
            path=f"/versicherte/{person.pk}/",
        )

    read(hanna, gera_units[0], gera_clerk, 2026)
    read(hanna, gera_units[0], gera_clerk, 2025)
    read(jens, jena_units[0], jena_clerk, 2026)
    page = staff_client.get("/admin/insured/accesslogentry/", {"q": "Mueller", "jahr": "2026"})
    html = page.content.decode()
    assert "0020200001" in html and "0030300001" not in html
    assert "format=csv" in html  # the link "Angezeigte Einträge als CSV herunterladen" keeps search and filter
    response = staff_client.get("/admin/insured/accesslogentry/", {"q": "Mueller", "jahr": "2026", "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Zeitpunkt", "Benutzer", "E-Mail", "Versicherungsnummer"]
    assert [(r[0], r[2], r[3]) for r in rows[1:]] == [("04.03.2026 10:30", gera_clerk.email, "0020200001")]
    assert audit_count("access_log.exported") == 1


def test_the_portal_logs_each_read_with_one_insert(client, hanna, gera_clerk):
    client.force_login(gera_clerk)
    client.get(f"/versicherte/{hanna.pk}/")
    with CaptureQueriesContext(connection) as queries:
        client.get(f"/versicherte/{hanna.pk}/")
    inserts = [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "insured_accesslogentry"')
    ]
    assert len(inserts) == 1
    if connection.vendor == "postgresql":  # the page does not wait for the write-ahead log
        assert "set_config('synchronous_commit', 'off', true)" in inserts[0]
    assert AccessLogEntry.objects.filter(person=hanna).count() == 2


def test_a_page_of_many_persons_logs_each_with_its_unit_in_one_insert(client, gera_clerk, gera_units):
    """A page of 60 persons at the clerk's two units (a person at both is listed, and logged, once per unit)."""
    both = factories.InsuredPersonFactory(last_name="Aaberg")
    expected = {(both.pk, gera_units[0].pk), (both.pk, gera_units[1].pk)}
    for unit in gera_units[:2]:
        factories.EmploymentFactory(person=both, billing_unit=unit)
    for n in range(58):
        employment = factories.EmploymentFactory(billing_unit=gera_units[n % 2])
        expected.add((employment.person_id, employment.billing_unit_id))
    client.force_login(gera_clerk)
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        client.get("/versicherte/", {"page": 1})
        client.get("/versicherte/", {"page": 2})
    inserts = [q for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "insured_accesslogentry"')]
    assert len(inserts) == 2  # one a page
    logged = AccessLogEntry.objects.filter(user=gera_clerk, page="persons", path="/versicherte/")
    assert set(logged.values_list("person_id", "billing_unit_id")) == expected and logged.count() == 60


def test_fund_staffs_changes_of_a_versicherter_and_its_employment_are_audited_old_to_new(staff_client, hanna):
    employment = hanna.employments.get()
    sections = hanna.sections.order_by("-start")
    data = {
        "insurance_number": hanna.insurance_number,
        "last_name": "Müller-Lüdenscheidt",
        "first_name": "Hanna",
        "birth_date": "17.05.1980",
        "employments-TOTAL_FORMS": "1",
        "employments-INITIAL_FORMS": "1",
        "employments-0-id": str(employment.pk),
        "employments-0-person": str(hanna.pk),
        "employments-0-billing_unit": str(employment.billing_unit_id),
        "employments-0-personnel_number": employment.personnel_number,
        "employments-0-start": "01.04.2015",
        "employments-0-end": "31.03.2026",
        "sections-TOTAL_FORMS": str(sections.count()),
        "sections-INITIAL_FORMS": str(sections.count()),
    }
    for index, section in enumerate(sections):
        data |= {f"sections-{index}-id": str(section.pk), f"sections-{index}-person": str(hanna.pk)}
    response = staff_client.post(f"/admin/insured/insuredperson/{hanna.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    person = AuditEntry.objects.get(action="insured.changed")
    assert person.details == "Versicherungsnummer 0020200001; Nachname: Müller → Müller-Lüdenscheidt"
    job = AuditEntry.objects.get(action="employment.changed")
    assert job.details == "Versicherungsnummer 0020200001, Abrechnungsstelle 002020; Beschäftigungsende: – → 31.03.2026"
    assert person.member_id is None and job.member_id is None  # no administrator reads them


def is_log_insert(sql: str) -> bool:
    return 'INSERT INTO "insured_accesslogentry"' in sql


@pytest.mark.django_db(transaction=True)
def test_a_versicherter_s_read_and_its_log_share_one_round_trip_on_postgresql(client, hanna, gera_clerk):
    """Outside a transaction, as a page runs, the Verlauf's SELECT carries the log's INSERT on PostgreSQL; SQLite
    takes one statement per call and writes it on its own."""
    client.force_login(gera_clerk)
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/versicherte/{hanna.pk}/").status_code == 200
    on_its_own = [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "insured_accesslogentry"')
    ]
    # PostgreSQL: the Verlauf's SELECT carried it (Django records a statement as the page asked for it)
    assert len(on_its_own) == (0 if connection.vendor == "postgresql" else 1)
    [read] = AccessLogEntry.objects.filter(person=hanna)
    assert (read.user, read.page, read.path) == (gera_clerk, "person", f"/versicherte/{hanna.pk}/")


@pytest.mark.django_db(transaction=True)
def test_a_read_whose_log_cannot_be_written_is_refused_with_it(rf, gera_clerk, gera_units):
    """A log entry naming a person that does not exist fails, and the block's read fails with it on PostgreSQL
    (one implicit transaction), at the block's end on SQLite: no page shows what it did not log."""
    request = rf.get("/versicherte/")
    request.user = gera_clerk
    unit = gera_units[0]
    with pytest.raises(DatabaseError), access_log.reads_logged(request, "person", [(987654321, unit.pk)]):
        list(type(unit).objects.filter(pk=unit.pk))
    assert not AccessLogEntry.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_block_without_a_statement_and_one_inside_a_transaction_log_on_their_own(rf, hanna, gera_clerk, gera_units):
    request = rf.get(f"/versicherte/{hanna.pk}/")
    request.user = gera_clerk
    with access_log.reads_logged(request, "person", [(hanna.pk, gera_units[0].pk)]):
        pass
    read = access_log.reads_logged(request, "report", [(hanna.pk, gera_units[0].pk)])
    with CaptureQueriesContext(connection) as queries, transaction.atomic(), read:
        list(type(gera_units[0]).objects.filter(pk=gera_units[0].pk))
    [select, insert] = [q["sql"] for q in queries.captured_queries if q["sql"].startswith(("SELECT", "INSERT"))]
    assert not is_log_insert(select) and insert.startswith('INSERT INTO "insured_accesslogentry"')
    assert sorted(AccessLogEntry.objects.values_list("page", flat=True)) == ["person", "report"]


def test_fund_staffs_reads_in_the_admin_are_logged_like_a_clerks(staff_client, staff, hanna, submitted, gera_units):
    """Who looked at Versicherter X counts fund staff too: a person's or a Meldung's page, and each person a list
    page shows, with its unit; the log's own pages read no person's data beyond the log."""
    pages = {
        "/admin/insured/insuredperson/": "admin_persons",
        f"/admin/insured/insuredperson/{hanna.pk}/change/": "admin_person",
        "/admin/insured/report/": "admin_reports",
        f"/admin/insured/report/{submitted.pk}/change/": "admin_report",
    }
    for url in pages:
        assert staff_client.get(url).status_code == 200, url
        assert staff_client.head(url).status_code == 200, url
    reads = AccessLogEntry.objects.filter(user=staff).order_by("pk")
    assert [(r.path, r.page, r.person_id, r.billing_unit_id) for r in reads] == [
        (url, page, hanna.pk, gera_units[0].pk) for url, page in pages.items()
    ]
    staff_client.get("/admin/insured/accesslogentry/")
    assert reads.count() == len(pages)
