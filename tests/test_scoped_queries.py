"""Fail closed (STYLE.md): every query that a page makes of users, memberships, grants, locks, billing units, members,
reviews, audit entries or insured persons' data (Versicherte, employments, Abschnitte, Meldungen, the access log)
starts from `visible_to(request.user)`.

The test reads the source of every module a view can reach — the views themselves and every helper they import,
transitively (`clerks/listing.py`, `attention.py`, `overview.py`, `protocol.py`, `review.py`, `authority.py` …) — so
a new unscoped query fails here by file, function and line before it can leak anything; the scope matrix then checks
the answers. Left out are the places that define the scope (`models.py`) and, of the writing layer (`services.py`,
`audit/log.py`), the functions that write: they take objects a view has loaded through `visible_to` and read them
again by primary key under a row lock. A function of the writing layer that only reads is checked as any helper. The
few read helpers that must look beyond the scope, to decide about it, are listed in UNSCOPED with the reason.

A query counts as unscoped when it starts from `Model.objects` with a method other than a scope, reads a
many-to-many table directly, passes `Model.objects` or the model itself on (`get_object_or_404(User, pk=pk)`), goes
through `_default_manager` / `_base_manager`, or is a plain statement over the model's table (its names come from
`base.db.quoted`)."""

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
# The audit entries about a person an administrator's page has just loaded through visible_to (its history).
SCOPES |= {"history_visible_to"}
SCOPE_HOMES = {"models.py"}
WRITING_LAYER = {"services.py", "log.py"}
# What marks a function of the writing layer as one that writes (a call of one of these, a transaction, a guard).
WRITES = {"save", "create", "bulk_create", "update", "delete", "select_for_update", "get_or_create", "record"}
WRITES |= {"update_or_create", "transition"}
# (module, function): why it reads beyond the scope of the person asking.
UNSCOPED = {
    ("clerks/authority.py", "_reach_sql"): "a clerk's whole reach, also outside the registration, decides whether "
    "the administrator may handle its credentials (DESIGN §8); it is compared, never shown",
    ("clerks/authority.py", "may_handle_credentials"): "the same reach, the registration and the clerk's members "
    "(compared with the administrator's, as visible_to asks it), compared, never shown",
    (
        "insured/access_log.py",
        "_quoted",
    ): "the table of the access log's INSERT: it writes the reads of a page, reads nothing",
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
    ("clerks/views/people.py", "_ListedUsers.__getitem__"): "the users of a page of memberships read through "
    "visible_to (listing.matching), by their keys",
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
    # the read helpers of clerks/services.py that the pages ask
    ("clerks/services.py", "_require_active"): "the acting administrator's own row, read afresh",
    ("clerks/services.py", "check_clerk_email"): "a clerk's e-mail is unique among all clerks, of every member "
    "(DESIGN §3); the answer is only 'taken'",
    ("clerks/services.py", "assignable_units"): "the clerk's open locks leave their members' units out of the "
    "administrator's units, which come from visible_to",
    ("clerks/services.py", "leaves_without_units"): "whether the clerk keeps a grant of any member: only the yes or "
    "no decides whether the page asks once more",
    ("accounts/services.py", "record_otp_shown"): "whether this reader's view of this one-time password is "
    "recorded already, before the entry is written",
    ("clerks/services.py", "lockable_member_ids"): "the clerk's open locks at the members it shares with the "
    "administrator",
    ("clerks/services.py", "administrator_lock_plan"): "the target's registration beyond the acting administrator's: "
    "the confirmation names the members where it stays administrator (DESIGN §8)",
    ("clerks/services.py", "members_with_a_single_administrator"): "whether anyone else administers the "
    "administrator's own members, asked yes or no",
    ("clerks/services.py", "_other_active_administrators"): "whether another administrator of the member is left, "
    "asked yes or no",
    ("clerks/services.py", "_cascade_clerks"): "the clerks of a member whose registration the acting administrator "
    "ends, named on the confirmation page as the cascade will lock them",
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


def writes(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether a function of the writing layer writes: it calls a writing method, opens a transaction or runs only
    inside its caller's."""
    guarded = any(name in ast.unparse(d) for d in function.decorator_list for name in ("atomic", "inside_transaction"))
    calls = {n.func.attr for n in ast.walk(function) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)}
    atomic = any(
        "atomic" in ast.unparse(item) for n in ast.walk(function) if isinstance(n, ast.With) for item in n.items
    )
    return guarded or atomic or bool(calls & WRITES)


def unscoped_queries(source: str, *, writing_layer: bool = False) -> list[tuple[str, int, str]]:
    """(function, line, what) for each query that does not start from a scope (see above). In the writing layer the
    functions that write are passed over."""
    found = []

    def scoped_model(node) -> bool:
        return isinstance(node, ast.Name) and node.id in SCOPED_MODELS

    def visit(node, where):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) and writing_layer and writes(child):
                continue
            inner = where
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                inner = f"{where}.{child.name}" if where else child.name
            if isinstance(child, ast.Attribute) and isinstance(child.value, ast.Attribute):
                manager = child.value
                if manager.attr == "objects" and scoped_model(manager.value) and child.attr not in SCOPES:
                    found.append((where, child.lineno, f"{manager.value.id}.objects.{child.attr}"))
                if manager.attr == "through":
                    found.append((where, child.lineno, "a many-to-many table queried directly"))
            if isinstance(child, ast.Attribute) and scoped_model(child.value):
                passed_on = child.attr == "objects" and not (isinstance(node, ast.Attribute) and node.value is child)
                if passed_on or child.attr in ("_default_manager", "_base_manager"):
                    found.append((where, child.lineno, f"{child.value.id}.{child.attr}"))
            if (
                isinstance(child, ast.Call)
                and isinstance(child.func, ast.Name)
                and child.func.id in ("get_object_or_404", "get_list_or_404")
                and child.args
                and scoped_model(child.args[0])
            ):
                found.append((where, child.lineno, f"{child.func.id}({child.args[0].id}, …)"))
            if (  # a plain statement names its tables through base.db.quoted
                isinstance(child, ast.Call)
                and isinstance(child.func, ast.Name)
                and child.func.id == "quoted"
                and child.args
                and scoped_model(child.args[0])
            ):
                found.append((where, child.lineno, f"plain SQL over {child.args[0].id}"))
            visit(child, inner)

    visit(ast.parse(source), "")
    return found


