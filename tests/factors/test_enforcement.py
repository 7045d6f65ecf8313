"""Skipping "Anmeldung bestätigen" or "Zweiten Faktor einrichten" (AUTH-18, AUTH-21): a session that passed the
password alone reaches nothing else on any URL of the resolver, by any method (GET, POST, HEAD, OPTIONS), with
or without its trailing slash; the passkey endpoints (django-otp-webauthn) neither add a passkey to an account
whose factor is still due nor accept another account's passkey; the way on after the factor stays on this site."""

import base64
import json

import pytest
from django.test import Client
from django_otp_webauthn.models import WebAuthnCredential

from accounts import otp
from accounts.models import Role, Status
from audit.models import AuditEntry
from tests import factories
from tests.factors.test_login_with_a_factor import OPEN_BEFORE_FACTOR, portal_urls
from tests.helpers import password_only_login, post_factor, post_login

pytestmark = pytest.mark.django_db

VERIFY = "/anmeldung-bestaetigen/"
ENROL = "/zweiter-faktor/einrichten/"
METHODS = ("get", "post", "head", "options")

# What an administrator without a factor may reach before it has one: setting it up (and the public pages).
OPEN_BEFORE_ENROLMENT = (OPEN_BEFORE_FACTOR - {"factors:verify", "factors:email_code"}) | {
    "factors:enrol",
    "factors:enrol_totp",
    "factors:recovery_codes",
    "otp_webauthn:credential-registration-begin",
    "otp_webauthn:credential-registration-complete",
}
OPEN_BEFORE_ENROLMENT -= {
    "otp_webauthn:credential-authentication-begin",
    "otp_webauthn:credential-authentication-complete",
}


@pytest.fixture
def unenrolled(gera_units):
    return factories.AdministratorFactory(units=gera_units, second_factor=False)


def _reached(client, factor_page: str, open_keys: set) -> list:
    """Every URL × method that answered with anything but the factor's page (or a 404 for an id that does not
    exist); the variant without the trailing slash may also lead to the address with it."""
    reached = []
    for key, url in portal_urls():
        if url is None or key in open_keys:
            continue
        variants = [url] + ([url.rstrip("/")] if url.endswith("/") and len(url) > 1 else [])
        for variant in variants:
            for method in METHODS:
                response = getattr(client, method)(variant)
                location = response.get("Location", "")
                if response.status_code == 404:
                    continue
                if response.status_code == 302 and location == factor_page:
                    continue
                if variant != url and response.status_code == 301 and location in (url, f"http://testserver{url}"):
                    continue
                reached.append((method.upper(), variant, response.status_code, location))
    return reached


@pytest.mark.parametrize("who", ["gera_admin", "staff", "gera_clerk"])
def test_the_password_alone_reaches_nothing_by_any_method_or_spelling(request, who, settings):
    settings.CLERK_SECOND_FACTOR = "always"
    user = request.getfixturevalue(who)
    client = password_only_login(Client(), user)
    changed_before = AuditEntry.objects.count()

    assert _reached(client, VERIFY, OPEN_BEFORE_FACTOR) == []
    assert AuditEntry.objects.count() == changed_before  # nothing was done on the way


def test_an_administrator_without_a_factor_reaches_nothing_but_its_setup(unenrolled):
    client = password_only_login(Client(), unenrolled)
    assert _reached(client, ENROL, OPEN_BEFORE_ENROLMENT) == []


def test_a_session_whose_factor_is_due_adds_no_passkey(gera_admin, gera_clerk):
    """Registering a passkey would make the session verified (the library's rule for a first factor): an account
    that has a factor must confirm it first, and a clerk registers none at all."""
    for user in (gera_admin, gera_clerk):
        client = password_only_login(Client(), user)
        for endpoint in ("begin", "complete"):
            response = client.post(f"/webauthn/registration/{endpoint}/", "{}", content_type="application/json")
            assert response.status_code == 302 and response.url == VERIFY
    assert not WebAuthnCredential.objects.exists()


