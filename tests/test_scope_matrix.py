"""The scope matrix (AC-01, AC-02, AC-04, AC-08): every URL pattern of the project, taken from
the URL resolver (the admin's included), requested by GET and POST as anonymous, as a clerk, as the Gera
administrator, as the Jena administrator and as fund staff, with the ids of Gera's and of Jena's objects.

The expected outcome of each (URL, role, whose objects, method) is written in the tables below. A URL pattern
that the tables do not know fails the test by name, so a new view cannot be forgotten. While the roles walk,
every GET must leave every domain table as it was, and so must every POST that is refused.

Every request runs in a transaction that is rolled back afterwards, so all of them meet the same data: the
world of two members is built once for the module (see tests/scope.py).
"""

import copy
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import transaction
from django.middleware.csrf import _get_new_csrf_string

from tests import scope

PATTERNS = scope.url_patterns()

# --- The tables ---------------------------------------------------------------------------------------------
#
# A cell is "GET/POST". Outcomes: "200", "403", "404", "405"; "login" is a redirect to the portal's login page and
# "admin-login" one to the admin's login page, each with ?next= the requested address; "302" is any other
# redirect. A "*" marks a request that carries out its action and may change rows; every request without it
# must leave every domain table exactly as it was. For a URL with ids, a cell may be {"gera": …, "jena": …}:
# the outcome with the ids of Gera's and of Jena's objects; a plain cell holds for both.
#
# The POST body is valid for every form at once (tests/scope.py, post_data), so a refused POST is refused for
# who sends it, not for what it sends.

ROLES = scope.ROLES  # anonymous, clerk (of Gera), gera_admin, jena_admin, gera_partial, staff
CLERK_ROLES = scope.CLERK_ROLES  # clerk_ungranted, clerk_locked, clerk_suspended, jena_clerk


def row(anonymous, clerk, gera_admin, jena_admin, staff, gera_partial=None):
    """One cell per role. `gera_partial` is Gera's administrator registered for Gera's second unit only; left out,
    it answers as Gera's administrator does."""
    return {
        "anonymous": anonymous,
        "clerk": clerk,
        "gera_admin": gera_admin,
        "jena_admin": jena_admin,
        "gera_partial": gera_admin if gera_partial is None else gera_partial,
        "staff": staff,
    }


def workspace(clerk, *, ungranted=None, suspended=None, jena_clerk=None, staff="403/403"):
    """A URL of the clerk's workspace (insured persons' data) with a cell for every clerk besides: `clerk` is Gera's
    clerk granted both Gera units; the others answer as it does unless given. Administrators and fund staff get
    403 (they see no insured person in the portal), anonymous and the locked clerk (its session is dead) the
    login."""
    cells = row("login/login", clerk, "403/403", "403/403", staff)
    cells |= {
        "clerk_ungranted": clerk if ungranted is None else ungranted,
        "clerk_locked": "login/login",
        "clerk_suspended": clerk if suspended is None else suspended,
        "jena_clerk": clerk if jena_clerk is None else jena_clerk,
    }
    return cells


# A Versicherter's or a Meldung's URL: the person of Gera's first unit is seen by Gera's clerk only (not by the clerk
# granted Gera's second unit, nor by the clerk whose Gera grant is suspended); Jena's by Jena's clerk and by the
# suspended clerk (its Jena grant is active), never by Gera's.
def of_a_person(seen: str, unseen: str):
    return workspace(
        {"gera": seen, "jena": unseen},
        ungranted={"gera": unseen, "jena": unseen},
        suspended={"gera": unseen, "jena": seen},
        jena_clerk={"gera": unseen, "jena": seen},
    )


def owners(gera, jena, shared):
    """The outcome with the ids of Gera's, Jena's and the shared objects (tests/scope.py: OWNERS)."""
    return {"gera": gera, "jena": jena, "shared": shared}


GERA_ONLY = owners("200/405", "404/405", "200/405")
JENA_ONLY = owners("404/405", "200/405", "200/405")

