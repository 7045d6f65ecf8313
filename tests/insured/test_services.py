"""The events of a Meldung (insured/services.py): erfasst → übermittelt → verarbeitet | zurückgewiesen, each with its
rule, its audit entry and its refusal that changes nothing."""

from datetime import date
from decimal import Decimal

import pytest

from accounts.models import DomainError
from audit.models import AuditEntry
from clerks import services as clerk_services
from insured import services
from insured.models import Kind, Report, ReportStatus, Section
from insured.rules import ReportInvalid
from tests import factories
from tests.insured.conftest import with_history

pytestmark = pytest.mark.django_db


def annual(*sections, year=2026):
    return {
        "kind": Kind.ANNUAL,
        "values": {"year": year},
        "sections": [
            {"start": start, "end": end, "booking_key": key, "pay": Decimal(pay)} for start, end, key, pay in sections
        ],
    }


def correction(corrects, sections):
    """A Berichtigungsmeldung of `corrects` (a processed Meldung, or None) carrying these Abschnitte."""
    return {"kind": Kind.CORRECTION, "values": {}, "sections": sections, "corrects": corrects}


TWO_HALVES = annual(
    (date(2026, 1, 1), date(2026, 6, 30), "10", "21000.00"),
    (date(2026, 7, 1), date(2026, 12, 31), "10", "21500.50"),
)


def test_a_jahresmeldung_goes_from_erfasst_to_the_verlauf(hanna, gera_units, gera_clerk, staff):
    report = services.create_report(person=hanna, unit=gera_units[0], by=gera_clerk, **TWO_HALVES)
    assert report.status == ReportStatus.DRAFT and report.sections.count() == 2
    [sent] = services.submit_reports(reports=[report], by=gera_clerk)
    assert sent.status == ReportStatus.SUBMITTED and sent.submitted_by == gera_clerk
    services.process_report(report=sent, by=staff)
    report.refresh_from_db()
    assert report.status == ReportStatus.PROCESSED
    new = Section.objects.filter(report=report).order_by("start")
    assert [(s.start, s.pay, s.contribution) for s in new] == [
        (date(2026, 1, 1), Decimal("21000.00"), Decimal("892.50")),
        (date(2026, 7, 1), Decimal("21500.50"), Decimal("913.77")),
    ]
    actions = list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))
    assert actions[-3:] == ["report.created", "report.submitted", "report.processed"]
    processed = AuditEntry.objects.get(action="report.processed")
    assert "Versicherungsverlauf: – → 01.01.2026–30.06.2026 10 21.000,00 €" in processed.details
    assert processed.member_id is None and processed.target_id is None  # no administrator reads it


def test_an_overlapping_abschnitt_is_refused_beside_its_field_and_nothing_is_saved(hanna, gera_units, gera_clerk):
    data = annual(
        (date(2026, 1, 1), date(2026, 6, 30), "10", "21000.00"),
        (date(2026, 6, 1), date(2026, 12, 31), "10", "21000.00"),
    )
    with pytest.raises(ReportInvalid) as refused:
        services.create_report(person=hanna, unit=gera_units[0], by=gera_clerk, **data)
    assert refused.value.problems.sections == {
        1: {"start": ["Der Abschnitt überschneidet sich mit Abschnitt 1 dieser Meldung."]}
    }
    assert Report.objects.count() == 0 and not AuditEntry.objects.filter(action="report.created").exists()


def test_an_abschnitt_overlapping_the_verlauf_is_refused(hanna, gera_units, gera_clerk):
    data = annual((date(2025, 3, 1), date(2025, 4, 30), "10", "1000.00"), year=2025)
    with pytest.raises(ReportInvalid) as refused:
        services.create_report(person=hanna, unit=gera_units[0], by=gera_clerk, **data)
    assert "überschneidet sich mit dem Abschnitt 01.01.2025–31.12.2025 im Versicherungsverlauf" in str(refused.value)


