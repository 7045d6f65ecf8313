"""The rules a Meldung must keep, one place for the clerk's form, the "Übermitteln" and the fund's processing
(DESIGN §9). `check_report` gives every broken rule as a German message beside the field it is about:

- an Abschnitt: Beginn ≤ Ende, inside one calendar year (the year of the Jahresmeldung), Entgelt ≥ 0 with at most
  two decimals, none during an Unterbrechung, an Unterbrechung of at least one whole calendar month
  (`models.check_section`);
- no Abschnitt overlapping another of the same person and year: in the same Meldung or in the Verlauf (a
  Berichtigung replaces the Abschnitte of the Meldung it corrects, so those do not count);
- no Meldung for a date outside the person's employment at that unit; an Abmeldung only for a person who is
  employed; an Anmeldung only for one who is not;
- no second open Jahresmeldung for the same person and year, no second open Abmeldung or Berichtigung of the same
  Meldung.
"""

from dataclasses import dataclass, field

from accounts.models import DomainError
from insured.formats import period
from insured.models import (
    Employment,
    Kind,
    Report,
    Section,
    check_section,
)


@dataclass
class Problems:
    fields: dict = field(default_factory=dict)  # field name ("__all__" for the whole Meldung) -> [message]
    sections: dict = field(default_factory=dict)  # index of the Abschnitt -> {field -> [message]}

    def add(self, name: str, message: str) -> None:
        self.fields.setdefault(name, []).append(message)

    def add_section(self, index: int, name: str, message: str) -> None:
        self.sections.setdefault(index, {}).setdefault(name, []).append(message)

    def __bool__(self):
        return bool(self.fields or self.sections)

    def messages(self) -> list[str]:
        found = [message for messages in self.fields.values() for message in messages]
        for index, by_field in sorted(self.sections.items()):
            found += [f"Abschnitt {index + 1}: {m}" for messages in by_field.values() for m in messages]
        return found


class ReportInvalid(DomainError):
    """A Meldung that breaks a rule; `problems` places each message beside its field."""

    def __init__(self, problems: Problems):
        self.problems = problems
        super().__init__(problems.messages())


# A Meldung collides with what another unit of the person reported (the rules hold across the person's units): the
# clerk learns that, and nothing of the other unit's data (its Abschnitt's period, its Meldung's status).
OTHER_UNITS_ANNUAL = (
    "Für {year} liegt bereits eine offene Jahresmeldung einer anderen Abrechnungsstelle dieses Versicherten vor. Eine "
    "Jahresmeldung für {year} ist möglich, sobald die Zusatzversorgungskasse jene verarbeitet hat."
)
OTHER_UNITS_SECTION = (
    "Der Abschnitt überschneidet sich mit einem Abschnitt einer anderen Abrechnungsstelle im Versicherungsverlauf. "
    "Bei Fragen wenden Sie sich an die Zusatzversorgungskasse."
)


def _date(day) -> str:
    return f"{day:%d.%m.%Y}"


def employment_of(person, unit) -> Employment:
    employment = Employment.objects.filter(person=person, billing_unit=unit).first()
    if employment is None:
        raise DomainError("Der Versicherte ist bei dieser Abrechnungsstelle nicht gemeldet.")
    return employment


def check_report(*, person, unit, kind, values: dict, sections: list[dict], report=None, corrects=None) -> Problems:
    """Every rule the Meldung breaks (an empty `Problems` if none). `values` holds its own fields (year, start,
    personnel_number, end, deregistration_reason), `sections` its Abschnitte as dicts of start, end, booking_key and
    pay; `report` is the Meldung being changed (it does not collide with itself), `corrects` the processed Meldung a
    Berichtigung names."""
    problems = Problems()
    employment = employment_of(person, unit)
    open_reports = Report.objects.open().filter(person=person)
    if report is not None and report.pk:
        open_reports = open_reports.exclude(pk=report.pk)
    effective = corrects.effective_kind if kind == Kind.CORRECTION and corrects is not None else kind
    if kind == Kind.CORRECTION:
        _check_correction(problems, person=person, unit=unit, corrects=corrects, open_reports=open_reports)
        if corrects is None:
            return problems
    if effective == Kind.ANNUAL:
        year = corrects.year if kind == Kind.CORRECTION else values.get("year")
        _check_annual(problems, employment, year, sections, corrects=corrects, open_reports=open_reports, kind=kind)
    elif effective == Kind.REGISTRATION:
        _check_registration(problems, employment, values, correcting=kind == Kind.CORRECTION)
    elif effective == Kind.DEREGISTRATION:
        _check_deregistration(problems, employment, values, open_reports, correcting=kind == Kind.CORRECTION)
    return problems


def _check_correction(problems, *, person, unit, corrects, open_reports) -> None:
    if corrects is None:
        problems.add("corrects", "Bitte wählen Sie die verarbeitete Meldung, die Sie berichtigen.")
        return
    if corrects.person_id != person.pk or corrects.billing_unit_id != unit.pk or not corrects.is_processed:
        problems.add("corrects", "Berichtigt werden kann nur eine verarbeitete Meldung dieses Versicherten.")
    elif open_reports.filter(kind=Kind.CORRECTION, corrects=corrects).exists():
        problems.add("corrects", "Zu dieser Meldung liegt bereits eine offene Berichtigungsmeldung vor.")