# The clerk screens with their credential actions (DESIGN §8). The shared clerk holds a Gera and a Jena unit, so
# neither member's administrator sees or sets its one-time password ("Einmalpasswort setzen" leads back to the
# Detailansicht with the reason) nor changes its e-mail (the field is read-only; name and phone are saved). Gera's
# partial administrator (second unit only) sees Gera's clerks, whose grants lie outside its registration: it may
# neither handle their credentials, nor lock them for Gera, nor lift Gera's lock; it may end the registration of
# an administrator for its own unit.
PORTAL = {
    # public pages
    "home": row("200/405", "302/405", "302/405", "302/405", "302/405"),
    "accounts:login": row("200/200*", "302/200*", "302/200*", "302/200*", "302/200*"),  # a failed login is audited
    "accounts:password_forgot": row("200/200*", "200/200*", "200/200*", "200/200*", "200/200*"),  # request counted
    "registration:apply": row("200/200", "200/200", "200/200", "200/200", "200/200"),  # incomplete: form errors
    "registration:done": row("200/405", "200/405", "200/405", "200/405", "200/405"),
    "accessibility": row("200/405", "200/405", "200/405", "200/405", "200/405"),  # Erklärung zur Barrierefreiheit
    "accessibility_feedback": row("200/200", "200/200", "200/200", "200/200", "200/200"),  # no description: errors
    "accounts:session_keepalive": row("login/login", "204/405", "204/405", "204/405", "204/405"),
    "healthz": row("200/405", "200/405", "200/405", "200/405", "200/405"),  # for monitoring, no login
    # a user's own access
    "accounts:logout": row("login/login", "405/302*", "405/302*", "405/302*", "405/302*"),  # the logout is audited
    "accounts:password_set": row("login/login", "200/200", "200/200", "200/200", "200/200"),  # no old password
    "accounts:start": workspace("200/405"),
    # the clerk's workspace (insured/): clerks only, and of a person only those granted its unit now
    "insured:persons": workspace("200/405"),
    "insured:reports": workspace("200/405"),
    "insured:report_find": workspace("200/405"),  # no Versicherungsnummer given: the form
    "insured:report_submit": workspace(  # the body names Gera's Meldung: sent by whom may
        "200/302*", ungranted="200/200", suspended="200/200", jena_clerk="200/200"
    ),
    "insured:person": of_a_person("200/405", "404/405"),
    "insured:report_new": of_a_person("200/405", "404/405"),
    "insured:report_create": of_a_person("200/200", "404/404"),  # the body is no Jahresmeldung: form errors
    "insured:report": of_a_person("200/405", "404/405"),
    "insured:report_edit": of_a_person("200/200", "404/404"),
    "insured:report_delete": of_a_person("200/302*", "404/404"),
    # Verwaltung der Benutzer: administrators only; the ids of another member's objects are a 404
    "clerks:list": row("login/login", "403/403", "200/405", "200/405", "403/403"),
    "clerks:overview": row("login/login", "403/403", "200/405", "200/405", "403/403"),  # Berechtigungsübersicht
    "clerks:settings": row("login/login", "403/403", "200/200", "200/200", "403/403"),  # the body chooses nothing
    "clerks:protocol": row("login/login", "403/403", "200/405", "200/405", "403/403"),  # Änderungsprotokoll
    "clerks:create": row("login/login", "403/403", "200/302", "200/302", "403/403"),  # step 1 keeps a draft only
    "clerks:create_units": row("login/login", "403/403", "302/302", "302/302", "403/403"),  # no draft: to step 1
    "clerks:created": row("login/login", "403/403", GERA_ONLY, JENA_ONLY, "403/403"),
    "clerks:detail": row("login/login", "403/403", GERA_ONLY, JENA_ONLY, "403/403"),
    "clerks:attention_mark": row(  # "übergeben" / "erledigt": the clerks here are no case of the posted kind
        "login/login",
        "403/403",
        owners("405/302", "405/404", "405/302"),
        owners("405/404", "405/302", "405/302"),
        "403/403",
    ),
    "clerks:personal_data": row(
        "login/login",
        "403/403",
        owners("302/302*", "404/404", "302/302*"),
        owners("404/404", "302/302*", "302/302*"),
        "403/403",
    ),
    "clerks:assign": row(  # the body grants Gera's first unit: saved without a change where it is assignable
        "login/login",
        "403/403",
        owners("200/302", "404/404", "200/302"),
        owners("404/404", "200/302", "200/200"),  # Gera's unit is not Jena's to assign: the form says so
        "403/403",
        gera_partial=owners("200/200", "404/404", "200/200"),
    ),
    "clerks:reset_otp": row(
        "login/login",
        "403/403",
        owners("200/302*", "404/404", "302/302"),
        owners("404/404", "200/302*", "302/302"),
        "403/403",
        gera_partial=owners("302/302", "404/404", "302/302"),
    ),
    "clerks:handover_slip": row(  # the clerks here have no one-time password: back to the Detailansicht
        "login/login",
        "403/403",
        owners("302/405", "404/405", "302/405"),
        owners("404/405", "302/405", "302/405"),
        "403/403",
    ),
    "clerks:reset_factor": row(  # a credential (DESIGN §8): refused like "Einmalpasswort setzen"
        "login/login",
        "403/403",
        owners("200/302*", "404/404", "302/302"),
        owners("404/404", "200/302*", "302/302"),
        "403/403",
        gera_partial=owners("302/302", "404/404", "302/302"),
    ),
    "clerks:lock": row(  # the shared clerk is locked for the acting administrator's member only
        "login/login",
        "403/403",
        owners("200/302*", "404/404", "200/302*"),
        owners("404/404", "200/302*", "200/302*"),
        "403/403",
        gera_partial=owners("302/302", "404/404", "302/302"),
    ),
    "clerks:unlock": row(  # the shared lock is Gera's: not Jena's to see
        "login/login",
        "403/403",
        owners("200/302*", "404/404", "200/302*"),
        owners("404/404", "200/302*", "404/404"),
        "403/403",
        gera_partial=owners("302/302", "404/404", "302/302"),
    ),
    "clerks:review": row(  # Berechtigungen bestätigen: the member's review, for its administrators only
        "login/login",
        "403/403",
        owners("200/405", "404/405", "200/405"),
        owners("404/405", "200/405", "404/405"),
        "403/403",
    ),
    "clerks:review_confirm": row(
        "login/login",
        "403/403",
        owners("405/302*", "405/404", "405/302*"),
        owners("405/404", "405/302*", "405/404"),
        "403/403",
    ),
    "clerks:review_confirm_page": row(  # the body names nobody: nothing to confirm
        "login/login",
        "403/403",
        owners("405/302", "405/404", "405/302"),
        owners("405/404", "405/302", "405/404"),
        "403/403",
    ),
    "clerks:administrator": row(  # a co-administrator's page
        "login/login",
        "403/403",
        owners("200/405", "404/405", "200/405"),
        owners("404/405", "200/405", "200/405"),
        "403/403",
    ),
    "clerks:lock_administrator": row(  # step b: the reason leads to the confirmation page, nothing changes yet
        "login/login",
        "403/403",
        owners("200/200", "404/404", "200/200"),
        owners("404/404", "200/200", "200/200"),
        "403/403",
    ),
    "clerks:lock_administrator_confirm": row(  # step c: ends the registration for the acting one's units only
        "login/login",
        "403/403",
        owners("302/302*", "404/404", "302/302*"),
        owners("404/404", "302/302*", "302/302*"),
        "403/403",
    ),
    # second factors (factors/): every requester here has passed its factor (tests/helpers.py, verified_login);
    # what the password alone reaches is tests/factors/test_enforcement.py
    "factors:enrol": row("login/login", "302/405", "302/405", "302/405", "302/405"),  # enrolled: to Sicherheit
    "factors:enrol_totp": row("login/login", "302/302", "200/200", "200/200", "200/200"),  # no code: form errors
    "factors:recovery_codes": row("login/login", "302/302", "200/200*", "200/200*", "200/200*"),  # POST renews
    "factors:verify": row("login/login", "302/302", "302/302", "302/302", "302/302"),  # verified: on to the start
    "factors:email_code": row("login/login", "405/302", "405/302", "405/302", "405/302"),  # verified: nothing sent
    "factors:security": row("login/login", "200/405", "200/405", "200/405", "200/405"),
    "factors:remove_totp": row(  # one's own app only; the last one is never removed
        "login/login",
        "404/404",
        owners("200/302", "404/404", "200/302"),
        owners("404/404", "200/302", "404/404"),
        "404/404",
        gera_partial="404/404",
    ),
    "factors:remove_passkey": row("login/login", "404/404", "404/404", "404/404", "404/404"),
    "factors:rename_passkey": row("login/login", "404/404", "404/404", "404/404", "404/404"),  # one's own only
    "factors:passkey_added": row("login/login", "302/302", "302/302", "302/302", "302/302"),  # no passkey: Sicherheit
    # django-otp-webauthn's JSON endpoints (POST; the matrix's form body is no ceremony): clerks register none
    "otp_webauthn:credential-registration-begin": row("login/login", "403/403", "405/200", "405/200", "405/200"),
    "otp_webauthn:credential-registration-complete": row("login/login", "403/403", "405/400", "405/400", "405/400"),
    "otp_webauthn:credential-authentication-begin": row("login/login", "405/200", "405/200", "405/200", "405/200"),
    "otp_webauthn:credential-authentication-complete": row(
        "login/login", "405/400", "405/400", "405/400", "405/400"
    ),  # no ceremony begun in the session
    "otp_webauthn:js-i18n-catalog": row("login/login", "200/405", "200/405", "200/405", "200/405"),
}