@pytest.mark.parametrize(
    ("section", "field", "message"),
    [
        ((date(2026, 6, 30), date(2026, 1, 1), "10", "1.00"), "end", "Das Ende darf nicht vor dem Beginn liegen."),
        ((date(2026, 12, 1), date(2027, 1, 31), "10", "1.00"), "end", "innerhalb eines Kalenderjahres"),
        ((date(2026, 1, 1), date(2026, 1, 31), "10", "-1.00"), "pay", "Das Entgelt darf nicht negativ sein."),
        ((date(2026, 1, 1), date(2026, 1, 31), "10", "1.005"), "pay", "höchstens zwei Nachkommastellen"),
        ((date(2026, 1, 1), date(2026, 1, 31), "31", "5.00"), "pay", "Während einer Unterbrechung"),
        ((date(2025, 1, 1), date(2025, 1, 31), "10", "5.00"), "start", "im Jahr der Meldung (2026)"),
        ((date(2026, 3, 15), date(2026, 4, 14), "30", "0"), "end", "mindestens einen vollen Kalendermonat"),
        ((date(2026, 2, 1), date(2026, 2, 27), "39", "0"), "end", "mindestens einen vollen Kalendermonat"),
    ],
)
def test_the_rules_of_an_abschnitt(hanna, gera_units, gera_clerk, section, field, message):
    with pytest.raises(ReportInvalid) as refused:
        services.create_report(person=hanna, unit=gera_units[0], by=gera_clerk, **annual(section))
    assert any(message in m for m in refused.value.problems.sections[0][field])


def test_an_unterbrechung_of_a_whole_calendar_month_splits_the_year(hanna, gera_units, gera_clerk):
    data = annual(
        (date(2026, 1, 1), date(2026, 3, 14), "10", "10000.00"),
        (date(2026, 3, 15), date(2026, 5, 31), "31", "0"),  # holds April and May
        (date(2026, 6, 1), date(2026, 12, 31), "10", "24000.00"),
    )
    report = services.create_report(person=hanna, unit=gera_units[0], by=gera_clerk, **data)
    assert report.sections.count() == 3


def test_no_second_open_jahresmeldung_for_the_same_year(hanna, gera_units, gera_clerk):
    services.create_report(person=hanna, unit=gera_units[0], by=gera_clerk, **TWO_HALVES)
    with pytest.raises(ReportInvalid) as refused:
        services.create_report(person=hanna, unit=gera_units[0], by=gera_clerk, **TWO_HALVES)
    assert "Für 2026 liegt bereits eine offene Jahresmeldung vor" in refused.value.problems.fields["year"][0]


def test_no_abschnitt_outside_the_employment(gera_units, gera_clerk):
    person = factories.InsuredPersonFactory()
    factories.EmploymentFactory(person=person, billing_unit=gera_units[0], start=date(2026, 4, 1))
    data = annual((date(2026, 1, 1), date(2026, 12, 31), "10", "40000.00"))
    with pytest.raises(ReportInvalid) as refused:
        services.create_report(person=person, unit=gera_units[0], by=gera_clerk, **data)
    assert "außerhalb der Beschäftigung" in refused.value.problems.sections[0]["start"][0]


def test_an_abmeldung_only_for_an_employed_person(gera_units, gera_clerk, staff):
    person = factories.InsuredPersonFactory()
    factories.EmploymentFactory(person=person, billing_unit=gera_units[0], start=date(2020, 1, 1))
    data = {"end": date(2026, 3, 31), "deregistration_reason": "end"}
    report = services.create_report(
        person=person, unit=gera_units[0], by=gera_clerk, kind=Kind.DEREGISTRATION, values=data, sections=[]
    )
    services.submit_reports(reports=[report], by=gera_clerk)
    services.process_report(report=report, by=staff)
    assert person.employments.get().end == date(2026, 3, 31)
    with pytest.raises(ReportInvalid, match="nur für beschäftigte Versicherte"):
        services.create_report(
            person=person, unit=gera_units[0], by=gera_clerk, kind=Kind.DEREGISTRATION, values=data, sections=[]
        )