def _check_annual(problems, employment, year, sections, *, corrects, open_reports, kind) -> None:
    if not year:
        problems.add("year", "Bitte geben Sie das Jahr der Meldung an.")
        return
    last_year = employment.end.year if employment.end else None
    if year < employment.start.year or (last_year and year > last_year):
        problems.add(
            "year",
            f"Der Versicherte ist bei dieser Abrechnungsstelle vom {_date(employment.start)} "
            f"{'bis ' + _date(employment.end) if employment.end else 'an'} beschäftigt: "
            f"Für {year} ist keine Jahresmeldung möglich.",
        )
    if kind == Kind.ANNUAL:
        other = open_reports.filter(kind=Kind.ANNUAL, year=year).first()
        if other is not None and other.billing_unit_id == employment.billing_unit_id:
            problems.add(
                "year",
                f"Für {year} liegt bereits eine offene Jahresmeldung vor (Status: {other.get_status_display()}). "
                "Bitte bearbeiten Sie diese.",
            )
        elif other is not None:  # another unit's: what it holds is not this clerk's to read
            problems.add("year", OTHER_UNITS_ANNUAL.format(year=year))
    if not sections:
        problems.add("__all__", "Bitte geben Sie mindestens einen Versicherungsabschnitt an.")
        return
    processed = Section.objects.filter(person_id=employment.person_id, start__year=year).order_by("start")
    if corrects is not None:
        processed = processed.exclude(report=corrects)
    processed = list(processed)
    for index, section in enumerate(sections):
        start, end = section.get("start"), section.get("end")
        for name, messages in check_section(start, end, section.get("booking_key"), section.get("pay")).items():
            for message in messages:
                problems.add_section(index, name, message)
        if not (start and end) or end < start:
            continue
        if start.year != year or end.year != year:
            problems.add_section(index, "start", f"Der Abschnitt muss im Jahr der Meldung ({year}) liegen.")
            continue
        if not (employment.covers(start) and employment.covers(end)):
            problems.add_section(
                index,
                "start",
                f"Der Abschnitt liegt außerhalb der Beschäftigung bei dieser Abrechnungsstelle "
                f"(ab {_date(employment.start)}{' bis ' + _date(employment.end) if employment.end else ''}).",
            )
        for earlier_index, earlier in enumerate(sections[:index]):
            if earlier.get("start") and earlier.get("end") and start <= earlier["end"] and earlier["start"] <= end:
                problems.add_section(
                    index,
                    "start",
                    f"Der Abschnitt überschneidet sich mit Abschnitt {earlier_index + 1} dieser Meldung.",
                )
        for known in processed:
            if not (start <= known.end and known.start <= end):
                continue
            if known.billing_unit_id == employment.billing_unit_id:
                problems.add_section(
                    index,
                    "start",
                    f"Der Abschnitt überschneidet sich mit dem Abschnitt {period(known.start, known.end)} im "
                    "Versicherungsverlauf.",
                )
            else:  # another unit's Abschnitt: its period is not this clerk's to read
                problems.add_section(index, "start", OTHER_UNITS_SECTION)


def _check_registration(problems, employment, values, *, correcting) -> None:
    start, number = values.get("start"), (values.get("personnel_number") or "").strip()
    if not start:
        problems.add("start", "Bitte geben Sie den Beginn der Beschäftigung an.")
    if not number:
        problems.add("personnel_number", "Bitte geben Sie die Personalnummer an.")
    elif (
        Employment.objects.filter(billing_unit_id=employment.billing_unit_id, personnel_number=number)
        .exclude(pk=employment.pk)
        .exists()
    ):
        problems.add("personnel_number", "Diese Personalnummer ist bei der Abrechnungsstelle bereits vergeben.")
    if not start:
        return
    if correcting:
        if employment.end and start > employment.end:
            problems.add(
                "start", f"Der Beginn darf nicht nach dem Ende der Beschäftigung ({_date(employment.end)}) liegen."
            )
    elif employment.end is None:
        problems.add(
            "start",
            f"Der Versicherte ist bei dieser Abrechnungsstelle bereits seit {_date(employment.start)} angemeldet.",
        )
    elif start <= employment.end:
        problems.add(
            "start",
            f"Die letzte Beschäftigung endete am {_date(employment.end)}: Der neue Beginn muss danach liegen.",
        )


def _check_deregistration(problems, employment, values, open_reports, *, correcting) -> None:
    end = values.get("end")
    if not end:
        problems.add("end", "Bitte geben Sie das Ende der Beschäftigung an.")
    if not values.get("deregistration_reason"):
        problems.add("deregistration_reason", "Bitte wählen Sie den Abmeldegrund.")
    if not correcting:
        if employment.end is not None:
            problems.add(
                "__all__",
                "Eine Abmeldung ist nur für beschäftigte Versicherte möglich: Die Beschäftigung bei dieser "
                f"Abrechnungsstelle endete am {_date(employment.end)}.",
            )
        elif open_reports.filter(kind=Kind.DEREGISTRATION, billing_unit_id=employment.billing_unit_id).exists():
            problems.add("__all__", "Für diesen Versicherten liegt bereits eine offene Abmeldung vor.")
    if end and end < employment.start:
        problems.add("end", f"Das Ende darf nicht vor dem Beginn der Beschäftigung ({_date(employment.start)}) liegen.")


def sections_of(report) -> list[dict]:
    """A saved Meldung's Abschnitte in the form `check_report` takes."""
    return [{"start": s.start, "end": s.end, "booking_key": s.booking_key, "pay": s.pay} for s in report.sections.all()]


def values_of(report) -> dict:
    return {name: getattr(report, name) for name in REPORT_FIELDS}


REPORT_FIELDS = ("year", "start", "personnel_number", "end", "deregistration_reason")
