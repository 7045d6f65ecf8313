"""Fail closed (STYLE.md): every query a portal view makes of users, memberships, grants, locks, billing units or
audit entries starts from `visible_to(request.user)`. The test reads the views' source, so a new unscoped query
fails here by file and line before it can leak anything; the scope matrix then checks the answers."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VIEW_MODULES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "clerks" / "views").glob("*.py")) + [
    "accounts/views.py"
]
SCOPED_MODELS = {"User", "Membership", "Grant", "MemberLock", "SuspendedGrant", "BillingUnit", "Member", "AuditEntry"}
# A queryset method that starts a scoped query (billing units of the administrator's members, for display; a clerk's
# own administrators).
SCOPES = {"visible_to", "of_members_visible_to", "contacts_visible_to"}


def unscoped_queries(source: str) -> list[str]:
    """`Model.objects.<method>` where the method is not a scope (`Model.objects` alone passed on is fine)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Attribute) or not isinstance(node.value, ast.Attribute):
            continue
        manager = node.value
        if (
            manager.attr == "objects"
            and isinstance(manager.value, ast.Name)
            and manager.value.id in SCOPED_MODELS
            and node.attr not in SCOPES
        ):
            found.append(f"line {node.lineno}: {manager.value.id}.objects.{node.attr}")
        if manager.attr == "through":
            found.append(f"line {node.lineno}: a many-to-many table queried directly")
    return found


@pytest.mark.parametrize("module", VIEW_MODULES)
def test_every_view_query_starts_from_what_the_user_may_see(module):
    assert unscoped_queries((ROOT / module).read_text()) == []


def test_the_check_sees_an_unscoped_query():
    assert unscoped_queries("clerk = User.objects.get(pk=pk)\ngrants = Grant.objects.visible_to(u)") == [
        "line 1: User.objects.get"
    ]


@pytest.mark.django_db(transaction=True)
def test_a_helper_of_a_service_refuses_to_run_outside_its_callers_transaction(gera_clerk):
    """(Every other test runs inside a transaction of its own, so the guard is tested here, without one.)"""
    from clerks import services

    with pytest.raises(RuntimeError, match="inside its caller's transaction"):
        services._lock_if_no_member_left(gera_clerk, None)
