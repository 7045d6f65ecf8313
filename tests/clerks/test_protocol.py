"""The member-wide Änderungsprotokoll: who removed 002022 from Jürgen, and when."""

import pytest

from clerks import services
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def juergen(gera_admin, gera_units):
    clerk = factories.ClerkFactory(first_name="Jürgen", last_name="Vogel", units=gera_units)
    services.set_grants(clerk=clerk, by=gera_admin, unit_ids=[u.pk for u in gera_units[:2]])
    services.update_personal_data(
        clerk=clerk, by=gera_admin, first_name="Jürgen", last_name="Vogel-Meyer", phone=clerk.phone, email=clerk.email
    )
    return clerk


def test_who_removed_a_unit_and_when(client, gera_admin, juergen):
    client.force_login(gera_admin)
    html = client.get("/protokoll/", {"person": "Vogel"}).content.decode()
    assert "entfernt: 002022" in html and gera_admin.email in html
    assert "Nachname: Vogel → Vogel-Meyer" in html
    assert 'title="' in html  # the time to the second on hover
    detail = client.get(f"/benutzer/{juergen.pk}/").content.decode()
    assert "entfernt: 002022" in detail  # the per-clerk protocol shows the same detail


def test_filters_and_the_csv(client, gera_admin, gera_admin2, juergen):
    client.force_login(gera_admin)
    none = client.get("/protokoll/", {"actor": gera_admin2.pk, "person": "Vogel"}).content.decode()
    assert "Keine Einträge gefunden" in none
    only = client.get("/protokoll/", {"action": "clerk.grants_changed"}).content.decode()
    body = only.split("<tbody>")[1]
    assert "entfernt: 002022" in body and "Persönliche Daten geändert" not in body
    csv = client.get("/protokoll/", {"format": "csv", "person": "Vogel"}).content.decode("utf-8-sig")
    header, *lines = csv.splitlines()
    assert header.startswith("Zeitpunkt;Durch;Änderung") and any("entfernt: 002022" in line for line in lines)


def test_another_member_sees_nothing_of_it(client, jena_admin, juergen):
    client.force_login(jena_admin)
    assert "Vogel" not in client.get("/protokoll/").content.decode()
    assert "Vogel" not in client.get("/protokoll/", {"format": "csv"}).content.decode("utf-8-sig")


def test_an_entry_spanning_two_members_shows_neither_members_units(
    client, jena_admin, both_admin, shared_clerk, gera_units, jena_units
):
    services.set_grants(clerk=shared_clerk, by=both_admin, unit_ids=[gera_units[1].pk, jena_units[1].pk])
    client.force_login(jena_admin)
    for page in ("/protokoll/", f"/benutzer/{shared_clerk.pk}/"):
        html = client.get(page).content.decode()
        assert "Berechtigungen für Abrechnungsstellen geändert" in html
        assert "002020" not in html and "002021" not in html, page
