"""Handlungsbedarf at the top of "Verwaltung der Benutzer", and as a status filter."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from accounts import services as account_services
from accounts.models import Role, User
from clerks.models import Grant
from tests import factories
from tests.helpers import page_text

pytestmark = pytest.mark.django_db


def attention(client) -> str:
    html = page_text(client.get("/benutzer/"))
    return html.split('data-testid="attention"')[1].split("</section>")[0] if 'data-testid="attention"' in html else ""


def test_each_waiting_one_time_password_names_why_and_the_next_step(
    client, gera_admin, gera_units, gera_clerk, settings
):
    new = factories.PendingClerkFactory(units=gera_units[:1], last_name="Neuling")
    account_services.request_password_reset(role=Role.CLERK, email=gera_clerk.email)
    deactivated = factories.PendingClerkFactory(units=gera_units[:1], last_name="Vertipper", status="deactivated")
    client.force_login(gera_admin)
    panel = attention(client)
    assert "Neuling" in panel and "neu angelegt" in panel
    assert "Schmidt" in panel and "„Passwort vergessen“ am" in panel
    assert "Vertipper" in panel and "nach Falscheingaben deaktiviert" in panel
    assert panel.count("Einmalpasswort anzeigen") >= 3
    filtered = page_text(client.get("/benutzer/", {"status": "handlungsbedarf"}))
    assert new.email in filtered and deactivated.email in filtered


def test_expiring_and_expired_one_time_passwords(client, gera_admin, gera_units, settings):
    clerk = factories.PendingClerkFactory(units=gera_units[:1], last_name="Eilig")
    with time_machine.travel(timezone.now() + timedelta(days=settings.OTP_VALIDITY_DAYS - 2), tick=False):
        client.force_login(gera_admin)
        assert "Einmalpasswort läuft am" in attention(client)
    with time_machine.travel(timezone.now() + timedelta(days=settings.OTP_VALIDITY_DAYS + 1), tick=False):
        client.force_login(gera_admin)
        panel = attention(client)
        assert "Einmalpasswort abgelaufen" in panel and "Einmalpasswort setzen" in panel
        listing = page_text(client.get("/benutzer/"))
        row = listing.split(clerk.email)[1].split("</tr>")[0]
        assert "Einmalpasswort abgelaufen" in row  # never plain "Ausstehend"


def test_clerks_without_units_and_refused_untrusted_browsers(client, gera_admin, gera_clerk, settings):
    Grant.objects.filter(clerk=gera_clerk).delete()
    for number in range(settings.UNTRUSTED_LOGIN_FAILURE_LIMIT):
        Client().post(
            "/login/",
            {"role": "clerk", "email": gera_clerk.email, "password": "geraten"},
            REMOTE_ADDR=f"127.3.0.{number + 1}",
        )
    client.force_login(gera_admin)
    panel = attention(client)
    assert "Ohne Abrechnungsstelle" in panel and "+/- Zuordnen" in panel
    assert "Unbekannte Geräte werden abgewiesen" in panel


def test_long_inactive_clerks_show_up(client, gera_admin, gera_clerk, settings):
    User.objects.filter(pk=gera_clerk.pk).update(last_login=timezone.now())
    with time_machine.travel(timezone.now() + timedelta(days=settings.INACTIVITY_DAYS + 1), tick=False):
        client.force_login(gera_admin)
        assert "Lange nicht angemeldet" in attention(client)


def test_another_members_clerks_never_appear(client, jena_admin, gera_units):
    factories.PendingClerkFactory(units=gera_units[:1], last_name="Geraer")
    client.force_login(jena_admin)
    assert "Geraer" not in attention(client)


def test_a_member_with_very_many_cases_reads_no_more_than_the_cap(client, gera_admin, gera_units, monkeypatch):
    from clerks import attention as rules

    monkeypatch.setattr(rules, "READ_AT_MOST", 2)
    factories.PendingClerkFactory.create_batch(3, units=gera_units[:1])
    client.force_login(gera_admin)
    assert "Einmalpasswort übergeben (2 oder mehr)" in attention(client)
