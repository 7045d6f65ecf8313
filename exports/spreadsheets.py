"""Every CSV and XLSX the portal hands out is written here, so that no cell can become a formula.

A name, a unit's name, a lock reason or an e-mail address is typed by people; a spreadsheet program runs a cell that
begins with "=", "+", "-" or "@" as a formula (OWASP "CSV Injection", ASVS 5.0 V1.2.10). So:
- in CSV every text cell that begins with one of those, a tab, a carriage return or a null character (ASVS 5.0
  V1.2.10 names it too) gets a leading apostrophe, which Excel and LibreOffice show as text and do not run;
- in XLSX every text cell is written with the string type, never as a formula; dates are real dates with a German
  number format, and the header carries an AutoFilter.

Both formats take the same rows: lists of str, `datetime`, `date`, numbers or None.
"""

import csv
import io
from datetime import date, datetime

from django.http import HttpResponse
from django.utils import timezone

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\0")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX_TYPE}
DATE_TIME_FORMAT = "DD.MM.YYYY HH:MM"
DATE_FORMAT = "DD.MM.YYYY"


def inert(text: str) -> str:
    """A text cell that no spreadsheet program reads as a formula (the OWASP rule for CSV)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _local(moment: datetime) -> datetime:
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return _local(value).strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, str):
        return inert(value)
    return str(value)


def as_csv(header: list[str], rows) -> bytes:
    """Semicolons and UTF-8 with a byte order mark: German Excel opens it with umlauts and columns intact."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([inert(name) for name in header])
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def as_xlsx(title: str, columns: list[tuple[str, int]], rows) -> bytes:
    """One sheet: a bold header row frozen below it with an AutoFilter, column widths for the data, text cells as
    text and dates as dates."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for index, (name, width) in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index)
        _set(cell, name)
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = width
    row_number = 1
    for row_number, row in enumerate(rows, start=2):
        for index, value in enumerate(row, start=1):
            _set(sheet.cell(row=row_number, column=index), value)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{sheet.cell(row=max(row_number, 1), column=len(columns)).coordinate}"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _set(cell, value) -> None:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, datetime):
        cell.value = _local(value).replace(tzinfo=None)
        cell.number_format = DATE_TIME_FORMAT
    elif isinstance(value, date):
        cell.value = value
        cell.number_format = DATE_FORMAT
    elif isinstance(value, str):
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.data_type = "s"  # openpyxl would make a formula of a leading "="
    else:
        cell.value = value


def attachment(body: bytes, *, kind: str, name: str) -> HttpResponse:
    """The file as a download named `<name>-<today>.<kind>`."""
    response = HttpResponse(body, content_type=CONTENT_TYPES[kind])
    response["Content-Disposition"] = f'attachment; filename="{name}-{timezone.localdate():%Y-%m-%d}.{kind}"'
    return response