def test_an_anmeldung_after_the_end_employs_again(gera_units, gera_clerk, staff):
    person = factories.InsuredPersonFactory()
    factories.EmploymentFactory(
        person=person, billing_unit=gera_units[0], start=date(2020, 1, 1), end=date(2024, 12, 31)
    )
    with pytest.raises(ReportInvalid, match="muss danach liegen"):
        services.create_report(
            person=person,
            unit=gera_units[0],
            by=gera_clerk,
            kind=Kind.REGISTRATION,
            values={"start": date(2024, 6, 1), "personnel_number": "4711"},
            sections=[],
        )
    report = services.create_report(
        person=person,
        unit=gera_units[0],
        by=gera_clerk,
        kind=Kind.REGISTRATION,
        values={"start": date(2026, 2, 1), "personnel_number": "4711"},
        sections=[],
    )
    services.submit_reports(reports=[report], by=gera_clerk)
    services.process_report(report=report, by=staff)
    employment = person.employments.get()
    assert (employment.start, employment.end, employment.personnel_number) == (date(2026, 2, 1), None, "4711")


def test_reject_then_correct_and_send_again(hanna, gera_units, gera_clerk, staff):
    report = services.create_report(person=hanna, unit=gera_units[0], by=gera_clerk, **TWO_HALVES)
    services.submit_reports(reports=[report], by=gera_clerk)
    with pytest.raises(DomainError, match="Grund"):
        services.reject_report(report=report, by=staff, reason="  ")
    services.reject_report(report=report, by=staff, reason="Entgelt im zweiten Halbjahr zu hoch")
    report.refresh_from_db()
    assert report.status == ReportStatus.REJECTED and report.rejection_reason.startswith("Entgelt")
    assert AuditEntry.objects.get(action="report.rejected").description == (
        "Meldung zurückgewiesen: Entgelt im zweiten Halbjahr zu hoch"
    )
    corrected = dict(TWO_HALVES)
    corrected["sections"] = [dict(TWO_HALVES["sections"][0]), {**TWO_HALVES["sections"][1], "pay": Decimal("21000")}]
    services.change_report(report=report, values=corrected["values"], sections=corrected["sections"], by=gera_clerk)
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
    change = AuditEntry.objects.get(action="report.changed")
    assert "Status: zurückgewiesen → erfasst" in change.details and "21.500,50 € → " in change.details
    services.submit_reports(reports=[report], by=gera_clerk)
    services.process_report(report=report, by=staff)
    assert Section.objects.filter(report=report).count() == 2


def test_a_submitted_meldung_is_no_longer_editable_or_deletable(hanna, gera_units, gera_clerk):
    report = services.create_report(person=hanna, unit=gera_units[0], by=gera_clerk, **TWO_HALVES)
    services.submit_reports(reports=[report], by=gera_clerk)
    with pytest.raises(DomainError, match="Nur eine erfasste oder zurückgewiesene"):
        services.change_report(report=report, values={"year": 2026}, sections=TWO_HALVES["sections"], by=gera_clerk)
    with pytest.raises(DomainError, match="Nur eine erfasste Meldung kann gelöscht"):
        services.delete_report(report=report, by=gera_clerk)
    assert Report.objects.get().status == ReportStatus.SUBMITTED


def test_delete_keeps_what_it_held_in_the_audit_entry(hanna, gera_units, gera_clerk):
    report = services.create_report(person=hanna, unit=gera_units[0], by=gera_clerk, **TWO_HALVES)
    services.delete_report(report=report, by=gera_clerk)
    assert not Report.objects.exists()
    assert "01.01.2026–30.06.2026" in AuditEntry.objects.get(action="report.deleted").details


def test_a_berichtigung_replaces_the_abschnitte_of_the_meldung_it_corrects(hanna, gera_units, gera_clerk, staff):
    report = services.create_report(person=hanna, unit=gera_units[0], by=gera_clerk, **TWO_HALVES)
    services.submit_reports(reports=[report], by=gera_clerk)
    services.process_report(report=report, by=staff)
    whole_year = [{"start": date(2026, 1, 1), "end": date(2026, 12, 31), "booking_key": "10", "pay": Decimal("43000")}]
    berichtigung = services.create_report(
        person=hanna, unit=gera_units[0], by=gera_clerk, **correction(report, whole_year)
    )
    assert berichtigung.year == 2026
    services.submit_reports(reports=[berichtigung], by=gera_clerk)
    services.process_report(report=berichtigung, by=staff)
    in_2026 = Section.objects.filter(person=hanna, start__year=2026)
    assert [(s.start, s.end, s.report_id) for s in in_2026] == [(date(2026, 1, 1), date(2026, 12, 31), berichtigung.pk)]


