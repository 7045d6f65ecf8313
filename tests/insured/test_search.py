"""The search of "Versicherte": umlauts folded however they are typed, numbers by their beginning; on PostgreSQL
through the trigram index of migration insured 0003 on the folded name the person keeps."""

import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from insured.models import Employment
from insured.search import search_employments
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "query", ["Müller", "mueller", "MULLER", "müller hanna", "Hanna, Müller", "0020200001", "002020"]
)
def test_a_spelling_of_her_name_or_a_number_finds_her(hanna, joerg, query):
    found = search_employments(Employment.objects.all(), query)
    assert [e.person for e in found] == [hanna]


def test_the_personalnummer_finds_the_person(hanna, joerg):
    number = hanna.employments.get().personnel_number
    assert [e.person for e in search_employments(Employment.objects.all(), number)] == [hanna]


def test_weiss_is_found_as_weiss_and_as_weiß(hanna, joerg):
    for query in ("Weiß", "weiss", "Jörg", "joerg"):
        assert [e.person for e in search_employments(Employment.objects.all(), query)] == [joerg], query


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes exist on PostgreSQL only")
def test_the_name_search_uses_the_trigram_index(gera_units):
    factories.InsuredPersonFactory.create_batch(3)
    search = search_employments(Employment.objects.all(), "müller")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        plan = search.explain()
    assert "insured_name_trgm_idx" in plan, plan


def test_versicherte_are_listed_by_name_and_a_new_name_takes_its_place(client, gera_clerk, hanna, gera_units):
    for last, first in (("Zander", "Anna"), ("Ähnlich", "Bodo"), ("Becker", "Carla")):
        factories.EmploymentFactory(
            person=factories.InsuredPersonFactory(last_name=last, first_name=first), billing_unit=gera_units[0]
        )
    client.force_login(gera_clerk)

    html = client.get("/versicherte/").content.decode()
    rows = [html.index(f"{name}</a>") for name in ("Ähnlich, Bodo", "Becker, Carla", "Müller, Hanna", "Zander, Anna")]
    assert rows == sorted(rows)
    hanna.last_name = "Aal"
    hanna.save()
    html = client.get("/versicherte/").content.decode()
    assert html.index("Aal, Hanna</a>") < html.index("Ähnlich, Bodo</a>")
    assert [e.person for e in search_employments(Employment.objects.all(), "aal")] == [hanna]  # and found so


def test_a_search_pages_through_all_its_matches_counted_with_its_page(client, gera_clerk, gera_units, monkeypatch):
    """A search's page and its count are one statement; the pages still add up to the matches, an old link beyond
    the end shows the last page and one that is not a number the first, as on every list."""
    from insured.views import workspace

    monkeypatch.setattr(workspace, "PAGE_SIZE", 5)
    for n in range(12):
        person = factories.InsuredPersonFactory(last_name="Mueller", first_name=f"Kind{n:02d}")
        factories.EmploymentFactory(person=person, billing_unit=gera_units[n % 2])
    factories.EmploymentFactory(person=factories.InsuredPersonFactory(last_name="Zander"), billing_unit=gera_units[0])
    client.force_login(gera_clerk)

    def shown(**params):
        html = client.get("/versicherte/", {"q": "Müller", **params}).content.decode()
        heading = re.search(r'<p class="count" role="status">([^<]+)</p>', html)
        return (heading[1] if heading else None), re.findall(r">Mueller, (Kind\d\d)</a>", html)

    pages = [shown(page=number) for number in (1, 2, 3)]
    assert [heading for heading, _names in pages] == [f"12 Versicherte, Seite {n} von 3" for n in (1, 2, 3)]
    assert [name for _heading, names in pages for name in names] == [f"Kind{n:02d}" for n in range(12)]
    assert shown(page=9) == shown(page=0) == pages[2]
    assert shown(page="x") == pages[0]
    assert shown(q="Niemand") == (None, [])


def test_a_search_reads_its_page_and_its_count_in_one_statement(client, gera_clerk, hanna, joerg):
    client.force_login(gera_clerk)
    client.get("/versicherte/")
    with CaptureQueriesContext(connection) as listed:
        client.get("/versicherte/")
    with CaptureQueriesContext(connection) as searched:
        client.get("/versicherte/", {"q": "Müller"})
    assert len(searched) == len(listed) - 1
    assert not any("COUNT(*) AS" in query["sql"] for query in searched.captured_queries)
