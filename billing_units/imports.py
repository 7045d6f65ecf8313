"""Members and billing units from the fund's list (`manage.py import_members`, docs/operations.md).

The file is CSV as German Excel writes it: semicolons, UTF-8 (with or without byte order mark), one header line and one
line per billing unit; a member with several units stands on several lines:

    Mitgliedsnummer;Mitgliedsname;Straße;PLZ;Ort;Abrechnungsstellennummer;Abrechnungsstellenname
    002020;Stadt Gera;Kornmarkt 12;07545;Gera;002021;Stadt Gera – Eigenbetrieb Bäder

An import brings the portal to what the file says and is safe to run again: a new member or unit is created, a changed
name or address is updated, what is equal stays untouched, and nothing is deleted (a member the file no longer names
keeps its users). A billing unit never moves to another member. A file with a bad line changes nothing: every bad
line is named with its number and a German sentence, to be corrected and imported again.
"""

import csv
import io
import re
from dataclasses import dataclass, field

from django.db import transaction

from audit import log as audit
from billing_units.models import BillingUnit, Member

COLUMNS = [
    "Mitgliedsnummer",
    "Mitgliedsname",
    "Straße",
    "PLZ",
    "Ort",
    "Abrechnungsstellennummer",
    "Abrechnungsstellenname",
]
SIX_DIGITS = re.compile(r"\d{6}")
POSTAL_CODE = re.compile(r"\d{5}")


@dataclass
class Result:
    errors: list[str] = field(default_factory=list)
    members: dict = field(default_factory=lambda: {"neu": 0, "geändert": 0, "unverändert": 0})
    units: dict = field(default_factory=lambda: {"neu": 0, "geändert": 0, "unverändert": 0})


def _rows(text: str, result: Result):
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";")
    header = [cell.strip() for cell in next(reader, [])]
    if header != COLUMNS:
        result.errors.append(f"Zeile 1: Die Kopfzeile muss lauten: {';'.join(COLUMNS)}")
        return
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue  # an empty line, e.g. at the end
        if len(cells) != len(COLUMNS):
            result.errors.append(f"Zeile {number}: {len(COLUMNS)} Spalten erwartet, gefunden {len(cells)}.")
            continue
        yield number, dict(zip(COLUMNS, (cell.strip() for cell in cells), strict=True))


def _line_errors(row: dict) -> list[str]:
    errors = []
    for column in ("Mitgliedsnummer", "Abrechnungsstellennummer"):
        if not SIX_DIGITS.fullmatch(row[column]):
            errors.append(
                f"{column} „{row[column]}“ hat nicht genau sechs Ziffern (führende Nullen mitschreiben, z. B. 002020; "
                "in Excel die Spalte als Text formatieren)."
            )
    for column in ("Mitgliedsname", "Abrechnungsstellenname"):
        if not row[column]:
            errors.append(f"{column} fehlt.")
        elif len(row[column]) > 200:
            errors.append(f"{column} ist länger als 200 Zeichen.")
    if row["PLZ"] and not POSTAL_CODE.fullmatch(row["PLZ"]):
        errors.append(f"PLZ „{row['PLZ']}“ hat nicht fünf Ziffern.")
    if len(row["Straße"]) > 200 or len(row["Ort"]) > 100:
        errors.append("Straße (höchstens 200 Zeichen) oder Ort (höchstens 100 Zeichen) ist zu lang.")
    return errors


def _read(text: str, result: Result) -> tuple[dict, dict]:
    """The members and units the file names, each once; a contradiction is a bad line."""
    members, units = {}, {}
    for number, row in _rows(text, result):
        problems = _line_errors(row)
        member = {
            "name": row["Mitgliedsname"],
            "street": row["Straße"],
            "postal_code": row["PLZ"],
            "city": row["Ort"],
        }
        known = members.get(row["Mitgliedsnummer"])
        if not problems and known is not None and known != member:
            problems.append(
                f"Mitglied {row['Mitgliedsnummer']} steht schon in einer früheren Zeile, dort mit anderem Namen "
                "oder anderer Anschrift."
            )
        unit = units.get(row["Abrechnungsstellennummer"])
        if not problems and unit is not None and unit[:2] != (row["Mitgliedsnummer"], row["Abrechnungsstellenname"]):
            problems.append(f"Abrechnungsstelle {row['Abrechnungsstellennummer']} steht schon in einer früheren Zeile.")
        if problems:
            result.errors += [f"Zeile {number}: {problem}" for problem in problems]
            continue
        members[row["Mitgliedsnummer"]] = member
        units[row["Abrechnungsstellennummer"]] = (row["Mitgliedsnummer"], row["Abrechnungsstellenname"], number)
    return members, units


def import_members(text: str, *, by: str, dry_run: bool = False) -> Result:
    """Bring members and billing units to what the file says (see the module's text); nothing when a line is bad."""
    result = Result()
    members, units = _read(text, result)
    if not members and not result.errors:
        result.errors.append("Die Datei enthält keine Zeile mit einem Mitglied.")
    with transaction.atomic():
        existing = {u.number: u for u in BillingUnit.objects.select_related("member").filter(number__in=units)}
        for unit_number, (member_number, _name, line) in units.items():
            unit = existing.get(unit_number)
            if unit is not None and unit.member.number != member_number:
                result.errors.append(
                    f"Zeile {line}: Abrechnungsstelle {unit_number} gehört im Portal zum Mitglied {unit.member.number}, nicht zu "
                    f"{member_number}: eine Abrechnungsstelle wechselt ihr Mitglied nicht (im Django-Admin klären)."
                )
        if result.errors:
            return result
        saved = {}
        for number, values in members.items():
            member, created = Member.objects.get_or_create(number=number, defaults=values)
            changed = [name for name, value in values.items() if getattr(member, name) != value]
            if changed:
                for name in changed:
                    setattr(member, name, values[name])
                member.save(update_fields=changed)
            result.members["neu" if created else "geändert" if changed else "unverändert"] += 1
            saved[number] = member
        for number, (member_number, name, _line) in units.items():
            unit = existing.get(number)
            if unit is None:
                BillingUnit.objects.create(number=number, member=saved[member_number], name=name)
                result.units["neu"] += 1
            elif unit.name != name:
                unit.name = name
                unit.save(update_fields=["name"])
                result.units["geändert"] += 1
            else:
                result.units["unverändert"] += 1
        if any(result.members[k] or result.units[k] for k in ("neu", "geändert")):
            audit.record("members.imported", actor_label=by, data={"members": result.members, "units": result.units})
        if dry_run:
            transaction.set_rollback(True)  # counted as an import would, changed nothing
    return result
