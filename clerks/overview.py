"""Berechtigungsübersicht: who may work on which of the administrator's billing units, since when, granted by whom,
and when the access was last confirmed in the yearly review — on the page, as CSV for German Excel and as XLSX.

The rows are the administrator's visible grants (`Grant.objects.visible_to`), filtered by unit and status: the page
and both exports show exactly the same rows, and nothing outside the administrator's registration.
"""

import csv
import io

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from clerks.models import Confirmation, Grant

COLUMNS = [
    ("Nachname", 22),
    ("Vorname", 18),
    ("E-Mail", 34),
    ("Benutzerstatus", 14),
    ("Abrechnungsstellennummer", 14),
    ("Abrechnungsstellenname", 36),
    ("Berechtigt seit", 17),
    ("Erteilt von", 30),
    ("Zuletzt bestätigt", 17),
    ("Bestätigt von", 30),
]


def rows(*, by, unit=None, status=None):
    """The grants the administrator may see, with what each row shows, in list order. Three joins and two
    subqueries: one query however many rows."""
    last = Confirmation.objects.filter(user=OuterRef("clerk_id")).order_by("-confirmed_at")
    grants = (
        Grant.objects.visible_to(by)
        .select_related("clerk", "billing_unit", "granted_by")
        .annotate(
            confirmed_at=Subquery(last.values("confirmed_at")[:1]),
            confirmed_by_email=Subquery(last.values("confirmed_by__email")[:1]),
        )
        .order_by("billing_unit__number", "clerk__last_name", "clerk__first_name", "clerk_id")
    )
    if unit is not None:
        grants = grants.filter(billing_unit=unit)
    if status:
        grants = grants.filter(clerk__status=status)
    return grants


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%d.%m.%Y %H:%M") if moment else ""


def values(grant) -> list[str]:
    clerk, unit = grant.clerk, grant.billing_unit
    return [
        clerk.last_name,
        clerk.first_name,
        clerk.email,
        clerk.get_status_display(),
        unit.number,
        unit.name,
        _when(grant.granted_at),
        grant.granted_by.email if grant.granted_by else "",
        _when(grant.confirmed_at),
        grant.confirmed_by_email or "",
    ]


def as_csv(grants) -> bytes:
    """Semicolons and UTF-8 with a byte order mark: German Excel opens it with umlauts and columns intact."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([name for name, _width in COLUMNS])
    for grant in grants:
        writer.writerow(values(grant))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def as_xlsx(grants) -> bytes:
    """A header row in bold, frozen below it, with column widths for the data."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Berechtigungen"
    sheet.append([name for name, _width in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for grant in grants:
        sheet.append(values(grant))
    for index, (_name, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
