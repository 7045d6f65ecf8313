"""Query budgets: the number of SQL queries of a page is fixed, whatever the size of the member.

Each test counts a page's queries with a small Stadt Gera (5 clerks), grows it to 500 clerks and many more
billing units, grants and history entries, and counts again: the two counts must be equal and within the
budget. A template that reaches for a related object per row (an N+1) fails here. Timings are measured by
`make bench`, never in the test suite.
"""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Membership
from clerks import services
from clerks.models import AccessReview, Confirmation, MemberLock
from insured.models import Employment, InsuredPerson, Kind, Report, ReportStatus, Section
from tests import factories

# The list asks whether the viewer's members changed since its panels were computed (clerks/panels.py); where they
# did, it also asks for the viewer's billing units (the filter "Abrechnungsstelle"), which of its members have a single
# administrator (the hint to register a second) and which have an open yearly review (the task), and what needs
# attention (two queries: "Handlungsbedarf"); the detail page asks when the clerk's access was last confirmed, whether
# the viewer may handle the clerk's credentials and whether untrusted clients are refused for it (DESIGN §8).
# The Änderungsprotokoll, "Berechtigungen bestätigen" and a co-administrator's page show one page of entries or people
# each, whatever the member's size; the first two also offer the viewer's billing units as a filter, and the review
# counts its progress and its page in one query. The printed Berechtigungsübersicht reads every grant of its filter in
# one query.
BUDGETS = {
    "list": 7,
    "list_computed": 12,
    "detail": 10,
    "detail_locked": 11,
    "assign": 6,
    "start": 5,
    "protocol": 8,
    "review": 8,
    "administrator": 8,
}
BUDGETS["overview_print"] = 8


def queries(client, url, *, keep=True) -> int:
    client.get(url)  # warm: the first request after login starts the session clock (one session write)
    if not keep:
        cache.clear()  # what the page keeps between requests (clerks/panels.py) is computed anew
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.fixture
def grow(gera, gera_units, gera_admin):
    """Turn Stadt Gera into a large member: 500 clerks, 40 billing units, more administrators."""

    def do(detail_clerk=None):
        more_units = factories.BillingUnitFactory.create_batch(37, member=gera)
        gera_admin.scope_units.add(*more_units)
        units = gera_units + more_units
        factories.ClerkFactory.create_batch(495 - 3, units=units[:3])
        factories.PendingClerkFactory.create_batch(3, units=units[3:6])
        factories.AdministratorFactory.create_batch(4, units=units)
        if detail_clerk is not None:
            for unit in more_units:
                factories.GrantFactory(clerk=detail_clerk, billing_unit=unit)
            for _ in range(60):
                factories.AuditEntryFactory(target=detail_clerk, member=gera, action="clerk.grants_changed")
        return units

    return do


def small_gera(gera_units):
    return factories.ClerkFactory.create_batch(4, units=gera_units[:1])


def test_list_queries_do_not_grow_with_the_member(client, gera_admin, gera_units, grow):
    small_gera(gera_units)
    client.force_login(gera_admin)
    small = queries(client, "/benutzer/")
    grow()
    large = queries(client, "/benutzer/")
    assert small == large <= BUDGETS["list"]
    search, status = queries(client, "/benutzer/?q=a"), queries(client, "/benutzer/?status=pending&sort=-name")
    assert search == status == large


def test_list_queries_with_its_panels_computed_anew_do_not_grow_with_the_member(client, gera_admin, gera_units, grow):
    small_gera(gera_units)
    client.force_login(gera_admin)
    client.get("/benutzer/")
    cache.clear()
    small = queries(client, "/benutzer/", keep=False)
    grow()
    large = queries(client, "/benutzer/", keep=False)
    assert (small, large) == (BUDGETS["list_computed"],) * 2


def test_detail_queries_do_not_grow_with_the_member_or_the_clerk(client, gera_admin, gera_units, jena_units, grow):
    small_gera(gera_units)
    clerk = factories.ClerkFactory(units=gera_units[:2])
    client.force_login(gera_admin)
    small = queries(client, f"/benutzer/{clerk.pk}/")
    grow(detail_clerk=clerk)
    # A lifted lock and a second member: the lock panels and a clerk shared with Jena are shown too.
    factories.MemberLockFactory(clerk=clerk, member=gera_units[0].member, lifted_at=clerk.date_joined)
    Membership.objects.create(user=clerk, member=jena_units[0].member)
    large = queries(client, f"/benutzer/{clerk.pk}/")
    assert MemberLock.objects.filter(clerk=clerk).exists()
    assert small == large <= BUDGETS["detail"]


