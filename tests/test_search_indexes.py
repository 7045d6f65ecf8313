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