def test_a_clerk_verified_by_e_mail_registers_no_passkey(client, gera_clerk):
    client.force_login(gera_clerk)
    response = client.post("/webauthn/registration/begin/", "{}", content_type="application/json")
    assert response.status_code == 403 and response.json()["code"] == "not_for_this_role"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_another_accounts_passkey_does_not_confirm_the_login_and_counts_as_a_failure(gera_admin, jena_admin):
    credential_id = b"jena-passkey-credential"
    WebAuthnCredential.objects.create(
        user=jena_admin, name="Jena", credential_id=credential_id, public_key=b"\xa5", confirmed=True
    )
    client = Client()
    post_login(client, gera_admin, factories.PASSWORD, ip="127.0.51.1", factor=False)
    begin = client.post(
        "/webauthn/authentication/begin/", "{}", content_type="application/json", REMOTE_ADDR="127.0.51.1"
    )
    assert begin.status_code == 200
    assertion = {
        "id": _b64(credential_id),
        "rawId": _b64(credential_id),
        "type": "public-key",
        "response": {
            "clientDataJSON": _b64(json.dumps({"type": "webauthn.get", "challenge": "x"}).encode()),
            "authenticatorData": _b64(b"\x00" * 37),
            "signature": _b64(b"\x00"),
            "userHandle": None,
        },
    }

    response = client.post(
        "/webauthn/authentication/complete/",
        json.dumps(assertion),
        content_type="application/json",
        REMOTE_ADDR="127.0.51.1",
    )

    assert response.status_code == 403 and response.json()["code"] == "verification_failed"
    assert client.get("/benutzer/").url == VERIFY
    assert AuditEntry.objects.filter(action="factor.failed", target=gera_admin).count() == 1


@pytest.mark.parametrize(
    "target",
    ["//evil.example/", "https://evil.example/", "/\\evil.example/", "/\t/evil.example/", "http:/evil.example/"],
)
def test_the_way_on_after_the_factor_never_leaves_the_site(gera_admin, target):
    client = Client()
    response = post_login(client, gera_admin, factories.PASSWORD, next=target, factor=False)
    assert response.url == VERIFY
    response = client.post(f"{VERIFY}?next={target}", {"code": factories.totp_code(gera_admin), "next": target})
    assert response.status_code == 302 and response.url == "/benutzer/"


def test_a_clerk_login_with_a_foreign_next_goes_to_its_start_page(gera_clerk, settings):
    settings.CLERK_SECOND_FACTOR = "off"
    response = post_login(Client(), gera_clerk, factories.PASSWORD, role=Role.CLERK, next="//evil.example/")
    assert response.url == "/start/"


def test_a_verified_session_answers_the_factor_page_with_the_start_page(gera_admin):
    client = Client()
    post_login(client, gera_admin, factories.PASSWORD, ip="127.0.52.1")
    assert post_factor(client, "000000", ip="127.0.52.1").url == "/benutzer/"  # nothing to confirm: no count
    assert AuditEntry.objects.filter(action="factor.failed").count() == 0


def test_a_new_administrator_with_its_letter_reaches_nothing_but_the_password_and_the_factor_steps(gera_units):
    """A new administrator's first login: the one-time password of its letter, no factor yet, a personal password
    still to set. Every URL by every method and spelling leads to "Passwort ändern" or "Zweiten Faktor einrichten"
    (or is a 404), and the walk writes nothing and adds no passkey. It may open besides only the factor's own steps,
    logging out and the public pages."""
    newcomer = factories.AdministratorFactory(units=gera_units, second_factor=False, status=Status.PENDING)
    newcomer.set_unusable_password()
    otp.issue(newcomer)
    newcomer.save()
    assert newcomer.must_change_password
    client = password_only_login(Client(), newcomer)
    before = AuditEntry.objects.count()
    may_open = OPEN_BEFORE_FACTOR | OPEN_BEFORE_ENROLMENT | {"accounts:password_set"}
    led_to_neither = set(_reached(client, "/passwort-aendern/", may_open)) & set(_reached(client, ENROL, may_open))
    assert led_to_neither == set()
    assert AuditEntry.objects.count() == before
    assert not WebAuthnCredential.objects.filter(user=newcomer).exists()