# The Django admin is for fund staff only: everyone else is sent to the admin's login page.
NOT_STAFF = "admin-login/admin-login"


def staff_only(staff_cell):
    return row(NOT_STAFF, NOT_STAFF, NOT_STAFF, NOT_STAFF, staff_cell)


ADMIN_SITE = {
    "admin:index": staff_only("200/200"),
    "admin:login": row("200/200", "200/200", "200/200", "200/200", "302/200"),  # the body has no user name
    # a logged-in user who is not staff is sent to the index, and from there to the login page
    "admin:logout": row(NOT_STAFF, "302/302", "302/302", "302/302", "405/302"),
    "admin:password_change": staff_only("302/302"),  # to the portal's "Passwort ändern"
    "admin:password_change_done": staff_only("200/405"),
    "admin:autocomplete": staff_only("403/405"),  # without a field to complete
    "admin:jsi18n": staff_only("200/405"),
    "admin:view_on_site": staff_only("404/404"),  # users have no page of their own
    "admin:app_list": staff_only("200/200"),
    "admin/(?P<url>.*)$": staff_only("404/404"),  # an unknown admin address
}

# Fund staff per registered model: changelist, add, history, delete, change, and the pre-1.9 change address that
# redirects to the change page. Users, grants, locks, requests and the audit log change only through services,
# so their admin can neither add nor delete, and the read-only ones refuse a changing POST.
ADMIN_MODELS = {
    "billing_units/member": ("200/200", "200/200", "200/200", "200/200", "200/200", "302/302"),  # still in use
    "billing_units/billingunit": ("200/200", "200/200", "200/200", "200/200", "200/200", "302/302"),  # in use
    "accounts/user": ("200/200", "403/403", "200/200", "403/403", "200/403", "302/302"),
    "accounts/passwordrequest": ("200/200", "403/403", "200/200", "403/403", "200/403", "302/302"),
    "registration/administratorapplication": ("200/200", "403/403", "200/200", "403/403", "200/403", "302/302"),
    "audit/auditentry": ("200/200", "403/403", "200/200", "403/403", "200/403", "302/302"),
    "clerks/grant": ("200/200", "403/403", "200/200", "403/403", "200/403", "302/302"),
    "clerks/memberlock": ("200/200", "403/403", "200/200", "403/403", "200/403", "302/302"),
    "clerks/accessreview": ("200/200", "403/403", "200/200", "403/403", "200/403", "302/302"),
    "outbox/outboxmessage": ("200/200", "403/403", "200/200", "403/403", "200/403", "302/302"),
    "retention/retentionrun": ("200/200", "403/403", "200/200", "403/403", "200/403", "302/302"),
    # the fund keeps its Versicherte and their employments (never deleted); Meldungen change through the actions,
    # the access log never
    "insured/insuredperson": ("200/200", "200/200", "200/200", "403/403", "200/200", "302/302"),
    "insured/report": ("200/200", "403/403", "200/200", "403/403", "200/403", "302/302"),
    "insured/accesslogentry": ("200/200", "403/403", "200/200", "403/403", "200/403", "302/302"),
}
ADMIN_CUSTOM = {
    "admin:accounts_user_letter": staff_only("200/200"),  # the access letter
    # a registration's "Freigeben" and "Ablehnen": the confirmation page, then the decision (the body has a reason)
    "admin:registration_administratorapplication_approve": staff_only("200/302*"),
    "admin:registration_administratorapplication_reject": staff_only("200/302*"),
    # a Meldung's "Verarbeiten" and "Zurückweisen": the confirmation page, then the decision (the body has a reason);
    # the Meldungen of the world are erfasst, not übermittelt: back to the Meldung's page
    "admin:insured_report_process": staff_only("302/302"),
    "admin:insured_report_reject": staff_only("302/302"),
}


