"""„+ Sachbearbeiter hinzufügen“ in two steps (manual §3 c–k)."""

import re

import pytest

from accounts import otp
from accounts.models import Role, Status, User
from audit.models import AuditEntry
from clerks.models import Grant
from tests import factories
from tests.helpers import page_text, post_login
from tests.mail import deliver_outbox

pytestmark = pytest.mark.django_db

PERSON = {"first_name": "Max", "last_name": "Test", "phone": "012345678", "email": "max.test@stadt-gera.example"}


def step1(client, **changes):
    return client.post("/benutzer/neu/", {**PERSON, **changes})


def token(client):
    return client.session["clerk_draft"]["token"]


def test_step_one_asks_for_business_data_only(admin_client):
    html = admin_client.get("/benutzer/neu/").content.decode()
    for label in ("Vorname", "Nachname", "Telefonnummer", "E-Mail", "Weiter"):
        assert label in html
    assert "keine privaten, sondern lediglich dienstliche Daten" in html


def test_all_fields_are_required_with_german_messages(admin_client):
    response = admin_client.post("/benutzer/neu/", {})
    html = response.content.decode()
    for message in (
        "Bitte geben Sie den Vornamen ein.",
        "Bitte geben Sie den Nachnamen ein.",
        "Bitte geben Sie die dienstliche Telefonnummer ein.",
        "Bitte geben Sie die dienstliche E-Mail-Adresse ein.",
    ):
        assert message in html
    assert 'aria-invalid="true"' in html
    assert "clerk_draft" not in admin_client.session


@pytest.mark.parametrize(
    "email",
    [
        "info@stadt-gera.example",
        "Poststelle@stadt-gera.example",
        "kontakt@x.example",
        "noreply@stadt-gera.example",
        "info+gera@stadt-gera.example",
        "zentrale2@x.example",
        "Buerger-Buero@x.example",
        "personalamt@x.example",
    ],
)
def test_generic_addresses_are_refused(admin_client, email):
    html = step1(admin_client, email=email).content.decode()
    assert "keine allgemeine E-Mail-Adresse" in html
    assert "Es handelt sich um eine persönliche Adresse" in html
    assert "clerk_draft" not in admin_client.session


@pytest.mark.parametrize("email", ["post.thomas@stadt-gera.example", "infanger@x.example", "m.zentrale@x.example"])
def test_a_personal_address_that_begins_like_a_role_address_is_accepted(admin_client, email):
    assert step1(admin_client, email=email).url == "/benutzer/neu/abrechnungsstellen/"


def test_the_personal_address_box_appears_only_beside_the_refusal(admin_client):
    assert "Es handelt sich um eine persönliche Adresse" not in admin_client.get("/benutzer/neu/").content.decode()
    html = step1(admin_client, phone="abc").content.decode()
    assert "Es handelt sich um eine persönliche Adresse" not in html


def test_a_confirmed_personal_address_is_saved_and_the_audit_entry_says_so(admin_client, gera_units):
    email = "post@stadt-gera.example"  # Frau Post's own address
    assert step1(admin_client, email=email, personal_address="on").url == "/benutzer/neu/abrechnungsstellen/"
    response = admin_client.post(
        "/benutzer/neu/abrechnungsstellen/", {"token": token(admin_client), "units": [gera_units[0].pk]}
    )
    clerk = User.objects.get(email=email, role=Role.CLERK)
    assert response.url == f"/benutzer/{clerk.pk}/angelegt/"
    entry = AuditEntry.objects.get(action="clerk.created", target=clerk)
    assert entry.data["personal_address"] is True
    protocol = admin_client.get("/protokoll/").content.decode()
    assert "E-Mail-Adresse als persönliche Adresse bestätigt" in protocol


