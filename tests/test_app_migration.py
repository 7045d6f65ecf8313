"""Moving the audit log, the throttle counters and the registrations into their own apps keeps every row: the
database is taken back to the schema before the move, filled with data through the historical models, and
migrated forward again; the rows are then read through the new apps' models."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from audit.models import AuditEntry
from registration.models import AdministratorApplication
from security.models import ThrottleWindow

BEFORE_THE_MOVE = [
    ("accounts", "0008_audit_no_truncate"),
    ("audit", None),
    ("security", None),
    ("registration", None),
]


def migrate(targets):
    """Migrate to the targets; return the historical models as of the first one."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets[0]).apps


@pytest.mark.django_db(transaction=True)
def test_the_move_of_models_between_apps_loses_nothing():
    old = migrate(BEFORE_THE_MOVE)
    member = old.get_model("billing_units", "Member").objects.create(number="009090", name="Stadt Probe")
    unit = old.get_model("billing_units", "BillingUnit").objects.create(member=member, number="009091", name="Amt")
    user = old.get_model("accounts", "User").objects.create(
        email="admin@probe.example", role="administrator", first_name="A", last_name="B", status="active"
    )
    old.get_model("accounts", "AuditEntry").objects.create(
        action="clerk.locked", actor=user, actor_label=user.email, target=user, member=member, data={"reason": "x"}
    )
    old.get_model("accounts", "ThrottleWindow").objects.create(
        scope="login", client="127.0.0.1", started_at=timezone.now(), attempts=3
    )
    application = old.get_model("accounts", "AdministratorApplication").objects.create(
        first_name="Neue", last_name="Admin", email="neu@probe.example", phone="0365 1", member=member
    )
    application.billing_units.add(unit)

    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    entry = AuditEntry.objects.get()
    assert (entry.action, entry.target.email, entry.member.number, entry.data) == (
        "clerk.locked",
        "admin@probe.example",
        "009090",
        {"reason": "x"},
    )
    assert ThrottleWindow.objects.get().attempts == 3
    moved = AdministratorApplication.objects.get()
    assert moved.email == "neu@probe.example" and [u.number for u in moved.billing_units.all()] == ["009091"]
