"""Detailansicht (manual §3 i, §4, §6): panels, personal data, one-time password, history."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts import otp
from accounts.models import Status, User
from audit.models import AuditEntry
from clerks import services
from tests import factories
from tests.helpers import fresh, page_text
from tests.mail import deliver_outbox

pytestmark = pytest.mark.django_db


def detail(client, clerk):
    return page_text(client.get(f"/benutzer/{clerk.pk}/"))


def test_panels_and_labels_of_the_manual(admin_client, gera_clerk):
    html = detail(admin_client, gera_clerk)
    for text in (
        "Berechtigungen",
        "Portalzugang",
        "Benutzerstatus",
        "Persönliche Daten",
        "Einmalpasswort",
        "Ablaufdatum",
        "Einmalpasswort setzen",
        "Berechtigte Mitglieder und Abrechnungsstellen",
        "Mitgliedsnummer",
        "Mitgliedsname",
        "Abrechnungsstellenname",
        "Abrechnungsstellennummer",
        "+/- Zuordnen",
        "Berechtigung entziehen",
        "Zurück",
        "Änderungsprotokoll",
        "Speichern",
        "Wenn Sie die E-Mail-Adresse eines Benutzers ändern, ändert sich dadurch auch der Benutzername für die Anmeldung.",
    ):
        assert text in html, text
    assert "<td>002020</td><td>Stadt Gera</td><td>Stadt Gera – Eigenbetrieb Bäder</td><td>002021</td>" in html
    assert "Benutzersperre" not in html


def test_pending_clerk_shows_otp_and_expiry_and_no_store(admin_client, gera_units):
    clerk = factories.PendingClerkFactory(units=gera_units[:1])
    response = admin_client.get(f"/benutzer/{clerk.pk}/")
    html = page_text(response)
    assert clerk.otp_plain in html
    assert timezone.localtime(clerk.otp_expires_at).strftime("%d.%m.%Y %H:%M") in html
    assert "no-store" in response["Cache-Control"]


def test_expired_otp_reads_abgelaufen(client, gera_admin, gera_units, settings):
    clerk = factories.PendingClerkFactory(units=gera_units[:1])
    with time_machine.travel(timezone.now() + timedelta(days=settings.OTP_VALIDITY_DAYS + 1)):
        client.force_login(gera_admin)
        html = detail(client, clerk)
    assert clerk.otp_plain not in html and "abgelaufen" in html


def test_active_clerk_shows_no_otp(admin_client, gera_clerk):
    html = detail(admin_client, gera_clerk)
    otp_panel = html[html.index('id="otp-heading"') : html.index('id="units-heading"')]
    assert "<dd>–</dd>" in otp_panel


def test_grants_outside_the_administrators_scope_are_not_shown(admin_client, gera_units, jena_units):
    clerk = factories.ClerkFactory(units=[gera_units[0], jena_units[0]])
    html = detail(admin_client, clerk)
    assert "<td>002020</td>" in html and "003030" not in html


def test_saving_personal_data_shows_success_and_audits(admin_client, gera_clerk, gera_admin):
    response = admin_client.post(
        f"/benutzer/{gera_clerk.pk}/persoenliche-daten/",
        {"first_name": "Maxi", "last_name": "Test", "phone": "012 345 678", "email": gera_clerk.email},
        follow=True,
    )
    html = response.content.decode()
    assert "Sie haben den Sachbearbeiter erfolgreich gespeichert." in html
    assert "<h1>Maxi Test</h1>" in html
    entry = AuditEntry.objects.get(action="user.personal_data_changed")
    assert entry.actor == gera_admin and entry.data["changes"]["first_name"] == ["Anna", "Maxi"]
    assert "Persönliche Daten geändert" in html  # the Änderungsprotokoll


def test_changing_the_email_changes_the_login_and_tells_both_addresses(admin_client, gera_clerk):
    admin_client.post(
        f"/benutzer/{gera_clerk.pk}/persoenliche-daten/",
        {"first_name": "Anna", "last_name": "Schmidt", "phone": "0123456", "email": "Anna.Neu@stadt-gera.example"},
    )
    sent = deliver_outbox()
    assert sorted(m.to[0] for m in sent) == ["anna.neu@stadt-gera.example", "anna.schmidt@stadt-gera.example"]
    from django.test import Client

    browser = Client()
    assert (
        browser.post(
            "/login/", {"role": "clerk", "email": "anna.neu@stadt-gera.example", "password": factories.PASSWORD}
        ).status_code
        == 302
    )
    assert (
        browser.post(
            "/login/", {"role": "clerk", "email": "anna.schmidt@stadt-gera.example", "password": factories.PASSWORD}
        ).status_code
        == 200
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("first_name", "", "Bitte geben Sie den Vornamen ein."),
        ("email", "info@stadt-gera.example", "keine allgemeine E-Mail-Adresse"),
        ("email", "kein-at-zeichen", "gültige E-Mail-Adresse"),
        ("phone", "abc", "Telefonnummer mit Vorwahl und 6 bis 20 Ziffern"),
        ("last_name", "x" * 151, "höchstens 150 Zeichen"),
    ],
)
def test_bad_personal_data_is_refused_beside_the_field_and_changes_nothing(
    admin_client, gera_clerk, field, value, message
):
    data = {"first_name": "Anna", "last_name": "Schmidt", "phone": "0123456", "email": gera_clerk.email, field: value}
    response = admin_client.post(f"/benutzer/{gera_clerk.pk}/persoenliche-daten/", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert f'id="id_{field}_error"' in html
    assert User.objects.get(pk=gera_clerk.pk).first_name == "Anna"
    assert not AuditEntry.objects.exists()


def test_email_of_another_clerk_is_refused(admin_client, gera_clerk, gera_units):
    other = factories.ClerkFactory(units=gera_units[:1])
    data = {"first_name": "Anna", "last_name": "Schmidt", "phone": "0123456", "email": other.email}
    html = admin_client.post(f"/benutzer/{gera_clerk.pk}/persoenliche-daten/", data).content.decode()
    assert "bereits für einen Sachbearbeiter vergeben" in html and 'id="id_email_error"' in html


def test_set_otp_asks_first_then_replaces_every_password(admin_client, gera_clerk):
    confirm = admin_client.get(f"/benutzer/{gera_clerk.pk}/einmalpasswort/").content.decode()
    assert "Einmalpasswort setzen" in confirm and "ungültig" in confirm
    assert User.objects.get(pk=gera_clerk.pk).status == Status.ACTIVE  # GET changes nothing
    response = admin_client.post(f"/benutzer/{gera_clerk.pk}/einmalpasswort/", follow=True)
    clerk = User.objects.get(pk=gera_clerk.pk)
    html = page_text(response)
    assert clerk.status == Status.PENDING
    assert otp.readable(clerk) in html and "Ein neues Einmalpasswort wurde gesetzt." in html
    assert [m.to for m in deliver_outbox()] == [[clerk.email]]  # the clerk is told (AUTH-16)
    from django.test import Client

    assert (
        Client().post("/login/", {"role": "clerk", "email": clerk.email, "password": factories.PASSWORD}).status_code
        == 200
    )


def test_set_otp_on_a_locked_clerk_is_refused_with_a_message(admin_client, gera_clerk, gera_admin):
    services.lock_clerk(clerk=gera_clerk, by=gera_admin, reason="Elternzeit")
    html = admin_client.post(f"/benutzer/{gera_clerk.pk}/einmalpasswort/", follow=True).content.decode()
    assert "Erteilen Sie zuerst wieder die Berechtigung" in html
    assert User.objects.get(pk=gera_clerk.pk).otp_hash == ""


def test_history_shows_only_entries_of_the_administrators_members(
    admin_client, gera_admin, jena_admin, gera_units, jena_units
):
    clerk = factories.ClerkFactory(units=[gera_units[0], jena_units[0]])
    services.lock_clerk(clerk=clerk, by=jena_admin, reason="Geheimer Jena-Grund")
    services.set_grants(clerk=clerk, by=gera_admin, unit_ids=[gera_units[0].pk, gera_units[1].pk])
    html = detail(admin_client, clerk)
    assert "Abrechnungsstellen zugeordnet oder entfernt (+/- Zuordnen)" in html
    assert "Geheimer Jena-Grund" not in html


def test_an_administrator_has_no_detail_page(admin_client, gera_admin2):
    assert admin_client.get(f"/benutzer/{gera_admin2.pk}/").status_code == 404


def personal(clerk, **changes):
    return {
        "first_name": clerk.first_name,
        "last_name": clerk.last_name,
        "phone": clerk.phone,
        "email": clerk.email,
    } | (changes)


def test_a_role_like_address_is_saved_once_confirmed_and_the_audit_entry_says_so(admin_client, gera_clerk):
    url = f"/benutzer/{gera_clerk.pk}/persoenliche-daten/"
    refused = admin_client.post(url, personal(gera_clerk, email="personal@stadt-gera.example")).content.decode()
    assert "Es handelt sich um eine persönliche Adresse" in refused
    assert fresh(gera_clerk).email == gera_clerk.email
    saved = admin_client.post(url, personal(gera_clerk, email="personal@stadt-gera.example", personal_address="on"))
    assert saved.url == f"/benutzer/{gera_clerk.pk}/"
    assert fresh(gera_clerk).email == "personal@stadt-gera.example"
    entry = AuditEntry.objects.get(action="user.personal_data_changed", target=gera_clerk)
    assert entry.data["personal_address"] is True
    assert "E-Mail-Adresse als persönliche Adresse bestätigt" in admin_client.get(saved.url).content.decode()


def test_a_confirmed_address_is_not_asked_again_when_the_phone_changes(admin_client, gera_clerk):
    User.objects.filter(pk=gera_clerk.pk).update(email="post@stadt-gera.example")
    clerk = fresh(gera_clerk)
    response = admin_client.post(f"/benutzer/{clerk.pk}/persoenliche-daten/", personal(clerk, phone="0365 838-9999"))
    assert response.status_code == 302 and fresh(clerk).phone == "0365 838-9999"
    entry = AuditEntry.objects.get(action="user.personal_data_changed", target=clerk)
    assert "personal_address" not in entry.data