def test_the_box_is_kept_ticked_when_another_field_is_refused(admin_client):
    html = step1(admin_client, email="info@stadt-gera.example", personal_address="on", phone="abc").content.decode()
    assert "Es handelt sich um eine persönliche Adresse" in html
    assert "Bitte verwenden Sie keine allgemeine E-Mail-Adresse" not in html
    assert re.search(r'<input type="checkbox" name="personal_address"[^>]*checked', html)


def test_an_ordinary_address_records_no_confirmation_even_with_the_box_ticked(admin_client, gera_units):
    step1(admin_client, personal_address="on")
    admin_client.post("/benutzer/neu/abrechnungsstellen/", {"token": token(admin_client), "units": [gera_units[0].pk]})
    assert "personal_address" not in AuditEntry.objects.get(action="clerk.created").data


def test_an_address_already_used_by_a_clerk_is_refused_beside_the_field(admin_client, gera_clerk):
    html = step1(admin_client, email=gera_clerk.email.upper()).content.decode()
    assert "bereits für einen Sachbearbeiter vergeben" in html
    assert 'id="id_email_error"' in html


def test_happy_path_creates_pending_clerk_with_grants_and_mail(admin_client, gera_admin, gera_units):
    assert step1(admin_client).url == "/benutzer/neu/abrechnungsstellen/"
    page = admin_client.get("/benutzer/neu/abrechnungsstellen/").content.decode()
    for unit in gera_units:
        assert unit.number in page and unit.name in page
    assert "Alle an- bzw. abwählen" in page and "Speichern" in page
    response = admin_client.post(
        "/benutzer/neu/abrechnungsstellen/",
        {"token": token(admin_client), "units": [gera_units[0].pk, gera_units[2].pk]},
    )
    clerk = User.objects.get(email=PERSON["email"], role=Role.CLERK)
    assert response.url == f"/benutzer/{clerk.pk}/angelegt/"
    done = admin_client.get(response.url).content.decode()
    assert "Sie haben den Sachbearbeiter erfolgreich gespeichert." in done
    assert "Zurück zur Benutzerverwaltung" in done
    assert clerk.status == Status.PENDING
    assert set(Grant.objects.filter(clerk=clerk).values_list("billing_unit__number", flat=True)) == {"002020", "002022"}
    assert [m.to for m in deliver_outbox()] == [[PERSON["email"]]]
    detail = page_text(admin_client.get(f"/benutzer/{clerk.pk}/"))
    assert otp.readable(clerk) in detail


def test_at_least_one_unit_is_needed(admin_client):
    step1(admin_client)
    html = admin_client.post("/benutzer/neu/abrechnungsstellen/", {"token": token(admin_client)}).content.decode()
    assert "Bitte wählen Sie mindestens eine Abrechnungsstelle aus." in html
    assert not User.objects.filter(role=Role.CLERK).exists()


def test_units_of_another_member_cannot_be_smuggled_in(admin_client, jena_units):
    step1(admin_client)
    response = admin_client.post(
        "/benutzer/neu/abrechnungsstellen/", {"token": token(admin_client), "units": [jena_units[0].pk]}
    )
    assert response.status_code == 200
    assert "Bitte wählen Sie nur angezeigte Abrechnungsstellen aus." in response.content.decode()
    assert not User.objects.filter(role=Role.CLERK).exists()


def test_step_one_data_survive_the_round_trip(admin_client, gera_units):
    step1(admin_client)
    page = admin_client.get("/benutzer/neu/abrechnungsstellen/").content.decode()
    back = f"/benutzer/neu/?entwurf={token(admin_client)}"
    assert back.replace("&", "&amp;") in page or back in page
    again = admin_client.get(back).content.decode()
    assert 'value="max.test@stadt-gera.example"' in again and 'value="012345678"' in again
    assert 'value="max.test@stadt-gera.example"' not in admin_client.get("/benutzer/neu/").content.decode()


