"""Fuzzed input: Hypothesis feeds every form of the portal arbitrary Unicode, overlong strings, NUL
bytes, direction marks, HTML and JavaScript, SQL fragments, numbers with leading zeros, huge ids and bytes that
are no UTF-8 at all (lone surrogates included). For every input:

- the answer is never a server error (the test client re-raises any exception a view lets through);
- a form that its own validation refuses stores nothing: the domain tables are compared row by row;
- whatever is echoed is escaped: no tag, script or event handler from the input reaches the page.

Every example runs in a transaction that is rolled back, so all of them meet the same data (tests/scope.py).

Profiles: "ci" (the default) runs a moderate, derandomised set of examples, so the suite stays fast and a red
run is the same red run on every machine; the @example cases pin the nastiest inputs in every run.
`HYPOTHESIS_PROFILE=deep` explores far more random examples locally.
"""

import copy
import os
import re
from html.parser import HTMLParser
from urllib.parse import quote, urlencode, urlsplit

import pytest
from django.utils.datastructures import MultiValueDict
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from accounts.forms import ForgotPasswordForm, NewPasswordForm, PasswordChangeForm
from accounts.models import Status, User
from audit.models import AuditEntry
from billing_units.models import BillingUnit
from clerks import services as clerk_services
from clerks.forms import LockReasonForm, PersonalDataForm, UnitsForm
from registration.forms import RegistrationForm
from tests import factories, scope

