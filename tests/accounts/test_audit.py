"""The audit log cannot be rewritten (LOG-07): the model refuses, and PostgreSQL's trigger too."""

import pytest
from django.db import DatabaseError, connection, transaction

from accounts.models import User
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


def test_the_history_of_a_user_is_the_entries_visible_to_about_it(
    gera_admin, jena_admin, gera_clerk, jena_clerk, shared_clerk, both_admin, gera_units
):
    """`history_visible_to`, for a user the page has loaded through visible_to, reads the same entries as
    visible_to filtered by that user, newest first, for every pair of administrator and user; an administrator
    reads no entry of no member about a user it does not see."""
    for target in (gera_clerk, jena_clerk, shared_clerk, gera_admin, both_admin):
        record("login.succeeded", actor=target, target=target)  # no member: seen only through the target
        record("clerk.locked", actor=both_admin, target=target, member_id=gera_units[0].member_id)
    for viewer in (gera_admin, jena_admin, both_admin):
        for target in (gera_clerk, jena_clerk, shared_clerk, gera_admin, both_admin):
            if User.objects.visible_to(viewer).filter(pk=target.pk).exists():  # as the Detailansicht loads it
                filtered = AuditEntry.objects.visible_to(viewer).filter(target=target).order_by("-created_at", "-pk")
                shown = [(entry.created_at, entry.action, entry.member_id) for entry in filtered]
                rows = AuditEntry.objects.history_visible_to(viewer, target)
                assert [(row.created_at, row.action, row.member_id) for row in rows] == shown and shown
    assert not AuditEntry.objects.visible_to(jena_admin).filter(target=gera_clerk).exists()
    assert not AuditEntry.objects.visible_to(gera_admin).filter(target=jena_clerk, action="login.succeeded").exists()
    assert AuditEntry.objects.visible_to(gera_admin).filter(target=gera_clerk, action="login.succeeded").count() == 1


def test_the_history_reads_as_the_entries_it_shows(gera_clerk, gera_admin, gera):
    """The Änderungsprotokoll of a Detailansicht reads plain rows (`history_visible_to`): the same sentences and
    details as the entries, newest first, no more than asked for, of one action where asked."""
    record("clerk.created", actor=gera_admin, target=gera_clerk, member=gera, data={"added": ["002022 Schulen"]})
    record(
        "user.personal_data_changed",
        actor=gera_admin,
        target=gera_clerk,
        member=gera,
        data={"changes": {"phone": ["0365 1", "0365 2"]}},
    )
    record("clerk.locked", actor=gera_admin, target=gera_clerk, member=gera, data={"reason": "Elternzeit"})
    entries = list(AuditEntry.objects.filter(target=gera_clerk).order_by("-created_at", "-pk")[:2])
    rows = AuditEntry.objects.history_visible_to(gera_admin, gera_clerk, limit=2)
    assert [row.description for row in rows] == [entry.description for entry in entries]
    assert [row.details for row in rows] == [entry.details for entry in entries]
    assert [row.description for row in rows] == ["Gesperrt (Berechtigung entzogen): Elternzeit", entries[1].description]
    assert rows[1].details == "Telefonnummer: 0365 1 → 0365 2"
    assert [(row.created_at, row.actor_label) for row in rows] == [(e.created_at, e.actor_label) for e in entries]
    created = AuditEntry.objects.history_visible_to(gera_admin, gera_clerk, action="clerk.created")
    assert [row.details for row in created] == ["hinzugefügt: 002022 Schulen"]
    assert AuditEntry.objects.history_visible_to(gera_clerk, gera_clerk) == []  # administrators only