def test_a_locked_clerks_detail_queries_do_not_grow_with_its_grants(client, gera_admin, gera_units, grow):
    """An open lock adds one query: which of its suspended units the viewer may give back ("Berechtigung erteilen")."""
    small_clerk = factories.ClerkFactory(units=gera_units[:1])
    services.lock_clerk(clerk=small_clerk, by=gera_admin, reason="Elternzeit")
    client.force_login(gera_admin)
    small = queries(client, f"/benutzer/{small_clerk.pk}/")
    large_clerk = factories.ClerkFactory(units=gera_units)
    grow(detail_clerk=large_clerk)
    services.lock_clerk(clerk=large_clerk, by=gera_admin, reason="Elternzeit")
    large = queries(client, f"/benutzer/{large_clerk.pk}/")
    assert small == large <= BUDGETS["detail_locked"]


def test_assign_queries_do_not_grow_with_the_units(client, gera_admin, gera_units, grow):
    small_gera(gera_units)
    clerk = factories.ClerkFactory(units=gera_units[:1])
    client.force_login(gera_admin)
    small = queries(client, f"/benutzer/{clerk.pk}/zuordnen/")
    grow(detail_clerk=clerk)
    large = queries(client, f"/benutzer/{clerk.pk}/zuordnen/")
    assert small == large <= BUDGETS["assign"]


def test_clerk_start_page_queries_do_not_grow_with_the_grants(client, gera, gera_units, grow):
    clerk = factories.ClerkFactory(units=gera_units[:1])
    client.force_login(clerk)
    small = queries(client, "/start/")
    units = grow()
    for unit in units[1:]:
        factories.GrantFactory(clerk=clerk, billing_unit=unit)
    large = queries(client, "/start/")
    assert small == large <= BUDGETS["start"]


def changes_of(clerks, by, member):
    """History for the Änderungsprotokoll: an entry about each clerk, by an administrator, for the member."""
    for clerk in clerks:
        factories.AuditEntryFactory(target=clerk, actor=by, actor_label=by.email, member=member, action="clerk.locked")


def test_protocol_queries_do_not_grow_with_the_member(client, gera, gera_admin, gera_units, grow):
    changes_of(small_gera(gera_units), gera_admin, gera)
    client.force_login(gera_admin)
    filtered = f"/protokoll/?actor={gera_admin.pk}&person=a&action=clerk.locked"
    small, small_filtered = queries(client, "/protokoll/"), queries(client, filtered)
    grow()
    changes_of(factories.ClerkFactory.create_batch(60, units=gera_units[:1]), gera_admin, gera)
    large, large_filtered = queries(client, "/protokoll/"), queries(client, filtered)
    assert small == large <= BUDGETS["protocol"], (small, large)
    assert small_filtered == large_filtered <= BUDGETS["protocol"]


def test_the_printed_overview_reads_every_grant_in_one_query(client, gera_admin, gera_units, grow):
    small_gera(gera_units)
    client.force_login(gera_admin)
    small = queries(client, "/berechtigungen/?format=print")
    grow()
    large = queries(client, "/berechtigungen/?format=print")
    assert small == large <= BUDGETS["overview_print"], (small, large)


def test_review_queries_do_not_grow_with_the_member(client, gera, gera_admin, gera_admin2, gera_units, grow):
    review = AccessReview.objects.create(member=gera, year=timezone.now().year)
    confirmed = small_gera(gera_units)
    Confirmation.objects.bulk_create(Confirmation(review=review, user=c, confirmed_by=gera_admin2) for c in confirmed)
    client.force_login(gera_admin)
    small = queries(client, f"/berechtigungen-bestaetigen/{gera.pk}/")
    grow()
    clerks = factories.ClerkFactory.create_batch(60, units=gera_units[:2])
    Confirmation.objects.bulk_create(Confirmation(review=review, user=c, confirmed_by=gera_admin2) for c in clerks)
    large = queries(client, f"/berechtigungen-bestaetigen/{gera.pk}/")
    assert small == large <= BUDGETS["review"], (small, large)


def test_administrator_page_queries_do_not_grow_with_the_member(
    client, gera, gera_admin, gera_admin2, gera_units, grow
):
    small_gera(gera_units)
    client.force_login(gera_admin)
    small = queries(client, f"/administratoren/{gera_admin2.pk}/")
    units = grow()
    gera_admin2.scope_units.add(*units)
    changes_of([gera_admin2] * 60, gera_admin, gera)
    services.lock_administrator(administrator=gera_admin2, by=gera_admin, reason="Wechsel ins Bauamt")
    large = queries(client, f"/administratoren/{gera_admin2.pk}/")
    assert small == large <= BUDGETS["administrator"], (small, large)


# --- The clerk's workspace (insured/) ----------------------------------------------------------------------------
# "Versicherte": the units of the filter, the count and the page of rows, the access log's INSERT; a Versicherter's
# page: the person with its employments, the Verlauf, the Meldungen, the INSERT; "Meldungen": the units, the count, the page,
# the counts of what waits, the INSERT. Each constant at 50 and at 5,000 persons.
WORKSPACE_BUDGETS = {"persons": 6, "person": 6, "reports": 7}


