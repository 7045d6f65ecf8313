"""`manage.py import_members DATEI [--dry-run]`: members and billing units from the fund's CSV (billing_units/imports.py)."""

import getpass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from billing_units.imports import COLUMNS, import_members


class Command(BaseCommand):
    help = (
        "Liest Mitglieder und Abrechnungsstellen aus der CSV-Datei der Zusatzversorgungskasse (Semikolon, UTF-8, "
        f"Kopfzeile {';'.join(COLUMNS)}; eine Zeile je Abrechnungsstelle). Legt Neues an, übernimmt geänderte Namen "
        "und Anschriften, löscht nichts; ein zweiter Lauf ändert nichts. Mit einer fehlerhaften Zeile wird nichts "
        "übernommen."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="die CSV-Datei")
        parser.add_argument("--dry-run", action="store_true", help="nur prüfen und berichten, nichts ändern")

    def handle(self, *args, file, dry_run=False, **options):
        try:
            text = Path(file).read_bytes().decode("utf-8")
        except OSError as error:
            raise CommandError(f"Die Datei {file} kann nicht gelesen werden: {error.strerror}.") from error
        except UnicodeDecodeError as error:
            raise CommandError(
                f"Die Datei {file} ist nicht in UTF-8 gespeichert (in Excel: „CSV UTF-8 (durch Trennzeichen getrennt)“)."
            ) from error
        result = import_members(text, by=f"Betrieb ({getpass.getuser()})", dry_run=dry_run)
        if result.errors:
            for error in result.errors:
                self.stderr.write(error)
            raise CommandError(f"Nichts übernommen: {len(result.errors)} Fehler. Bitte die Datei berichtigen.")
        counts = ", ".join(f"{n} {k}" for k, n in result.members.items())
        units = ", ".join(f"{n} {k}" for k, n in result.units.items())
        prefix = "Probelauf, nichts geändert. " if dry_run else ""
        self.stdout.write(f"{prefix}Mitglieder: {counts}. Abrechnungsstellen: {units}.")
