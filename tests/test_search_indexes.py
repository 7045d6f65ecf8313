"""On PostgreSQL a search by name or e-mail across all users (fund staff's user search in the Django admin, the
Änderungsprotokoll's "Benutzer" filter) can use the trigram indexes of migration accounts 0006. The list
"Verwaltung der Benutzer" searches only the members' own users, spelt-out umlauts folded (clerks/listing.py).

The indexes only help while their expressions are exactly what Django writes for `icontains`; this test
fails when either side changes. (With a handful of test rows PostgreSQL would rather read the table, so
the table and whole-index scans are switched off for the EXPLAIN.)"""

import pytest
from django.db import connection, transaction
from django.db.models import Q

from accounts.models import User

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes exist on PostgreSQL only"),
]


def test_the_search_of_the_list_uses_the_trigram_indexes():
    word = "müller"
    search = User.objects.filter(
        Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word)
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")  # else a full walk of the name index
        plan = search.order_by().explain()
    for column in ("first_name", "last_name", "email"):
        assert f"user_{column}_trgm_idx" in plan, plan


def test_a_search_of_versicherte_reads_the_persons_found_and_the_personalnummer_through_their_indexes():
    """The persons whose name matches are read first; their employments and those whose Personalnummer is the word
    come from two indexes in one bitmap, not from a walk over every employment of the clerk's units."""
    from billing_units.models import BillingUnit
    from insured.models import Employment
    from insured.search import search_employments

    rows = search_employments(Employment.objects.filter(billing_unit__in=BillingUnit.objects.all()), "Müller")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")  # else a walk of the list's index
        plan = rows.order_by().explain()
    assert "BitmapOr" in plan, plan
    assert "insured_employment_person_id" in plan and "employment_personnel_upper_idx" in plan, plan
