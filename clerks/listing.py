"""What "Verwaltung der Benutzer" lists: the search, the filters and the place the list keeps.

The search takes words; each must appear in the name, the e-mail, or a billing unit's number or name of a listed user
(only the units the list shows beside the user: another member's unit finds nobody).
Names match however the umlauts are spelt ("Müller", "Mueller" and "Muller" find each other): both sides
are folded the same way (`accounts/spelling.py`), in Python for the words and in SQL for the columns. "Nachname, Vorname" as the
list shows it is two words. The list's place (search, filters, sort, page) is kept in the browser, so that
every "Zurück" to the list returns to it; the last list an administrator opened there wins.
"""

from django.conf import settings
from django.db.models import CharField, Exists, F, OuterRef, Q, Value
from django.db.models.functions import Concat
from django.http import QueryDict
from django.urls import reverse
from django.utils.http import urlencode

from accounts.models import Membership, Role, User
from accounts.spelling import fold, folded
from billing_units.models import BillingUnit
from clerks import attention
from clerks.models import Grant

ATTENTION = "handlungsbedarf"  # the status filter "Handlungsbedarf"
PLACE = "benutzerliste"  # the cookie
PLACE_KEYS = ("q", "status", "role", "unit", "sort", "page")


def words(query: str) -> list[str]:
    """The words of a search; a comma separates like a space ("Müller, Hans")."""
    return query.replace(",", " ").split()


def matching(filters: dict, *, by):
    """The memberships of the administrator's members that the list's valid filters leave: search, Benutzerstatus
    (or "Handlungsbedarf"), Benutzerrolle, Abrechnungsstelle."""
    memberships = search(Membership.objects.visible_to(by), filters.get("q") or "", by=by)
    if filters.get("status") == ATTENTION:
        memberships = memberships.filter(user_id__in=attention.person_ids(by=by))
    elif filters.get("status"):
        memberships = memberships.filter(user__status=filters["status"])
    if filters.get("role"):
        memberships = memberships.filter(role=filters["role"])
    if filters.get("unit"):
        memberships = with_unit(memberships, filters["unit"], by=by)
    return memberships


def search(memberships, query: str, *, by):
    """The memberships whose user matches every word of the search: in its name (the membership's copy, folded),
    its e-mail address, or a billing unit the list shows beside it (its number for a number, else its name)."""
    words_ = words(query)
    if not words_:
        return memberships
    memberships = memberships.alias(
        searched=folded(Concat("last_name", Value(" "), "first_name", output_field=CharField()))
    )
    for word in words_:
        # The addresses through their trigram index on PostgreSQL; the outer query keeps the scope.
        by_email = User.objects.filter(email__icontains=word).values("pk")
        match = Q(searched__contains=fold(word)) | Q(user_id__in=by_email)
        # A billing unit's number for a number, else its name ("Kita", "Bäder", folded like the person's); only units
        # the list shows. The units found are one subquery of the member's few hundred, asked once, not per person.
        units = BillingUnit.objects.of_members_visible_to(by)
        if word.isascii() and word.isdigit():
            units = units.filter(number__contains=word)
        else:
            units = units.alias(unit_name=folded(F("name"))).filter(unit_name__contains=fold(word))
        named = units.values("pk")
        match |= Exists(_granted(by).filter(billing_unit_id__in=named)) | Exists(_registered(by).filter(pk__in=named))
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


def _salt(request) -> str:
    return f"clerks.listing.place.{request.user.pk}"


def _kept(request) -> str:
    """The place kept in this browser for this administrator, re-encoded from the list's own parameters only: a
    cookie is read like any other input."""
    query = QueryDict(request.get_signed_cookie(PLACE, default="", salt=_salt(request)))
    return urlencode([(key, query[key][:100]) for key in PLACE_KEYS if query.get(key)])


def remember(request, response) -> None:
    """Keep the list's search, filters, sort and page for the next "Zurück": in a cookie signed for this
    administrator (another's login in the same browser does not take it up; signed, not encrypted, it holds only
    the search words and filters the administrator typed), gone when the browser closes. A cookie
    rather than the session, so that paging writes nothing to the database."""
    place = urlencode([(key, request.GET[key][:100]) for key in PLACE_KEYS if request.GET.get(key)])
    if place != _kept(request):
        response.set_signed_cookie(
            PLACE,
            place,
            salt=_salt(request),
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )


def list_url(request) -> str:
    """The list where the administrator left it."""
    url = reverse("clerks:list")
    if request is None or not request.user.is_authenticated:
        return url
    place = _kept(request)
    return f"{url}?{place}" if place else url
