"""Fail closed (STYLE.md): every query that a page makes of users, memberships, grants, locks, billing units, members,
reviews, audit entries or insured persons' data (Versicherte, employments, Abschnitte, Meldungen, the access log)
starts from `visible_to(request.user)`.

The test reads the source of every module a view can reach — the views themselves and every helper they import,
transitively (`clerks/listing.py`, `attention.py`, `overview.py`, `protocol.py`, `review.py`, `authority.py` …) — so
a new unscoped query fails here by file, function and line before it can leak anything; the scope matrix then checks
the answers. Left out are the places that define the scope (`models.py`) and the writing layer (`services.py`,
`audit/log.py`), whose functions take objects a view has loaded through `visible_to` and read them again by primary
key under a row lock. The few read helpers that must look beyond the scope, to decide about it, are listed in
UNSCOPED with the reason."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ["base", "exports", "audit", "security", "outbox", "billing_units", "accounts", "factors", "insured", "clerks"]
APPS += ["registration", "retention", "demo", "zvk_portal"]
SCOPED_MODELS = {"User", "Membership", "Grant", "MemberLock", "SuspendedGrant", "BillingUnit", "Member", "AuditEntry"}
SCOPED_MODELS |= {"AccessReview", "Confirmation"}
# the clerk's workspace: insured persons' data, scoped by the clerk's active grants
SCOPED_MODELS |= {"InsuredPerson", "Employment", "Section", "Report", "ReportSection", "AccessLogEntry"}
# Queryset methods that start a scoped query (billing units of the administrator's members, for display; a clerk's
# own administrators).
SCOPES = {"visible_to", "of_members_visible_to", "contacts_visible_to"}
WRITING_LAYER = {"models.py", "services.py", "log.py"}
# (module, function): why it reads beyond the scope of the person asking.
UNSCOPED = {
    ("clerks/authority.py", "reach_unit_ids"): "a clerk's whole reach, also outside the registration, decides whether "
    "the administrator may handle its credentials (DESIGN §8); it is compared, never shown",
    ("clerks/authority.py", "may_handle_credentials"): "the same reach, the registration and whether the clerk shares "
    "a member with the administrator (as visible_to asks it), compared, never shown",
    ("clerks/authority.py", "credential_holders"): "the administrators of the clerk's own members who may act for it, "
    "named to the administrator who may not (DESIGN §8)",
    (
        "clerks/authority.py",
        "lock_blocked_member_ids",
    ): "the clerk's grants outside the registration, counted per member",
    ("clerks/authority.py", "_registered_for_all"): "which of the candidates named above are registered for every unit",
    ("clerks/authority.py", "lift_holders"): "the administrators of the lock's member who may lift it, named",
    ("clerks/authority.py", "open_locks_seen"): "the suspended grants of locks the administrator already sees, "
    "each marked whether it lies in the administrator's registration",
    ("clerks/attention.py", "_concerned"): "whether a listed clerk holds any grant at all ('ohne Abrechnungsstelle')",
    ("clerks/attention.py", "occurrence"): "whether a clerk loaded through visible_to still is the case an "
    "administrator marks: its grants at all, its refusal window",
    ("clerks/attention.py", "mark"): "a service: the clerk was loaded through visible_to, and is locked afresh",
    ("clerks/listing.py", "search"): "addresses matched through their index; the outer query keeps the scope",
    ("clerks/lock_collisions.py", "already_locked"): "the open locks of the administrator's own members",
    ("clerks/overview.py", "rows"): "the last confirmation of each grant's clerk, a subquery of the scoped grants",
    ("clerks/review.py", "people"): "whose access a member's review covers: run by cron, and for a review loaded "
    "through visible_to",
    ("clerks/review.py", "administrators_of"): "whom the reminder of a member's review goes to (cron)",
    ("clerks/review.py", "overdue"): "the reviews past their date (cron)",
    ("clerks/review.py", "run"): "the yearly start of every member's review (cron)",
    ("clerks/review.py", "last_confirmation"): "of a clerk loaded through visible_to",
    ("clerks/review.py", "listed"): "the confirmation of each person listed through visible_to, in a review loaded "
    "through visible_to",
    ("accounts/letters.py", "occasion"): "why a user's one-time password was issued, for the slip of a clerk loaded "
    "through visible_to and for fund staff's letter",
    ("clerks/review.py", "confirm"): "a service: the review and the people were loaded through visible_to",
    ("factors/views.py", "_ended"): "the logged-in user's own row, read afresh",
    ("insured/search.py", "search_employments"): "the persons whose folded name matches, through the trigram index; "
    "the outer query of the clerk's employments keeps the scope",
    ("insured/access_log.py", "forget_before"): "the deletion rule of the access log (cron, retention)",
    ("insured/rules.py", "employment_of"): "the rules of a Meldung: called by the services for a person and unit "
    "loaded through visible_to, compared, never shown",
    ("insured/rules.py", "check_report"): "the open Meldungen of the person (no second open Jahresmeldung), any unit's",
    ("insured/rules.py", "_check_annual"): "the person's whole Verlauf of the year: an Abschnitt of another unit "
    "overlaps too",
    ("insured/rules.py", "_check_registration"): "whether the Personalnummer is taken at the unit",
    ("registration/forms.py", "RegistrationForm.clean"): "the public registration checks that the member and unit "
    "numbers typed exist (fund staff see the application)",
}


def _module_file(name: str) -> Path | None:
    path = ROOT / (name.replace(".", "/") + ".py")
    if path.exists():
        return path
    package = ROOT / name.replace(".", "/") / "__init__.py"
    return package if package.exists() else None


def _imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return {name for name in found if name.split(".")[0] in APPS}


def reachable_from_views() -> list[Path]:
    """Every module of the project that a view imports, directly or through others."""
    todo = [*ROOT.glob("*/views.py"), *ROOT.glob("*/views/*.py")]
    seen = set()
    while todo:
        path = todo.pop()
        if path in seen or "migrations" in path.parts:
            continue
        seen.add(path)
        todo += [found for name in _imported_modules(path) if (found := _module_file(name)) is not None]
    return sorted(seen)


def unscoped_queries(source: str) -> list[tuple[str, int, str]]:
    """(function, line, `Model.objects.<method>`) where the method is not a scope (`Model.objects` alone passed on is
    fine); a query of a many-to-many table directly counts as unscoped."""
    found = []

    def visit(node, where):
        for child in ast.iter_child_nodes(node):
            inner = f"{where}.{child.name}" if where and isinstance(child, ast.FunctionDef | ast.ClassDef) else where
            if not where and isinstance(child, ast.FunctionDef | ast.ClassDef):
                inner = child.name
            if isinstance(child, ast.Attribute) and isinstance(child.value, ast.Attribute):
                manager = child.value
                if (
                    manager.attr == "objects"
                    and isinstance(manager.value, ast.Name)
                    and manager.value.id in SCOPED_MODELS
                    and child.attr not in SCOPES
                ):
                    found.append((where, child.lineno, f"{manager.value.id}.objects.{child.attr}"))
                if manager.attr == "through":
                    found.append((where, child.lineno, "a many-to-many table queried directly"))
            visit(child, inner)

    visit(ast.parse(source), "")
    return found


def checked_modules() -> list[Path]:
    return [path for path in reachable_from_views() if path.name not in WRITING_LAYER]


@pytest.mark.parametrize("path", checked_modules(), ids=lambda path: str(path.relative_to(ROOT)))
def test_every_query_a_page_makes_starts_from_what_the_user_may_see(path):
    module = str(path.relative_to(ROOT))
    unlisted = [
        f"{function or 'module level'}, line {line}: {query}"
        for function, line, query in unscoped_queries(path.read_text())
        if (module, function.split(".<")[0]) not in UNSCOPED
    ]
    assert unlisted == [], f"{module}: a query that does not start from visible_to"


def test_the_check_reads_the_helpers_the_views_import():
    checked = {str(path.relative_to(ROOT)) for path in checked_modules()}
    helpers = {"clerks/listing.py", "clerks/attention.py", "clerks/overview.py", "clerks/protocol.py"}
    helpers |= {"clerks/review.py", "clerks/authority.py", "clerks/lock_collisions.py", "clerks/views/people.py"}
    assert helpers <= checked
    assert "clerks/services.py" not in checked


def test_every_listed_exception_is_still_there():
    present = {
        (str(path.relative_to(ROOT)), function)
        for path in checked_modules()
        for function, _line, _query in unscoped_queries(path.read_text())
    }
    assert set(UNSCOPED) - present == set()


def test_the_check_sees_an_unscoped_query_planted_in_a_helper():
    """As if someone added a shortcut to clerks/listing.py."""
    planted = (ROOT / "clerks" / "listing.py").read_text() + (
        "\n\ndef neighbours(by):\n    return Grant.objects.filter(billing_unit__number='003030')\n"
    )
    assert ("neighbours", planted.count("\n"), "Grant.objects.filter") in unscoped_queries(planted)
    assert unscoped_queries("clerk = User.objects.get(pk=pk)\ngrants = Grant.objects.visible_to(u)") == [
        ("", 1, "User.objects.get")
    ]


@pytest.mark.django_db(transaction=True)
def test_a_helper_of_a_service_refuses_to_run_outside_its_callers_transaction(gera_clerk):
    """(Every other test runs inside a transaction of its own, so the guard is tested here, without one.)"""
    from clerks import services

    with pytest.raises(RuntimeError, match="inside its caller's transaction"):
        services._lock_if_no_member_left(gera_clerk, None)
