"""The browser's "Zurück" after saving a clerk: the form page is fetched afresh (never from a cache, and the browser
does not put back the old input), shows what is saved now and says that the changes were saved already."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from clerks.models import Grant
from tests import factories

pytestmark = pytest.mark.django_db

NOTE = "Die Änderungen wurden bereits gespeichert"
PERSON = {"first_name": "Anna", "last_name": "Schmidt-Berg", "phone": "0365 838-2000"}


def granted(clerk):
    return set(Grant.objects.filter(clerk=clerk).values_list("billing_unit__number", flat=True))


def test_form_pages_are_never_kept_and_the_browser_restores_no_old_input(admin_client, gera_clerk):
    for url in (f"/benutzer/{gera_clerk.pk}/", f"/benutzer/{gera_clerk.pk}/zuordnen/"):
        response = admin_client.get(url)
        assert "no-store" in response["Cache-Control"], url
        assert 'autocomplete="off" data-fresh-on-return' in response.content.decode(), url


def test_going_back_to_the_personal_data_shows_the_saved_data_and_says_so(admin_client, gera_clerk):
    url = f"/benutzer/{gera_clerk.pk}/"
    response = admin_client.post(f"{url}persoenliche-daten/", {**PERSON, "email": gera_clerk.email}, follow=True)
    landed = response.content.decode()
    assert "Sie haben den Sachbearbeiter erfolgreich gespeichert." in landed and NOTE not in landed
    back = admin_client.get(url).content.decode()  # "Zurück" to the page the form was sent from
    assert NOTE in back and 'value="Schmidt-Berg"' in back


def test_going_back_to_zuordnen_shows_the_saved_units_and_says_so(admin_client, gera_clerk, gera_units):
    url = f"/benutzer/{gera_clerk.pk}/zuordnen/"
    assert NOTE not in admin_client.get(url).content.decode()
    admin_client.post(url, {"units": [gera_units[2].pk]})
    back = admin_client.get(url).content.decode()
    assert NOTE in back and back.count("checked") == 1
    assert granted(gera_clerk) == {"002022"}


def test_the_note_belongs_to_the_clerk_and_ends_after_a_while(admin_client, gera_clerk, gera_units):
    other = factories.ClerkFactory(units=gera_units[:1])
    admin_client.post(f"/benutzer/{gera_clerk.pk}/zuordnen/", {"units": [gera_units[0].pk]})
    assert NOTE not in admin_client.get(f"/benutzer/{other.pk}/zuordnen/").content.decode()
    assert NOTE not in admin_client.get(f"/benutzer/{gera_clerk.pk}/").content.decode()  # Zuordnen, not these
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert NOTE not in admin_client.get(f"/benutzer/{gera_clerk.pk}/zuordnen/").content.decode()


def test_going_back_after_creating_a_clerk_leads_to_it(admin_client, gera_units):
    person = {"first_name": "Max", "last_name": "Test", "phone": "012345678", "email": "max.test@stadt-gera.example"}
    admin_client.post("/benutzer/neu/", person)
    token = admin_client.session["clerk_draft"]["token"]
    created = admin_client.post("/benutzer/neu/abrechnungsstellen/", {"token": token, "units": [gera_units[0].pk]})
    back = admin_client.get("/benutzer/neu/abrechnungsstellen/", follow=True)
    assert back.redirect_chain[-1][0] == created.url
    assert "Der Sachbearbeiter wurde bereits gespeichert." in back.content.decode()


def test_saving_without_a_change_leaves_no_note(admin_client, gera_clerk, gera_units):
    url = f"/benutzer/{gera_clerk.pk}/zuordnen/"
    admin_client.post(url, {"units": [gera_units[0].pk, gera_units[1].pk]})
    assert NOTE not in admin_client.get(url).content.decode()
