"""What "Verwaltung der Benutzer" lists: the search, the filters and the place the list keeps.

The search takes words; each must appear in the name, the e-mail or a billing unit number of a listed user.
Names match however the umlauts are spelt ("Müller", "Mueller" and "Muller" find each other): both sides
are folded the same way, in Python for the words and in SQL for the columns. "Nachname, Vorname" as the
list shows it is two words. The list's place (search, filters, sort, page) is kept in the session, so that
every "Zurück" to the list returns to it; the last list an administrator opened wins.
"""

from django.db.models import CharField, Exists, F, OuterRef, Q, Value
from django.db.models.functions import Concat, Lower, Replace
from django.urls import reverse
from django.utils.http import urlencode

from accounts.models import Role
from billing_units.models import BillingUnit
from clerks.models import Grant

# Letters folded before lower-casing: SQLite's lower() changes only ASCII letters.
_LETTERS = [("Ä", "a"), ("ä", "a"), ("Ö", "o"), ("ö", "o"), ("Ü", "u"), ("ü", "u"), ("ẞ", "ss"), ("ß", "ss")]
# Then the spelt-out umlauts: "mueller" is "muller" as "müller" is.
_DIGRAPHS = [("ae", "a"), ("oe", "o"), ("ue", "u")]

PLACE = "clerk_list_place"
PLACE_KEYS = ("q", "status", "role", "unit", "sort", "page")


def fold(text: str) -> str:
    """A word as the search compares it: umlauts and their spellings as the plain vowel, lower case."""
    for letter, plain in _LETTERS:
        text = text.replace(letter, plain)
    text = text.lower()
    for digraph, plain in _DIGRAPHS:
        text = text.replace(digraph, plain)
    return text


def folded(expression):
    """`fold` in SQL, the same on SQLite and PostgreSQL."""
    for letter, plain in _LETTERS:
        expression = Replace(expression, Value(letter), Value(plain))
    expression = Lower(expression)
    for digraph, plain in _DIGRAPHS:
        expression = Replace(expression, Value(digraph), Value(plain))
    return expression


def words(query: str) -> list[str]:
    """The words of a search; a comma separates like a space ("Müller, Hans")."""
    return query.replace(",", " ").split()


def search(memberships, query: str, *, by):
    """The memberships whose user matches every word of the search."""
    words_ = words(query)
    if not words_:
        return memberships
    memberships = memberships.alias(
        searched=folded(
            Concat("last_name", Value(" "), "first_name", Value(" "), "user__email", output_field=CharField())
        )
    )
    for word in words_:
        match = Q(searched__contains=fold(word))
        if word.isascii() and word.isdigit():
            match |= Exists(_granted(by).filter(billing_unit__number__contains=word)) | Exists(
                _registered(by).filter(number__contains=word)
            )
        memberships = memberships.filter(match)
    return memberships


def with_unit(memberships, unit_id: int, *, by):
    """The memberships whose user works on the unit: a clerk granted it, an administrator registered for it."""
    return memberships.filter(
        Exists(_granted(by).filter(billing_unit_id=unit_id)) | Exists(_registered(by).filter(pk=unit_id))
    )


def _granted(by):
    return Grant.objects.visible_to(by).filter(clerk_id=OuterRef("user_id"), clerk__role=Role.CLERK)


def _registered(by):
    return BillingUnit.objects.of_members_visible_to(by).filter(administrators=OuterRef("user_id"))


def last_login_order(descending: bool, field: str):
    """Who logged in last first (never: at the end), or who has not logged in longest first (never: first)."""
    return F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_first=True)


def remember(request) -> None:
    """Keep the list's search, filters, sort and page for the next "Zurück"."""
    place = [[key, request.GET[key][:100]] for key in PLACE_KEYS if request.GET.get(key)]
    if request.session.get(PLACE, []) != place:
        request.session[PLACE] = place


def list_url(request) -> str:
    """The list where the administrator left it."""
    place = request.session.get(PLACE) if request is not None else None
    url = reverse("clerks:list")
    return f"{url}?{urlencode(place)}" if place else url
