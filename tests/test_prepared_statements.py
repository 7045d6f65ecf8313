"""PostgreSQL keeps the plan of a statement a connection sends often (settings.DB_PREPARE_AFTER); a statement whose
best plan depends on its parameters' values is planned anew each time (base.db.planned_each_time)."""

import pytest
from django.db import connection

from base.db import planned_each_time
from billing_units.models import Member
from tests import factories

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")


def kept(column: str) -> int:
    """How many statements this connection keeps prepared that filter members by `column`."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            [f'%WHERE "billing_units_member"."{column}" = $1%'],
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_a_statement_sent_often_is_kept_planned_and_one_planned_each_time_is_not(settings):
    member = factories.MemberFactory()
    assert settings.DB_PREPARE_AFTER > 0
    with planned_each_time():
        for _ in range(settings.DB_PREPARE_AFTER + 2):
            assert list(Member.objects.filter(number=member.number)) == [member]
    assert kept("number") == 0
    for _ in range(settings.DB_PREPARE_AFTER + 2):
        assert list(Member.objects.filter(name=member.name)) == [member]
    assert kept("name") == 1
    # what the connection kept before stays unused inside the block, and is used again after it
    with planned_each_time():
        assert list(Member.objects.filter(name=member.name)) == [member]
    assert list(Member.objects.filter(name=member.name)) == [member]