def _admin_model_rows():
    rows = {}
    for model, cells in ADMIN_MODELS.items():
        app_label, model_name = model.split("/")
        prefix = f"admin:{app_label}_{model_name}_"
        changelist, add, history, delete, change, old_change = cells
        rows[prefix + "changelist"] = staff_only(changelist)
        rows[prefix + "add"] = staff_only(add)
        rows[prefix + "history"] = staff_only(history)
        rows[prefix + "delete"] = staff_only(delete)
        rows[prefix + "change"] = staff_only(change)
        rows[f"admin/{model}/<path:object_id>/"] = staff_only(old_change)
    return rows


MATRIX = {**PORTAL, **ADMIN_SITE, **_admin_model_rows(), **ADMIN_CUSTOM}


# --- The walk -------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Two members with everything a URL can name, and a logged-in browser per role; undone after the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        built = scope.build_world()
        built.browsers = {role: scope.Browser(built.requesters[role]) for role in ROLES + CLERK_ROLES}
        built.csrf_browsers = {role: scope.Browser(built.requesters[role], enforce_csrf_checks=True) for role in ROLES}
        built.baseline = scope.snapshot()
        yield built
        transaction.set_rollback(True)


def expected_cell(key: str, role: str, owner: str | None) -> tuple[str, str]:
    cell = MATRIX[key][role]
    if isinstance(cell, dict):
        assert owner is not None, f"{key}: a cell per member for a URL without ids"
        cell = cell[owner]
    get, post = cell.split("/")
    return get, post


