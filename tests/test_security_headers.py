"""Production settings (checklist CFG-01 to CFG-06, SESS-08): the headers on real responses of the
portal and the Django admin, `check --deploy` with a production environment, no caching of private pages, and
no source file reachable over HTTP.

The test run sets SECURE_SSL_REDIRECT=0 (the test client speaks http); requests here say `secure=True`, as
they arrive from the TLS proxy, and one test checks the redirect with the production value."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from accounts import otp
from accounts.models import Role
from tests import factories
from tests.helpers import page_text, post_login

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
ONE_YEAR = 365 * 24 * 60 * 60


def csp_directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_security_headers(response):
    hsts = dict((item.strip().split("=") + [""])[:2] for item in response["Strict-Transport-Security"].split(";"))
    assert int(hsts["max-age"]) >= ONE_YEAR and "includeSubDomains" in hsts
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] in ("same-origin", "strict-origin", "no-referrer")
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    csp = csp_directives(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]  # in particular no 'unsafe-inline' and no 'unsafe-eval'
    assert "'unsafe-inline'" not in csp["style-src"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]


def logged_in_client(user) -> Client:
    client = Client()
    response = post_login(client, user, factories.PASSWORD, secure=True)
    assert response.status_code == 302
    return client


def test_portal_pages_send_every_security_header(gera_admin, gera_clerk):
    anonymous = Client()
    assert_security_headers(anonymous.get("/login/", secure=True))
    assert_security_headers(anonymous.get("/registrierung/", secure=True))
    administrator = logged_in_client(gera_admin)
    assert_security_headers(administrator.get("/benutzer/", secure=True))
    assert_security_headers(administrator.get(f"/benutzer/{gera_clerk.pk}/", secure=True))


def test_admin_pages_send_the_same_headers(staff, gera_admin):
    client = Client()
    client.force_login(staff)
    for path in (
        "/admin/",
        "/admin/accounts/user/",
        f"/admin/accounts/user/{gera_admin.pk}/change/",
        f"/admin/accounts/user/{gera_admin.pk}/zugangsbrief/",
        "/admin/audit/auditentry/",
    ):
        response = client.get(path, secure=True)
        assert response.status_code == 200, path
        assert_security_headers(response)


def test_the_reject_action_page_of_the_admin_is_covered_too(staff):
    application = factories.ApplicationFactory()
    client = Client()
    client.force_login(staff)
    response = client.post(
        "/admin/registration/administratorapplication/",
        {"action": "reject", "_selected_action": [application.pk]},
        secure=True,
    )
    assert response.status_code == 200 and "Registrierungen ablehnen" in response.content.decode()
    assert_security_headers(response)


def test_session_and_csrf_cookies_are_host_only_secure_and_httponly(gera_clerk):
    client = Client()
    login_page = client.get("/login/", secure=True)
    csrf = login_page.cookies["__Host-csrftoken"]
    response = client.post(
        "/login/", {"role": Role.CLERK, "email": gera_clerk.email, "password": factories.PASSWORD}, secure=True
    )
    session = response.cookies["__Host-sessionid"]
    for cookie in (csrf, session):
        assert cookie["secure"] is True and cookie["httponly"] is True
        assert cookie["samesite"] == "Lax" and cookie["path"] == "/" and not cookie["domain"]
    assert settings.SESSION_COOKIE_NAME == "__Host-sessionid" and settings.CSRF_COOKIE_NAME == "__Host-csrftoken"


def test_plain_http_is_redirected_to_https_with_the_production_value(settings):
    settings.SECURE_SSL_REDIRECT = True  # what production has; the test run switches it off
    response = Client().get("/login/")
    assert response.status_code == 301 and response["Location"] == "https://testserver/login/"


# --- CFG-05: nothing private in a cache ------------------------------------------------------------


def test_every_authenticated_page_is_marked_no_store(gera_admin, gera_clerk, gera_units, staff):
    pending = factories.PendingClerkFactory(units=gera_units[:1])
    administrator = logged_in_client(gera_admin)
    pages = [
        "/benutzer/",
        "/benutzer/neu/",
        f"/benutzer/{gera_clerk.pk}/",
        f"/benutzer/{pending.pk}/",  # shows the one-time password
        f"/benutzer/{gera_clerk.pk}/zuordnen/",
        f"/benutzer/{gera_clerk.pk}/einmalpasswort/",
        f"/benutzer/{gera_clerk.pk}/sperren/",
        "/passwort-aendern/",
    ]
    for path in pages:
        response = administrator.get(path, secure=True)
        assert response.status_code == 200, path
        assert "no-store" in response["Cache-Control"], path
    assert otp.readable(pending) in page_text(administrator.get(f"/benutzer/{pending.pk}/", secure=True))
    clerk = logged_in_client(gera_clerk)
    assert "no-store" in clerk.get("/start/", secure=True)["Cache-Control"]
    fund = Client()
    fund.force_login(staff)
    for path in ("/admin/accounts/user/", f"/admin/accounts/user/{pending.pk}/zugangsbrief/"):
        assert "no-store" in fund.get(path, secure=True)["Cache-Control"], path


# --- CFG-06: no source or repository file is served -------------------------------------------------

EXPOSED = [
    "/.git/HEAD",
    "/.git/config",
    "/settings.py",
    "/zvk_portal/settings.py",
    "/.env",
    "/manage.py",
    "/pyproject.toml",
    "/static/../zvk_portal/settings.py",
    "/static/%2e%2e/zvk_portal/settings.py",
    "/db.sqlite3",
]


@pytest.mark.parametrize("path", EXPOSED)
def test_source_files_are_not_served(client, gera_admin, path):
    assert client.get(path, secure=True).status_code == 404
    client.force_login(gera_admin)
    assert client.get(path, secure=True).status_code == 404


# --- CFG-01: check --deploy in a production environment ----------------------------------------------


def production_env(**changes) -> dict:
    """The environment of a production start: no test-run overrides, real secrets, a real host name."""
    test_only = {"DEBUG", "SECRET_KEY", "OTP_ENCRYPTION_KEY", "SECURE_SSL_REDIRECT", "STATIC_FILES_COLLECTED"}
    env = {key: value for key, value in os.environ.items() if key not in test_only}
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        OTP_ENCRYPTION_KEY=secrets.token_urlsafe(32),
        ALLOWED_HOSTS="portal.meinezvk.de",
        EMAIL_URL="smtp+tls://portal:geheim@mail.meinezvk.de:587",
        PORTAL_URL="https://portal.meinezvk.de",
        DJANGO_SETTINGS_MODULE="zvk_portal.settings",
    )
    env.update(changes)
    return env


def run_manage(*args, env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )


def test_check_deploy_prints_no_warning_in_production():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_check_deploy_does_warn_when_debug_is_on():
    """The check above can fail: the same command with DEBUG on reports it."""
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=production_env(DEBUG="1"))
    assert result.returncode != 0 and "security.W018" in result.stdout + result.stderr


def production_setting(expression: str, **env_changes) -> subprocess.CompletedProcess:
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=production_env(**env_changes), capture_output=True, text=True
    )


def test_production_defaults_redirect_to_https_and_serve_collected_static_files():
    result = production_setting(
        "settings.SECURE_SSL_REDIRECT, settings.SESSION_COOKIE_SECURE, settings.SECURE_HSTS_SECONDS, "
        "settings.STORAGES['staticfiles']['BACKEND'], settings.DEBUG"
    )
    assert result.stdout.strip() == (
        f"True True {ONE_YEAR} whitenoise.storage.CompressedManifestStaticFilesStorage False"
    ), result.stderr


def test_insecure_local_http_is_refused_for_a_public_host_name():
    result = production_setting("settings.SESSION_COOKIE_SECURE", INSECURE_LOCAL_HTTP="1")
    assert result.returncode != 0 and "INSECURE_LOCAL_HTTP is for a local try-out only" in result.stderr
    local = production_setting(
        "settings.SESSION_COOKIE_SECURE, settings.SECURE_SSL_REDIRECT, settings.SESSION_COOKIE_NAME",
        INSECURE_LOCAL_HTTP="1",
        ALLOWED_HOSTS="127.0.0.1,localhost",
    )
    assert local.stdout.strip() == "False False sessionid", local.stderr
