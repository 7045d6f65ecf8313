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
        assert "Abrechnungsstellen zugeordnet oder entfernt (+/- Zuordnen)" in html
        assert "002020" not in html and "002021" not in html, page


def test_the_search_takes_the_name_as_the_protocol_shows_it(client, gera_admin, juergen):
    client.force_login(gera_admin)
    for search in ("Vogel-Meyer, Jürgen", "vogel-meyer, juergen", "Jurgen Vogel"):
        html = client.get("/protokoll/", {"person": search}).content.decode()
        assert "Nachname: Vogel → Vogel-Meyer" in html, search
    assert "Keine Einträge gefunden" in client.get("/protokoll/", {"person": "Vogel, Anna"}).content.decode()


def test_the_filter_by_abrechnungsstelle_takes_only_the_administrators_own_units(
    client, gera_admin, juergen, gera_units, jena_units
):
    other = factories.ClerkFactory(last_name="Sommer", units=gera_units[2:])
    services.update_personal_data(
        clerk=other, by=gera_admin, first_name="Tom", last_name="Winter", phone=other.phone, email=other.email
    )
    client.force_login(gera_admin)
    body = client.get("/protokoll/", {"unit": gera_units[1].pk}).content.decode().split("<tbody>")[1]
    assert "Vogel" in body and "Winter" not in body
    body = client.get("/protokoll/", {"unit": gera_units[2].pk}).content.decode().split("<tbody>")[1]
    assert "Winter" in body and "entfernt: 002022" in body  # Jürgen's entry that names the unit
    refused = client.get("/protokoll/", {"unit": jena_units[0].pk})
    html = refused.content.decode()
    assert refused.status_code == 200 and "Bitte wählen Sie eine angezeigte Abrechnungsstelle." in html
    assert jena_units[0].name not in html
    csv = client.get("/protokoll/", {"unit": gera_units[1].pk, "format": "csv"}).content.decode("utf-8-sig")
    assert "Vogel" in csv and "Winter" not in csv


def test_the_actor_is_named_beside_the_address(client, gera_admin, juergen):
    client.force_login(gera_admin)
    html = client.get("/protokoll/", {"person": "Vogel"}).content.decode()
    assert f"{gera_admin.last_name}, {gera_admin.first_name}" in html and gera_admin.email in html
    csv = client.get("/protokoll/", {"format": "csv", "person": "Vogel"}).content.decode("utf-8-sig")
    assert f"{gera_admin.last_name}, {gera_admin.first_name} <{gera_admin.email}>" in csv


def test_the_filter_labels_say_what_happened(client, gera_admin, gera_clerk):
    lock = services.lock_clerk(clerk=gera_clerk, by=gera_admin, reason="Elternzeit")[0]
    services.restore_clerk(lock=lock, by=gera_admin)
    client.force_login(gera_admin)
    html = client.get("/protokoll/").content.decode()
    assert ">Sperre aufgehoben (Berechtigung erteilt)<" in html  # the option
    assert "Gesperrt (Berechtigung entzogen): Elternzeit" in html and "Sperre aufgehoben (Berechtigung erteilt)" in html
    assert ">Berechtigung erteilt<" not in html and ">Berechtigung entzogen<" not in html


def test_the_protocols_query_budget(client, gera_admin, gera_units, django_assert_max_num_queries):
    for index in range(20):
        clerk = factories.ClerkFactory(last_name=f"Person{index}", units=gera_units[:1])
        services.update_personal_data(
            clerk=clerk, by=gera_admin, first_name="Neu", last_name=clerk.last_name, phone="0365 1", email=clerk.email
        )
    client.force_login(gera_admin)
    client.get("/protokoll/")
    with django_assert_max_num_queries(8):
        assert client.get("/protokoll/", {"unit": gera_units[0].pk, "person": "Person, Neu"}).status_code == 200
