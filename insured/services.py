"""One service per event of a Meldung (DESIGN §9): a clerk creates, changes, deletes and sends ("Übermitteln");
fund staff process ("Verarbeiten", which writes a Jahresmeldung's Abschnitte into the Verlauf) or reject it with a
reason. Each checks the rules (`insured.rules`), runs in one transaction under the person's row lock (two clerks of
a unit, or a clerk and fund staff, never interleave on one person), and writes its audit entry with old → new
values.

A clerk acts only on the units it is granted at that moment: the services ask `granted_units(by)` themselves,
whatever the caller loaded. The audit entries of Meldungen name no member: administrators read their members'
entries, and they see no insured person's data; fund staff read them in the Django admin.
"""

from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import DomainError
from audit import log as audit
from insured.formats import contribution, euro, period
from insured.models import (
    DeregistrationReason,
    Employment,
    InsuredPerson,
    Kind,
    Report,
    ReportEvent,
    ReportSection,
    Section,
    granted_units,
)
from insured.rules import REPORT_FIELDS, Problems, ReportInvalid, check_report, sections_of, values_of

NOT_GRANTED = "Sie sind für diese Abrechnungsstelle nicht (mehr) berechtigt."


def _lock_person(person) -> InsuredPerson:
    return InsuredPerson.objects.select_for_update().get(pk=person.pk)


def _lock_report(report) -> Report:
    locked = (
        Report.objects.select_for_update(of=("self",))
        .select_related("corrects", "person", "billing_unit")
        .get(pk=report.pk)
    )
    return locked


def _require_grant(by, unit_id: int) -> None:
    if not granted_units(by).filter(pk=unit_id).exists():
        raise DomainError(NOT_GRANTED)


def _sections_text(sections: list[dict]) -> str:
    return "; ".join(
        f"{period(s['start'], s['end'])} {s['booking_key']} {euro(s['pay'])}"
        for s in sorted(sections, key=lambda s: s["start"])
    )


def _display(name: str, value) -> str:
    if value is None or value == "":
        return ""
    if hasattr(value, "strftime"):
        return f"{value:%d.%m.%Y}"
    if name == "deregistration_reason":
        return DeregistrationReason(value).label
    return str(value)


def _entry(report, **data) -> dict:
    return {
        "report": report.pk,
        "kind": report.get_kind_display(),
        "person": report.person.insurance_number,
        "unit": report.billing_unit.number,
        **data,
    }


def _changes(before_values, before_sections, after_values, after_sections) -> dict:
    changes = {}
    for name in REPORT_FIELDS:
        old, new = _display(name, before_values.get(name)), _display(name, after_values.get(name))
        if old != new:
            changes[name] = [old, new]
    old, new = _sections_text(before_sections), _sections_text(after_sections)
    if old != new:
        changes["sections"] = [old, new]
    return changes


def _raise_if(problems: Problems) -> None:
    if problems:
        raise ReportInvalid(problems)


def _write_sections(report, sections: list[dict]) -> None:
    report.sections.all().delete()
    ReportSection.objects.bulk_create(
        ReportSection(
            report=report, start=s["start"], end=s["end"], booking_key=s["booking_key"], pay=Decimal(s["pay"])
        )
        for s in sorted(sections, key=lambda s: s["start"])
    )


# The fields each kind of Meldung carries; the others stay empty.
KIND_FIELDS = {
    Kind.ANNUAL: ("year",),
    Kind.REGISTRATION: ("start", "personnel_number"),
    Kind.DEREGISTRATION: ("end", "deregistration_reason"),
}
TEXT_FIELDS = ("personnel_number", "deregistration_reason")


def _clean_values(kind: str, values: dict) -> dict:
    """The Meldung's own fields for its kind, every other field empty."""
    cleaned = {name: "" if name in TEXT_FIELDS else None for name in REPORT_FIELDS}
    for name in KIND_FIELDS.get(kind, ()):
        value = values.get(name)
        cleaned[name] = (value or "").strip() if name in TEXT_FIELDS else value
    return cleaned