def test_a_withdrawn_grant_stops_the_services_too(hanna, gera_units, gera_clerk, gera_admin):
    report = services.create_report(person=hanna, unit=gera_units[0], by=gera_clerk, **TWO_HALVES)
    clerk_services.set_grants(clerk=gera_clerk, unit_ids=[gera_units[1].pk], by=gera_admin)
    with pytest.raises(DomainError, match="nicht \\(mehr\\) berechtigt"):
        services.submit_reports(reports=[report], by=gera_clerk)
    assert Report.objects.get().status == ReportStatus.DRAFT


def test_the_next_clerk_of_the_unit_continues_the_meldung(hanna, gera_units, gera_clerk, gera_admin):
    report = services.create_report(person=hanna, unit=gera_units[0], by=gera_clerk, **TWO_HALVES)
    successor = factories.ClerkFactory(units=[gera_units[0]])
    clerk_services.lock_clerk(clerk=gera_clerk, by=gera_admin, reason="Ruhestand")
    assert Report.objects.visible_to(successor).get() == report
    [sent] = services.submit_reports(reports=[report], by=successor)
    assert (sent.created_by, sent.submitted_by) == (gera_clerk, successor)


def registration(start, number):
    return {"kind": Kind.REGISTRATION, "values": {"start": start, "personnel_number": number}, "sections": []}


def deregistration(end, reason="end"):
    return {"kind": Kind.DEREGISTRATION, "values": {"end": end, "deregistration_reason": reason}, "sections": []}


def test_no_jahresmeldung_for_a_year_outside_the_employment(hanna, gera_units, gera_clerk):
    data = annual((date(2014, 1, 1), date(2014, 12, 31), "10", "30000.00"), year=2014)
    with pytest.raises(ReportInvalid) as refused:
        services.create_report(person=hanna, unit=gera_units[0], by=gera_clerk, **data)
    assert refused.value.problems.fields["year"] == [
        "Der Versicherte ist bei dieser Abrechnungsstelle vom 01.04.2015 an beschäftigt: "
        "Für 2014 ist keine Jahresmeldung möglich."
    ]
    assert not Report.objects.exists()


def test_no_abmeldung_before_the_employment_began(hanna, gera_units, gera_clerk):
    with pytest.raises(ReportInvalid) as refused:
        services.create_report(person=hanna, unit=gera_units[0], by=gera_clerk, **deregistration(date(2015, 3, 31)))
    assert refused.value.problems.fields == {
        "end": ["Das Ende darf nicht vor dem Beginn der Beschäftigung (01.04.2015) liegen."]
    }


def test_an_abmeldung_needs_its_date_and_reason_beside_their_fields(hanna, gera_units, gera_clerk):
    with pytest.raises(ReportInvalid) as refused:
        services.create_report(person=hanna, unit=gera_units[0], by=gera_clerk, **deregistration(None, reason=""))
    assert refused.value.problems.fields == {
        "end": ["Bitte geben Sie das Ende der Beschäftigung an."],
        "deregistration_reason": ["Bitte wählen Sie den Abmeldegrund."],
    }


def test_no_second_open_abmeldung(hanna, gera_units, gera_clerk):
    services.create_report(person=hanna, unit=gera_units[0], by=gera_clerk, **deregistration(date(2026, 6, 30)))
    with pytest.raises(ReportInvalid) as refused:
        services.create_report(person=hanna, unit=gera_units[0], by=gera_clerk, **deregistration(date(2026, 7, 31)))
    assert refused.value.problems.fields == {
        "__all__": ["Für diesen Versicherten liegt bereits eine offene Abmeldung vor."]
    }
    assert Report.objects.count() == 1


def test_no_anmeldung_for_a_person_still_employed(hanna, gera_units, gera_clerk):
    with pytest.raises(ReportInvalid) as refused:
        services.create_report(person=hanna, unit=gera_units[0], by=gera_clerk, **registration(date(2026, 1, 1), "9"))
    assert refused.value.problems.fields == {
        "start": ["Der Versicherte ist bei dieser Abrechnungsstelle bereits seit 01.04.2015 angemeldet."]
    }