def outcome(response, url: str) -> str:
    if response.status_code in (301, 302):
        location = response["Location"]
        target = urlsplit(location)
        for login, name in (("/login/", "login"), ("/admin/login/", "admin-login")):
            if target.path == login and "next" in parse_qs(target.query):
                assert parse_qs(target.query)["next"] == [url], location
                return name
        return "302"  # e.g. the logout, which leads to the login page without ?next=
    return str(response.status_code)


# What a page shows when a template names a method without calling it, or prints an object it should not.
TEMPLATE_LEAKS = ("bound method", "object at 0x", "<function ", "&lt;function ")


def template_leaks(response) -> list[str]:
    if not response.get("Content-Type", "").startswith("text/html"):
        return []
    body = response.content.decode()
    return [leak for leak in TEMPLATE_LEAKS if leak in body]


def roles_of(key: str) -> tuple:
    """Who requests a URL: every role; for the clerk's workspace also the clerks of CLERK_ROLES."""
    if key.startswith("insured:") or key == "accounts:start":
        return ROLES + CLERK_ROLES
    return ROLES


def owners_of(pattern) -> tuple:
    if not pattern.params:
        return (None,)
    return scope.OWNERS if pattern.key.startswith("clerks:") else scope.MEMBERS


def test_every_url_pattern_has_an_entry_in_the_matrix():
    keys = {pattern.key for pattern in PATTERNS}
    missing = sorted(keys - set(MATRIX))
    stale = sorted(set(MATRIX) - keys)
    assert not missing, f"URL patterns without an entry in the scope matrix (add them to MATRIX): {missing}"
    assert not stale, f"entries of the scope matrix for URL patterns that no longer exist: {stale}"
    for key, cells in MATRIX.items():
        assert set(cells) == set(roles_of(key)), f"{key}: one cell per role"
        for cell in cells.values():
            for value in cell.values() if isinstance(cell, dict) else [cell]:
                assert not value.split("/")[0].endswith("*"), f"{key}: a GET never changes anything"


