"""„Verwaltung der Benutzer“ (manual §3 b, §7.2)."""

import re

import pytest

from accounts.models import Status
from clerks import services
from clerks.views import people
from tests import factories
from tests.helpers import page_text

pytestmark = pytest.mark.django_db


def test_lists_clerks_and_administrators_of_own_members_only(
    admin_client, gera_admin, gera_admin2, gera_clerk, jena_clerk, jena_admin
):
    html = page_text(admin_client.get("/benutzer/"))
    for text in (
        "Verwaltung der Benutzer",
        "+ Sachbearbeiter hinzufügen",
        gera_clerk.email,
        gera_admin2.email,
        gera_admin.email,
    ):
        assert text in html
    assert jena_clerk.email not in html and jena_admin.email not in html
    assert "Sachbearbeiter" in html and "Administrator" in html
    assert "Detailansicht" in html and "Berechtigung entziehen" in html
    assert f'href="/benutzer/{gera_clerk.pk}/"' in html
    assert f'href="/administratoren/{gera_admin2.pk}/sperren/"' in html


def test_row_shows_portal_access_status_and_billing_units(admin_client, gera_units):
    factories.PendingClerkFactory(email="neu@stadt-gera.example", units=gera_units[1:])
    html = page_text(admin_client.get("/benutzer/"))
    row = html[html.index("neu@stadt-gera.example") :]
    row = row[: row.index("</tr>")]
    assert "Aktiv" in row and "Ausstehend" in row and "002021" in row and "002022" in row


def test_billing_units_of_other_members_are_not_shown(admin_client, gera_units, jena_units):
    factories.ClerkFactory(email="beide@stadt-gera.example", units=[gera_units[0], jena_units[1]])
    html = page_text(admin_client.get("/benutzer/"))
    assert "beide@stadt-gera.example" in html
    assert "003031" not in html


def test_search_by_name_or_email(admin_client, gera_units):
    factories.ClerkFactory(
        first_name="Hanna", last_name="Zimmermann", email="hz@stadt-gera.example", units=gera_units[:1]
    )
    factories.ClerkFactory(first_name="Otto", last_name="Weber", email="ow@stadt-gera.example", units=gera_units[:1])
    for query in ("zimmer", "Hanna Zimmermann", "HZ@stadt"):
        html = page_text(admin_client.get("/benutzer/", {"q": query}))
        assert "hz@stadt-gera.example" in html and "ow@stadt-gera.example" not in html, query


def test_filter_by_status_and_sort_by_name(admin_client, gera_units):
    factories.ClerkFactory(last_name="Arnold", email="a@stadt-gera.example", status=Status.LOCKED, units=gera_units[:1])
    factories.ClerkFactory(last_name="Zander", email="z@stadt-gera.example", status=Status.LOCKED, units=gera_units[:1])
    factories.ClerkFactory(last_name="Mittel", email="m@stadt-gera.example", units=gera_units[:1])
    html = page_text(admin_client.get("/benutzer/", {"status": "locked"}))
    assert "m@stadt-gera.example" not in html
    assert html.index("a@stadt-gera.example") < html.index("z@stadt-gera.example")
    html = page_text(admin_client.get("/benutzer/", {"status": "locked", "sort": "-name"}))
    assert html.index("z@stadt-gera.example") < html.index("a@stadt-gera.example")


def test_pagination_shows_fifty_a_page(admin_client, gera_units):
    factories.ClerkFactory.create_batch(60, units=gera_units[:1])
    first = page_text(admin_client.get("/benutzer/"))  # 60 clerks and the administrator herself
    assert first.count("</tr>") == 1 + 50
    assert "Seite 1 von 2" in first and "Nächste Seite" in first
    second = page_text(admin_client.get("/benutzer/", {"page": 2}))
    assert second.count("</tr>") == 1 + 11


@pytest.mark.parametrize(
    "params", [{"page": "abc"}, {"page": "99999"}, {"status": "kaputt"}, {"q": "x" * 500}, {"sort": "password"}]
)
def test_bad_parameters_never_break_the_page(admin_client, gera_clerk, params):
    response = admin_client.get("/benutzer/", params)
    assert response.status_code == 200


def test_clerk_gets_403_and_anonymous_goes_to_login(client, gera_clerk):
    assert client.get("/benutzer/").url.startswith("/login/")
    client.force_login(gera_clerk)
    assert client.get("/benutzer/").status_code == 403


def test_status_legend_uses_the_manuals_words(admin_client):
    html = page_text(admin_client.get("/benutzer/"))
    assert "Der Sachbearbeiter hat sich durch zu häufige Falscheingabe des Passworts deaktiviert." in html
    assert "Der Benutzer kann sich nicht einloggen" in html


# --- The list's key on the memberships -----------------------------------------------------------------


def test_an_administrator_of_two_members_sees_a_shared_clerk_once_on_every_page(
    client, gera_units, jena_units, monkeypatch
):
    both = factories.AdministratorFactory(
        last_name="Zeh", email="zeh@stadt-gera.example", units=[gera_units[0], jena_units[0]]
    )
    factories.ClerkFactory(last_name="Arnold", email="arnold@stadt-gera.example", units=gera_units[:1])
    factories.ClerkFactory(last_name="Berg", email="berg@stadt-gera.example", units=[gera_units[0], jena_units[0]])
    factories.ClerkFactory(last_name="Cäsar", email="caesar@stadt-jena.example", units=jena_units[:1])
    factories.ClerkFactory(last_name="Dorn", email="dorn@stadt-jena.example", units=jena_units[:1])
    client.force_login(both)
    monkeypatch.setattr(people, "PAGE_SIZE", 2)
    pages = [page_text(client.get("/benutzer/", {"page": n})) for n in (1, 2, 3)]
    assert "5 Benutzer, Seite 1 von 3" in pages[0]
    listed = [email for html in pages for email in re.findall(r"[a-z]+@stadt-[a-z]+\.example", html)]
    order = ["arnold@stadt-gera.example", "berg@stadt-gera.example", "caesar@stadt-jena.example"]
    assert [e for e in listed if e != both.email] == order + ["dorn@stadt-jena.example"]
    assert listed.count(both.email) == 1


def test_a_renamed_clerk_moves_to_its_new_place_in_the_list(admin_client, gera_admin, gera_units, monkeypatch):
    adler = factories.ClerkFactory(last_name="Adler", email="adler@stadt-gera.example", units=gera_units[:1])
    factories.ClerkFactory(last_name="Meier", email="meier@stadt-gera.example", units=gera_units[:1])
    monkeypatch.setattr(people, "PAGE_SIZE", 1)  # the order across pages comes from the memberships' copy

    def clerks_in_list_order():
        pages = [page_text(admin_client.get("/benutzer/", {"page": n})) for n in (1, 2, 3)]
        return [e for html in pages for e in re.findall(r"(adler|meier)@stadt-gera\.example", html)]

    assert clerks_in_list_order() == ["adler", "meier"]
    services.update_personal_data(clerk=adler, by=gera_admin, last_name="Zorn")
    assert clerks_in_list_order() == ["meier", "adler"]
