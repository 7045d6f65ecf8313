"""The Django admin for fund staff."""

import pytest
from django.test import Client

from accounts import otp
from accounts.models import Role, Status, User
from audit.models import AuditEntry
from tests import factories
from tests.helpers import post_factor

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(staff):
    client = Client()
    assert client.post("/admin/login/", {"username": staff.email, "password": factories.PASSWORD}).status_code == 302
    assert post_factor(client, factories.totp_code(staff)).status_code == 302  # Anmeldung bestätigen
    return client


def test_fund_staff_log_in_to_the_admin_with_their_email(staff_client):
    html = staff_client.get("/admin/").content.decode()
    assert "Zusatzversorgungskasse Thüringen – Verwaltung" in html
    for section in (
        "Mitglieder",
        "Abrechnungsstellen",
        "Benutzer",
        "Berechtigungen",
        "Mitgliedersperren",
        "Protokolleinträge",
    ):
        assert section in html, section


def test_portal_users_cannot_use_the_admin(gera_admin):
    client = Client()
    response = client.post("/admin/login/", {"username": gera_admin.email, "password": factories.PASSWORD})
    assert response.status_code == 200
    client.force_login(gera_admin)
    assert client.get("/admin/").status_code == 302


def test_user_list_never_shows_hashes_or_otps(staff_client, gera_units, gera_clerk):
    pending = factories.PendingClerkFactory(units=gera_units[:1])
    html = staff_client.get("/admin/accounts/user/").content.decode()
    assert gera_clerk.email in html and pending.email in html
    assert pending.otp_plain not in html and "md5$" not in html and pending.otp_ciphertext[:20] not in html
    detail = staff_client.get(f"/admin/accounts/user/{pending.pk}/change/").content.decode()
    assert pending.otp_plain not in detail and "md5$" not in detail


def test_user_search_and_filters(staff_client, gera_clerk, gera_admin):
    assert gera_clerk.email in staff_client.get("/admin/accounts/user/", {"q": "schmidt"}).content.decode()
    by_role = staff_client.get("/admin/accounts/user/", {"role__exact": Role.ADMINISTRATOR}).content.decode()
    assert gera_admin.email in by_role and gera_clerk.email not in by_role
    by_status = staff_client.get("/admin/accounts/user/", {"status__exact": Status.LOCKED}).content.decode()
    assert gera_clerk.email not in by_status


def test_members_and_units_search_by_number_and_name(staff_client, gera_units, jena_units):
    assert "Stadt Jena" not in staff_client.get("/admin/billing_units/member/", {"q": "002020"}).content.decode()
    html = staff_client.get("/admin/billing_units/billingunit/", {"q": "Bäder"}).content.decode()
    assert "002021" in html and "002022" not in html


def test_status_cannot_be_edited_by_hand(staff_client, gera_clerk):
    staff_client.post(
        f"/admin/accounts/user/{gera_clerk.pk}/change/",
        {"status": Status.LOCKED, "email": "x@y.example", "first_name": "X", "last_name": "Y"},
    )
    gera_clerk.refresh_from_db()
    assert gera_clerk.status == Status.ACTIVE and gera_clerk.email == "anna.schmidt@stadt-gera.example"


def test_access_letter_action_for_a_deactivated_administrator(staff_client, gera_admin, settings):
    from accounts import services

    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        services.log_in(
            role=Role.ADMINISTRATOR,
            email=gera_admin.email,
            password="falsch",
            device_tokens=factories.device_tokens(gera_admin),
        )
    response = staff_client.post(
        "/admin/accounts/user/", {"action": "issue_access_letter", "_selected_action": [gera_admin.pk]}, follow=True
    )
    assert "Zugangsbrief" in response.content.decode()
    gera_admin.refresh_from_db()
    assert gera_admin.status == Status.PENDING
    letter = staff_client.get(f"/admin/accounts/user/{gera_admin.pk}/zugangsbrief/")
    assert otp.readable(gera_admin) in letter.content.decode()
    assert "no-store" in letter["Cache-Control"]


def test_fund_staff_reading_a_one_time_password_on_the_letter_is_audited_once_per_password(
    staff_client, staff, gera_units
):
    """Who saw a one-time password (LOG-10) counts fund staff too: the first view of each password on the access
    letter is an audit entry, a HEAD request shows nothing and writes none."""
    pending = factories.PendingClerkFactory(units=gera_units[:1])
    url = f"/admin/accounts/user/{pending.pk}/zugangsbrief/"
    viewed = AuditEntry.objects.filter(action="user.otp_viewed", actor=staff, target=pending)
    staff_client.head(url)
    assert not viewed.exists()
    for _ in range(2):
        assert otp.readable(pending) in staff_client.get(url).content.decode()
    assert viewed.count() == 1


def test_portal_users_cannot_open_a_letter(client, gera_admin, gera_units):
    pending = factories.PendingClerkFactory(units=gera_units[:1])
    client.force_login(gera_admin)
    response = client.get(f"/admin/accounts/user/{pending.pk}/zugangsbrief/")
    assert response.status_code == 302 and pending.otp_plain not in response.content.decode()


def test_audit_log_is_read_only_with_filters(staff_client, gera_admin, gera_clerk):
    from clerks import services

    services.lock_clerk(clerk=gera_clerk, by=gera_admin, reason="Elternzeit")
    entry = AuditEntry.objects.get(action="clerk.locked")
    listing = staff_client.get("/admin/audit/auditentry/").content.decode()
    assert "Berechtigung entzogen" in listing and "Elternzeit" in listing
    for params in (
        {"member__id__exact": entry.member_id},
        {"actor__id__exact": gera_admin.pk},
        {"action__exact": "clerk.locked"},
    ):
        assert "Elternzeit" in staff_client.get("/admin/audit/auditentry/", params).content.decode(), params
    assert staff_client.get(f"/admin/audit/auditentry/{entry.pk}/delete/").status_code == 403
    staff_client.post(f"/admin/audit/auditentry/{entry.pk}/change/", {"action": "login.failed"})
    entry.refresh_from_db()
    assert entry.action == "clerk.locked"


def test_staff_login_goes_through_the_lockout(gera_units, staff, settings):
    client = factories.trust_device(Client(), staff)
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": staff.email, "password": "falsch"})
    assert User.objects.get(pk=staff.pk).status == Status.DEACTIVATED
    assert client.post("/admin/login/", {"username": staff.email, "password": factories.PASSWORD}).status_code == 200


def test_anonymous_visitors_of_the_admin_are_sent_to_the_admin_login(client):
    """Fund staff sign in on the admin's own login page; the portal's login knows no role for them."""
    for url in ("/admin/", "/admin/accounts/user/"):
        response = client.get(url)
        assert response.status_code == 302 and response.url == f"/admin/login/?next={url}", url
    assert "Passwort" in client.get("/admin/login/").content.decode()
    # the portal's pages still lead to the portal's login
    assert client.get("/benutzer/").url == "/login/?next=/benutzer/"


def test_fund_staff_change_their_password_on_the_portals_page_with_audit(staff_client, staff):
    assert staff_client.get("/admin/password_change/").url == "/passwort-aendern/"
    new = "Kickelhahn im Nebel 77"
    response = staff_client.post(
        "/passwort-aendern/", {"old_password": factories.PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.url == "/admin/"
    assert User.objects.get(pk=staff.pk).check_password(new)
    assert AuditEntry.objects.filter(action="user.password_changed", target=staff).count() == 1


def test_permission_groups_are_not_offered(staff_client):
    assert "Gruppen" not in staff_client.get("/admin/").content.decode()
