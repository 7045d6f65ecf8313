"""Berechtigungsübersicht: who may work on which of the administrator's billing units, since when, granted by whom,
and when the access was last confirmed in the yearly review — on the page, as CSV for German Excel, as XLSX and
printed whole ("Drucken": every row of the filter, with what was filtered, when and by whom).

The rows are the administrator's visible grants (`Grant.objects.visible_to`), filtered by unit and status: the page
and both exports show exactly the same rows, and nothing outside the administrator's registration.
"""

from django.db.models import OuterRef, Subquery

from accounts.models import Status
from clerks.models import Confirmation, Grant
from exports import spreadsheets

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
        .order_by("billing_unit__number", "clerk__name_key", "clerk_id")
    )
    if unit is not None:
        grants = grants.filter(billing_unit=unit)
    if status:
        grants = grants.filter(clerk__status=status)
    return grants


def filters_described(filters: dict) -> str:
    """What a printed overview was filtered by, as its header says it."""
    unit = filters.get("unit")
    status = filters.get("status")
    unit_text = f"{unit.number} {unit.name}" if unit else "alle"
    status_text = Status(status).label if status else "alle"
    return f"Abrechnungsstelle: {unit_text} · Benutzerstatus: {status_text}"


def values(grant) -> list:
    clerk, unit = grant.clerk, grant.billing_unit
    return [
        clerk.last_name,
        clerk.first_name,
        clerk.email,
        clerk.get_status_display(),
        unit.number,
        unit.name,
        grant.granted_at,
        grant.granted_by.email if grant.granted_by else "",
        grant.confirmed_at,
        grant.confirmed_by_email or "",
    ]


def as_csv(grants) -> bytes:
    return spreadsheets.as_csv([name for name, _width in COLUMNS], (values(grant) for grant in grants))


def as_xlsx(grants) -> bytes:
    return spreadsheets.as_xlsx("Berechtigungen", COLUMNS, (values(grant) for grant in grants))