def insured_persons(unit, count, *, start=0, years=5):
    """`count` Versicherte at `unit` with `years` whole-year Abschnitte each, written in bulk."""
    from datetime import date
    from decimal import Decimal

    persons = InsuredPerson.objects.bulk_create(
        InsuredPerson(
            insurance_number=f"{unit.number}{start + k:04d}",
            last_name="Müller" if k % 7 == 0 else "Schmidt",
            first_name="Hanna",
            birth_date=date(1980, 1, 1),
            search_name="muller hanna" if k % 7 == 0 else "schmidt hanna",
        )
        for k in range(count)
    )
    Employment.objects.bulk_create(
        Employment(
            person=p, billing_unit=unit, personnel_number=f"{start + k}", start=date(2010, 1, 1), sort_name=p.sort_name
        )
        for k, p in enumerate(persons)
    )
    Section.objects.bulk_create(
        Section(
            person=p,
            billing_unit=unit,
            start=date(year, 1, 1),
            end=date(year, 12, 31),
            booking_key="10",
            pay=Decimal("42000.00"),
            contribution=Decimal("1785.00"),
        )
        for p in persons
        for year in range(2025 - years + 1, 2026)
    )
    return persons


def test_versicherte_queries_are_the_same_at_50_and_5000_persons(client, gera_units):
    clerk = factories.ClerkFactory(units=gera_units[:1])
    insured_persons(gera_units[0], 50)
    client.force_login(clerk)
    small, small_search = queries(client, "/versicherte/"), queries(client, "/versicherte/?q=mueller")
    insured_persons(gera_units[0], 4950, start=50, years=1)
    large, large_search = queries(client, "/versicherte/"), queries(client, "/versicherte/?q=mueller")
    assert small == large <= WORKSPACE_BUDGETS["persons"], (small, large)
    assert small_search == large_search == small - 1, (small_search, large_search)  # its page counts its matches


def test_a_versicherter_queries_do_not_grow_with_the_verlauf_or_the_meldungen(client, gera_units):
    clerk = factories.ClerkFactory(units=gera_units[:2])
    [person] = insured_persons(gera_units[0], 1, years=1)
    client.force_login(clerk)
    small = queries(client, f"/versicherte/{person.pk}/")
    [other] = insured_persons(gera_units[1], 1, start=1, years=10)
    Employment.objects.filter(person=other).update(person=person)
    Section.objects.filter(person=other).update(person=person)
    reports = [
        factories.ReportFactory(person=person, billing_unit=gera_units[0], created_by=clerk, year=year)
        for year in range(2016, 2026)
    ]
    # Sent, processed into the Verlauf and corrected: every column the page shows of a Meldung is read with it.
    Report.objects.filter(pk__in=[r.pk for r in reports]).update(
        status=ReportStatus.PROCESSED, submitted_by=clerk, submitted_at=timezone.now()
    )
    Section.objects.filter(person=person).update(report=reports[0])
    factories.ReportFactory(
        person=person,
        billing_unit=gera_units[0],
        created_by=clerk,
        kind=Kind.CORRECTION,
        year=None,
        corrects=reports[0],
    )
    large = queries(client, f"/versicherte/{person.pk}/")
    assert small == large <= WORKSPACE_BUDGETS["person"], (small, large)


def test_meldungen_queries_do_not_grow_with_the_meldungen(client, gera_units):
    clerk = factories.ClerkFactory(units=gera_units[:1])
    persons = insured_persons(gera_units[0], 60, years=1)
    factories.ReportFactory(person=persons[0], billing_unit=gera_units[0], created_by=clerk)
    client.force_login(clerk)
    small = queries(client, "/meldungen/")
    for person in persons[1:]:
        factories.ReportFactory(person=person, billing_unit=gera_units[0], created_by=clerk)
    large = queries(client, "/meldungen/")
    assert small == large <= WORKSPACE_BUDGETS["reports"], (small, large)


def test_the_start_page_and_meldungen_queries_are_the_same_at_50_and_5000_persons(client, gera_units):
    """The start page counts the Versicherte and what waits per unit, "Meldungen" lists a page: neither reads the
    unit's persons one by one."""
    clerk = factories.ClerkFactory(units=gera_units[:1])
    persons = insured_persons(gera_units[0], 50, years=1)
    for person in persons[:3]:
        factories.ReportFactory(person=person, billing_unit=gera_units[0], created_by=clerk)
    client.force_login(clerk)
    small = queries(client, "/start/"), queries(client, "/meldungen/")
    more = insured_persons(gera_units[0], 4950, start=50, years=1)
    for person in more[:60]:
        factories.ReportFactory(person=person, billing_unit=gera_units[0], created_by=clerk)
    large = queries(client, "/start/"), queries(client, "/meldungen/")
    assert small == large, (small, large)
    assert large[0] <= BUDGETS["start"] and large[1] <= WORKSPACE_BUDGETS["reports"], large
