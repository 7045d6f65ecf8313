"""Registrierung as administrator, approval by fund staff, the access letter."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts import otp
from accounts.models import Role, Status, User
from audit.models import AuditEntry
from clerks import services as clerk_services
from clerks.models import MemberLock
from registration.models import AdministratorApplication, ApplicationStatus
from tests import factories
from tests.helpers import enrol_app, post_login
from tests.mail import deliver_outbox

pytestmark = pytest.mark.django_db

FORM = {
    "first_name": "Nora",
    "last_name": "Neumann",
    "email": "nora.neumann@stadt-gera.example",
    "phone": "0365 838-1003",
    "member_number": "002020",
    "unit_numbers": "",
    "responsibilities": "on",
}


def register(client, **changes):
    return client.post("/registrierung/", {**FORM, **changes})


def test_public_page_explains_and_asks_for_everything(client):
    html = client.get("/registrierung/").content.decode()
    for text in (
        "Als Administrator registrieren",
        "Vorname",
        "Nachname",
        "E-Mail",
        "Telefonnummer",
        "Mitgliedsnummer",
        "Abrechnungsstellennummern",
        "trägt die Verantwortung",
    ):
        assert text in html, text


def test_registration_for_all_units_creates_an_open_application(client, gera_units):
    response = register(client)
    assert response.url == "/registrierung/eingegangen/"
    application = AdministratorApplication.objects.get()
    assert (application.status, application.all_units, application.member.number) == (
        ApplicationStatus.OPEN,
        True,
        "002020",
    )
    assert "So geht es weiter" in client.get(response.url).content.decode()
    assert AuditEntry.objects.get().action == "application.submitted"


def test_registration_for_chosen_units(client, gera_units):
    register(client, unit_numbers="002021, 002022")
    application = AdministratorApplication.objects.get()
    assert not application.all_units
    assert set(application.billing_units.values_list("number", flat=True)) == {"002021", "002022"}


def test_numbers_without_their_leading_zeros_are_padded_as_the_fund_writes_them(client, gera_units):
    """A spreadsheet turns 002020 into 2020; the registration reads it as 002020."""
    response = register(client, member_number="2020", unit_numbers="2021\n 2022")
    assert response.url == "/registrierung/eingegangen/"
    application = AdministratorApplication.objects.get()
    assert application.member.number == "002020"
    assert set(application.billing_units.values_list("number", flat=True)) == {"002021", "002022"}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"member_number": "20x20"}, "sechsstellige Nummer"),
        ({"member_number": "1234567"}, "genau sechs Ziffern"),
        ({"unit_numbers": "002021, abc"}, "nur sechsstellige Abrechnungsstellennummern"),
        ({"email": "info@stadt-gera.example"}, "keine allgemeine E-Mail-Adresse"),
        ({"responsibilities": ""}, "Bitte bestätigen Sie"),
    ],
)
def test_malformed_input_is_named_beside_its_field(client, gera_units, changes, message):
    html = register(client, **changes).content.decode()
    assert message in html
    assert not AdministratorApplication.objects.exists()


@pytest.mark.parametrize(
    "changes", [{"member_number": "999999"}, {"unit_numbers": "003030"}, {"unit_numbers": "999998"}]
)
def test_unknown_numbers_get_one_message_that_reveals_no_member_data(client, gera_units, jena_units, changes):
    html = register(client, **changes).content.decode()
    assert "passen nicht zusammen oder sind uns nicht bekannt" in html
    assert "Stadt Gera" not in html and "Stadt Jena" not in html
    assert not AdministratorApplication.objects.exists()


def approve_in_admin(staff, application):
    client = Client()
    client.force_login(staff)
    return client, client.post(
        "/admin/registration/administratorapplication/",
        {"action": "approve", "_selected_action": [application.pk]},
        follow=True,
    )


def test_fund_staff_approve_and_print_the_letter_then_the_new_administrator_logs_in(client, gera_units, staff):
    register(client)
    application = AdministratorApplication.objects.get()
    staff_client, response = approve_in_admin(staff, application)
    administrator = User.objects.get(email=FORM["email"], role=Role.ADMINISTRATOR)
    letter = response.content.decode()
    value = otp.readable(administrator)
    assert administrator.status == Status.PENDING
    for text in (value, FORM["email"], "Kornmarkt 12", "07545 Gera", "Erste Schritte", "Einmalpasswort", "Gültig bis"):
        assert text in letter, text
    assert "no-store" in response["Cache-Control"]
    assert set(administrator.scope_units.values_list("number", flat=True)) == {"002020", "002021", "002022"}
    application.refresh_from_db()
    assert (application.status, application.administrator) == (ApplicationStatus.APPROVED, administrator)

    browser = Client()
    assert post_login(browser, FORM["email"], value, role="administrator").url == "/passwort-aendern/"
    browser.post(
        "/passwort-aendern/", {"new_password1": "Kickelhahn im Nebel 77", "new_password2": "Kickelhahn im Nebel 77"}
    )
    assert browser.get("/benutzer/").url == "/zweiter-faktor/einrichten/"  # nothing else until a factor is set up
    enrol_app(browser, administrator)
    assert "Verwaltung der Benutzer" in browser.get("/benutzer/").content.decode()


def test_approval_brings_back_cascade_locked_clerks_but_not_hand_locked_ones(
    client, gera_admin, gera_units, staff, jena_clerk
):
    cascade = factories.ClerkFactory(units=gera_units[:1])
    by_hand = factories.ClerkFactory(units=gera_units[1:2])
    clerk_services.lock_clerk(clerk=by_hand, by=gera_admin, reason="Elternzeit")
    clerk_services.lock_administrator(administrator=gera_admin, by=gera_admin, reason="Ruhestand")
    register(client)
    approve_in_admin(staff, AdministratorApplication.objects.get())
    assert User.objects.get(pk=cascade.pk).status == Status.PENDING
    assert User.objects.get(pk=by_hand.pk).status == Status.LOCKED
    assert MemberLock.objects.open().get().clerk == by_hand
    assert User.objects.get(pk=jena_clerk.pk).status == Status.ACTIVE


def test_the_cascade_locked_clerk_hears_that_its_access_is_back(client, gera_admin, gera_units, staff):
    cascade = factories.ClerkFactory(units=gera_units[:1])
    clerk_services.lock_administrator(administrator=gera_admin, by=gera_admin, reason="Ruhestand")
    deliver_outbox()
    register(client)
    approve_in_admin(staff, AdministratorApplication.objects.get())
    [mail] = [m for m in deliver_outbox() if m.to == [cascade.email]]
    assert "ist wieder ein Administrator registriert" in mail.body and "Ihr Administrator hat" not in mail.body
    assert "neues Einmalpasswort" in mail.body and "Ruhestand" not in mail.body


def test_rejection_needs_and_records_a_reason(gera_units, staff):
    application = factories.ApplicationFactory(member=gera_units[0].member)
    client = Client()
    client.force_login(staff)
    ask = client.post(
        "/admin/registration/administratorapplication/", {"action": "reject", "_selected_action": [application.pk]}
    )
    assert "Grund der Ablehnung" in ask.content.decode()
    client.post(
        "/admin/registration/administratorapplication/",
        {"action": "reject", "_selected_action": [application.pk], "reason": "Keine Vollmacht des Mitglieds"},
    )
    application.refresh_from_db()
    assert (application.status, application.rejection_reason) == (
        ApplicationStatus.REJECTED,
        "Keine Vollmacht des Mitglieds",
    )
    assert not User.objects.filter(role=Role.ADMINISTRATOR).exists()
    assert AuditEntry.objects.get(action="application.rejected").data["reason"] == "Keine Vollmacht des Mitglieds"


def test_a_decided_application_cannot_be_approved_again(gera_units, staff):
    application = factories.ApplicationFactory(member=gera_units[0].member)
    approve_in_admin(staff, application)
    _client, response = approve_in_admin(staff, application)
    assert "bereits entschieden" in response.content.decode()
    assert AuditEntry.objects.filter(action="application.approved").count() == 1


def test_registering_again_after_a_change_of_name_is_pointed_out(gera_admin, staff):
    application = factories.ApplicationFactory(
        member=gera_admin.memberships.get().member,
        first_name=gera_admin.first_name,
        last_name=gera_admin.last_name,
        email="neu@stadt-gera.example",
    )
    client = Client()
    client.force_login(staff)
    html = client.get(f"/admin/registration/administratorapplication/{application.pk}/change/").content.decode()
    assert "Erneute Registrierung" in html and gera_admin.email in html


def test_a_locked_administrator_registering_again_gets_fresh_access_data(gera_admin, gera_admin2, staff):
    clerk_services.lock_administrator(administrator=gera_admin2, by=gera_admin, reason="Wechsel")
    application = factories.ApplicationFactory(member=gera_admin.memberships.get().member, email=gera_admin2.email)
    approve_in_admin(staff, application)
    renewed = User.objects.get(pk=gera_admin2.pk)
    assert renewed.status == Status.PENDING and otp.readable(renewed)
    assert AuditEntry.objects.get(action="application.approved").data["renewed_account"] is True


def test_the_letters_address_field_has_the_attention_line_below_the_organisation(client, gera_units, staff):
    """DIN 5008: organisation, attention line, street, postcode and city, in this order."""
    register(client)
    _staff_client, response = approve_in_admin(staff, AdministratorApplication.objects.get())
    html = response.content.decode()
    address = html[html.index('data-testid="address"') : html.index("</address>")]
    lines = [line.strip() for line in address.split(">", 1)[1].split("<br>")]
    assert lines == ["Stadt Gera", "z. Hd. Nora Neumann", "Kornmarkt 12", "07545 Gera"]


# --- "Freigeben" and "Ablehnen" on a registration's page ---------------------------------------------------


def staff_browser(staff):
    client = Client()
    client.force_login(staff)
    return client


def change_page(client, application) -> str:
    return client.get(f"/admin/registration/administratorapplication/{application.pk}/change/").content.decode()


def test_the_page_of_an_open_registration_offers_freigeben_and_ablehnen(gera_units, staff):
    application = factories.ApplicationFactory(member=gera_units[0].member)
    html = change_page(staff_browser(staff), application)
    base = f"/admin/registration/administratorapplication/{application.pk}"
    assert f'href="{base}/freigeben/">Freigeben</a>' in html and f'href="{base}/ablehnen/">Ablehnen</a>' in html


def test_freigeben_asks_first_then_approves_and_leads_to_the_letter(gera_units, staff):
    application = factories.ApplicationFactory(member=gera_units[0].member, email="nora@stadt-gera.example")
    client = staff_browser(staff)
    url = f"/admin/registration/administratorapplication/{application.pk}/freigeben/"
    confirm = client.get(url).content.decode()
    assert "Möchten Sie diese Registrierung freigeben?" in confirm and "002020 Stadt Gera" in confirm
    application.refresh_from_db()
    assert application.is_open and not User.objects.filter(role=Role.ADMINISTRATOR).exists()
    response = client.post(url)
    administrator = User.objects.get(email="nora@stadt-gera.example", role=Role.ADMINISTRATOR)
    assert response.url == f"/admin/accounts/user/{administrator.pk}/zugangsbrief/"
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    html = change_page(client, application)
    assert "/freigeben/" not in html and "/ablehnen/" not in html  # decided: no buttons any more


def test_ablehnen_asks_for_the_reason_then_rejects(gera_units, staff):
    application = factories.ApplicationFactory(member=gera_units[0].member)
    client = staff_browser(staff)
    url = f"/admin/registration/administratorapplication/{application.pk}/ablehnen/"
    assert "Grund der Ablehnung" in client.get(url).content.decode()
    empty = client.post(url, {"reason": " "}).content.decode()
    assert "Bitte geben Sie einen Grund für die Ablehnung an." in empty
    application.refresh_from_db()
    assert application.is_open and not AuditEntry.objects.filter(action="application.rejected").exists()
    response = client.post(url, {"reason": "Keine Vollmacht des Mitglieds"}, follow=True)
    assert "abgelehnt" in response.content.decode()
    application.refresh_from_db()
    assert (application.status, application.rejection_reason) == (
        ApplicationStatus.REJECTED,
        "Keine Vollmacht des Mitglieds",
    )


def test_a_decided_registration_goes_back_to_its_page(gera_units, staff):
    application = factories.ApplicationFactory(member=gera_units[0].member)
    client = staff_browser(staff)
    client.post(f"/admin/registration/administratorapplication/{application.pk}/freigeben/")
    for step in ("freigeben", "ablehnen"):
        response = client.post(
            f"/admin/registration/administratorapplication/{application.pk}/{step}/", {"reason": "x"}, follow=True
        )
        assert "bereits entschieden" in response.content.decode(), step
    assert AuditEntry.objects.filter(action="application.approved").count() == 1
    assert not AuditEntry.objects.filter(action="application.rejected").exists()


def test_a_new_registration_is_not_a_re_registration_of_the_account_it_created(client, gera_units, staff):
    register(client)
    application = AdministratorApplication.objects.get()
    approve_in_admin(staff, application)
    application.refresh_from_db()
    assert application.administrator is not None
    assert list(application.earlier_accounts()) == []
    assert "Erneute Registrierung" not in change_page(staff_browser(staff), application)


def test_a_renewed_account_stays_pointed_out_after_the_approval(gera_admin, staff):
    application = factories.ApplicationFactory(member=gera_admin.memberships.get().member, email=gera_admin.email)
    approve_in_admin(staff, application)
    application.refresh_from_db()
    assert "Erneute Registrierung" in change_page(staff_browser(staff), application)


def test_the_change_list_reads_the_earlier_accounts_of_all_its_rows_at_once(
    gera_admin, gera_admin2, staff, django_assert_num_queries
):
    """The earlier accounts of a whole page (and their registrations) cost the same queries however many rows."""
    member = gera_admin.memberships.get().member
    client = staff_browser(staff)

    def renewals(count):
        for person in (gera_admin, gera_admin2)[:count]:
            factories.ApplicationFactory(member=member, email=person.email)
            factories.ApplicationFactory(
                member=member, first_name=person.first_name, last_name=person.last_name, email="x" + person.email
            )

    client.get("/admin/registration/administratorapplication/")  # the session's first request does more
    renewals(1)
    with CaptureQueriesContext(connection) as two_rows:
        html = client.get("/admin/registration/administratorapplication/").content.decode()
    assert html.count("Erneute Registrierung") == 2 and gera_admin.email in html
    renewals(2)
    factories.ApplicationFactory(member=member)
    with django_assert_num_queries(len(two_rows)):
        html = client.get("/admin/registration/administratorapplication/").content.decode()
    assert html.count("Erneute Registrierung") == 6 and gera_admin2.email in html
    assert html.count(f"registriert für {member}") == 6