def create_report(*, person, unit, kind: str, values: dict, sections: list[dict], corrects=None, by) -> Report:
    """ "Speichern" of "Neue Meldung": the Meldung is *erfasst*; nothing is sent yet."""
    if kind not in Kind.values:
        raise DomainError("Bitte wählen Sie die Art der Meldung.")
    with transaction.atomic():
        person = _lock_person(person)
        _require_grant(by, unit.pk)
        if corrects is not None:
            corrects = Report.objects.select_related("corrects").get(pk=corrects.pk)
            if corrects.person_id != person.pk or corrects.billing_unit_id != unit.pk:
                raise DomainError("Berichtigt werden kann nur eine verarbeitete Meldung dieses Versicherten.")
        effective = corrects.effective_kind if kind == Kind.CORRECTION and corrects is not None else kind
        values = _clean_values(effective, values)
        if kind == Kind.CORRECTION and corrects is not None and effective == Kind.ANNUAL:
            values["year"] = corrects.year
        sections = sections if effective == Kind.ANNUAL else []
        _raise_if(
            check_report(person=person, unit=unit, kind=kind, values=values, sections=sections, corrects=corrects)
        )
        now = timezone.now()
        report = Report.objects.create(
            person=person,
            billing_unit=unit,
            kind=kind,
            corrects=corrects if kind == Kind.CORRECTION else None,
            created_by=by,
            created_at=now,
            changed_at=now,
            **values,
        )
        _write_sections(report, sections)
        audit.record(
            "report.created",
            actor=by,
            data=_entry(report, changes=_changes({}, [], values, sections)),
        )
    return report


def change_report(*, report, values: dict, sections: list[dict], by) -> Report:
    """ "Speichern" of "Bearbeiten" (or "Korrigieren" of a zurückgewiesene Meldung, which is then *erfasst* again)."""
    with transaction.atomic():
        _lock_person(report.person)
        report = _lock_report(report)
        _require_grant(by, report.billing_unit_id)
        old_status = report.status
        report.transition(ReportEvent.CHANGE)
        effective = report.effective_kind
        values = _clean_values(effective, values)
        if report.kind == Kind.CORRECTION and effective == Kind.ANNUAL:
            values["year"] = report.corrects.year
        sections = sections if effective == Kind.ANNUAL else []
        _raise_if(
            check_report(
                person=report.person,
                unit=report.billing_unit,
                kind=report.kind,
                values=values,
                sections=sections,
                report=report,
                corrects=report.corrects,
            )
        )
        changes = _changes(values_of(report), sections_of(report), values, sections)
        if old_status != report.status:
            changes["status"] = ["zurückgewiesen", "erfasst"]
        for name, value in values.items():
            setattr(report, name, value)
        report.changed_at = timezone.now()
        report.save(update_fields=[*REPORT_FIELDS, "status", "changed_at"])
        _write_sections(report, sections)
        audit.record("report.changed", actor=by, data=_entry(report, changes=changes))
    return report


def delete_report(*, report, by) -> None:
    """ "Löschen" of a Meldung *erfasst*: it is gone; the audit entry keeps what it held."""
    with transaction.atomic():
        _lock_person(report.person)
        report = _lock_report(report)
        _require_grant(by, report.billing_unit_id)
        report.transition(ReportEvent.DELETE)
        changes = _changes(values_of(report), sections_of(report), {}, [])
        data = _entry(report, changes=changes)
        report.delete()
        audit.record("report.deleted", actor=by, data=data)


def _problems_now(report, values: dict, sections: list[dict]) -> Problems:
    """The rules a saved Meldung breaks against the Verlauf and the employment as they are now."""
    return check_report(
        person=report.person,
        unit=report.billing_unit,
        kind=report.kind,
        values=values,
        sections=sections,
        report=report,
        corrects=report.corrects,
    )


def submit_reports(*, reports, by) -> list[Report]:
    """ "Übermitteln": each Meldung *erfasst* is sent to the fund (*übermittelt*), all or none. The rules are checked
    again: the Verlauf may have changed since the Meldung was saved."""
    sent = []
    with transaction.atomic():
        people = sorted({report.person_id for report in reports})
        list(InsuredPerson.objects.select_for_update().filter(pk__in=people).order_by("pk"))
        for report in sorted(reports, key=lambda r: r.pk):
            report = _lock_report(report)
            _require_grant(by, report.billing_unit_id)
            report.transition(ReportEvent.SUBMIT)
            problems = _problems_now(report, values_of(report), sections_of(report))
            if problems:
                raise DomainError(
                    f"{report.get_kind_display()} {report.subject} für {report.person.full_name} kann nicht "
                    f"übermittelt werden: {' '.join(problems.messages())} Bitte bearbeiten Sie die Meldung."
                )
            now = timezone.now()
            report.submitted_by, report.submitted_at, report.changed_at = by, now, now
            report.save(update_fields=["status", "submitted_by", "submitted_at", "changed_at"])
            audit.record(
                "report.submitted", actor=by, data=_entry(report, changes={"status": ["erfasst", "übermittelt"]})
            )
            sent.append(report)
    return sent


