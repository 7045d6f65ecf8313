"""+/- Zuordnen (manual §5)."""

import pytest

from audit.models import AuditEntry
from clerks.models import Grant
from tests import factories
from tests.helpers import page_text, post_login

pytestmark = pytest.mark.django_db


def granted(clerk):
    return set(Grant.objects.filter(clerk=clerk).values_list("billing_unit__number", flat=True))


def test_page_ticks_the_granted_units(admin_client, gera_clerk, gera_units):
    html = admin_client.get(f"/benutzer/{gera_clerk.pk}/zuordnen/").content.decode()
    assert html.count("checked") == 2
    assert "Alle an- bzw. abwählen" in html and "Speichern" in html
    for unit in gera_units:
        assert f"{unit.number} {unit.name}" in html


def test_saving_changes_grants_at_once_and_keeps_credentials(admin_client, gera_clerk, gera_units, gera_admin):
    from django.test import Client

    browser = Client()
    post_login(browser, gera_clerk, factories.PASSWORD)
    response = admin_client.post(f"/benutzer/{gera_clerk.pk}/zuordnen/", {"units": [gera_units[2].pk]}, follow=True)
    assert "Die Berechtigungen wurden gespeichert." in response.content.decode()
    assert granted(gera_clerk) == {"002022"}
    start = browser.get("/start/").content.decode()  # the same session, no new login
    assert "<td>002022</td>" in start and "<td>002021</td>" not in start
    entry = AuditEntry.objects.get(action="clerk.grants_changed")
    assert entry.data == {"added": ["002022"], "removed": ["002020", "002021"]} and entry.actor == gera_admin


def test_units_outside_the_scope_are_never_shown_nor_touched(admin_client, gera_units, jena_units):
    clerk = factories.ClerkFactory(units=[gera_units[0], jena_units[0]])
    html = admin_client.get(f"/benutzer/{clerk.pk}/zuordnen/").content.decode()
    assert "003030" not in html
    admin_client.post(f"/benutzer/{clerk.pk}/zuordnen/", {"units": []})
    assert granted(clerk) == {"003030"}
    response = admin_client.post(f"/benutzer/{clerk.pk}/zuordnen/", {"units": [jena_units[1].pk]})
    assert (
        response.status_code == 200
        and "Bitte wählen Sie nur angezeigte Abrechnungsstellen aus." in response.content.decode()
    )
    assert granted(clerk) == {"003030"}


def test_removing_every_grant_keeps_the_clerk_visible(admin_client, gera_clerk):
    admin_client.post(f"/benutzer/{gera_clerk.pk}/zuordnen/", {"units": [], "ohne_abrechnungsstelle": "1"})
    assert granted(gera_clerk) == set()
    assert gera_clerk.email in page_text(admin_client.get("/benutzer/"))


def test_saving_without_changes_writes_no_audit_entry(admin_client, gera_clerk, gera_units):
    response = admin_client.post(
        f"/benutzer/{gera_clerk.pk}/zuordnen/", {"units": [gera_units[0].pk, gera_units[1].pk]}, follow=True
    )
    assert "Es wurden keine Änderungen vorgenommen." in response.content.decode()
    assert not AuditEntry.objects.exists()


def test_select_all_toggle_without_javascript(admin_client, gera_clerk, gera_units):
    every = admin_client.post(f"/benutzer/{gera_clerk.pk}/zuordnen/", {"toggle_all": "1", "units": [gera_units[0].pk]})
    assert every.content.decode().count("checked") == 3
    none = admin_client.post(
        f"/benutzer/{gera_clerk.pk}/zuordnen/", {"toggle_all": "1", "units": [u.pk for u in gera_units]}
    )
    assert none.content.decode().count("checked") == 0
    assert granted(gera_clerk) == {"002020", "002021"}


@pytest.mark.parametrize("units", [["abc"], ["99999999999999999999"], ["-1"], ["0"]])
def test_garbage_ids_get_a_message_not_an_error(admin_client, gera_clerk, units):
    response = admin_client.post(f"/benutzer/{gera_clerk.pk}/zuordnen/", {"units": units})
    assert response.status_code == 200
    assert granted(gera_clerk) == {"002020", "002021"}


def test_assign_query_budget(client, gera_admin, gera_units, django_assert_max_num_queries):
    more = factories.BillingUnitFactory.create_batch(40, member=gera_units[0].member)
    gera_admin.scope_units.add(*more)
    clerk = factories.ClerkFactory(units=gera_units + more[:20])
    client.force_login(gera_admin)
    client.get(f"/benutzer/{clerk.pk}/zuordnen/")
    with django_assert_max_num_queries(6):
        assert client.get(f"/benutzer/{clerk.pk}/zuordnen/").status_code == 200


@pytest.mark.parametrize("forged", ["²", "١", "１", "-1", "0", "9" * 30, "1.0", " 1"])
def test_forged_checkbox_values_are_refused_beside_the_field_and_change_nothing(admin_client, gera_clerk, forged):
    """Found by the fuzz tests: "²".isdigit() is True, but int("²") raised, and the page gave a 500."""
    before = granted(gera_clerk)
    response = admin_client.post(f"/benutzer/{gera_clerk.pk}/zuordnen/", {"units": [forged]})
    assert response.status_code == 200
    assert "Bitte wählen Sie nur angezeigte Abrechnungsstellen aus." in response.content.decode()
    assert granted(gera_clerk) == before and not AuditEntry.objects.filter(action="clerk.grants_changed").exists()


def test_taking_the_last_unit_asks_first_and_changes_nothing(admin_client, gera_clerk):
    response = admin_client.post(f"/benutzer/{gera_clerk.pk}/zuordnen/", {"units": []})
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        "Der Sachbearbeiter hat danach keine Abrechnungsstelle mehr und kann nicht arbeiten. Trotzdem speichern?"
        in html
    )
    assert "Trotzdem speichern" in html and f'href="/benutzer/{gera_clerk.pk}/zuordnen/">Abbrechen' in html
    assert granted(gera_clerk) == {"002020", "002021"}
    assert not AuditEntry.objects.filter(action="clerk.grants_changed").exists()


def test_the_second_explicit_save_takes_the_last_unit(admin_client, gera_clerk):
    response = admin_client.post(f"/benutzer/{gera_clerk.pk}/zuordnen/", {"ohne_abrechnungsstelle": "1"}, follow=True)
    assert "Die Berechtigungen wurden gespeichert." in response.content.decode()
    assert granted(gera_clerk) == set()
    assert AuditEntry.objects.get(action="clerk.grants_changed").data["removed"] == ["002020", "002021"]


def test_no_question_while_units_are_left_or_elsewhere(admin_client, gera_clerk, gera_units, jena_units):
    kept = admin_client.post(f"/benutzer/{gera_clerk.pk}/zuordnen/", {"units": [gera_units[0].pk]})
    assert kept.status_code == 302 and granted(gera_clerk) == {"002020"}
    shared = factories.ClerkFactory(units=[gera_units[0], jena_units[0]])  # keeps its Jena unit
    assert admin_client.post(f"/benutzer/{shared.pk}/zuordnen/", {"units": []}).status_code == 302
    assert granted(shared) == {"003030"}
    empty = factories.ClerkFactory(members=[gera_units[0].member])  # nothing to take: saved as "no change"
    response = admin_client.post(f"/benutzer/{empty.pk}/zuordnen/", {"units": []}, follow=True)
    assert "Es wurden keine Änderungen vorgenommen." in response.content.decode()