def test_an_anmeldung_refuses_a_personalnummer_taken_at_the_unit(hanna, gera_units, gera_clerk):
    taken = hanna.employments.get().personnel_number
    person = factories.InsuredPersonFactory()
    factories.EmploymentFactory(
        person=person, billing_unit=gera_units[0], start=date(2020, 1, 1), end=date(2024, 12, 31)
    )
    with pytest.raises(ReportInvalid) as refused:
        services.create_report(
            person=person, unit=gera_units[0], by=gera_clerk, **registration(date(2026, 1, 1), taken)
        )
    assert refused.value.problems.fields == {
        "personnel_number": ["Diese Personalnummer ist bei der Abrechnungsstelle bereits vergeben."]
    }


def test_a_berichtigung_names_a_processed_meldung_of_the_person(hanna, gera_units, gera_clerk, staff):
    draft = services.create_report(person=hanna, unit=gera_units[0], by=gera_clerk, **TWO_HALVES)
    whole_year = [{"start": date(2026, 1, 1), "end": date(2026, 12, 31), "booking_key": "10", "pay": Decimal("1")}]

    def correct(report):
        return services.create_report(person=hanna, unit=gera_units[0], by=gera_clerk, **correction(report, whole_year))

    with pytest.raises(ReportInvalid) as refused:
        correct(draft)
    assert refused.value.problems.fields["corrects"] == [
        "Berichtigt werden kann nur eine verarbeitete Meldung dieses Versicherten."
    ]
    with pytest.raises(ReportInvalid) as refused:
        correct(None)
    assert refused.value.problems.fields == {
        "corrects": ["Bitte wählen Sie die verarbeitete Meldung, die Sie berichtigen."]
    }
    services.submit_reports(reports=[draft], by=gera_clerk)
    services.process_report(report=draft, by=staff)
    correct(draft)
    with pytest.raises(ReportInvalid) as refused:
        correct(draft)
    assert refused.value.problems.fields["corrects"] == [
        "Zu dieser Meldung liegt bereits eine offene Berichtigungsmeldung vor."
    ]
    assert Report.objects.filter(kind=Kind.CORRECTION).count() == 1


def test_a_berichtigung_of_another_persons_meldung_is_refused(hanna, gera_units, gera_clerk, staff):
    other = factories.InsuredPersonFactory()
    factories.EmploymentFactory(person=other, billing_unit=gera_units[0], start=date(2020, 1, 1))
    theirs = factories.ReportFactory(person=other, billing_unit=gera_units[0], created_by=gera_clerk)
    services.submit_reports(reports=[theirs], by=gera_clerk)
    services.process_report(report=theirs, by=staff)
    with pytest.raises(DomainError, match="nur eine verarbeitete Meldung dieses Versicherten"):
        services.create_report(
            person=hanna, unit=gera_units[0], by=gera_clerk, **correction(theirs, TWO_HALVES["sections"])
        )
    assert not Report.objects.filter(kind=Kind.CORRECTION).exists()