def process_report(*, report, by) -> Report:
    """Fund staff's "Verarbeiten": the Meldung goes into the Verlauf in the same transaction — a Jahresmeldung's
    Abschnitte become Versicherungsabschnitte with their Umlage (a Berichtigung replaces those of the Meldung it
    corrects), an Anmeldung sets Beschäftigungsbeginn and Personalnummer, an Abmeldung the Beschäftigungsende."""
    with transaction.atomic():
        _lock_person(report.person)
        report = _lock_report(report)
        report.transition(ReportEvent.PROCESS)
        values, sections = values_of(report), sections_of(report)
        problems = _problems_now(report, values, sections)
        if problems:
            raise DomainError(
                "Die Meldung kann nicht verarbeitet werden: " + " ".join(problems.messages()) + " Bitte weisen Sie "
                "sie mit diesem Grund zurück."
            )
        effects = _apply(report, values, sections)
        now = timezone.now()
        report.decided_by, report.decided_at, report.changed_at = by, now, now
        report.save(update_fields=["status", "decided_by", "decided_at", "changed_at"])
        audit.record(
            "report.processed",
            actor=by,
            data=_entry(report, changes={"status": ["übermittelt", "verarbeitet"], **effects}),
        )
    return report


def _apply(report, values: dict, sections: list[dict]) -> dict:
    """What processing changes in the Verlauf and the employment, as old → new for the audit entry."""
    effective = report.effective_kind
    employment = Employment.objects.select_for_update().get(person=report.person, billing_unit=report.billing_unit)
    if effective == Kind.ANNUAL:
        replaced = Section.objects.none()
        if report.kind == Kind.CORRECTION:
            replaced = Section.objects.filter(report=report.corrects)
        old = [
            {"start": s.start, "end": s.end, "booking_key": s.booking_key, "pay": s.pay}
            for s in replaced.order_by("start")
        ]
        replaced.delete()
        rate = Decimal(settings.INSURED_CONTRIBUTION_RATE)
        Section.objects.bulk_create(
            Section(
                person=report.person,
                billing_unit=report.billing_unit,
                report=report,
                contribution=contribution(s["pay"], rate),
                **s,
            )
            for s in sections
        )
        return {"verlauf": [_sections_text(old), _sections_text(sections)]}
    before = {"start": employment.start, "personnel_number": employment.personnel_number, "end": employment.end}
    if effective == Kind.REGISTRATION:
        employment.start, employment.personnel_number = values["start"], values["personnel_number"]
        if report.kind == Kind.REGISTRATION:
            employment.end = None
    else:
        employment.end = values["end"]
    employment.save(update_fields=["start", "personnel_number", "end"])
    after = {"start": employment.start, "personnel_number": employment.personnel_number, "end": employment.end}
    return {
        f"employment_{name}": [_display(name, before[name]), _display(name, after[name])]
        for name in before
        if before[name] != after[name]
    }


def reject_report(*, report, by, reason: str) -> Report:
    """Fund staff's "Zurückweisen" with a reason, which the clerk reads; the clerk corrects and sends it again."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Bitte geben Sie einen Grund für die Zurückweisung an.")
    with transaction.atomic():
        _lock_person(report.person)
        report = _lock_report(report)
        report.transition(ReportEvent.REJECT)
        now = timezone.now()
        report.decided_by, report.decided_at, report.changed_at = by, now, now
        report.rejection_reason = reason
        report.save(update_fields=["status", "decided_by", "decided_at", "changed_at", "rejection_reason"])
        audit.record(
            "report.rejected",
            actor=by,
            data=_entry(report, reason=reason, changes={"status": ["übermittelt", "zurückgewiesen"]}),
        )
    return report
