"""The audit log cannot be rewritten (LOG-07): the model refuses, and PostgreSQL's trigger too."""

import pytest
from django.db import DatabaseError, connection, transaction

from audit.actions import Action, describe
from audit.log import record
from audit.models import AuditEntry
from base.append_only import AppendOnlyError

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(gera_clerk, gera_admin):
    return record("clerk.locked", actor=gera_admin, target=gera_clerk, data={"reason": "Elternzeit"})


def test_an_entry_cannot_be_changed_or_deleted_through_the_model(entry):
    entry.action = "login.failed"
    with pytest.raises(AppendOnlyError, match="Protokolleinträge können nicht"):
        entry.save()
    with pytest.raises(AppendOnlyError, match="Protokolleinträge können nicht"):
        entry.delete()
    with pytest.raises(AppendOnlyError, match="Protokolleinträge können nicht"):
        AuditEntry.objects.filter(pk=entry.pk).update(action="login.failed")
    with pytest.raises(AppendOnlyError, match="Protokolleinträge können nicht"):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "clerk.locked"


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL; SQLite relies on the model"
)
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE accounts_auditentry SET action = 'x'",
        "DELETE FROM accounts_auditentry",
        # the test suite's own database flush may truncate; nothing else may
        "SET LOCAL zvk.allow_audit_truncate = 'off'; TRUNCATE accounts_auditentry CASCADE",
    ],
)
def test_postgresql_refuses_update_delete_and_truncate_of_audit_rows(entry, sql):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert AuditEntry.objects.get(pk=entry.pk).action == "clerk.locked"


def test_every_action_has_a_german_sentence_and_unknown_codes_are_refused(entry):
    assert describe(entry) == "Gesperrt (Berechtigung entzogen): Elternzeit"
    assert all(sentence and sentence[0].isupper() or sentence[0] == "„" for sentence in Action.labels)
    with pytest.raises(ValueError):
        record("something.new")