def test_processing_writes_the_abschnitte_and_its_audit_entry_in_one_transaction(
    hanna, gera_units, gera_clerk, staff, monkeypatch
):
    """Where the audit entry cannot be written, the Verlauf keeps no Abschnitt of the Meldung and it stays übermittelt."""
    report = services.create_report(person=hanna, unit=gera_units[0], by=gera_clerk, **TWO_HALVES)
    services.submit_reports(reports=[report], by=gera_clerk)

    def broken(*args, **kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(services.audit, "record", broken)
    with pytest.raises(RuntimeError):
        services.process_report(report=report, by=staff)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and report.decided_by is None
    assert not Section.objects.filter(report=report).exists()


def test_processing_checks_the_rules_against_the_verlauf_as_it_is_now(hanna, gera_units, gera_clerk, staff):
    """A Jahresmeldung sent while another of the same year was processed before it: refused, nothing written."""
    first = services.create_report(person=hanna, unit=gera_units[0], by=gera_clerk, **TWO_HALVES)
    services.submit_reports(reports=[first], by=gera_clerk)
    services.process_report(report=first, by=staff)
    second = factories.ReportFactory(person=hanna, billing_unit=gera_units[0], created_by=gera_clerk)
    Report.objects.filter(pk=second.pk).update(status=ReportStatus.SUBMITTED)
    with pytest.raises(DomainError, match="kann nicht verarbeitet werden: .*überschneidet sich"):
        services.process_report(report=second, by=staff)
    second.refresh_from_db()
    assert second.status == ReportStatus.SUBMITTED
    assert not Section.objects.filter(report=second).exists()
    assert AuditEntry.objects.filter(action="report.processed").count() == 1


def test_sending_checks_the_rules_again_and_sends_all_or_none(hanna, gera_units, gera_clerk, staff):
    other = factories.InsuredPersonFactory()
    factories.EmploymentFactory(person=other, billing_unit=gera_units[0], start=date(2020, 1, 1))
    fine = services.create_report(person=other, unit=gera_units[0], by=gera_clerk, **TWO_HALVES)  # sent first
    first = services.create_report(person=hanna, unit=gera_units[0], by=gera_clerk, **TWO_HALVES)
    # The fund put an Abschnitt of 2026 into her Verlauf after the Meldung was saved.
    factories.SectionFactory(person=hanna, billing_unit=gera_units[0], start=date(2026, 3, 1), end=date(2026, 3, 31))
    with pytest.raises(DomainError, match="kann nicht übermittelt werden: .*überschneidet sich"):
        services.submit_reports(reports=[fine, first], by=gera_clerk)
    assert set(Report.objects.values_list("status", flat=True)) == {ReportStatus.DRAFT}
    assert not AuditEntry.objects.filter(action="report.submitted").exists()


# --- A person of two members' units: a collision names nothing of the other unit's data --------------------------


@pytest.fixture
def hanna_at_jena_too(hanna, jena_units):
    """Hanna, employed at Gera's first unit and at Jena's (a Verlauf there for 2024 and 2025 too)."""
    return with_history(hanna, jena_units[0])


def test_an_overlap_with_another_units_abschnitt_names_not_its_period(hanna_at_jena_too, gera_units, gera_clerk):
    Section.objects.filter(person=hanna_at_jena_too, billing_unit=gera_units[0], start__year=2025).delete()
    data = annual((date(2025, 3, 1), date(2025, 4, 30), "10", "1000.00"), year=2025)
    with pytest.raises(ReportInvalid) as refused:
        services.create_report(person=hanna_at_jena_too, unit=gera_units[0], by=gera_clerk, **data)
    message = refused.value.problems.sections[0]["start"]
    assert message == [
        "Der Abschnitt überschneidet sich mit einem Abschnitt einer anderen Abrechnungsstelle im "
        "Versicherungsverlauf. Bei Fragen wenden Sie sich an die Zusatzversorgungskasse."
    ]
    assert "2025" not in message[0] and "Jena" not in message[0] and Report.objects.count() == 0


def test_another_units_open_jahresmeldung_is_named_without_its_status(
    hanna_at_jena_too, gera_units, jena_units, gera_clerk, jena_clerk
):
    services.create_report(person=hanna_at_jena_too, unit=jena_units[0], by=jena_clerk, **TWO_HALVES)
    with pytest.raises(ReportInvalid) as refused:
        services.create_report(person=hanna_at_jena_too, unit=gera_units[0], by=gera_clerk, **TWO_HALVES)
    assert refused.value.problems.fields["year"] == [
        "Für 2026 liegt bereits eine offene Jahresmeldung einer anderen Abrechnungsstelle dieses Versicherten vor. "
        "Eine Jahresmeldung für 2026 ist möglich, sobald die Zusatzversorgungskasse jene verarbeitet hat."
    ]
    assert Report.objects.filter(billing_unit=gera_units[0]).count() == 0


def test_another_units_open_abmeldung_does_not_hold_up_this_units(
    hanna_at_jena_too, gera_units, jena_units, gera_clerk, jena_clerk
):
    services.create_report(
        person=hanna_at_jena_too, unit=jena_units[0], by=jena_clerk, **deregistration(date(2026, 6, 30))
    )
    report = services.create_report(
        person=hanna_at_jena_too, unit=gera_units[0], by=gera_clerk, **deregistration(date(2026, 7, 31))
    )
    assert report.status == ReportStatus.DRAFT and report.billing_unit == gera_units[0]
