"""What "Versicherte" finds: each word of the search must appear in the person's name — umlauts folded however
they are typed ("Müller", "Mueller" and "Muller" find each other, `accounts/spelling.py`; the person keeps its name
folded in `search_name`) — or begin its Versicherungsnummer or its Personalnummer at the unit. "Name, Vorname" as
the list shows it is two words."""

from django.db import connection
from django.db.models import F, Lookup, Q

from accounts.spelling import fold


def words(query: str) -> list[str]:
    return query.replace(",", " ").split()[:5]


def search_employments(employments, query: str):
    """The employments (rows of "Versicherte") whose person matches every word of the search. The persons of a name
    are a subquery, which PostgreSQL answers from the trigram index once, whatever else the word may match."""
    from insured.models import InsuredPerson

    for word in words(query):
        by_name = InsuredPerson.objects.filter(search_name__contains=fold(word)).values("pk")
        match = _employed(by_name)
        if word.isascii() and word.isdigit():
            match |= Q(person__insurance_number__startswith=word) | Q(personnel_number__startswith=word)
        else:
            match |= Q(personnel_number__iexact=word)
        employments = employments.filter(match)
    return employments


def _employed(persons) -> Q:
    """The employments of these persons. On PostgreSQL as `person_id = ANY(ARRAY(...))`: the persons are read first,
    and their employments come from the person index, beside the Personalnummer's in one bitmap; `IN (subquery)`
    beside an OR would be a filter over every employment of the clerk's units (docs/performance.md)."""
    if connection.vendor != "postgresql":
        return Q(person__in=persons)
    from django.contrib.postgres.expressions import ArraySubquery

    return Q(_AnyOf(F("person_id"), ArraySubquery(persons.order_by())))


class _AnyOf(Lookup):
    """`column = ANY(array)`, for a condition built here only (not registered as a lookup of any field)."""

    lookup_name = "any_of"

    def as_sql(self, compiler, connection):
        column, column_params = self.process_lhs(compiler, connection)
        array, array_params = compiler.compile(self.rhs)
        return f"{column} = ANY({array})", [*column_params, *array_params]
