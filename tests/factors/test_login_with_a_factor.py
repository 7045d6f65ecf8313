"""The second factor at login (AUTH-18, AUTH-19, AUTH-21): what the password alone reaches, each factor passing,
replays and wrong codes counted like wrong passwords, recovery codes single use, the clerk's e-mail code."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken

from accounts import otp, services
from accounts.models import Role, Status
from audit.models import AuditEntry
from factors import services as factor_services
from factors.models import EmailCodeDevice
from outbox.models import SECRET_REMOVED, OutboxMessage
from tests import factories, scope
from tests.helpers import (
    audit_count,
    email_code,
    fresh,
    password_only_login,
    post_factor,
    post_login,
)
from tests.mail import deliver_outbox

pytestmark = pytest.mark.django_db

VERIFY = "/anmeldung-bestaetigen/"


def portal_urls():
    """Every URL pattern of the resolver, with some ids (the unverified session never gets as far as a lookup)."""
    for pattern in scope.url_patterns():
        kwargs = {name: 1 for name in pattern.params}
        if pattern.key == "admin/(?P<url>.*)$":
            kwargs = {"url": "accounts/user/"}
        elif pattern.key == "admin:app_list":
            kwargs = {"app_label": "accounts"}
        elif pattern.key == "admin:view_on_site":
            kwargs = {"content_type_id": 1, "object_id": 1}
        elif pattern.route.startswith("admin/") and "object_id" in pattern.params:
            kwargs = {"object_id": 1}
        try:
            yield pattern.key, reverse(pattern.key, kwargs=kwargs) if ":" in pattern.key else None
        except Exception:  # noqa: BLE001 - the old admin addresses have no name; their prefix is checked below
            continue


# URLs a session that passed the password alone may reach: the factor step itself, logging out, logging in anew,
# and the public pages.
OPEN_BEFORE_FACTOR = {
    "factors:verify",
    "factors:email_code",
    "accounts:login",
    "accounts:logout",
    "otp_webauthn:credential-authentication-begin",
    "otp_webauthn:credential-authentication-complete",
    "otp_webauthn:js-i18n-catalog",
    "home",
    "healthz",
    "registration:apply",
    "registration:done",
    "accounts:password_forgot",
}


@pytest.mark.parametrize("who", ["gera_admin", "staff"])
def test_the_password_alone_reaches_no_administrator_page_and_no_admin_page(request, who, gera_clerk):
    """AUTH-18: over every URL of the resolver, a session with the password only is led to Anmeldung bestätigen."""
    user = request.getfixturevalue(who)
    client = password_only_login(Client(), user)
    reached = []
    for key, url in portal_urls():
        if url is None or key in OPEN_BEFORE_FACTOR:
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if not (response.status_code == 302 and response.url == VERIFY) and response.status_code != 404:
                reached.append((method, url, response.status_code))
    assert reached == []
    assert client.get("/benutzer/").url == VERIFY and client.get("/admin/").url == VERIFY


def test_administrator_logs_in_with_password_then_the_app_code(client, gera_admin):
    response = post_login(client, gera_admin, factories.PASSWORD, factor=False)
    assert response.url == VERIFY
    assert client.get("/benutzer/").url == VERIFY
    page = client.get(VERIFY).content.decode()
    assert "Anmeldung bestätigen" in page and "Authenticator-App" in page
    assert post_factor(client, factories.totp_code(gera_admin)).url == "/benutzer/"
    assert client.get("/benutzer/").status_code == 200
    assert audit_count("factor.used", target=gera_admin) == 1


def test_the_factor_step_keeps_the_page_asked_for(client, gera_admin, gera_clerk):
    target = f"/benutzer/{gera_clerk.pk}/"
    response = post_login(client, gera_admin, factories.PASSWORD, next=target, factor=False)
    assert response.url == f"{VERIFY}?next=%2Fbenutzer%2F{gera_clerk.pk}%2F"
    assert client.post(response.url, {"code": factories.totp_code(gera_admin)}).url == target


def test_a_replayed_app_code_is_refused_and_counted(gera_admin):
    code = factories.totp_code(gera_admin)
    first = Client()
    post_login(first, gera_admin, factories.PASSWORD, factor=False)
    assert post_factor(first, code).url == "/benutzer/"
    second = Client()
    post_login(second, gera_admin, factories.PASSWORD, factor=False)
    response = post_factor(second, code)
    assert response.status_code == 200 and "Der Code ist ungültig oder abgelaufen" in response.content.decode()
    assert second.get("/benutzer/").url == VERIFY
    assert audit_count("factor.failed", target=gera_admin) == 1


def test_wrong_codes_from_the_own_browser_count_towards_deactivation(client, gera_admin, settings):
    """A wrong factor from a trusted device counts like a wrong password: LOGIN_FAILURE_LIMIT → Deaktiviert."""
    factories.trust_device(client, gera_admin)
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        post_login(client, gera_admin, factories.PASSWORD, factor=False)
        assert post_factor(client, "000000").status_code == 200
        client.post("/logout/")
    post_login(client, gera_admin, factories.PASSWORD, factor=False)
    assert fresh(gera_admin).failed_login_count == settings.LOGIN_FAILURE_LIMIT - 1
    response = post_factor(client, "000000")
    assert response.url == "/login/"  # the session ended with the deactivation
    assert fresh(gera_admin).status == Status.DEACTIVATED


def test_wrong_codes_from_elsewhere_count_per_account_and_never_deactivate(gera_admin, settings):
    settings.UNTRUSTED_LOGIN_FAILURE_LIMIT = 3
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp's own growing delay after wrong codes is tested below
    for n in range(3):
        browser = Client()
        post_login(browser, gera_admin, factories.PASSWORD, ip=f"127.0.3.{n + 1}", factor=False)
        post_factor(browser, "000000", ip=f"127.0.3.{n + 1}")
    assert fresh(gera_admin).status == Status.ACTIVE and fresh(gera_admin).failed_login_count == 0
    # untrusted clients are refused for the account now; its own browser still logs in
    assert post_login(Client(), gera_admin, factories.PASSWORD, ip="127.0.3.9", factor=False).status_code == 200
    own = factories.trust_device(Client(), gera_admin)
    assert post_login(own, gera_admin, factories.PASSWORD).url == "/benutzer/"


def test_after_wrong_codes_django_otp_delays_even_the_right_one(client, gera_admin):
    post_login(client, gera_admin, factories.PASSWORD, factor=False)
    post_factor(client, "000000")
    assert post_factor(client, factories.totp_code(gera_admin)).status_code == 200  # 2 s after one wrong code
    assert client.get("/benutzer/").url == VERIFY


def test_code_attempts_share_the_per_address_login_limit(client, gera_admin, settings):
    settings.LOGIN_ATTEMPTS_PER_ADDRESS = 3
    post_login(client, gera_admin, factories.PASSWORD, factor=False)  # gives its attempt back
    for _ in range(3):
        post_factor(client, "000000")
    response = post_factor(client, factories.totp_code(gera_admin))
    assert response.status_code == 429 and client.get("/benutzer/").url == VERIFY


def test_a_recovery_code_works_once(client, gera_admin, settings):
    settings.OTP_STATIC_THROTTLE_FACTOR = 0  # no growing delay after the refused second use, for the third step
    codes = factor_services.renew_recovery_codes(user=gera_admin)
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", c) for c in codes)
    stored = set(StaticToken.objects.values_list("token", flat=True))
    assert not stored & {c.replace("-", "") for c in codes}  # kept as keyed hashes only
    post_login(client, gera_admin, factories.PASSWORD, factor=False)
    assert post_factor(client, codes[0].upper()).url == "/benutzer/"
    assert audit_count("factor.recovery_code_used", target=gera_admin) == 1
    client.post("/logout/")
    post_login(client, gera_admin, factories.PASSWORD, factor=False)
    assert post_factor(client, codes[0]).status_code == 200  # the second time: refused
    assert client.get("/benutzer/").url == VERIFY
    assert post_factor(client, codes[1]).url == "/benutzer/"


def test_fund_staff_confirm_the_admin_login_too(staff):
    client = Client()
    assert client.post("/admin/login/", {"username": staff.email, "password": factories.PASSWORD}).status_code == 302
    assert client.get("/admin/").url == VERIFY
    assert post_factor(client, factories.totp_code(staff)).url == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_an_administrator_without_a_factor_sets_one_up_before_anything_else(client, gera_units):
    administrator = factories.AdministratorFactory(units=gera_units, second_factor=False)
    assert post_login(client, administrator, factories.PASSWORD).url == "/benutzer/"
    assert client.get("/benutzer/").url == "/zweiter-faktor/einrichten/"
    assert client.get("/admin/").url == "/zweiter-faktor/einrichten/"
    page = client.get("/zweiter-faktor/einrichten/").content.decode()
    assert "Passkey" in page and "Windows Hello" in page and "Authenticator-App" in page
    app = client.get("/zweiter-faktor/einrichten/app/").content.decode()
    assert "<svg" in app and "QR-Code für die Authenticator-App" in app
    key = client.session["factors_enrol_totp_key"]
    assert client.post("/zweiter-faktor/einrichten/app/", {"code": "000000"}).status_code == 200
    response = client.post("/zweiter-faktor/einrichten/app/", {"code": factories.totp_code(administrator, key=key)})
    assert response.url == "/zweiter-faktor/wiederherstellungscodes/"
    codes = client.post("/zweiter-faktor/wiederherstellungscodes/").content.decode()
    assert codes.count("<li><code>") == 10
    assert client.get("/benutzer/").status_code == 200
    assert audit_count("factor.added", target=administrator) == 1
    assert [m.subject for m in deliver_outbox()] == ["Neuer zweiter Faktor für Ihren Zugang zum Mitgliederportal"]


# --- AUTH-19: resets of the password leave the factor in place --------------------------------------------------


def test_an_otp_set_by_fund_staff_still_asks_for_the_factor(gera_admin, staff):
    value = services.issue_access_letter_otp(user=gera_admin, by=staff)
    client = Client()
    assert post_login(client, gera_admin, value, factor=False).url == VERIFY
    assert client.get("/passwort-aendern/").url == VERIFY  # the factor before the new password
    assert post_factor(client, factories.totp_code(gera_admin)).url == "/passwort-aendern/"


def test_passwort_vergessen_and_einmalpasswort_setzen_leave_the_clerks_factor(gera_admin, gera_clerk, settings):
    settings.CLERK_SECOND_FACTOR = "always"
    services.request_password_reset(role=Role.CLERK, email=gera_clerk.email)
    value = otp.readable(fresh(gera_clerk))
    client = Client()
    assert post_login(client, gera_clerk, value, factor=False).url == VERIFY
    assert client.get("/start/").url == VERIFY
    assert post_factor(client, email_code(gera_clerk)).url == "/passwort-aendern/"
    from clerks import services as clerk_services

    value = clerk_services.reset_otp(clerk=gera_clerk, by=gera_admin)
    client = Client()
    assert post_login(client, gera_clerk, value, factor=False).url == VERIFY


# --- The clerk's e-mail code ---------------------------------------------------------------------------------


def test_a_clerk_confirms_a_new_browser_by_e_mail_code_once_in_30_days(gera_clerk, settings):
    browser = Client()
    assert post_login(browser, gera_clerk, factories.PASSWORD, factor=False).url == VERIFY
    assert browser.get("/start/").url == VERIFY
    device = EmailCodeDevice.objects.get(user=gera_clerk)
    code = email_code(gera_clerk)
    assert device.code_hash and code not in device.code_hash  # hashed at rest
    assert post_factor(browser, code).url == "/start/"
    assert post_factor(browser, code).url == "/start/"  # already verified: nothing more to do
    browser.post("/logout/")
    assert post_login(browser, gera_clerk, factories.PASSWORD, factor=False).url == "/start/"  # remembered
    with time_machine.travel(timezone.now() + timedelta(days=settings.CLERK_REMEMBER_DAYS + 1)):
        browser.post("/logout/")
        assert post_login(browser, gera_clerk, factories.PASSWORD, factor=False).url == VERIFY


def test_the_e_mail_code_is_single_use_short_lived_and_leaves_the_outbox_unreadable(gera_clerk):
    browser = Client()
    post_login(browser, gera_clerk, factories.PASSWORD, factor=False)
    code = email_code(gera_clerk)
    [mail] = deliver_outbox()
    assert code in mail.body
    stored = OutboxMessage.objects.get(template="factor_email_code")
    assert stored.secret and stored.body == SECRET_REMOVED and code not in str(OutboxMessage.objects.values())
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        assert post_factor(browser, code).status_code == 200  # expired
    assert browser.get("/start/").url == VERIFY


def test_three_wrong_e_mail_codes_void_the_code(gera_clerk):
    browser = Client()
    post_login(browser, gera_clerk, factories.PASSWORD, factor=False)
    code = email_code(gera_clerk)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(3):
        post_factor(browser, wrong)
    assert post_factor(browser, code).status_code == 200
    browser.post("/anmeldung-bestaetigen/neuer-code/")
    assert post_factor(browser, email_code(gera_clerk)).url == "/start/"


def test_clerk_second_factor_always_and_off(gera_clerk, settings):
    settings.CLERK_SECOND_FACTOR = "off"
    assert post_login(Client(), gera_clerk, factories.PASSWORD, factor=False).url == "/start/"
    settings.CLERK_SECOND_FACTOR = "always"
    browser = Client()
    assert post_login(browser, gera_clerk, factories.PASSWORD).url == "/start/"
    browser.post("/logout/")
    assert post_login(browser, gera_clerk, factories.PASSWORD, factor=False).url == VERIFY  # even remembered


def test_the_factor_step_reveals_nothing_about_which_code_was_wrong(client, gera_admin):
    factor_services.renew_recovery_codes(user=gera_admin)
    post_login(client, gera_admin, factories.PASSWORD, factor=False)
    pages = {post_factor(client, code).content.decode().split("<main", 1)[1] for code in ("000000", "abcde-fghjk")}
    pages = {re.sub(r'value="[^"]+"', "", page) for page in pages}
    assert len(pages) == 1


def test_every_reset_by_fund_staff_of_another_fund_staff_member_is_audited_and_mailed(staff):
    other = factories.StaffFactory()
    call_command("reset_second_factor", other.email, by=staff.email)
    assert not factor_services.policy.is_enrolled(other)
    assert AuditEntry.objects.get(action="factor.reset").actor == staff
    [mail] = deliver_outbox()
    assert mail.to == [other.email] and "Wenn Sie das nicht veranlasst haben" in mail.body


def test_fund_staff_never_read_a_waiting_e_mail_code_in_the_admin(gera_clerk, staff):
    post_login(Client(), gera_clerk, factories.PASSWORD, factor=False)
    code = email_code(gera_clerk)
    mail = OutboxMessage.objects.get(template="factor_email_code")
    client = Client()
    client.force_login(staff)
    page = client.get(f"/admin/outbox/outboxmessage/{mail.pk}/change/").content.decode()
    assert "Vertraulicher Inhalt" in page and code not in page
