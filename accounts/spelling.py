"""How a German name is compared however its umlauts are typed: "Müller", "Mueller" and "Muller" are one.

`fold` gives the form both sides of a comparison are brought to (umlauts and their spelt-out forms as the
plain vowel, ß as ss, lower case); `folded` is the same in SQL, on SQLite and PostgreSQL alike. The list's
search and the password rule against the own name use it.
"""

from django.db.models import CharField, Func

# Letters folded before lower-casing: SQLite's lower() changes only ASCII letters.
_LETTERS = [("Ä", "a"), ("ä", "a"), ("Ö", "o"), ("ö", "o"), ("Ü", "u"), ("ü", "u"), ("ẞ", "ss"), ("ß", "ss")]
# Then the spelt-out umlauts: "mueller" is "muller" as "müller" is.
_DIGRAPHS = [("ae", "a"), ("oe", "o"), ("ue", "u")]


def fold(text: str) -> str:
    for letter, plain in _LETTERS:
        text = text.replace(letter, plain)
    text = text.lower()
    for digraph, plain in _DIGRAPHS:
        text = text.replace(digraph, plain)
    return text


def _sql_template() -> str:
    sql = "%(expressions)s"
    for letter, plain in _LETTERS:
        sql = f"REPLACE({sql}, '{letter}', '{plain}')"
    sql = f"LOWER({sql})"
    for digraph, plain in _DIGRAPHS:
        sql = f"REPLACE({sql}, '{digraph}', '{plain}')"
    return sql


class folded(Func):  # noqa: N801 - used like a function: folded(F("last_name"))
    """`fold` of a column or expression, in SQL (the same functions on SQLite and PostgreSQL). One expression rather
    than eleven nested ones: a search's querysets are cloned and compiled several times per page, and Django copies
    every nested expression each time."""

    template = _sql_template()
    output_field = CharField()
