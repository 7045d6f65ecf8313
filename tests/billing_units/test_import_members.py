"""`manage.py import_members`: the fund's CSV brings members and billing units into the portal; a second run changes
nothing; a bad line is named in German and nothing is taken over."""

import io

import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditEntry
from billing_units.models import BillingUnit, Member
from tests import factories

pytestmark = pytest.mark.django_db

HEADER = "Mitgliedsnummer;Mitgliedsname;Straße;PLZ;Ort;Abrechnungsstellennummer;Abrechnungsstellenname\n"
GOOD = (
    "\ufeff"  # German Excel's "CSV UTF-8" starts with a byte order mark
    + HEADER
    + "002020;Stadt Gera;Kornmarkt 12;07545;Gera;002021;Stadt Gera – Eigenbetrieb Bäder\n"
    + "002020;Stadt Gera;Kornmarkt 12;07545;Gera;002022;Stadt Gera – Kämmerei\n"
    + "003030;Stadt Jena;Am Anger 15;07743;Jena;003031;Stadt Jena – Personalamt\n"
    + "\n"
)


def run(tmp_path, text, *args) -> tuple[str, str]:
    path = tmp_path / "mitglieder.csv"
    path.write_text(text, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command("import_members", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_fund_list_creates_members_and_units_and_a_second_run_changes_nothing(tmp_path):
    out, _err = run(tmp_path, GOOD)
    assert out.strip() == (
        "Mitglieder: 2 neu, 0 geändert, 0 unverändert. Abrechnungsstellen: 3 neu, 0 geändert, 0 unverändert."
    )
    gera = Member.objects.get(number="002020")
    assert (gera.name, gera.street, gera.postal_code, gera.city) == ("Stadt Gera", "Kornmarkt 12", "07545", "Gera")
    assert list(gera.billing_units.values_list("number", "name")) == [
        ("002021", "Stadt Gera – Eigenbetrieb Bäder"),
        ("002022", "Stadt Gera – Kämmerei"),
    ]
    assert AuditEntry.objects.filter(action="members.imported").count() == 1

    out, _err = run(tmp_path, GOOD)
    assert "Mitglieder: 0 neu, 0 geändert, 2 unverändert" in out and "3 unverändert" in out
    assert AuditEntry.objects.filter(action="members.imported").count() == 1  # nothing changed, nothing recorded


def test_a_changed_name_or_address_is_taken_over_and_nothing_is_deleted(tmp_path):
    other = factories.BillingUnitFactory(number="009991", member=factories.MemberFactory(number="009990"))
    run(tmp_path, GOOD)
    moved = GOOD.replace("Kornmarkt 12;07545", "Markt 1;07545").replace("– Kämmerei", "– Stadtkasse")
    out, _err = run(tmp_path, moved)
    assert "Mitglieder: 0 neu, 1 geändert, 1 unverändert" in out and "Abrechnungsstellen: 0 neu, 1 geändert" in out
    assert Member.objects.get(number="002020").street == "Markt 1"
    assert BillingUnit.objects.get(number="002022").name == "Stadt Gera – Stadtkasse"
    assert BillingUnit.objects.filter(pk=other.pk).exists()  # a member the list does not name stays


def test_bad_lines_are_named_in_german_and_nothing_is_taken_over(tmp_path):
    factories.BillingUnitFactory(number="004041", member=factories.MemberFactory(number="004040"))
    bad = (
        HEADER
        + "002020;Stadt Gera;Kornmarkt 12;07545;Gera;002021;Bäder\n"
        + "2020;Stadt Gera;Kornmarkt 12;07545;Gera;002022;Kämmerei\n"  # Excel dropped the leading zeros
        + "003030;;Am Anger 15;0774;Jena;003031;Personalamt\n"
        + "002020;Stadt Gera;Andere Straße 1;07545;Gera;002023;Schulen\n"
        + "005050;Gemeinde Kraftsdorf;;;;004041;Bauhof\n"  # a unit of another member in the portal
        + "006060;zu wenige Spalten\n"
    )
    with pytest.raises(CommandError, match="Nichts übernommen: 6 Fehler"):
        run(tmp_path, bad)
    assert not Member.objects.filter(number__in=["002020", "003030", "005050"]).exists()
    path = tmp_path / "mitglieder.csv"
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_members", str(path), stderr=err)
    lines = err.getvalue().splitlines()
    assert lines[0].startswith("Zeile 3: Mitgliedsnummer „2020“ hat nicht genau sechs Ziffern (führende Nullen")
    assert "Zeile 4: Mitgliedsname fehlt." in lines and "Zeile 4: PLZ „0774“ hat nicht fünf Ziffern." in lines
    assert any(line.startswith("Zeile 5: Mitglied 002020 steht schon in einer früheren Zeile") for line in lines)
    assert "Zeile 7: 7 Spalten erwartet, gefunden 2." in lines
    assert any(
        line.startswith("Zeile 6: Abrechnungsstelle 004041 gehört im Portal zum Mitglied 004040") for line in lines
    )


def test_a_wrong_header_or_encoding_is_refused_in_german(tmp_path):
    with pytest.raises(CommandError):
        run(tmp_path, "Nummer;Name\n002020;Stadt Gera\n")
    path = tmp_path / "latin1.csv"
    path.write_bytes(GOOD.lstrip("\ufeff").encode("cp1252"))
    with pytest.raises(CommandError, match="nicht in UTF-8"):
        call_command("import_members", str(path))
    assert not Member.objects.exists()


def test_a_dry_run_counts_and_changes_nothing(tmp_path):
    out, _err = run(tmp_path, GOOD, "--dry-run")
    assert out.startswith("Probelauf, nichts geändert. Mitglieder: 2 neu")
    assert not Member.objects.exists() and not AuditEntry.objects.exists()
