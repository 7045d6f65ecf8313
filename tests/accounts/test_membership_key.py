"""A membership carries a copy of its user's role and name, the key of "Verwaltung der Benutzer".

The list counts and pages on that copy, so it must never differ from the user: a new membership takes it from the
user, the three services that change a name (personal data, approval of a re-registration, pseudonymisation) carry
it over explicitly and nothing else writes a user's name or role, only administrators and clerks can be members,
and on PostgreSQL a foreign key refuses a differing copy and carries a change of name over by itself."""

import ast
from pathlib import Path

import pytest
from django.db import IntegrityError, connection, transaction

from accounts.models import Membership, Role, User
from clerks import services
from clerks.forms import SORTS
from registration.services import approve_application
from retention.services import pseudonymise
from tests import factories

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the foreign key is PostgreSQL's")


def copy_of(user):
    return list(Membership.objects.filter(user=user).values_list("role", "last_name", "first_name"))


def test_a_new_membership_takes_role_and_name_from_its_user(gera_units, jena_units):
    clerk = factories.ClerkFactory(first_name="Jörg", last_name="Weiß", units=gera_units[:1])
    assert copy_of(clerk) == [(Role.CLERK, "Weiß", "Jörg")]
    Membership.objects.bulk_create([Membership.of(clerk, member=jena_units[0].member)])
    assert copy_of(clerk) == [(Role.CLERK, "Weiß", "Jörg")] * 2


def test_a_new_name_from_the_detailansicht_changes_every_copy(gera_units, jena_units, both_admin):
    clerk = factories.ClerkFactory(first_name="Jörg", last_name="Weiß", units=[gera_units[0], jena_units[0]])
    services.update_personal_data(
        clerk=clerk, by=both_admin, first_name="Jürgen", last_name="Schwarz", phone=clerk.phone, email=clerk.email
    )
    assert copy_of(clerk) == [(Role.CLERK, "Schwarz", "Jürgen")] * 2


def test_a_re_registration_under_a_new_name_changes_the_copy(gera_admin, staff, gera):
    application = factories.ApplicationFactory(
        member=gera, email=gera_admin.email, first_name="Maria", last_name="Keller-Brandt"
    )
    approve_application(application=application, by=staff)
    assert copy_of(gera_admin) == [(Role.ADMINISTRATOR, "Keller-Brandt", "Maria")]


def test_pseudonymisation_changes_every_copy(gera_units, jena_units):
    clerk = factories.ClerkFactory(last_name="Weiß", units=[gera_units[0], jena_units[0]])
    pseudonymise(clerk)
    assert copy_of(clerk) == [(Role.CLERK, f"Benutzer #{clerk.pk}", "Gelöschter")] * 2


# The functions that may write a user's name or role: each carries the memberships' copy over itself.
NAME_WRITERS = {
    ("clerks/services.py", "update_personal_data"),
    ("registration/services.py", "approve_application"),
    ("retention/services.py", "pseudonymise"),
    ("accounts/models.py", "Membership.save"),  # the copy itself, taken from the user
}
ROOT = Path(__file__).resolve().parents[2]


COPIED = ("first_name", "last_name", "role", "name_key")


def _bulk_write_of_the_copy(call: ast.Call) -> bool:
    """A queryset's `update(last_name=…)` or `bulk_update(objs, ["last_name"])`: it passes save() and its services."""
    if not isinstance(call.func, ast.Attribute) or call.func.attr not in ("update", "bulk_update"):
        return False
    receiver = ast.unparse(call.func.value)
    if not any(word in receiver for word in ("objects", "filter(", "exclude(", "all(")):
        return False  # a dict's update()
    fields = {keyword.arg for keyword in call.keywords}
    fields |= {node.value for arg in call.args[1:] for node in ast.walk(arg) if isinstance(node, ast.Constant)}
    return bool(fields & set(COPIED))


def name_writers(source: str) -> set[str]:
    """The functions that assign `.first_name`, `.last_name` or `.role`, call setattr on a user, or write the name
    or role of many rows at once (`update`, `bulk_update`)."""
    found = set()

    def visit(node, where):
        for child in ast.iter_child_nodes(node):
            inner = where
            if isinstance(child, ast.FunctionDef | ast.ClassDef):
                inner = f"{where}.{child.name}" if where else child.name
            targets = []
            if isinstance(child, ast.Assign):
                targets = [t for target in child.targets for t in ast.walk(target)]
            if any(isinstance(t, ast.Attribute) and t.attr in ("first_name", "last_name", "role") for t in targets):
                found.add(where)
            if (
                isinstance(child, ast.Call)
                and isinstance(child.func, ast.Name)
                and child.func.id == "setattr"
                and isinstance(child.args[0], ast.Name)
                and child.args[0].id in ("user", "clerk", "administrator")
            ):
                found.add(where)
            if isinstance(child, ast.Call) and _bulk_write_of_the_copy(child):
                found.add(where)
            visit(child, inner)

    visit(ast.parse(source), "")
    return found


def test_no_other_code_writes_a_users_name_or_role():
    writers = set()
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if parts[0] in (".venv", "tests", "scripts") or "migrations" in parts or parts[0] == "demo":
            continue
        writers |= {(str(path.relative_to(ROOT)), function) for function in name_writers(path.read_text())}
    assert writers == NAME_WRITERS
    for module, _function in NAME_WRITERS - {("accounts/models.py", "Membership.save")}:
        assert "Membership.objects.follow(" in (ROOT / module).read_text(), module


def test_the_check_sees_a_name_written_elsewhere():
    assert name_writers("def rename(user):\n    user.last_name = 'Neu'\n    user.save()\n") == {"rename"}
    planted = (
        "def rename_all(ids):\n    User.objects.filter(pk__in=ids).update(last_name='Neu')\n"
        "def promote(users):\n    User.objects.bulk_update(users, ['role'])\n"
        "def fix_copy(user):\n    Membership.objects.filter(user=user).update(first_name=user.first_name)\n"
        "def settings(fields):\n    fields.update(role='staff')\n"
    )
    assert name_writers(planted) == {"rename_all", "promote", "fix_copy"}


def test_fund_staff_cannot_be_members(gera_units):
    staff = factories.StaffFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=staff, member=gera_units[0].member)


@postgresql_only
def test_postgresql_refuses_a_copy_that_differs_from_the_user(gera_units):
    clerk = factories.ClerkFactory(last_name="Weiß")
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.bulk_create([Membership(user=clerk, member=gera_units[0].member, role=Role.CLERK)])
        connection.check_constraints()  # the key is deferred to the commit, as Django's own are


@postgresql_only
def test_postgresql_carries_a_name_changed_behind_the_models_back(gera_units):
    clerk = factories.ClerkFactory(last_name="Weiß", units=gera_units[:1])
    User.objects.filter(pk=clerk.pk).update(last_name="Schwarz")
    assert copy_of(clerk)[0][1] == "Schwarz"


@postgresql_only
def test_postgresql_finds_a_page_of_the_list_in_the_membership_index(gera_admin, gera_units):
    keys = Membership.objects.visible_to(gera_admin).order_by(*SORTS["name"]["key"]).values("user_id")[:50]
    with transaction.atomic(), connection.cursor() as cursor:
        # A handful of test rows would rather be read whole, or sorted after the member's index: with both priced
        # out, a plan without a Sort exists only if the index serves the list's order (its collation included).
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        plan = keys.explain()
    assert "membership_list_idx" in plan and "Sort" not in plan, plan
