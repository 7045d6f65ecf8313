"""How a German name is compared however its umlauts are typed: "Müller", "Mueller" and "Muller" are one.

`fold` gives the form both sides of a comparison are brought to (umlauts and their spelt-out forms as the
plain vowel, ß as ss, lower case); `folded` is the same in SQL, on SQLite and PostgreSQL alike. The list's
search and the password rule against the own name use it.
"""

from django.db.models import Value
from django.db.models.functions import Lower, Replace

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


def folded(expression):
    """`fold` of a column or expression, in SQL."""
    for letter, plain in _LETTERS:
        expression = Replace(expression, Value(letter), Value(plain))
    expression = Lower(expression)
    for digraph, plain in _DIGRAPHS:
        expression = Replace(expression, Value(digraph), Value(plain))
    return expression
