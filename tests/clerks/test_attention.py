"""Handlungsbedarf at the top of "Verwaltung der Benutzer", and as a status filter."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from accounts import services as account_services
from accounts.models import Role, User
from clerks import services
from clerks.models import AttentionMark, Grant
from tests import factories
from tests.helpers import audit_count, guess_from_unknown_browsers, page_text

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
    guess_from_unknown_browsers(gera_clerk, settings)
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
    assert "Einmalpasswort übergeben: <strong>2 oder mehr</strong>" in attention(client)


# --- "übergeben" / "erledigt" -----------------------------------------------------------------------------------


def mark(client, clerk, kind):
    return client.post(f"/benutzer/{clerk.pk}/handlungsbedarf/", {"kind": kind}, follow=True)


def test_uebergeben_clears_the_entry_for_this_administrator_until_a_new_password_is_set(
    client, gera_admin, gera_admin2, gera_units
):
    clerk = factories.PendingClerkFactory(units=gera_units[:1], last_name="Neuling")
    client.force_login(gera_admin)
    response = mark(client, clerk, "handover")
    assert "„Einmalpasswort übergeben“ für" in page_text(response) and "Neuling" not in attention(client)
    assert audit_count("attention.marked", actor=gera_admin, target=clerk) == 1
    colleague = Client()
    colleague.force_login(gera_admin2)
    assert "Neuling" in attention(colleague)  # marked per administrator
    with time_machine.travel(timezone.now() + timedelta(minutes=1)):
        services.reset_otp(clerk=clerk, by=gera_admin2)  # the case happens again: a new one-time password
        assert "Neuling" in attention(client)


def test_erledigt_for_a_clerk_without_units_holds_until_it_is_given_units_and_loses_them_again(
    client, gera_admin, gera_clerk, gera_units
):
    Grant.objects.filter(clerk=gera_clerk).delete()
    client.force_login(gera_admin)
    mark(client, gera_clerk, "without_units")
    assert "Ohne Abrechnungsstelle" not in attention(client)
    services.set_grants(clerk=gera_clerk, by=gera_admin, unit_ids=[gera_units[0].pk])
    services.set_grants(clerk=gera_clerk, by=gera_admin, unit_ids=[])
    assert "Ohne Abrechnungsstelle" in attention(client)


def test_erledigt_for_a_dormant_clerk_holds_until_it_logs_in_and_is_dormant_again(
    client, gera_admin, gera_clerk, settings
):
    User.objects.filter(pk=gera_clerk.pk).update(last_login=timezone.now())
    later = timezone.now() + timedelta(days=settings.INACTIVITY_DAYS + 1)
    with time_machine.travel(later, tick=False):
        client.force_login(gera_admin)
        mark(client, gera_clerk, "dormant")
        assert "Lange nicht angemeldet" not in attention(client)
        User.objects.filter(pk=gera_clerk.pk).update(last_login=timezone.now())
    with time_machine.travel(later + timedelta(days=settings.INACTIVITY_DAYS + 1), tick=False):
        client.force_login(gera_admin)
        assert "Lange nicht angemeldet" in attention(client)


def test_erledigt_for_an_expiring_password_and_for_refused_browsers(client, gera_admin, gera_clerk, settings):
    guess_from_unknown_browsers(gera_clerk, settings)
    client.force_login(gera_admin)
    mark(client, gera_clerk, "refused")
    assert "Unbekannte Geräte werden abgewiesen" not in attention(client)
    pending = factories.PendingClerkFactory(last_name="Eilig", units=[Grant.objects.first().billing_unit])
    with time_machine.travel(timezone.now() + timedelta(days=settings.OTP_VALIDITY_DAYS - 1), tick=False):
        client.force_login(gera_admin)
        mark(client, pending, "expiry")
        panel = attention(client)
        assert "Einmalpasswort läuft ab" not in panel and "Eilig" in panel  # still to hand over


def test_a_case_that_is_gone_is_refused_and_changes_nothing(client, gera_admin, gera_clerk):
    client.force_login(gera_admin)
    for kind in ("handover", "expiry", "without_units", "dormant", "refused", "unbekannt", ""):
        response = mark(client, gera_clerk, kind)
        assert "Dieser Handlungsbedarf besteht nicht mehr." in page_text(response), kind
    assert AttentionMark.objects.count() == 0 and audit_count("attention.marked") == 0


def test_a_locked_clerk_cannot_be_marked(client, gera_admin, gera_units):
    clerk = factories.PendingClerkFactory(units=gera_units[:1])
    services.lock_clerk(clerk=clerk, by=gera_admin, reason="Elternzeit")
    client.force_login(gera_admin)
    assert "besteht nicht mehr" in page_text(mark(client, clerk, "handover"))
    assert AttentionMark.objects.count() == 0


def test_another_members_administrator_gets_404_and_marks_nothing(client, jena_admin, gera_units):
    clerk = factories.PendingClerkFactory(units=gera_units[:1])
    client.force_login(jena_admin)
    assert client.post(f"/benutzer/{clerk.pk}/handlungsbedarf/", {"kind": "handover"}).status_code == 404
    assert AttentionMark.objects.count() == 0


def test_the_box_is_drawn_folded_where_this_browser_folded_it(client, gera_admin, gera_units):
    factories.PendingClerkFactory(units=gera_units[:1])
    client.force_login(gera_admin)
    assert 'class="attention__box" open' in attention(client)
    client.cookies["handlungsbedarf"] = "zu"
    assert 'class="attention__box" data-remember-open' in attention(client)


def test_a_narrow_screen_folds_the_box_unless_this_browser_left_it_open(client, gera_admin, gera_units):
    """portal.js folds a box marked data-fold-when-narrow on a narrow screen, not one marked data-keep-open: the
    search and the first results come first until the administrator opened the box there itself."""
    factories.PendingClerkFactory(units=gera_units[:1])
    client.force_login(gera_admin)
    assert "data-fold-when-narrow>" in attention(client)
    client.cookies["handlungsbedarf"] = "auf"
    assert "data-fold-when-narrow data-keep-open>" in attention(client)
