"""Resets that cannot be abused (AUTH-20, ASVS 6.4.4): a clerk's factor only by an administrator who may handle its
credentials, an administrator's only by fund staff with a new letter; each audited and mailed to the owner."""

import re

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import DomainError, Status
from clerks import services as clerk_services
from factors import policy
from factors import services as factor_services
from tests import factories
from tests.helpers import audit_count, fresh, post_factor, post_login
from tests.mail import deliver_outbox

pytestmark = pytest.mark.django_db

VERIFY = "/anmeldung-bestaetigen/"


def test_administrator_resets_its_clerks_factor_with_a_confirmation_page(admin_client, gera_clerk, gera_admin):
    browser = Client()
    post_login(browser, gera_clerk, factories.PASSWORD)  # the clerk's browser is remembered now
    deliver_outbox()
    page = admin_client.get(f"/benutzer/{gera_clerk.pk}/").content.decode()
    assert "Zweiten Faktor zurücksetzen" in page
    confirm = admin_client.get(f"/benutzer/{gera_clerk.pk}/zweiter-faktor/").content.decode()
    assert "Möchten Sie den zweiten Faktor" in confirm
    response = admin_client.post(f"/benutzer/{gera_clerk.pk}/zweiter-faktor/", follow=True)
    assert "Der zweite Faktor wurde zurückgesetzt." in response.content.decode()
    assert browser.get("/start/").url.startswith("/login/")  # its sessions ended
    assert post_login(browser, gera_clerk, factories.PASSWORD, factor=False).url == VERIFY  # forgotten
    assert audit_count("factor.reset", actor=gera_admin, target=gera_clerk) == 1
    [mail] = [m for m in deliver_outbox() if m.subject.startswith("Ihr zweiter Faktor")]
    assert mail.to == [gera_clerk.email] and "Wenn Sie das nicht veranlasst haben" in mail.body


def test_the_clerk_of_another_member_is_not_found(admin_client, jena_clerk):
    assert admin_client.get(f"/benutzer/{jena_clerk.pk}/zweiter-faktor/").status_code == 404
    assert admin_client.post(f"/benutzer/{jena_clerk.pk}/zweiter-faktor/").status_code == 404
    assert audit_count("factor.reset") == 0


def test_a_shared_clerk_is_refused_like_einmalpasswort_setzen(admin_client, gera_admin, gera_units, jena_units):
    shared = factories.ClerkFactory(units=[gera_units[0], jena_units[0]])
    response = admin_client.get(f"/benutzer/{shared.pk}/zweiter-faktor/")
    assert response.url == f"/benutzer/{shared.pk}/"
    admin_client.post(f"/benutzer/{shared.pk}/zweiter-faktor/")
    with pytest.raises(DomainError):
        clerk_services.reset_second_factor(clerk=shared, by=gera_admin)
    assert audit_count("factor.reset") == 0


def test_a_partial_registration_may_not_reset(gera_units, gera_clerk):
    partial = factories.AdministratorFactory(units=gera_units[2:])
    client = Client()
    client.force_login(partial)
    assert client.get(f"/benutzer/{gera_clerk.pk}/zweiter-faktor/").url == f"/benutzer/{gera_clerk.pk}/"
    client.post(f"/benutzer/{gera_clerk.pk}/zweiter-faktor/")
    assert audit_count("factor.reset") == 0


def test_nobody_in_the_portal_resets_an_administrators_factor(gera_admin, gera_admin2):
    client = Client()
    client.force_login(gera_admin)
    assert client.get(f"/benutzer/{gera_admin2.pk}/zweiter-faktor/").status_code == 404
    with pytest.raises(DomainError):
        clerk_services.reset_second_factor(clerk=gera_admin2, by=gera_admin)
    assert policy.is_enrolled(gera_admin2)


def test_fund_staff_reset_an_administrators_factor_with_a_new_access_letter(staff, gera_admin):
    client = Client()
    client.force_login(staff)
    response = client.post(
        "/admin/accounts/user/", {"action": "reset_second_factor", "_selected_action": [gera_admin.pk]}, follow=True
    )
    assert "Zweiter Faktor zurückgesetzt. Zugangsbrief" in response.content.decode()
    administrator = fresh(gera_admin)
    assert not policy.is_enrolled(administrator) and administrator.status == Status.PENDING
    assert audit_count("factor.reset", actor=staff, target=gera_admin) == 1
    assert audit_count("user.otp_reset", actor=staff, target=gera_admin) == 1
    subjects = [m.subject for m in deliver_outbox() if m.to == [gera_admin.email]]
    assert "Ihr zweiter Faktor für das Mitgliederportal wurde zurückgesetzt" in subjects


