"""What "Versicherte" finds: each word of the search must appear in the person's name — umlauts folded however
they are typed ("Müller", "Mueller" and "Muller" find each other, `accounts/spelling.py`) — or begin its
Versicherungsnummer or its Personalnummer at the unit. "Name, Vorname" as the list shows it is two words."""

from django.db.models import CharField, Q, Value
from django.db.models.functions import Concat

from accounts.spelling import fold, folded


def searched_name():
    """The folded "Name Vorname" of an InsuredPerson, in SQL; migration insured 0003 indexes exactly this."""
    return folded(Concat("last_name", Value(" "), "first_name", output_field=CharField()))


def words(query: str) -> list[str]:
    return query.replace(",", " ").split()[:5]


def search_employments(employments, query: str):
    """The employments (rows of "Versicherte") whose person matches every word of the search."""
    from insured.models import InsuredPerson

    for word in words(query):
        by_name = InsuredPerson.objects.alias(searched=searched_name()).filter(searched__contains=fold(word))
        match = Q(person__in=by_name.values("pk"))
        if word.isascii() and word.isdigit():
            match |= Q(person__insurance_number__startswith=word) | Q(personnel_number__startswith=word)
        else:
            match |= Q(personnel_number__iexact=word)
        employments = employments.filter(match)
    return employments
