"""Money and periods as a German reader reads them: "1.234,56 €", "01.01.2026–30.06.2026"."""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")


def euro(amount) -> str:
    """`Decimal("1234.5")` → "1.234,50 €"; None → "–"."""
    if amount is None:
        return "–"
    amount = Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    whole, cents = f"{abs(amount):.2f}".split(".")
    groups = []
    while len(whole) > 3:
        whole, groups = whole[:-3], [whole[-3:], *groups]
    return f"{sign}{'.'.join([whole, *groups])},{cents} €"


# What a German clerk types for an amount: "1.234,56", "1234,56", "1234.56", "1234", with or without "€"; ASCII digits
# only. Points that group thousands need the comma after them: "1.234" alone is refused (a thousand, or one point
# two?).
EURO_INPUT = re.compile(r"^-?(?:[0-9]{1,3}(?:\.[0-9]{3})+,[0-9]+|[0-9]+(?:,[0-9]+)?|[0-9]+\.(?:[0-9]{1,2}|[0-9]{4,}))$")


def parse_euro(text: str) -> Decimal:
    """An amount as typed, as a finite Decimal; ValueError for anything else (letters, "1e309", "NaN", "1.234")."""
    text = text.replace("€", "").replace("\u00a0", "").replace(" ", "").strip()
    if not EURO_INPUT.match(text):
        raise ValueError(text)
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        return Decimal(text)
    except InvalidOperation as error:
        raise ValueError(text) from error


def period(start, end) -> str:
    return f"{start:%d.%m.%Y}–{end:%d.%m.%Y}"


def contribution(pay: Decimal, rate: Decimal) -> Decimal:
    return (pay * rate).quantize(CENT, rounding=ROUND_HALF_UP)
