"""The list of a large employer: its search, its filters, "Letzte Anmeldung", page numbers, and the place it keeps
when the administrator comes back from a clerk."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role
from clerks import services
from clerks.views import people
from tests import factories
from tests.helpers import fresh, page_text, post_login

pytestmark = pytest.mark.django_db


def listed(client, **params) -> list[str]:
    """The e-mail addresses the list shows, in its order."""
    html = page_text(client.get("/benutzer/", params))
    return re.findall(r'<td data-label="E-Mail" class="email">([^<]+)</td>', html)


# --- Search -----------------------------------------------------------------------------------------------


def test_umlauts_are_found_however_they_are_spelt(admin_client, gera_units):
    # First names are given: a drawn "Samuel" would rightly be found by "Mül" (folded to "muel").
    for last_name in ("Müller", "Mueller", "Muller"):
        factories.ClerkFactory(
            first_name="Anna", last_name=last_name, email=f"{last_name.lower()}@stadt-gera.example", units=gera_units
        )
    factories.ClerkFactory(first_name="Anna", last_name="Meier", email="meier@stadt-gera.example", units=gera_units)
    factories.ClerkFactory(first_name="Anna", last_name="Weiß", email="weiss@stadt-gera.example", units=gera_units)
    spellings = {"müller@stadt-gera.example", "mueller@stadt-gera.example", "muller@stadt-gera.example"}
    for query in ("Müller", "MÜLLER", "Mueller", "muller", "Mül"):
        assert set(listed(admin_client, q=query)) == spellings, query
    assert listed(admin_client, q="Weiss") == ["weiss@stadt-gera.example"]
    assert listed(admin_client, q="weiß") == ["weiss@stadt-gera.example"]


def test_the_name_as_the_list_shows_it_finds_the_person(admin_client, gera_units):
    factories.ClerkFactory(
        first_name="Hanna", last_name="Zimmermann", email="hanna@stadt-gera.example", units=gera_units
    )
    factories.ClerkFactory(first_name="Otto", last_name="Zimmermann", email="otto@stadt-gera.example", units=gera_units)
    assert listed(admin_client, q="Zimmermann, Hanna") == ["hanna@stadt-gera.example"]
    assert listed(admin_client, q="zimmermann,otto") == ["otto@stadt-gera.example"]


def test_a_billing_unit_number_finds_who_works_on_it(admin_client, gera_admin, gera_units):
    factories.ClerkFactory(email="baeder@stadt-gera.example", units=gera_units[1:2])
    factories.ClerkFactory(email="kita@stadt-gera.example", units=gera_units[2:3])
    factories.AdministratorFactory(email="kita-admin@stadt-gera.example", units=gera_units[2:3])
    assert set(listed(admin_client, q="002022")) == {
        "kita@stadt-gera.example",
        "kita-admin@stadt-gera.example",
        gera_admin.email,  # registered for every unit of Stadt Gera
    }
    assert "baeder@stadt-gera.example" not in listed(admin_client, q="002022")


def test_a_billing_unit_name_finds_who_works_on_it_however_its_umlauts_are_spelt(admin_client, gera_admin, gera_units):
    factories.ClerkFactory(last_name="Schwimmer", email="baeder@stadt-gera.example", units=gera_units[1:2])
    factories.ClerkFactory(email="kita@stadt-gera.example", units=gera_units[2:3])
    for query in ("Bäder", "baeder", "Eigenbetrieb Bader"):
        assert set(listed(admin_client, q=query)) == {"baeder@stadt-gera.example", gera_admin.email}, query
    assert listed(admin_client, q="Kita Schwimmer") == []  # every word must match the same person
    assert "kita@stadt-gera.example" in listed(admin_client, q="kita-verbund")


def test_a_neighbouring_members_unit_name_finds_nobody(admin_client, shared_clerk, jena_units):
    """The shared clerk's Jena unit ("Kommunale Immobilien") is not Gera's to see: its name must not find the clerk."""
    factories.GrantFactory(clerk=shared_clerk, billing_unit=jena_units[1])
    assert listed(admin_client, q="Immobilien") == []


def test_a_neighbouring_members_unit_number_finds_nobody(admin_client, shared_clerk, jena_units):
    """The shared clerk's Jena unit is not shown to Gera's administrator, so searching for it must not reveal it."""
    assert shared_clerk.email in listed(admin_client)
    assert listed(admin_client, q=jena_units[0].number) == []


def test_an_administrator_with_a_narrower_registration_finds_only_by_its_own_units(client, gera, gera_units):
    narrow = factories.AdministratorFactory(email="narrow@stadt-gera.example", units=gera_units[:1])
    factories.ClerkFactory(email="kita@stadt-gera.example", units=gera_units[2:3])
    client.force_login(narrow)
    assert listed(client, q="002022") == []


# --- Filters ----------------------------------------------------------------------------------------------


def test_filter_by_role(admin_client, gera_admin, gera_admin2, gera_clerk):
    assert listed(admin_client, role=Role.CLERK) == [gera_clerk.email]
    assert set(listed(admin_client, role=Role.ADMINISTRATOR)) == {gera_admin.email, gera_admin2.email}


def test_a_page_of_clerks_or_of_administrators_alone_shows_each_ones_units(admin_client, gera_admin2, gera_clerk):
    """The units beside the list's people are read for clerks and administrators apart, each only where the page
    lists one (clerks.views.common.units_by_user)."""
    clerks_only = page_text(admin_client.get("/benutzer/", {"role": Role.CLERK}))
    administrators_only = page_text(admin_client.get("/benutzer/", {"role": Role.ADMINISTRATOR}))
    row = clerks_only.split(gera_clerk.email)[1].split("</tr>")[0]
    assert "002020</span>, <span" in row and "002021</span>" in row and "Berechtigung entziehen" not in clerks_only
    row = administrators_only.split(gera_admin2.email)[1].split("</tr>")[0]
    assert "002020</span>, <span" in row and "002022</span>" in row
    assert f'href="/administratoren/{gera_admin2.pk}/sperren/"' in row  # a colleague inside the viewer's registration


def test_filter_by_billing_unit(admin_client, gera_admin, gera_units):
    factories.ClerkFactory(email="baeder@stadt-gera.example", units=gera_units[1:2])
    factories.ClerkFactory(email="kita@stadt-gera.example", units=gera_units[2:3])
    assert set(listed(admin_client, unit=gera_units[1].pk)) == {"baeder@stadt-gera.example", gera_admin.email}
    html = page_text(admin_client.get("/benutzer/"))
    assert f'<option value="{gera_units[1].pk}">002021 Stadt Gera – Eigenbetrieb Bäder</option>' in html
    html = page_text(admin_client.get("/benutzer/", {"unit": gera_units[1].pk}))
    assert f'<option value="{gera_units[1].pk}" selected>002021 Stadt Gera – Eigenbetrieb Bäder</option>' in html


def test_another_members_unit_is_refused_beside_the_field_and_filters_nothing(admin_client, gera_clerk, jena_units):
    response = admin_client.get("/benutzer/", {"unit": jena_units[0].pk})
    html = page_text(response)
    assert response.status_code == 200
    assert "Bitte wählen Sie eine angezeigte Abrechnungsstelle." in html
    assert "003030" not in html
    assert gera_clerk.email in html


def test_filters_combine_with_search_and_sort(admin_client, gera_units):
    factories.ClerkFactory(last_name="Müller", email="a@stadt-gera.example", units=gera_units[1:2])
    factories.ClerkFactory(last_name="Mueller", email="b@stadt-gera.example", units=gera_units[1:2])
    factories.ClerkFactory(last_name="Müller", email="c@stadt-gera.example", units=gera_units[2:3])
    found = listed(admin_client, q="Müller", unit=gera_units[1].pk, role=Role.CLERK, sort="-name")
    assert found == ["a@stadt-gera.example", "b@stadt-gera.example"]  # "Müller" after "Mueller" in Z–A


# --- Letzte Anmeldung -----------------------------------------------------------------------------------------


def test_the_login_is_stored_and_shown(admin_client, gera_clerk):
    assert "noch nie" in page_text(admin_client.get("/benutzer/", {"role": Role.CLERK}))
    post_login(Client(), gera_clerk, factories.PASSWORD)
    assert fresh(gera_clerk).last_login is not None
    html = page_text(admin_client.get("/benutzer/", {"role": Role.CLERK}))
    assert timezone.localdate().strftime("%d.%m.%Y") in html


def test_sort_by_last_login(admin_client, gera_admin, gera_units):
    now = timezone.now()
    factories.ClerkFactory(email="gestern@stadt-gera.example", last_login=now - dt.timedelta(days=1), units=gera_units)
    factories.ClerkFactory(email="nie@stadt-gera.example", last_login=None, units=gera_units)
    factories.ClerkFactory(
        email="vorjahr@stadt-gera.example", last_login=now - dt.timedelta(days=400), units=gera_units
    )
    newest = listed(admin_client, role=Role.CLERK, sort="-login")
    assert newest == ["gestern@stadt-gera.example", "vorjahr@stadt-gera.example", "nie@stadt-gera.example"]
    oldest = listed(admin_client, role=Role.CLERK, sort="login")
    assert oldest == ["nie@stadt-gera.example", "vorjahr@stadt-gera.example", "gestern@stadt-gera.example"]


# --- Page numbers -----------------------------------------------------------------------------------------


def test_page_numbers_with_first_and_last(admin_client, gera_units, monkeypatch):
    monkeypatch.setattr(people, "PAGE_SIZE", 2)
    factories.ClerkFactory.create_batch(39, units=gera_units[:1])  # 40 with the administrator: 20 pages
    html = page_text(admin_client.get("/benutzer/", {"page": 10, "q": "", "role": ""}))
    nav = html[html.index('<nav class="pagination"') :]
    nav = nav[: nav.index("</nav>")]
    assert "« Erste Seite" in nav and "Letzte Seite »" in nav
    assert re.search(r'aria-current="page"><span class="visually-hidden">Seite </span>10<', nav)
    numbers = re.findall(r'page=(\d+)"><span class="visually-hidden">Seite </span>', nav)
    assert numbers == ["1", "8", "9", "11", "12", "20"]  # 2 to 7 and 13 to 19 elided
    assert nav.count("…") == 2


def test_the_first_page_offers_no_way_back_and_the_last_no_way_on(admin_client, gera_units, monkeypatch):
    monkeypatch.setattr(people, "PAGE_SIZE", 2)
    factories.ClerkFactory.create_batch(3, units=gera_units[:1])
    first = page_text(admin_client.get("/benutzer/"))
    assert "Erste Seite" not in first and "Letzte Seite" in first
    last = page_text(admin_client.get("/benutzer/", {"page": 2}))
    assert "Erste Seite" in last and "Letzte Seite" not in last


# --- The list keeps its place ---------------------------------------------------------------------------------


PLACE = {"q": "Müller", "status": "active", "role": "clerk", "sort": "-name", "page": "2"}


def back_links(html: str) -> list[str]:
    return re.findall(r'<a (?:class="[^"]*" )?href="(/benutzer/\?[^"]*)">Zurück', html)


def test_back_from_the_detail_page_returns_to_the_same_search_filter_sort_and_page(admin_client, gera_clerk):
    admin_client.get("/benutzer/", PLACE)
    links = back_links(page_text(admin_client.get(f"/benutzer/{gera_clerk.pk}/")))
    assert links and all(link == back_links_expected() for link in links)
    assert admin_client.get(links[0]).status_code == 200


def back_links_expected() -> str:
    return "/benutzer/?q=M%C3%BCller&amp;status=active&amp;role=clerk&amp;sort=-name&amp;page=2"


def test_saving_locking_and_unlocking_keep_the_place(admin_client, gera_admin, gera_clerk):
    admin_client.get("/benutzer/", PLACE)
    data = {"first_name": "Anna", "last_name": "Schmidt-Neu", "phone": "0365 838-1234", "email": gera_clerk.email}
    saved = admin_client.post(f"/benutzer/{gera_clerk.pk}/persoenliche-daten/", data, follow=True)
    assert back_links(page_text(saved))[0] == back_links_expected()
    locked = admin_client.post(f"/benutzer/{gera_clerk.pk}/sperren/", {"reason": "Elternzeit"}, follow=True)
    assert "Dem Sachbearbeiter wurde die Berechtigung entzogen." in page_text(locked)
    assert back_links(page_text(locked))[0] == back_links_expected()
    lock = gera_clerk.member_locks.get()
    unlocked = admin_client.post(f"/benutzer/{gera_clerk.pk}/sperren/{lock.pk}/aufheben/", follow=True)
    assert "Die Berechtigung wurde erteilt." in page_text(unlocked)
    assert back_links(page_text(unlocked))[0] == back_links_expected()


def test_withdrawing_a_co_administrator_returns_to_the_list_where_it_was(admin_client, gera_admin2):
    admin_client.get("/benutzer/", {"role": "administrator", "sort": "-name"})
    response = admin_client.post(f"/administratoren/{gera_admin2.pk}/sperren/bestaetigen/", {"reason": "Ruhestand"})
    assert response.url == "/benutzer/?role=administrator&sort=-name"


def test_a_fresh_list_forgets_the_place(admin_client, gera_clerk):
    admin_client.get("/benutzer/", PLACE)
    admin_client.get("/benutzer/")  # the menu item, or "Filter zurücksetzen"
    html = page_text(admin_client.get(f"/benutzer/{gera_clerk.pk}/"))
    assert back_links(html) == [] and 'href="/benutzer/">Zurück' in html


def test_the_place_is_kept_per_browser_not_per_account(admin_client, gera_admin, gera_clerk):
    admin_client.get("/benutzer/", PLACE)
    client = Client()
    client.force_login(gera_admin)  # the same administrator at a second computer
    assert 'href="/benutzer/">Zurück' in page_text(client.get(f"/benutzer/{gera_clerk.pk}/"))


def test_another_administrator_at_the_same_computer_does_not_get_the_place(client, gera_admin, gera_admin2, gera_clerk):
    client.force_login(gera_admin)
    client.get("/benutzer/", PLACE)
    client.force_login(gera_admin2)  # the cookie stays in the browser, signed for the first administrator
    html = page_text(client.get(f"/benutzer/{gera_clerk.pk}/"))
    assert back_links(html) == [] and "M%C3%BCller" not in html


def test_a_forged_place_is_ignored(admin_client, gera_clerk):
    admin_client.cookies["benutzerliste"] = "q=evil&next=https://evil.example/"
    html = page_text(admin_client.get(f"/benutzer/{gera_clerk.pk}/"))
    assert back_links(html) == [] and "evil" not in html


def test_paging_writes_nothing_to_the_database(admin_client, gera_units):
    admin_client.get("/benutzer/", {"page": 1})
    with CaptureQueriesContext(connection) as queries:
        admin_client.get("/benutzer/", {"page": 2, "sort": "-name"})
    assert not [q["sql"] for q in queries.captured_queries if q["sql"].startswith(("UPDATE", "INSERT"))]


def test_the_place_holds_only_the_lists_own_parameters(admin_client, gera_clerk):
    admin_client.get("/benutzer/", {"q": "x" * 500, "next": "https://evil.example/", "status": "locked"})
    links = back_links(page_text(admin_client.get(f"/benutzer/{gera_clerk.pk}/")))
    assert links == [f"/benutzer/?q={'x' * 100}&amp;status=locked"] * len(links) and links
    assert "evil" not in links[0]


def test_a_locked_clerk_stays_findable_by_its_lock(admin_client, gera_admin, gera_clerk):
    services.lock_clerk(clerk=gera_clerk, by=gera_admin, reason="Elternzeit")
    assert listed(admin_client, status="locked", q="Schmidt") == [gera_clerk.email]


def test_markup_in_the_place_is_escaped_on_every_page_and_in_the_redirect(admin_client, gera_admin, gera_clerk):
    markup = '"><script>alert(1)</script>'
    admin_client.get("/benutzer/", {"q": markup})
    detail = admin_client.get(f"/benutzer/{gera_clerk.pk}/").content.decode()
    listing = admin_client.get("/benutzer/", {"q": markup}).content.decode()
    assert "<script>alert(1)" not in detail and "<script>alert(1)" not in listing
    response = admin_client.post(f"/benutzer/{gera_clerk.pk}/sperren/", {"reason": "Elternzeit"})
    location = response["Location"]
    assert response.status_code == 302 and location.startswith("/benutzer/")
    assert "<" not in location and '"' not in location


def test_an_export_or_another_parameter_cannot_be_planted_in_the_way_back(admin_client, gera_clerk):
    """A link that opens the list with `format=csv` (or any other parameter) is not kept: "Zurück" never downloads
    a file or leads anywhere but the list."""
    admin_client.get("/benutzer/", {"q": "Schmidt", "format": "csv", "next": "//evil.example/"})
    links = back_links(page_text(admin_client.get(f"/benutzer/{gera_clerk.pk}/")))
    assert links and all(link == "/benutzer/?q=Schmidt" for link in links)


def test_a_place_cookie_carried_from_another_administrators_browser_is_ignored(gera_admin, gera_admin2, gera_clerk):
    first, second = Client(), Client()
    first.force_login(gera_admin)
    first.get("/benutzer/", PLACE)
    second.force_login(gera_admin2)
    second.cookies["benutzerliste"] = first.cookies["benutzerliste"].value
    html = page_text(second.get(f"/benutzer/{gera_clerk.pk}/"))
    assert back_links(html) == []
