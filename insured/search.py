"""What "Versicherte" finds: each word of the search must appear in the person's name — umlauts folded however
they are typed ("Müller", "Mueller" and "Muller" find each other, `accounts/spelling.py`; the person keeps its name
folded in `search_name`) — or begin its Versicherungsnummer or its Personalnummer at the unit. "Name, Vorname" as
the list shows it is two words."""

from django.db.models import Q

from accounts.spelling import fold


def words(query: str) -> list[str]:
    return query.replace(",", " ").split()[:5]


def search_employments(employments, query: str):
    """The employments (rows of "Versicherte") whose person matches every word of the search. The persons of a name
    are a subquery, which PostgreSQL answers from the trigram index once, whatever else the word may match."""
    from insured.models import InsuredPerson

    for word in words(query):
        by_name = InsuredPerson.objects.filter(search_name__contains=fold(word)).values("pk")
        match = Q(person__in=by_name)
        if word.isascii() and word.isdigit():
            match |= Q(person__insurance_number__startswith=word) | Q(personnel_number__startswith=word)
        else:
            match |= Q(personnel_number__iexact=word)
        employments = employments.filter(match)
    return employments
