"""The deletion rules of the clerk's workspace (SECURITY.md "Aufbewahrung und Löschung"): the access log after two full
calendar years, processed Meldungen after ten years (their Abschnitte stay), Meldungen left erfasst after three; a
departed clerk's name disappears from the Meldungen and the access log with its pseudonymisation."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from clerks import services as clerk_services
from insured import services as insured_services
from insured.models import AccessLogEntry, Report, Section
from retention import services
from tests import factories
from tests.helpers import fresh

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


def at(year, month=1, day=1):
    return time_machine.travel(datetime(year, month, day, 12, tzinfo=BERLIN), tick=False)


def test_the_access_log_is_kept_two_full_calendar_years(hanna, gera_units, gera_clerk):
    for year in (2023, 2024):
        with at(year, 12, 31):
            AccessLogEntry.objects.create(
                user=gera_clerk, person=hanna, billing_unit=gera_units[0], page="person", path="/"
            )
    with at(2026, 12, 31):
        run = services.apply()
        assert run.report["access_log_entries_deleted"] == 1
        assert list(AccessLogEntry.objects.values_list("created_at__year", flat=True)) == [2024]
        assert services.apply().report["access_log_entries_deleted"] == 0  # a second run finds nothing


def test_processed_meldungen_go_after_ten_years_and_their_abschnitte_stay(hanna, gera_units, gera_clerk, staff):
    report = factories.ReportFactory(person=hanna, billing_unit=gera_units[0], created_by=gera_clerk)
    insured_services.submit_reports(reports=[report], by=gera_clerk)
    insured_services.process_report(report=report, by=staff)
    draft = factories.ReportFactory(person=hanna, billing_unit=gera_units[0], created_by=gera_clerk, year=2023)
    with time_machine.travel(timezone.now() + timedelta(days=365 * 3 + 1), tick=False):
        assert services.apply().report["reports_deleted"] == 1
    assert list(Report.objects.all()) == [report] and not Report.objects.filter(pk=draft.pk).exists()
    with time_machine.travel(timezone.now() + timedelta(days=365 * 10 + 3), tick=False):
        services.apply()
    assert not Report.objects.exists()
    section = Section.objects.get(person=hanna, start__year=2026)
    assert section.report is None and section.pay == 21000


def test_a_departed_clerks_name_is_gone_from_its_meldungen_and_reads(client, hanna, gera_units, gera_admin):
    departed = factories.ClerkFactory(first_name="Jürgen", last_name="Weggegangen", units=[gera_units[0]])
    report = factories.ReportFactory(person=hanna, billing_unit=gera_units[0], created_by=departed)
    insured_services.submit_reports(reports=[report], by=departed)  # übermittelt: no deletion rule takes it
    AccessLogEntry.objects.create(user=departed, person=hanna, billing_unit=gera_units[0], page="person", path="/")
    clerk_services.lock_clerk(clerk=departed, by=gera_admin, reason="Ausgeschieden")
    with time_machine.travel(timezone.now() + timedelta(days=365 * 3 + 1), tick=False):
        services.apply()
    successor = factories.ClerkFactory(units=[gera_units[0]])
    client.force_login(successor)
    html = client.get(f"/meldungen/{report.pk}/").content.decode()
    assert "Weggegangen" not in html and f"Gelöschter Benutzer #{departed.pk}" in html
    assert fresh(departed).email.endswith("@geloescht.invalid")