@pytest.mark.django_db
@pytest.mark.parametrize("pattern", PATTERNS, ids=[pattern.key for pattern in PATTERNS])
def test_scope_matrix(pattern, world, settings):
    # Who may reach what, not whether mail gets out: the world's waiting mails age while the module runs, and without
    # a worker /healthz would rightly answer 503 "stale" (tests/test_availability.py).
    settings.OUTBOX_WORKER_STALE_SECONDS = 24 * 60 * 60
    if pattern.key not in MATRIX:
        pytest.fail(f"the URL pattern {pattern.key!r} ({pattern.route}) has no entry in the scope matrix (MATRIX)")
    wrong = []
    for role in roles_of(pattern.key):
        for owner in owners_of(pattern):
            url = pattern.url(**scope.url_kwargs(pattern, world, owner))
            for method, expected in zip(("get", "post"), expected_cell(pattern.key, role, owner), strict=True):
                with scope.rolled_back():
                    response = world.browsers[role].request(method, url, scope.post_data(world, owner))
                    changed = scope.changed_tables(world.baseline, scope.snapshot())
                got = outcome(response, url)
                wrong += [f"{method.upper()} {url} as {role} shows {leak!r}" for leak in template_leaks(response)]
                may_change = expected.endswith("*")
                if got != expected.rstrip("*"):
                    wrong.append(f"{method.upper()} {url} as {role}: expected {expected.rstrip('*')}, got {got}")
                if changed and not may_change:
                    wrong.append(f"{method.upper()} {url} as {role} ({got}) changed {changed}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.django_db
def test_a_lock_of_another_member_cannot_be_lifted_through_an_own_clerk(world):
    """The two ids of "Berechtigung erteilen" are checked together: Gera's clerk with Jena's lock is a 404."""
    gera, jena = world["gera"], world["jena"]
    url = f"/benutzer/{gera.locked_clerk.pk}/sperren/{jena.lock.pk}/aufheben/"
    for method in ("get", "post"):
        with scope.rolled_back():
            response = world.browsers["gera_admin"].request(method, url, {})
            assert scope.changed_tables(world.baseline, scope.snapshot()) == []
        assert response.status_code == 404, method


# --- CSRF (AC-08) ----------------------------------------------------------------------------------


# The role whose POST shows that a request with the token gets through: the first one the matrix does not refuse.
CONTROL_ROLES = ("gera_admin", "staff", "clerk", "anonymous")


@pytest.mark.django_db
@pytest.mark.parametrize("pattern", PATTERNS, ids=[pattern.key for pattern in PATTERNS])
def test_every_post_without_a_csrf_token_is_refused_and_changes_nothing(pattern, world, settings):
    """Every URL, for every role: a POST without the form token gets the German 403 page and changes nothing.
    The same POST with a token gets what the matrix says, so it was the missing token that was refused."""
    owner = owners_of(pattern)[0]
    url = pattern.url(**scope.url_kwargs(pattern, world, owner))
    for role, browser in world.csrf_browsers.items():
        with scope.rolled_back():
            response = browser.request("post", url, scope.post_data(world, owner))
            assert scope.changed_tables(world.baseline, scope.snapshot()) == [], (url, role)
        assert response.status_code == 403, (url, role, response.status_code)
        assert "Formular abgelaufen" in response.content.decode(), (url, role)  # the German 403_csrf.html page
        assert "Formular abgelaufen" in response.content.decode()

    role = next(r for r in CONTROL_ROLES if expected_cell(pattern.key, r, owner)[1] != "403")
    browser = world.csrf_browsers[role]
    token = _get_new_csrf_string()
    browser.client.cookies = copy.deepcopy(browser.cookies)
    browser.client.cookies[settings.CSRF_COOKIE_NAME] = token
    with scope.rolled_back():
        response = browser.client.post(url, {**scope.post_data(world, owner), "csrfmiddlewaretoken": token})
    assert outcome(response, url) == expected_cell(pattern.key, role, owner)[1].rstrip("*"), (url, role)


@pytest.mark.django_db
def test_the_csrf_page_is_german_and_says_nothing_was_saved():
    browser = scope.Browser(None, enforce_csrf_checks=True)
    response = browser.request("post", "/login/", {"role": "clerk", "email": "a@b.example", "password": "x"})
    html = response.content.decode()
    assert "Formular abgelaufen" in html and "Es wurde nichts gespeichert" in html and 'lang="de"' in html