def test_the_admin_action_leaves_clerks_and_fund_staff_alone(staff, gera_clerk):
    other = factories.StaffFactory()
    client = Client()
    client.force_login(staff)
    client.post(
        "/admin/accounts/user/", {"action": "reset_second_factor", "_selected_action": [other.pk, gera_clerk.pk]}
    )
    assert policy.is_enrolled(other) and audit_count("factor.reset") == 0


def test_fund_staff_never_reset_their_own_factor(staff):
    with pytest.raises(DomainError):
        factor_services.reset_by_staff(user=staff, by=staff)
    assert TOTPDevice.objects.filter(user=staff).exists()


def test_the_last_strong_factor_cannot_be_removed_but_a_second_one_can(gera_admin):
    client = Client()
    client.force_login(gera_admin)
    [device] = TOTPDevice.objects.filter(user=gera_admin)
    assert "Entfernen" not in client.get("/sicherheit/").content.decode()
    client.post(f"/sicherheit/app/{device.pk}/entfernen/")
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    second = TOTPDevice.objects.create(user=gera_admin, name="Authenticator-App 2", key=factories.TOTP_KEY[::-1])
    assert "Entfernen" in client.get("/sicherheit/").content.decode()
    assert client.post(f"/sicherheit/app/{second.pk}/entfernen/").url == "/sicherheit/"
    assert not TOTPDevice.objects.filter(pk=second.pk).exists()
    assert audit_count("factor.removed", target=gera_admin) == 1


def test_sicherheit_renews_recovery_codes(gera_admin):
    client = Client()
    client.force_login(gera_admin)
    page = client.get("/sicherheit/").content.decode()
    assert "Passkeys" in page and "Authenticator-Apps" in page and "Wiederherstellungscodes" in page
    first = client.post("/zweiter-faktor/wiederherstellungscodes/").content.decode()
    second = client.post("/zweiter-faktor/wiederherstellungscodes/").content.decode()
    assert first != second and audit_count("factor.recovery_codes_renewed", target=gera_admin) == 2


def test_a_factor_mistake_in_a_foreign_session_needs_the_password_first(gera_admin):
    """The factor step needs the password's session: posting codes anonymously reaches nothing."""
    client = Client()
    assert post_factor(client, factories.totp_code(gera_admin)).url.startswith("/login/")
    assert audit_count("factor.used") == 0


def test_the_passkey_pages_need_no_inline_script_and_keep_the_csp(client, gera_units):
    administrator = factories.AdministratorFactory(units=gera_units, second_factor=False)
    client.force_login(administrator)
    for path in ("/zweiter-faktor/einrichten/", "/zweiter-faktor/einrichten/app/"):
        response = client.get(path)
        html = response.content.decode()
        policy_header = response["Content-Security-Policy"]
        assert "'unsafe-inline'" not in policy_header and "script-src 'self'" in policy_header
        scripts = re.findall(r"<script([^>]*)>", html)
        assert all("src=" in attrs or 'type="application/json"' in attrs for attrs in scripts), scripts
    html = client.get("/zweiter-faktor/einrichten/").content.decode()
    assert 'id="otp_webauthn_config" type="application/json"' in html
    assert "django_otp_webauthn/otp_webauthn_register.js" in html


def test_any_fund_staff_member_resets_an_administrators_factor(gera_admin):
    clerk_of_the_fund = factories.StaffFactory(is_superuser=False)
    factor_services.reset_by_staff(user=gera_admin, by=clerk_of_the_fund)
    assert not policy.is_enrolled(gera_admin) and audit_count("factor.reset", target=gera_admin) == 1


def test_only_another_superuser_resets_a_fund_staff_members_factor(staff):
    colleague = factories.StaffFactory(is_superuser=False)
    with pytest.raises(DomainError, match="nur ein anderer Superuser"):
        factor_services.reset_by_staff(user=staff, by=colleague)
    assert policy.is_enrolled(staff)
    factor_services.reset_by_staff(user=colleague, by=staff)
    assert not policy.is_enrolled(colleague)


def test_an_administrator_resets_no_factor_through_the_staff_path(gera_admin, gera_admin2):
    with pytest.raises(DomainError, match="Nur ZVK-Mitarbeiter"):
        factor_services.reset_by_staff(user=gera_admin2, by=gera_admin)
    assert policy.is_enrolled(gera_admin2)
