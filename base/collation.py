"""The German order of people's names (DIN 5007-1), the same on PostgreSQL and SQLite.

A name is ordered where a German reader looks for it: by its surname without the particles and titles that precede
it ("Freiin von Stein" under S, "de Vries" under V, as "Stein, Charlotte Freiin von"), umlauts as their plain
vowel ("Böhm" before "Braun", "Öztürk" among the O), ß as ss, and numbers by their value ("Benutzer #9" before
"Benutzer #10"). `name_key` writes that order into one column (surname, first name, particles, apart by tabs, which
sort before every letter and punctuation mark); the column's collation `NAME` compares it: on PostgreSQL the ICU
collation of migration accounts 0011 (German, numbers by value), on SQLite `compare` below, registered on every
connection by the project's SQLite backend (base/sqlite). An index on the column serves the order on both.
"""

import functools
import unicodedata

NAME = "de_din5007"
ICU_LOCALE = "de-u-kn-true"  # German (DIN 5007-1: ä = a at the first level), digits compared as numbers

# Words that stand before a surname and are passed over in its order, in any sequence ("Freiherr von und zu").
PARTICLES = {"von", "vom", "zu", "zum", "zur", "und", "der", "den", "dem", "des", "van", "ten", "ter", "de", "du"}
# Titles of nobility are part of a German surname since 1919 and are passed over too.
PARTICLES |= {"freiherr", "freifrau", "freiin", "graf", "gräfin", "prinz", "prinzessin", "fürst", "fürstin"}
PARTICLES |= {"herzog", "herzogin", "baron", "baronin", "ritter", "edler", "edle"}


def name_key(last_name: str, first_name: str) -> str:
    """The key of a person's place in a list: "Freiin von Stein", "Charlotte" → "Stein\\tCharlotte\\tFreiin von"."""
    words = last_name.split()
    particles = 0
    while particles < len(words) - 1 and words[particles].casefold() in PARTICLES:
        particles += 1
    surname = " ".join(words[particles:])
    return "\t".join([surname, first_name.strip(), " ".join(words[:particles])]).rstrip("\t")


# Letters that Unicode does not decompose but ICU sorts as a plain letter with a mark (Łukasz under L, Ørsted under O).
_STROKED = {"ø": "o\u0338", "ł": "l\u0338", "đ": "d\u0335", "ħ": "h\u0335", "æ": "ae\u0306", "œ": "oe\u0306"}

# ICU's order of the punctuation that occurs in names; every other mark after them, by code point.
_PUNCTUATION = "\t _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$"


def _weights(char: str) -> tuple[int, int]:
    if char.isspace():
        return (0, _PUNCTUATION.find(char) if char in _PUNCTUATION else 1)
    if char in _PUNCTUATION:
        return (1, _PUNCTUATION.index(char))
    if not char.isalnum():
        return (1, len(_PUNCTUATION) + ord(char))
    return (3, ord(char))


@functools.lru_cache(maxsize=8192)
def sort_key(text: str) -> tuple:
    """What ICU's German collation compares, level by level: the letters without accents and case (a run of digits
    as its number), then the accents, then the case (lower before upper)."""
    primary, accents, case = [], [], []
    digits = ""
    decomposed = unicodedata.normalize("NFD", text)
    for stroked, plain in _STROKED.items():
        decomposed = decomposed.replace(stroked, plain).replace(stroked.upper(), plain[0].upper() + plain[1:])
    for char in decomposed + "\0":
        if char.isdigit() and char.isascii():
            digits += char
            continue
        if digits:
            primary.append((2, int(digits)))
            digits = ""
        if char == "\0":
            break
        if unicodedata.combining(char):
            accents[-1:] = [accents[-1] + (ord(char),)] if accents else [(ord(char),)]
            continue
        for folded in char.casefold():  # ß → ss
            primary.append(_weights(folded))
            accents.append(())
        case.append(0 if char == char.casefold() else 1 if char == char.lower() else 2)  # a, ß, A
    return tuple(primary), tuple(accents), tuple(case)


def compare(a: str, b: str) -> int:
    """The collation `NAME` on SQLite: negative, zero or positive as `a` sorts before, with or after `b`."""
    key_a, key_b = sort_key(a), sort_key(b)
    return (key_a > key_b) - (key_a < key_b)