def checked_modules() -> list[Path]:
    return [path for path in reachable_from_views() if path.name not in SCOPE_HOMES]


def findings(path: Path) -> list[tuple[str, int, str]]:
    return unscoped_queries(path.read_text(), writing_layer=path.name in WRITING_LAYER)


@pytest.mark.parametrize("path", checked_modules(), ids=lambda path: str(path.relative_to(ROOT)))
def test_every_query_a_page_makes_starts_from_what_the_user_may_see(path):
    module = str(path.relative_to(ROOT))
    unlisted = [
        f"{function or 'module level'}, line {line}: {query}"
        for function, line, query in findings(path)
        if (module, function.split(".<")[0]) not in UNSCOPED
    ]
    assert unlisted == [], f"{module}: a query that does not start from visible_to"


def test_the_check_reads_the_helpers_the_views_import():
    checked = {str(path.relative_to(ROOT)) for path in checked_modules()}
    helpers = {"clerks/listing.py", "clerks/attention.py", "clerks/overview.py", "clerks/protocol.py"}
    helpers |= {"clerks/review.py", "clerks/authority.py", "clerks/lock_collisions.py", "clerks/views/people.py"}
    helpers |= {"clerks/services.py", "insured/services.py", "accounts/services.py"}
    assert helpers <= checked
    assert "accounts/models.py" not in checked


def test_every_listed_exception_is_still_there():
    present = {
        (str(path.relative_to(ROOT)), function.split(".<")[0])
        for path in checked_modules()
        for function, _line, _query in findings(path)
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
    shortcuts = (
        "def detail(request, pk):\n    return get_object_or_404(User, pk=pk), page(Grant.objects), User._base_manager"
    )
    assert [what for _function, _line, what in unscoped_queries(shortcuts)] == [
        "get_object_or_404(User, …)",
        "Grant.objects",
        "User._base_manager",
    ]
    plain = (
        "def units(pk):\n    grants, clerk = quoted(Grant, 'clerk')\n    cursor.execute(f'SELECT * FROM {grants}')\n"
    )
    assert unscoped_queries(plain) == [("units", 2, "plain SQL over Grant")]


def test_the_check_sees_a_read_helper_in_the_writing_layer_and_passes_over_a_writer():
    services = (ROOT / "clerks" / "services.py").read_text() + (
        "\n\ndef colleagues(by):\n    return User.objects.clerks()\n"
        "\n\n@inside_transaction\ndef _rename(clerk):\n    User.objects.filter(pk=clerk.pk).update(last_name='Neu')\n"
    )
    found = {function for function, _line, _what in unscoped_queries(services, writing_layer=True)}
    assert "colleagues" in found and "_rename" not in found


@pytest.mark.django_db(transaction=True)
def test_a_helper_of_a_service_refuses_to_run_outside_its_callers_transaction(gera_clerk):
    """(Every other test runs inside a transaction of its own, so the guard is tested here, without one.)"""
    from clerks import services

    with pytest.raises(RuntimeError, match="inside its caller's transaction"):
        services._lock_if_no_member_left(gera_clerk, None)