settings.register_profile(
    "ci",
    max_examples=20,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "deep",
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

pytestmark = pytest.mark.django_db

# --- What the fuzzer sends ------------------------------------------------------------------------------------

# Every markup payload carries "zvk", which no template contains: if the payload shows up raw, it was not escaped.
MARKUP = [
    '<script>alert("zvk")</script>',
    '"><img src=x onerror=alert("zvk")>',
    "'><svg/onload=alert('zvk')>",
    "<a href=\"javascript:alert('zvk')\">zvk</a>",
    "</textarea><script>zvk()</script>",
    "\" autofocus onfocus=\"alert('zvk')",
]
PAYLOADS = MARKUP + [
    "javascript:alert('zvk')",
    "{{ request }}{% debug %}",
    "' OR '1'='1' --",
    "'; DROP TABLE accounts_user; --",
    "1; SELECT pg_sleep(5)",
    "\x00",
    "Anna\x00Schmidt",
    "\u202eknil\u202c",
    "\u200f\u200e\u200b",
    "\ufeffAnna",
    "Ω≈ç√∫µ≤≥÷ 𝕳𝖆𝖑𝖑𝖔 😀👩‍👩‍👧 ǅ ß İ",
    "\r\nSet-Cookie: zvk=1",
    "a\tb\nc",
    "%00%0d%0a",
    "%s%n%x",
    "../../etc/passwd",
    "002020",
    "0000000000002020",
    "2020",
    "-1",
    "0",
    "1e309",
    "NaN",
    "99999999999999999999999999999",
    "²",
    "١٢٣٤٥٦",
    "１２３",
    "0x1F",
    "info@stadt-gera.example",
    "anna.schmidt@stadt-gera.example",
    "ANNA.SCHMIDT@STADT-GERA.EXAMPLE ",
    "a@b",
    "@",
    "x" * 250 + "@example.org",
    " ",
    "",
]
text = st.text(max_size=40)
overlong = st.builds(lambda char, n: char * n, st.characters(codec="utf-8"), st.integers(min_value=150, max_value=5000))
numbers = st.one_of(
    st.integers(min_value=0, max_value=10**40).map(str),
    st.integers(min_value=0, max_value=10**7).map(lambda n: f"{n:012d}"),
    st.integers(min_value=-(10**20), max_value=-1).map(str),
)
nasty = st.one_of(
    st.sampled_from(PAYLOADS),
    text,
    st.builds(lambda a, p, b: a + p + b, text, st.sampled_from(PAYLOADS), text),
    overlong,
    numbers,
)


def fields(valid: dict, lists=()) -> st.SearchStrategy:
    """A POST where each field is either its valid value, a nasty one, or missing."""
    strategies = {}
    for name, value in valid.items():
        if name in lists:
            strategies[name] = st.one_of(st.just(value), st.lists(nasty, max_size=4))
        else:
            strategies[name] = st.one_of(st.just(value), nasty)
    return st.fixed_dictionaries({}, optional=strategies)


# Ids for checkboxes: placeholders for real billing units (put in at run time) and forged values.
UNIT_IDS = st.one_of(
    st.sampled_from(["GERA0", "GERA1", "JENA0", "JENA1"]),
    st.sampled_from(["²", "١", "１", "-1", "0", "00GERA0", " GERA0", "GERA0 ", "1.0", "1e3", "", "\x00"]),
    numbers,
    text,
)


def unit_list(world, values):
    """Put real ids in for the placeholders: a Gera unit of the form, or one of Jena's."""
    ids = {
        f"{member.upper()}{i}": str(unit.pk) for member in scope.MEMBERS for i, unit in enumerate(world[member].units)
    }
    return [re.sub(r"(GERA|JENA)\d", lambda m: ids[m.group(0)], value) for value in values]


# --- What every answer must satisfy ------------------------------------------------------------------------------


class _Injection(HTMLParser):
    """Finds markup that can only come from unescaped input: a script with content or without a source, an event
    handler, a javascript: link, or an element no template of the portal uses."""

    FOREIGN = {"img", "svg", "iframe", "object", "embed", "style", "base", "math", "video", "audio", "frame", "applet"}

    def __init__(self):
        super().__init__()
        self.found, self.in_script = [], False

    def handle_starttag(self, tag, attrs):
        names = {name for name, _value in attrs}
        if tag in self.FOREIGN or any(name.startswith("on") for name in names) or "autofocus" in names:
            self.found.append(self.get_starttag_text())
        for name, value in attrs:
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(self.get_starttag_text())
        if tag == "script":
            self.in_script = True
            if "src" not in names:
                self.found.append(self.get_starttag_text())

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = False

    def handle_data(self, data):
        if self.in_script and data.strip():
            self.found.append(data)


def assert_escaped(response, sent: dict, *, own_markup=True):
    """No payload appears unescaped; on the portal's own pages (not the Django admin's, which has icons and
    scripts of its own) no injected element, handler or script exists at all."""
    if "html" not in response.get("Content-Type", ""):
        return
    html = response.content.decode()
    if own_markup:
        finder = _Injection()
        finder.feed(html)
        assert finder.found == [], finder.found
    values = [v for value in sent.values() for v in (value if isinstance(value, list) else [value])]
    for payload in MARKUP:
        if any(payload in value for value in values):
            assert payload not in html, f"unescaped: {payload}"


def as_form_data(data: dict) -> MultiValueDict:
    return MultiValueDict({k: (v if isinstance(v, list) else [v]) for k, v in data.items()})


def send(browser, method, url, data, world, **extra):
    """One request in a rolled-back transaction: (response, changed tables, actions of new audit entries)."""
    with scope.rolled_back():
        response = browser.request(method, url, data, **extra)
        changed = scope.changed_tables(world.baseline, scope.snapshot())
        new_actions = list(AuditEntry.objects.filter(pk__gt=world.last_audit_pk).values_list("action", flat=True))
    assert response.status_code < 500, response.status_code
    return response, changed, new_actions


@pytest.fixture
def world():
    built = scope.build_world()
    gera = built["gera"]
    built.pending = factories.PendingClerkFactory(email="neu.hier@stadt-gera.example", units=gera.units[:1])
    built.browsers = {role: scope.Browser(built.requesters[role]) for role in scope.ROLES}
    built.browsers["pending"] = scope.Browser(built.pending)
    built.browsers["gera_clerk"] = scope.Browser(gera.clerk)
    built.baseline = scope.snapshot()
    built.last_audit_pk = AuditEntry.objects.order_by("pk").last().pk
    return built


# --- Public forms --------------------------------------------------------------------------------------------


@given(data=fields({"role": "clerk", "email": "anna.schmidt@stadt-gera.example", "password": "x", "next": "/"}))
@example(data={"role": "clerk", "email": "\x00", "password": "\x00"})
@example(data={"role": "²", "email": "x" * 5000, "password": "y" * 5000})
def test_login_form(world, data):
    response, changed, new_actions = send(world.browsers["anonymous"], "post", "/login/", data, world)
    assert response.status_code == 200  # nobody is logged in by a wrong password
    assert set(changed) <= {"audit.AuditEntry"} and set(new_actions) <= {"login.failed"}
    assert_escaped(response, data)


@given(next_page=st.one_of(nasty, st.sampled_from(["//evil.example", "https://evil.example/", "/\\evil.example"])))
@example(next_page="\\\\evil.example")
@example(next_page="http:/evil.example")
def test_login_never_leads_to_another_site(world, next_page):
    gera = world["gera"]
    data = {"role": "clerk", "email": gera.clerk.email, "password": factories.PASSWORD, "next": next_page}
    response, _changed, _actions = send(world.browsers["anonymous"], "post", "/login/", data, world)
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert target.scheme == "" and target.netloc == "" and response["Location"].startswith("/")
    assert not response["Location"].startswith(("//", "/\\"))


@given(data=fields({"role": "clerk", "email": "anna.schmidt@stadt-gera.example"}))
@example(data={"role": "clerk", "email": "a\x00@stadt-gera.example"})
def test_forgot_password_form(world, data):
    response, changed, _actions = send(world.browsers["anonymous"], "post", "/passwort-vergessen/", data, world)
    assert response.status_code == 200
    if not ForgotPasswordForm(as_form_data(data)).is_valid():
        assert changed == []
    assert_escaped(response, data)


REGISTRATION = {
    "first_name": "Neue",
    "last_name": "Administratorin",
    "email": "neue.admin@stadt-gera.example",
    "phone": "0365 838-3000",
    "member_number": "002020",
    "unit_numbers": "002020, 002021",
    "responsibilities": "on",
}


@given(data=fields(REGISTRATION))
@example(data={**REGISTRATION, "member_number": "٠٠٢٠٢٠"})
@example(data={**REGISTRATION, "unit_numbers": "003030"})  # a unit of another member
@example(data={**REGISTRATION, "first_name": MARKUP[0], "member_number": "2020"})
def test_registration_form(world, data):
    response, changed, _actions = send(world.browsers["anonymous"], "post", "/registrierung/", data, world)
    if RegistrationForm(as_form_data(data)).is_valid():
        assert response.status_code == 302 and response.url == "/registrierung/eingegangen/"
    else:
        assert response.status_code == 200 and changed == []
    assert_escaped(response, data)


# --- The administrator's forms ------------------------------------------------------------------------------

PERSON = {
    "first_name": "Max",
    "last_name": "Muster",
    "phone": "0365 838-4711",
    "email": "max.muster@stadt-gera.example",
}


@given(data=fields(PERSON))
@example(data={**PERSON, "email": "info@stadt-gera.example"})
@example(data={**PERSON, "email": "ziel@stadt-gera.example"})  # the address of an existing clerk
@example(data={**PERSON, "phone": "+49 (365) 838/4711-0", "last_name": "\u202eknil\u202c"})
def test_create_clerk_step_1(world, data):
    """Step 1 keeps the personal data in the session; it never stores a row, valid or not."""
    response, changed, _actions = send(world.browsers["gera_admin"], "post", "/benutzer/neu/", data, world)
    assert changed == []
    form = PersonalDataForm(as_form_data(data))
    taken = form.is_valid() and User.objects.clerks().filter(email=form.cleaned_data["email"]).exists()
    assert response.status_code == (302 if form.is_valid() and not taken else 200)
    assert_escaped(response, data)


@given(token=st.one_of(st.just("DRAFT"), nasty), units=st.lists(UNIT_IDS, max_size=4), toggle=st.booleans())
@example(token="DRAFT", units=["²"], toggle=False)
@example(token="DRAFT", units=["GERA0", "JENA0"], toggle=False)
@example(token="DRAFT", units=["99999999999999999999999"], toggle=False)
def test_create_clerk_step_2(world, token, units, toggle):
    browser = world.browsers["gera_admin"]
    with scope.rolled_back():
        browser.client.cookies = copy.deepcopy(browser.cookies)
        assert browser.client.post("/benutzer/neu/", PERSON).status_code == 302
        draft = browser.client.session["clerk_draft"]["token"]
        data = {"token": draft if token == "DRAFT" else token, "units": unit_list(world, units)}
        if toggle:
            data["toggle_all"] = "1"
        response = browser.client.post("/benutzer/neu/abrechnungsstellen/", data)
        changed = scope.changed_tables(world.baseline, scope.snapshot())
    assert response.status_code < 500
    gera_scope = BillingUnit.objects.visible_to(world["gera"].admin)
    valid = (
        data["token"] == draft
        and not toggle
        and UnitsForm(as_form_data({"units": data["units"]}), units=gera_scope).is_valid()
    )
    if valid:
        assert response.status_code == 302 and "/angelegt/" in response.url
        assert set(changed) >= {"accounts.User", "clerks.Grant", "audit.AuditEntry"}
    else:
        assert changed == []
    assert_escaped(response, data)


@given(data=fields(PERSON))
@example(data={**PERSON, "email": "anfrage@stadt-gera.example"})  # taken by another clerk
@example(data={**PERSON, "first_name": MARKUP[1]})
def test_personal_data_form(world, data):
    clerk = world["gera"].clerk
    url = f"/benutzer/{clerk.pk}/persoenliche-daten/"
    response, changed, _actions = send(world.browsers["gera_admin"], "post", url, data, world)
    if not PersonalDataForm(as_form_data(data)).is_valid():
        assert response.status_code == 200 and changed == []
    assert_escaped(response, data)


@given(units=st.lists(UNIT_IDS, max_size=4), toggle=st.booleans())
@example(units=["²"], toggle=False)
@example(units=["JENA0"], toggle=False)
@example(units=["GERA0", "GERA1"], toggle=True)
def test_assign_form(world, units, toggle):
    clerk = world["gera"].clerk
    data = {"units": unit_list(world, units)}
    if toggle:
        data["toggle_all"] = "1"
    response, changed, _actions = send(
        world.browsers["gera_admin"], "post", f"/benutzer/{clerk.pk}/zuordnen/", data, world
    )
    assignable = clerk_services.assignable_units(clerk=clerk, by=world["gera"].admin)
    form = UnitsForm(as_form_data({"units": data["units"]}), units=assignable, require_one=False)
    if toggle or not form.is_valid():
        assert response.status_code == 200 and changed == []
    elif clerk_services.leaves_without_units(
        clerk=clerk, by=world["gera"].admin, unit_ids=[unit.pk for unit in form.cleaned_data["units"]]
    ):
        assert response.status_code == 200 and changed == []  # the question before the last unit goes
    else:
        assert response.status_code == 302
    assert_escaped(response, data)


REASON = st.fixed_dictionaries({}, optional={"reason": nasty})


@given(data=REASON)
@example(data={"reason": "x" * 501})
@example(data={"reason": " \u200b "})
@example(data={"reason": MARKUP[4]})
def test_lock_clerk_reason(world, data):
    clerk = world["gera"].clerk
    response, changed, _actions = send(
        world.browsers["gera_admin"], "post", f"/benutzer/{clerk.pk}/sperren/", data, world
    )
    if LockReasonForm(as_form_data(data)).is_valid():
        assert response.status_code == 302 and "clerks.MemberLock" in changed
    else:
        assert response.status_code == 200 and changed == []
    assert_escaped(response, data)


@given(data=REASON)
@example(data={"reason": MARKUP[0]})
@example(data={"reason": MARKUP[5]})
def test_lock_administrator_reason_step_b(world, data):
    """The reason is shown again on the confirmation page and nothing is changed yet."""
    admin2 = world["gera"].admin2
    url = f"/administratoren/{admin2.pk}/sperren/"
    response, changed, _actions = send(world.browsers["gera_admin"], "post", url, data, world)
    assert response.status_code == 200 and changed == []
    assert_escaped(response, data)


@given(data=REASON)
@example(data={"reason": "x" * 501})
def test_lock_administrator_confirmation_step_c(world, data):
    admin2 = world["gera"].admin2
    url = f"/administratoren/{admin2.pk}/sperren/bestaetigen/"
    response, changed, _actions = send(world.browsers["gera_admin"], "post", url, data, world)
    assert response.status_code == 302
    if LockReasonForm(as_form_data(data)).is_valid():
        assert response.url == "/benutzer/" and "accounts.User" in changed
    else:
        assert response.url == url.removesuffix("bestaetigen/") and changed == []


# --- A user's own password ------------------------------------------------------------------------------------

NEW_PASSWORD = "ein ganz neues Kennwort 7"


@given(data=fields({"old_password": factories.PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}))
@example(data={"old_password": factories.PASSWORD, "new_password1": "\x00" * 20, "new_password2": "\x00" * 20})
@example(data={"old_password": factories.PASSWORD, "new_password1": "y" * 129, "new_password2": "y" * 129})
def test_change_password_form(world, data):
    clerk = world["gera"].clerk
    response, changed, _actions = send(world.browsers["gera_clerk"], "post", "/passwort-aendern/", data, world)
    if PasswordChangeForm(clerk, as_form_data(data)).is_valid():
        assert response.status_code == 302 and "accounts.User" in changed
    else:
        assert response.status_code == 200 and changed == []
    assert_escaped(response, data)


@given(data=fields({"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}))
@example(data={"new_password1": "neu.hier@stadt-gera.example", "new_password2": "neu.hier@stadt-gera.example"})
def test_forced_password_form_after_a_one_time_password(world, data):
    pending = world.pending
    assert pending.status == Status.PENDING
    response, changed, _actions = send(world.browsers["pending"], "post", "/passwort-aendern/", data, world)
    if NewPasswordForm(pending, as_form_data(data)).is_valid():
        assert response.status_code == 302 and "accounts.User" in changed
    else:
        assert response.status_code == 200 and changed == []
    assert_escaped(response, data)


# --- Addresses, search boxes and bytes that are no text -------------------------------------------------------

ADMIN_SCREENS = [
    "",
    "angelegt/",
    "persoenliche-daten/",
    "zuordnen/",
    "einmalpasswort/",
    "sperren/",
    "sperren/1/aufheben/",
]
NO_SUCH_ID = st.one_of(
    st.integers(min_value=10**12, max_value=10**40).map(str),
    st.integers(min_value=10**12, max_value=10**18).map(lambda n: f"{n:030d}"),
    st.sampled_from(["0", "000", "9" * 19, "9" * 20, "9" * 5000]),
)


@given(
    object_id=NO_SUCH_ID,
    screen=st.sampled_from(ADMIN_SCREENS),
    method=st.sampled_from(["get", "post"]),
)
def test_huge_and_odd_ids_in_addresses(world, object_id, screen, method):
    for url in (f"/benutzer/{object_id}/{screen}", f"/administratoren/{object_id}/sperren/"):
        response, changed, _actions = send(world.browsers["gera_admin"], method, url, {"reason": "x"}, world)
        assert response.status_code in (200, 302, 404, 405) and changed == []


@given(object_id=nasty, model=st.sampled_from(["accounts/user", "clerks/memberlock", "audit/auditentry"]))
@example(object_id="9" * 5000, model="accounts/user")
@example(object_id="1/../../", model="accounts/user")
def test_odd_ids_in_admin_addresses(world, object_id, model):
    url = f"/admin/{model}/{quote(object_id, safe='')}/change/"
    response, changed, _actions = send(world.browsers["staff"], "get", url, {}, world)
    assert response.status_code in (200, 302, 404) and changed == []


@given(q=nasty, status=nasty, sort=nasty, page=nasty)
@example(q="\x00", status="locked", sort="-name", page="9" * 5000)
def test_user_list_filters(world, q, status, sort, page):
    query = urlencode({"q": q, "status": status, "sort": sort, "page": page})
    response, changed, _actions = send(world.browsers["gera_admin"], "get", f"/benutzer/?{query}", {}, world)
    assert response.status_code == 200 and changed == []
    assert_escaped(response, {"q": q})


# --- The clerk's workspace ----------------------------------------------------------------------------------

SECTION = {
    "year": "2026",
    "abschnitt-TOTAL_FORMS": "2",
    "abschnitt-INITIAL_FORMS": "0",
    "abschnitt-0-start": "2026-01-01",
    "abschnitt-0-end": "2026-06-30",
    "abschnitt-0-booking_key": "10",
    "abschnitt-0-pay": "21.000,00",
    "abschnitt-1-start": "01.07.2026",
    "abschnitt-1-end": "31.12.2026",
    "abschnitt-1-booking_key": "31",
    "abschnitt-1-pay": "0,00",
}


@given(data=fields(SECTION))
@example(data={**SECTION, "abschnitt-0-pay": "1.234"})  # a thousand or one point two: refused
@example(data={**SECTION, "abschnitt-0-pay": "-0,01"})
@example(data={**SECTION, "abschnitt-0-pay": "1e309"})
@example(data={**SECTION, "abschnitt-TOTAL_FORMS": "99999999999999999999"})
@example(data={**SECTION, "abschnitt-1-start": "2026-02-30", "abschnitt-0-booking_key": MARKUP[1]})
def test_jahresmeldung_form(world, data):
    """A Jahresmeldung for Gera's Versicherter: never a server error, nothing stored unless it is saved (a
    redirect), whatever was typed escaped."""
    url = f"/versicherte/{world['gera'].person.pk}/meldung/neu/annual/"
    response, changed, actions = send(world.browsers["gera_clerk"], "post", url, {**data, "speichern": "1"}, world)
    if response.status_code == 200:
        assert changed == [] and actions == []
    else:
        assert response.status_code == 302 and actions == ["report.created"]
    assert_escaped(response, data)


@given(q=nasty, unit=nasty, page=nasty)
@example(q="\x00", unit="-1", page="9" * 5000)
def test_versicherte_search_and_filters(world, q, unit, page):
    query = urlencode({"q": q, "unit": unit, "page": page})
    response, changed, _actions = send(world.browsers["gera_clerk"], "get", f"/versicherte/?{query}", {}, world)
    assert response.status_code == 200 and changed == []
    assert_escaped(response, {"q": q})


@given(q=nasty, model=st.sampled_from(["accounts/user", "audit/auditentry", "billing_units/member"]))
@example(q="\x00", model="accounts/user")
@example(q="Anna\x00", model="billing_units/member")
def test_admin_search_boxes(world, q, model):
    response, changed, _actions = send(
        world.browsers["staff"], "get", f"/admin/{model}/?{urlencode({'q': q})}", {}, world
    )
    assert response.status_code in (200, 302) and changed == []
    assert_escaped(response, {"q": q}, own_markup=False)


RAW_FORMS = [
    ("anonymous", "/login/", ["role", "email", "password"]),
    ("anonymous", "/registrierung/", list(REGISTRATION)),
    ("anonymous", "/passwort-vergessen/", ["role", "email"]),
    ("gera_admin", "/benutzer/neu/", list(PERSON)),
    ("gera_admin", "LOCK", ["reason"]),
]
# Which changes a form may make when its validation accepts the input (None: it never changes a row).
RAW_ORACLES = {
    "/registrierung/": RegistrationForm,
    "/passwort-vergessen/": ForgotPasswordForm,
    "/benutzer/neu/": None,
    "LOCK": LockReasonForm,
}


@given(form=st.sampled_from(RAW_FORMS), values=st.lists(st.binary(max_size=60), min_size=7, max_size=7))
@example(form=RAW_FORMS[0], values=[b"clerk", b"\xed\xa0\x80@stadt-gera.example", b"\xff\xfe", b"", b"", b"", b""])
@example(form=RAW_FORMS[4], values=[b"\xed\xb2\x80 Grund \xc0\xaf", b"", b"", b"", b"", b"", b""])
def test_bytes_that_are_no_utf8(world, form, values):
    """Lone surrogates and broken UTF-8 cannot be sent as text; the HTTP layer gets them as bytes."""
    role, key, names = form
    url = f"/benutzer/{world['gera'].clerk.pk}/sperren/" if key == "LOCK" else key
    body = urlencode(list(zip(names, values, strict=False))).encode()
    content_type = "application/x-www-form-urlencoded"
    response, changed, new_actions = send(world.browsers[role], "post", url, body, world, content_type=content_type)
    decoded = {name: value.decode("utf-8", "replace") for name, value in zip(names, values, strict=False)}
    if key == "/login/":
        assert set(changed) <= {"audit.AuditEntry"} and set(new_actions) <= {"login.failed"}
    elif RAW_ORACLES[key] is None or not RAW_ORACLES[key](as_form_data(decoded)).is_valid():
        assert changed == []
    assert_escaped(response, decoded)