def test_double_submit_and_reload_never_create_two_clerks(admin_client, gera_units):
    step1(admin_client)
    data = {"token": token(admin_client), "units": [gera_units[0].pk]}
    first = admin_client.post("/benutzer/neu/abrechnungsstellen/", data)
    second = admin_client.post("/benutzer/neu/abrechnungsstellen/", data)
    assert first.url == second.url
    assert User.objects.filter(role=Role.CLERK).count() == 1
    assert AuditEntry.objects.filter(action="clerk.created").count() == 1


def test_parallel_duplicate_is_recognised_as_the_same_submission(admin_client, gera_admin, gera_units):
    step1(admin_client)
    from clerks import services

    clerk = services.create_clerk(by=gera_admin, **PERSON, unit_ids=[gera_units[0].pk])  # the other request won
    response = admin_client.post(
        "/benutzer/neu/abrechnungsstellen/", {"token": token(admin_client), "units": [gera_units[0].pk]}
    )
    assert response.url == f"/benutzer/{clerk.pk}/angelegt/"
    assert User.objects.filter(role=Role.CLERK).count() == 1


def test_select_all_works_without_javascript(admin_client, gera_units):
    step1(admin_client)
    html = admin_client.post(
        "/benutzer/neu/abrechnungsstellen/", {"token": token(admin_client), "toggle_all": "1"}
    ).content.decode()
    assert html.count("checked") == len(gera_units)
    assert not User.objects.filter(role=Role.CLERK).exists()


def test_step_two_without_step_one_goes_back(admin_client):
    assert admin_client.get("/benutzer/neu/abrechnungsstellen/").url == "/benutzer/neu/"


def test_clerks_cannot_create_clerks(client, gera_clerk):
    client.force_login(gera_clerk)
    assert client.get("/benutzer/neu/").status_code == 403
    assert client.post("/benutzer/neu/", PERSON).status_code == 403


def test_created_page_of_another_members_clerk_is_404(client, jena_admin, gera_clerk):
    client.force_login(jena_admin)
    assert client.get(f"/benutzer/{gera_clerk.pk}/angelegt/").status_code == 404


def test_fresh_clerk_logs_in_with_the_otp_from_the_detail_view(admin_client, client, gera_units):
    step1(admin_client)
    admin_client.post("/benutzer/neu/abrechnungsstellen/", {"token": token(admin_client), "units": [gera_units[1].pk]})
    clerk = User.objects.get(email=PERSON["email"])
    detail = page_text(admin_client.get(f"/benutzer/{clerk.pk}/"))
    value = otp.readable(clerk)
    assert value in detail
    from django.test import Client

    browser = Client()
    assert post_login(browser, PERSON["email"], value, role="clerk").url == "/passwort-aendern/"
    browser.post(
        "/passwort-aendern/", {"new_password1": "Kickelhahn im Nebel 77", "new_password2": "Kickelhahn im Nebel 77"}
    )
    start = browser.get("/start/").content.decode()
    assert "<td>002021</td>" in start and "<td>002020</td>" not in start


def test_factories_make_a_clerk_that_is_visible(gera_admin, gera_units):
    clerk = factories.ClerkFactory(units=gera_units[:1])
    assert User.objects.visible_to(gera_admin).filter(pk=clerk.pk).exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"first_name": "\u200b"},
        {"last_name": "\u202eretleW"},
        {"last_name": "Test\nZeile"},
        {"first_name": "\u2067Max"},
    ],
)
def test_names_nobody_can_read_or_that_turn_the_text_are_refused(admin_client, changes):
    """Found by the fuzz tests: an invisible name, or one that shows as another name."""
    html = step1(admin_client, **changes).content.decode()
    assert "Bitte geben Sie einen lesbaren Text ein" in html and "clerk_draft" not in admin_client.session


def test_names_with_accents_apostrophes_and_hyphens_are_fine(admin_client):
    response = step1(admin_client, first_name="Zoë-Chantal", last_name="D’Alessandro-Öztürk ß")
    assert response.status_code == 302
