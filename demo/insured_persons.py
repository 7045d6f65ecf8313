"""The demo's Versicherte: 20–60 per billing unit, made up by Faker (`de_DE`) from a seed per unit, so that every
run makes the same persons. Each has a Versicherungsverlauf of the last three years (the older years as the fund's
"Bestand", the last one for a few persons through Jahresmeldungen); a few persons of each unit have Meldungen in every
status, written by the unit's clerk through the portal's services and processed or rejected by fund staff. One person
of Gera moved from the Stadt Gera to its Eigenbetrieb Bäder: two employments of one member.

Idempotent: a unit that has Versicherte already is left as it is."""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from faker import Faker

from billing_units.models import BillingUnit
from insured import services
from insured.formats import contribution
from insured.models import BookingKey, Employment, InsuredPerson, Kind, Section

REPORTING = 6  # the first persons of a unit: their last year comes through Meldungen, one in each status


def add(*, clerks_by_unit: dict, staff) -> int:
    """Versicherte for every unit that has none yet; returns how many were made."""
    made = 0
    for unit in BillingUnit.objects.order_by("number"):
        if Employment.objects.filter(billing_unit=unit).exists():
            continue
        made += _unit(unit, clerk=clerks_by_unit.get(unit.number), staff=staff)
    return made


def _unit(unit, *, clerk, staff) -> int:
    seed = int(unit.number)
    rng = random.Random(seed)
    fake = Faker("de_DE")
    fake.seed_instance(seed)
    last_year = timezone.localdate().year - 1
    years = [last_year - 2, last_year - 1, last_year]
    rate = Decimal(settings.INSURED_CONTRIBUTION_RATE)
    people, sections = [], []
    for index in range(rng.randint(20, 60)):
        female = rng.random() < 0.6
        person = InsuredPerson.objects.create(
            insurance_number=f"{unit.number}{index + 1:04d}",
            last_name=fake.last_name(),
            first_name=fake.first_name_female() if female else fake.first_name_male(),
            birth_date=fake.date_of_birth(minimum_age=22, maximum_age=63),
        )
        start = date(rng.randint(1995, years[0] - 1), rng.randint(1, 12), 1)
        Employment.objects.create(
            person=person, billing_unit=unit, personnel_number=f"{seed % 1000:03d}-{index + 1:04d}", start=start
        )
        people.append(person)
        history = years if index >= REPORTING else years[:-1]
        for year in history:
            sections += _year(person, unit, year, rng, rate)
    Section.objects.bulk_create(sections)
    if clerk is not None:
        _reports(unit, people[:REPORTING], years[-1], clerk=clerk, staff=staff, rng=rng)
    return len(people)


def _year(person, unit, year, rng, rate) -> list[Section]:
    """One year of the Verlauf: a Pflichtversicherung over the year, for some persons split by an Elternzeit."""
    pay = Decimal(rng.randint(2_800_000, 6_500_000)) / 100
    if rng.random() < 0.1:
        parts = [
            (date(year, 1, 1), date(year, 4, 30), BookingKey.COMPULSORY, (pay / 3).quantize(Decimal("0.01"))),
            (date(year, 5, 1), date(year, 8, 31), BookingKey.INTERRUPTION_PARENTAL, Decimal("0.00")),
            (date(year, 9, 1), date(year, 12, 31), BookingKey.COMPULSORY, (pay / 3).quantize(Decimal("0.01"))),
        ]
    else:
        parts = [(date(year, 1, 1), date(year, 12, 31), BookingKey.COMPULSORY, pay)]
    return [
        Section(
            person=person,
            billing_unit=unit,
            start=start,
            end=end,
            booking_key=key,
            pay=amount,
            contribution=contribution(amount, rate),
        )
        for start, end, key, amount in parts
    ]


def _annual(person, unit, year, rng, *, by):
    pay = Decimal(rng.randint(2_800_000, 6_500_000)) / 100
    halves = [
        {"start": date(year, 1, 1), "end": date(year, 6, 30), "booking_key": BookingKey.COMPULSORY, "pay": pay / 2},
        {"start": date(year, 7, 1), "end": date(year, 12, 31), "booking_key": BookingKey.COMPULSORY, "pay": pay / 2},
    ]
    for half in halves:
        half["pay"] = half["pay"].quantize(Decimal("0.01"))
    return services.create_report(
        person=person, unit=unit, kind=Kind.ANNUAL, values={"year": year}, sections=halves, by=by
    )


def _reports(unit, people, year, *, clerk, staff, rng) -> None:
    """Meldungen in every status: erfasst, übermittelt, zurückgewiesen, verarbeitet (twice, one with a Berichtigung
    erfasst), and an Abmeldung erfasst."""
    draft, submitted, rejected, processed, corrected, leaving = people
    _annual(draft, unit, year, rng, by=clerk)
    for person in (submitted, rejected, processed, corrected):
        report = _annual(person, unit, year, rng, by=clerk)
        services.submit_reports(reports=[report], by=clerk)
        if person is rejected:
            services.reject_report(
                report=report,
                by=staff,
                reason="Das Entgelt des zweiten Halbjahres weicht stark vom Vorjahr ab. Bitte prüfen Sie es.",
            )
        elif person is not submitted:
            services.process_report(report=report, by=staff)
        if person is corrected:
            sections = [
                {
                    "start": date(year, 1, 1),
                    "end": date(year, 12, 31),
                    "booking_key": BookingKey.COMPULSORY,
                    "pay": sum(s.pay for s in report.sections.all()),
                }
            ]
            services.create_report(
                person=person, unit=unit, kind=Kind.CORRECTION, values={}, sections=sections, corrects=report, by=clerk
            )
    for person in (leaving,):
        end = timezone.localdate().replace(day=1) + timedelta(days=40)
        services.create_report(
            person=person,
            unit=unit,
            kind=Kind.DEREGISTRATION,
            values={"end": end.replace(day=1) - timedelta(days=1), "deregistration_reason": "pension"},
            sections=[],
            by=clerk,
        )
    Section.objects.bulk_create(_year(leaving, unit, year, rng, Decimal(settings.INSURED_CONTRIBUTION_RATE)))


def move(*, from_number: str, to_number: str) -> None:
    """The first person of `to_number` worked at `from_number` before (ended the year before its Verlauf starts)."""
    to_unit = BillingUnit.objects.get(number=to_number)
    person = InsuredPerson.objects.filter(employments__billing_unit=to_unit).order_by("insurance_number").first()
    from_unit = BillingUnit.objects.get(number=from_number)
    if person is None or Employment.objects.filter(person=person, billing_unit=from_unit).exists():
        return
    first = person.sections.order_by("start").first()
    end = date(first.start.year - 1, 12, 31)
    Employment.objects.create(
        person=person,
        billing_unit=from_unit,
        personnel_number=f"{int(from_number) % 1000:03d}-9001",
        start=date(2010, 4, 1),
        end=end,
    )
    rate = Decimal(settings.INSURED_CONTRIBUTION_RATE)
    Section.objects.create(
        person=person,
        billing_unit=from_unit,
        start=date(end.year, 1, 1),
        end=end,
        booking_key=BookingKey.COMPULSORY,
        pay=Decimal("39876.54"),
        contribution=contribution(Decimal("39876.54"), rate),
    )
    employment = person.employments.get(billing_unit=to_unit)
    if employment.start <= end:
        employment.start = end + timedelta(days=1)
        employment.save(update_fields=["start"])
