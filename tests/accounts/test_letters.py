"""The access letter, the hand-over slip and the mails say the one case that applies (never "… bzw. …") and address
an administrator as "Frau"/"Herr" where its registration gave the Anrede, else by its full name."""

from pathlib import Path

import pytest
from django.conf import settings

from accounts import services
from accounts.models import Salutation, User
from clerks import services as clerk_services
from registration.models import AdministratorApplication
from tests import factories
from tests.accounts.test_registration import FORM, approve_in_admin, register, staff_browser
from tests.mail import deliver_outbox

pytestmark = pytest.mark.django_db


def letter(staff, user) -> str:
    return staff_browser(staff).get(f"/admin/accounts/user/{user.pk}/zugangsbrief/").content.decode()


def occasion(html: str) -> str:
    start = html.index('data-testid="occasion">') + len('data-testid="occasion">')
    return html[start : html.index("</p>", start)]


def test_a_first_registration_says_so_and_greets_frau_by_her_surname(client, gera_units, staff):
    register(client, salutation="frau")
    application = AdministratorApplication.objects.get()
    assert application.salutation == Salutation.MS
    _client, response = approve_in_admin(staff, application)
    html = response.content.decode()
    assert "Sehr geehrte Frau Neumann," in html and "z. Hd. Frau Nora Neumann" in html
    assert occasion(html).startswith("Ihre Registrierung als Administrator für 002020 Stadt Gera wurde freigegeben.")
    assert "bzw." not in html and "erneut" not in occasion(html) and "zum ersten Mal an" in html
    assert User.objects.get(email=FORM["email"]).salutation == Salutation.MS


def test_without_an_anrede_the_letter_greets_by_the_full_name(client, gera_units, staff):
    register(client)
    _client, response = approve_in_admin(staff, AdministratorApplication.objects.get())
    html = response.content.decode()
    assert "Guten Tag Nora Neumann," in html and "z. Hd. Nora Neumann" in html and "Sehr geehrte" not in html


def test_a_renewed_account_and_a_reset_factor_each_say_their_case(gera_admin, staff):
    application = factories.ApplicationFactory(
        member=gera_admin.memberships.get().member, email=gera_admin.email, salutation="herr", last_name="Keller"
    )
    approve_in_admin(staff, application)
    html = letter(staff, gera_admin)
    assert "Sehr geehrter Herr Keller," in html and "Ihre erneute Registrierung" in occasion(html)
    assert "bzw." not in html
    staff_browser(staff).post(
        "/admin/accounts/user/", {"action": "reset_second_factor", "_selected_action": [gera_admin.pk]}
    )
    assert "zweiter Faktor" in occasion(letter(staff, gera_admin))
    services.issue_access_letter_otp(user=gera_admin, by=staff)
    assert occasion(letter(staff, gera_admin)).startswith("für Ihren Zugang wurde ein neues Einmalpasswort gesetzt.")


def test_the_hand_over_slip_says_whether_the_access_is_new_or_the_password(client, gera_units):
    administrator = factories.AdministratorFactory(
        units=gera_units, salutation="frau", first_name="Maria", last_name="Keller"
    )
    client.force_login(administrator)
    assert client.post("/benutzer/neu/", {**PERSON}).status_code == 302
    token = client.session["clerk_draft"]["token"]
    client.post("/benutzer/neu/abrechnungsstellen/", {"token": token, "units": [gera_units[0].pk]})
    clerk = User.objects.get(email=PERSON["email"])
    slip = client.get(f"/benutzer/{clerk.pk}/uebergabeblatt/").content.decode()
    assert "Guten Tag Lena Wolf," in slip and "bzw." not in slip
    assert occasion(slip) == (
        "Frau Maria Keller aus der Benutzerverwaltung Ihres Arbeitgebers hat für Sie einen Zugang als Sachbearbeiter "
        "eingerichtet. Mit diesen Daten melden Sie sich zum ersten Mal an:"
    )
    clerk_services.reset_otp(clerk=clerk, by=administrator)
    slip = client.get(f"/benutzer/{clerk.pk}/uebergabeblatt/").content.decode()
    assert "ein neues Einmalpasswort gesetzt. Mit diesen Daten melden Sie sich wieder an" in occasion(slip)


PERSON = {"first_name": "Lena", "last_name": "Wolf", "phone": "0365 838-1200", "email": "lena.wolf@stadt-gera.example"}


def test_an_administrators_mail_greets_with_the_anrede(gera_units):
    administrator = factories.AdministratorFactory(units=gera_units, salutation="herr", last_name="Brandt")
    deliver_outbox()
    services.request_password_reset(role=administrator.role, email=administrator.email)
    [mail] = deliver_outbox()
    assert mail.body.lstrip().startswith("Sehr geehrter Herr Brandt,")
    clerk = factories.ClerkFactory(units=gera_units[:1], first_name="Ute", last_name="Lang")
    services.request_password_reset(role=clerk.role, email=clerk.email)
    [mail] = deliver_outbox()
    assert mail.body.lstrip().startswith("Guten Tag Ute Lang,")


def test_every_mail_template_greets_through_the_anrede():
    for path in (Path(settings.BASE_DIR) / "templates" / "emails").glob("*_body.txt"):
        assert "Guten Tag {{" not in path.read_text(), path.name
