"""Login for both roles: the page, one-time passwords, the forced password change, lockout,
role separation and the audit trail."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.hashers import MD5PasswordHasher
from django.utils import timezone

from accounts import otp
from accounts.models import Membership, Role, Status, User
from audit.models import AuditEntry
from tests import factories
from tests.helpers import page_text, post_login

pytestmark = pytest.mark.django_db

LOGIN_FAILED = "E-Mail-Adresse oder Passwort ist falsch."
CHECK_ROLE = "Bitte prüfen Sie auch die gewählte Benutzerrolle."


def without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_login_page_has_the_fields_of_the_manual(client):
    html = client.get("/login/").content.decode()
    for text in (
        "Benutzerrolle",
        "Administrator",
        "Sachbearbeiter",
        "E-Mail",
        "Passwort",
        "Anmelden",
        "Passwort vergessen",
    ):
        assert text in html
    assert 'lang="de"' in html


@pytest.mark.parametrize("url", ["/login/", "/passwort-vergessen/"])
def test_no_role_is_preset(client, url):
    html = client.get(url).content.decode()
    assert 'name="role"' in html and "checked" not in html


def test_login_without_a_role_asks_for_it_and_keeps_the_email(client, gera_clerk):
    response = client.post("/login/", {"email": gera_clerk.email, "password": factories.PASSWORD})
    html = response.content.decode()
    assert response.status_code == 200 and "Bitte wählen Sie Ihre Benutzerrolle." in html
    assert f'value="{gera_clerk.email}"' in html and factories.PASSWORD not in html


def test_the_chosen_role_is_kept_after_a_failed_login(client, gera_clerk):
    html = post_login(client, gera_clerk.email, "falsch", role=Role.CLERK).content.decode()
    assert re.search(r'value="clerk"[^>]*checked', html)


def test_a_failed_login_asks_to_check_the_role_too(client, gera_clerk):
    wrong_role = post_login(client, gera_clerk.email, factories.PASSWORD, role=Role.ADMINISTRATOR).content.decode()
    unknown = post_login(client, "niemand@stadt-gera.example", "falsch", role=Role.CLERK).content.decode()
    for html in (wrong_role, unknown):
        assert f"{LOGIN_FAILED} {CHECK_ROLE}" in html


def test_administrator_lands_on_verwaltung_der_benutzer(client, gera_admin):
    response = post_login(client, gera_admin.email, factories.PASSWORD, role=Role.ADMINISTRATOR)
    assert response.url == "/benutzer/"
    assert "Verwaltung der Benutzer" in client.get("/benutzer/").content.decode()


def test_email_is_matched_case_insensitively_and_without_spaces(client, gera_clerk):
    response = post_login(client, "  Anna.SCHMIDT@stadt-gera.example ", factories.PASSWORD, role=Role.CLERK)
    assert response.status_code == 302 and response.url == "/start/"


def test_unknown_and_known_emails_get_byte_identical_error_pages(client, gera_clerk):
    locked = factories.ClerkFactory(status=Status.LOCKED)
    pages = [
        post_login(client, "niemand@stadt-gera.example", "irgendwas", role=Role.CLERK),
        post_login(client, gera_clerk.email, "falsches Passwort", role=Role.CLERK),
        post_login(client, locked.email, factories.PASSWORD, role=Role.CLERK),
    ]
    assert {page.status_code for page in pages} == {200}
    first = without_csrf(pages[0].content.decode()).replace("niemand@stadt-gera.example", "EMAIL")
    assert LOGIN_FAILED in first
    for page, email in zip(pages[1:], [gera_clerk.email, locked.email], strict=True):
        assert without_csrf(page.content.decode()).replace(email, "EMAIL") == first
    # the clerk's right password in the administrator role is just as wrong
    wrong_role = post_login(client, gera_clerk.email, factories.PASSWORD, role=Role.ADMINISTRATOR).content.decode()
    assert LOGIN_FAILED in wrong_role


class CountingHasher(MD5PasswordHasher):
    calls = 0

    def encode(self, password, salt):
        CountingHasher.calls += 1
        return super().encode(password, salt)


def test_unknown_email_costs_the_same_hashing_work_as_a_wrong_password(client, gera_clerk, settings):
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    User.objects.filter(pk=gera_clerk.pk).update(password=CountingHasher().encode(factories.PASSWORD, "salt"))
    counts = []
    for email in ("niemand@stadt-gera.example", gera_clerk.email):
        CountingHasher.calls = 0
        post_login(client, email, "falsches Passwort", role=Role.CLERK)
        counts.append(CountingHasher.calls)
    assert counts == [1, 1]


def test_otp_login_forces_the_password_change_everywhere(client, gera_units, gera_admin):
    clerk = factories.PendingClerkFactory(units=gera_units[:1])
    response = post_login(client, clerk.email, clerk.otp_plain, role=Role.CLERK)
    assert response.url == "/passwort-aendern/"
    for url in ("/start/", "/benutzer/", "/admin/", "/", f"/benutzer/{clerk.pk}/"):
        assert client.get(url).url == "/passwort-aendern/", url
    assert client.post("/passwort-vergessen/", {"role": "clerk", "email": clerk.email}).url == "/passwort-aendern/"
    assert "Passwort ändern" in client.get("/passwort-aendern/").content.decode()


def test_setting_the_personal_password_activates_and_clears_the_otp(client, gera_units, gera_admin):
    clerk = factories.PendingClerkFactory(units=gera_units[:1])
    post_login(client, clerk.email, clerk.otp_plain, role=Role.CLERK)
    new = "Mein Lieblingsberg ist der Kickelhahn"
    response = client.post("/passwort-aendern/", {"new_password1": new, "new_password2": new})
    assert response.url == "/start/"
    clerk.refresh_from_db()
    assert clerk.status == Status.ACTIVE and clerk.otp_hash == "" and clerk.otp_ciphertext == ""
    assert client.get("/start/").status_code == 200  # the session survives its own password change
    client.force_login(gera_admin)
    detail = page_text(client.get(f"/benutzer/{clerk.pk}/"))
    assert clerk.otp_plain not in detail
    assert not post_login(client, clerk.email, clerk.otp_plain, role=Role.CLERK).has_header("Location")


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("kurz genug", "Das Passwort ist zu kurz: Es muss mindestens 12 Zeichen lang sein (Sie haben 10 eingegeben)."),
        ("x" * 129, "Das Passwort ist zu lang: Es darf höchstens 128 Zeichen lang sein (Sie haben 129 eingegeben)."),
        ("12345678901234", "Das Passwort darf nicht nur aus Ziffern bestehen."),
        ("1qaz2wsx3edc", "Dieses Passwort gehört zu den häufig verwendeten Passwörtern"),
        ("Versorgungskasse2025", "Das Passwort darf den Begriff „versorgungskasse“ nicht enthalten"),
        ("Lena!Sommerurlaub", "Das Passwort darf Ihren Vornamen nicht enthalten."),
        ("Im Sommer fährt LANG nach Jena", "Das Passwort darf Ihren Nachnamen nicht enthalten."),
        ("Die Akte liegt im Schrank", "Das Passwort darf Ihre E-Mail-Adresse oder einen Teil davon (vor dem @)"),
    ],
)
def test_each_refused_password_names_the_rule_it_breaks(client, gera_units, password, message):
    clerk = factories.PendingClerkFactory(
        units=gera_units[:1], first_name="Lena", last_name="Lang", email="l.lang.akte@stadt-gera.example"
    )
    post_login(client, clerk.email, clerk.otp_plain, role=Role.CLERK)
    response = client.post("/passwort-aendern/", {"new_password1": password, "new_password2": password})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert User.objects.get(pk=clerk.pk).status == Status.PENDING


@pytest.mark.parametrize(
    ("first_name", "last_name", "password"),
    [
        ("Jörg", "Müller", "Der Mueller mahlt das Korn im Tal"),
        ("Jörg", "Müller", "Der Muller mahlt das Korn im Tal"),
        ("Jörg", "Mueller", "Beim Müller mahlt es sich gut"),
        ("Jörg", "Müller", "Joerg mag lange Sätze sehr gern"),
        ("Anna", "von der Heide", "Die heide blüht im August"),
        ("Jörg-Günther", "Groß", "Urlaub mit Guenther am See"),
        ("Eva", "Groß", "Der GROSS-Wagen steht vor dem Tor"),
    ],
)
def test_the_own_name_is_refused_in_any_case_and_spelling(first_name, last_name, password):
    from accounts.forms import NewPasswordForm

    user = factories.PendingClerkFactory(first_name=first_name, last_name=last_name)
    form = NewPasswordForm(user, {"new_password1": password, "new_password2": password})
    assert not form.is_valid()
    assert any("namen nicht enthalten" in error for error in form.errors["new_password1"])


def test_name_particles_and_very_short_names_are_no_reason_to_refuse():
    from accounts.forms import NewPasswordForm

    user = factories.PendingClerkFactory(first_name="Li", last_name="von der Heide", email="l.h@stadt-gera.example")
    password = "Der Wind von Westen ist kalt"
    assert NewPasswordForm(user, {"new_password1": password, "new_password2": password}).is_valid()


def test_the_password_page_lists_the_rules(client, gera_units):
    clerk = factories.PendingClerkFactory(units=gera_units[:1])
    post_login(client, clerk.email, clerk.otp_plain, role=Role.CLERK)
    html = client.get("/passwort-aendern/").content.decode()
    assert "Mindestens 12 und höchstens 128 Zeichen" in html and "nicht Ihr Vorname, Ihr Nachname" in html


def test_new_password_may_not_be_the_otp_or_the_email(client, gera_units):
    clerk = factories.PendingClerkFactory(units=gera_units[:1], email="lena.lang@stadt-gera.example")
    post_login(client, clerk.email, clerk.otp_plain, role=Role.CLERK)
    for password, message in ((clerk.otp_plain, "vom Einmalpasswort"), (clerk.email, "E-Mail-Adresse")):
        response = client.post("/passwort-aendern/", {"new_password1": password, "new_password2": password})
        assert message in response.content.decode()
    mismatch = client.post("/passwort-aendern/", {"new_password1": "a" * 20 + "Zz!", "new_password2": "b" * 23})
    assert "stimmen nicht überein" in mismatch.content.decode()


def test_long_unicode_passwords_are_accepted_and_not_truncated(client, gera_units):
    clerk = factories.PendingClerkFactory(units=gera_units[:1])
    post_login(client, clerk.email, clerk.otp_plain, role=Role.CLERK)
    password = "äöü ß 😀 kleinbuchstaben " + "x" * 104
    assert len(password) == 128
    assert client.post("/passwort-aendern/", {"new_password1": password, "new_password2": password}).status_code == 302
    client.logout()
    assert post_login(client, clerk.email, password[:-1], role=Role.CLERK).status_code == 200
    assert post_login(client, clerk.email, password.upper(), role=Role.CLERK).status_code == 200
    assert post_login(client, clerk.email, password, role=Role.CLERK).status_code == 302


def test_expired_otp_tells_the_user_to_ask_the_administrator(client, gera_units, settings):
    clerk = factories.PendingClerkFactory(units=gera_units[:1])
    with time_machine.travel(timezone.now() + timedelta(days=settings.OTP_VALIDITY_DAYS, minutes=1)):
        response = post_login(client, clerk.email, clerk.otp_plain, role=Role.CLERK)
        assert "abgelaufen" in response.content.decode() and "Administrator" in response.content.decode()
        # a wrong guess still gets the generic answer and reveals nothing about the expiry
        wrong = post_login(client, clerk.email, "0000000000", role=Role.CLERK).content.decode()
        assert LOGIN_FAILED in wrong and "abgelaufen" not in wrong


def test_an_administrators_expired_otp_points_to_the_fund_not_to_an_administrator(client, gera_units, settings):
    admin = factories.AdministratorFactory(units=gera_units, status=Status.PENDING)
    otp_plain = otp.issue(admin)
    admin.save()
    with time_machine.travel(timezone.now() + timedelta(days=settings.OTP_VALIDITY_DAYS, minutes=1)):
        html = post_login(client, admin.email, otp_plain, role=Role.ADMINISTRATOR).content.decode()
    assert "Ihr Einmalpasswort ist abgelaufen" in html
    assert f"Zusatzversorgungskasse Thüringen (Telefon {settings.FUND_PHONE})" in html
    assert "Ihren Administrator" not in html


def test_five_wrong_passwords_through_the_page_deactivate(client, gera_clerk, gera_admin, settings):
    factories.trust_device(client, gera_clerk)  # the clerk's own browser (DESIGN §8)
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        assert LOGIN_FAILED in post_login(client, gera_clerk.email, "falsch", role=Role.CLERK).content.decode()
    gera_clerk.refresh_from_db()
    assert gera_clerk.status == Status.DEACTIVATED
    # attempt N+1 with the right (old) password fails with the same message
    assert LOGIN_FAILED in post_login(client, gera_clerk.email, factories.PASSWORD, role=Role.CLERK).content.decode()
    client.force_login(gera_admin)
    detail = page_text(client.get(f"/benutzer/{gera_clerk.pk}/"))
    assert otp.readable(gera_clerk) in detail and "Deaktiviert" in detail
    client.logout()
    assert post_login(client, gera_clerk.email, otp.readable(gera_clerk), role=Role.CLERK).url == "/passwort-aendern/"


def test_same_email_may_hold_both_roles_with_separate_passwords(client, gera_units):
    email = "doppelt@stadt-gera.example"
    admin = factories.AdministratorFactory(email=email, units=gera_units, password="Passwort des Admins 1")
    clerk = factories.ClerkFactory(email=email, units=gera_units[:1], password="Passwort der Sachbearbeiterin")
    assert post_login(client, email, "Passwort des Admins 1", role=Role.CLERK).status_code == 200
    assert post_login(client, email, "Passwort der Sachbearbeiterin", role=Role.CLERK).url == "/start/"
    assert client.get("/benutzer/").status_code == 403
    assert int(client.session["_auth_user_id"]) == clerk.pk
    client.logout()
    assert post_login(client, email, "Passwort des Admins 1", role=Role.ADMINISTRATOR).url == "/benutzer/"
    assert client.get("/start/").status_code == 403
    assert int(client.session["_auth_user_id"]) == admin.pk


def test_anonymous_users_are_sent_to_the_login_page(client, gera_clerk):
    for url in ("/start/", "/benutzer/", f"/benutzer/{gera_clerk.pk}/", "/passwort-aendern/"):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/login/?next="), url


def test_clerk_start_page_lists_exactly_its_billing_units(client, gera_clerk, gera_units, jena_clerk):
    client.force_login(gera_clerk)
    html = client.get("/start/").content.decode()
    assert "002020" in html and "002021" in html and "Stadt Gera – Eigenbetrieb Bäder" in html
    assert "002022" not in html and "003030" not in html


def test_login_events_are_audited_without_secrets(client, gera_units, settings):
    clerk = factories.PendingClerkFactory(units=gera_units[:1])
    post_login(client, clerk.email, "9999999999", role=Role.CLERK)
    post_login(client, "niemand@stadt-gera.example", "geheim-unbekannt", role=Role.CLERK)
    post_login(client, clerk.email, clerk.otp_plain, role=Role.CLERK)
    client.post(
        "/passwort-aendern/", {"new_password1": "Kickelhahn im Nebel 77", "new_password2": "Kickelhahn im Nebel 77"}
    )
    client.post("/logout/")
    post_login(client, clerk.email, "Kickelhahn im Nebel 77", role=Role.CLERK)
    logged = list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))
    assert logged == [
        "login.failed",
        "login.failed",
        "login.otp_used",
        "factor.email_code_sent",  # a browser new to the account confirms the login by e-mail code
        "factor.used",
        "user.password_set",
        "user.logged_out",
        "login.succeeded",  # the same browser, remembered: no code this time
    ]
    everything = str(list(AuditEntry.objects.values()))
    for secret in (clerk.otp_plain, "9999999999", "geheim-unbekannt", "Kickelhahn im Nebel 77"):
        assert secret not in everything


def test_active_user_changes_password_with_the_current_one(client, gera_clerk):
    client.force_login(gera_clerk)
    wrong = client.post(
        "/passwort-aendern/",
        {
            "old_password": "nicht richtig",
            "new_password1": "Kickelhahn im Nebel 77",
            "new_password2": "Kickelhahn im Nebel 77",
        },
    )
    assert "bisherige Passwort ist nicht richtig" in wrong.content.decode()
    gera_clerk.refresh_from_db()
    assert gera_clerk.check_password(factories.PASSWORD)
    right = client.post(
        "/passwort-aendern/",
        {
            "old_password": factories.PASSWORD,
            "new_password1": "Kickelhahn im Nebel 77",
            "new_password2": "Kickelhahn im Nebel 77",
        },
    )
    assert right.status_code == 302
    gera_clerk.refresh_from_db()
    assert gera_clerk.check_password("Kickelhahn im Nebel 77")


def test_no_forced_rotation_of_an_old_password(client, gera_clerk):
    with time_machine.travel(timezone.now() + timedelta(days=400)):
        assert post_login(client, gera_clerk.email, factories.PASSWORD, role=Role.CLERK).url == "/start/"


def test_login_leads_back_to_the_page_asked_for_but_never_elsewhere(client, gera_admin, gera_clerk):
    page = client.get(f"/benutzer/{gera_clerk.pk}/").url
    assert page == f"/login/?next=/benutzer/{gera_clerk.pk}/"
    response = post_login(client, gera_admin, factories.PASSWORD, next=page.split("next=", 1)[1])
    assert response.url == f"/benutzer/{gera_clerk.pk}/"
    client.logout()
    response = post_login(client, gera_admin, factories.PASSWORD, next="https://evil.example/")
    assert response.url == "/benutzer/"


@pytest.mark.parametrize("target", ["abc", '"><img src=x onerror=alert(1)>', "clerks:list", "benutzer/", "./x"])
def test_a_next_that_is_no_path_is_ignored_and_never_a_server_error(client, gera_admin, target):
    """Found by the fuzz tests: redirect() took a bare word for a URL name and failed with a 500."""
    response = post_login(client, gera_admin, factories.PASSWORD, next=target)
    assert response.status_code == 302 and response.url == "/benutzer/"


def test_clerk_start_page_names_its_administrators_with_phone_and_email(client, gera_units, jena_units):
    clerk = factories.ClerkFactory(units=gera_units[:1])
    named = factories.AdministratorFactory(units=gera_units[:1], first_name="Gerda", last_name="Gera", phone="0365 1")
    other_unit = factories.AdministratorFactory(units=gera_units[2:], first_name="Otto", last_name="Ost")
    locked = factories.AdministratorFactory(units=gera_units, status=Status.LOCKED, last_name="Gesperrt")
    jena = factories.AdministratorFactory(units=jena_units, last_name="Jenaer")
    client.force_login(clerk)
    html = client.get("/start/").content.decode()
    assert "Ihre Administratoren" in html
    assert "Gerda Gera" in html and "0365 1" in html and named.email in html
    assert "Otto Ost" in html and other_unit.email in html  # an administrator of the clerk's member
    assert html.count(named.email) == 2  # once as text, once in the mailto link, though registered for many units
    assert locked.email not in html and jena.email not in html


def test_an_administrator_whose_registration_for_the_member_ended_is_not_named(client, gera_units, jena_units):
    clerk = factories.ClerkFactory(units=gera_units[:1])
    shared = factories.AdministratorFactory(units=jena_units)
    Membership.of(shared, member=gera_units[0].member).save()  # still listed at Gera, but registered for Jena only
    client.force_login(clerk)
    html = client.get("/start/").content.decode()
    assert shared.email not in html
    assert "kein Administrator eingetragen" in html and "03466 / 3364 - 75" in html
