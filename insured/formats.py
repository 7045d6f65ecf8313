"""Money and periods as a German reader reads them: "1.234,56 €", "01.01.2026–30.06.2026"."""

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


def parse_euro(text: str) -> Decimal:
    """What a German clerk types: "1.234,56", "1234,56", "1234.56", "1.234,56 €". Raises ValueError otherwise."""
    text = text.replace("€", "").replace("\u00a0", "").replace(" ", "").strip()
    if not text:
        raise ValueError(text)
    if "," in text:
        whole, _, cents = text.rpartition(",")
        if "," in whole or any(len(group) != 3 for group in whole.lstrip("-").split(".")[1:]):
            raise ValueError(text)
        text = f"{whole.replace('.', '')}.{cents}"
    elif text.count(".") > 1 or (text.count(".") == 1 and len(text.split(".")[1]) == 3):
        raise ValueError(text)  # "1.234" is ambiguous: a thousand or one point two
    try:
        return Decimal(text)
    except InvalidOperation as error:
        raise ValueError(text) from error


def period(start, end) -> str:
    return f"{start:%d.%m.%Y}–{end:%d.%m.%Y}"


def contribution(pay: Decimal, rate: Decimal) -> Decimal:
    return (pay * rate).quantize(CENT, rounding=ROUND_HALF_UP)
