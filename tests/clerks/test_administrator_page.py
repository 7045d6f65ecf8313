"""A co-administrator's page: contact, registration, status, who ended a registration and why, history."""

import pytest

from clerks import services
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_page_shows_contact_registration_and_history(client, gera_admin, gera_admin2):
    client.force_login(gera_admin)
    listing = client.get("/benutzer/").content.decode()
    assert f'href="/administratoren/{gera_admin2.pk}/"' in listing
    page = client.get(f"/administratoren/{gera_admin2.pk}/").content.decode()
    assert gera_admin2.email in page and "002020" in page and "002022" in page
    assert "Berechtigung entziehen" in page


def test_a_lock_shows_its_reason_and_who_locked(client, gera_admin, gera_admin2):
    services.lock_administrator(administrator=gera_admin2, by=gera_admin, reason="Wechsel ins Bauamt")
    client.force_login(gera_admin)
    page = client.get(f"/administratoren/{gera_admin2.pk}/").content.decode()
    assert "Wechsel ins Bauamt" in page and gera_admin.email in page and "Gesperrt" in page
    assert "Die Registrierung für Ihre Mitglieder ist beendet." in page
    assert f'href="/administratoren/{gera_admin2.pk}/sperren/"' not in page


def test_another_members_administrator_is_a_404(client, jena_admin, gera_admin2):
    client.force_login(jena_admin)
    assert client.get(f"/administratoren/{gera_admin2.pk}/").status_code == 404


def test_the_lock_stays_on_the_page_however_long_the_history_grows(client, gera_admin, gera_admin2, gera):
    services.lock_administrator(administrator=gera_admin2, by=gera_admin, reason="Wechsel ins Bauamt")
    factories.AuditEntryFactory.create_batch(30, target=gera_admin2, member=gera, action="login.failed")
    client.force_login(gera_admin)
    page = client.get(f"/administratoren/{gera_admin2.pk}/").content.decode()
    locks = page[page.index('data-testid="administrator-locks"') :]
    locks = locks[: locks.index("</section>")]
    for text in ("Sperrgrund", "Gesperrt von", "Gesperrt am", "Wechsel ins Bauamt", gera_admin.email, "002020"):
        assert text in locks, text
    assert "kann sich nicht mehr anmelden" in locks


def test_a_shared_administrators_page_shows_only_the_own_members_registration(
    client, gera_admin, gera_units, jena_units
):
    shared = factories.AdministratorFactory(units=gera_units + jena_units)
    client.force_login(gera_admin)
    page = client.get(f"/administratoren/{shared.pk}/").content.decode()
    assert "002020" in page and "003030" not in page and "Stadt Jena" not in page


def test_a_narrower_registration_sees_the_co_administrator_but_cannot_end_units_beyond_it(
    client, gera_admin, gera_units
):
    partial = factories.AdministratorFactory(units=gera_units[1:2])
    client.force_login(partial)
    assert client.get(f"/administratoren/{gera_admin.pk}/").status_code == 200
    client.post(f"/administratoren/{gera_admin.pk}/sperren/bestaetigen/", {"reason": "Prüfung"})
    assert set(gera_admin.scope_units.values_list("number", flat=True)) == {"002020", "002022"}  # its own unit only
