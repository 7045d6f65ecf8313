"""The clerk's workspace as a clerk uses it: the start page with what waits, "Versicherte", a Versicherter's page
with its Verlauf, "Neue Meldung", "Bearbeiten", "Löschen", "Übermitteln"; each read logged, each refusal German and
beside its field; another unit's person a 404, the wrong role a 403."""

from datetime import date

import pytest

from clerks import services as clerk_services
from insured import services
from insured.models import AccessLogEntry, Kind, Report, ReportStatus
from tests import factories
from tests.helpers import page_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk_client(client, gera_clerk):
    client.force_login(gera_clerk)
    return client


def jahresmeldung(*rows, total=None, button="speichern"):
    """The POST of the Jahresmeldung's form: the year and rows of (Beginn, Ende, Buchungsschlüssel, Entgelt)."""
    data = {"year": "2026", "abschnitt-TOTAL_FORMS": str(total or len(rows)), "abschnitt-INITIAL_FORMS": "0"}
    for i, (start, end, key, pay) in enumerate(rows):
        data |= {
            f"abschnitt-{i}-start": start,
            f"abschnitt-{i}-end": end,
            f"abschnitt-{i}-booking_key": key,
            f"abschnitt-{i}-pay": pay,
        }
    data[button] = "1"
    return data


def create_url(person, unit, kind="annual"):
    return f"/versicherte/{person.pk}/meldung/neu/{kind}/?abrechnungsstelle={unit.pk}"


def test_the_start_page_shows_the_units_with_their_persons_and_what_waits(clerk_client, hanna, gera_units, gera_clerk):
    services.create_report(
        person=hanna,
        unit=gera_units[0],
        by=gera_clerk,
        kind=Kind.DEREGISTRATION,
        values={"end": date(2026, 6, 30), "deregistration_reason": "end"},
        sections=[],
    )
    html = page_text(clerk_client.get("/start/"))
    assert "Das wartet auf Sie" in html and "1 erfasste Meldung, noch nicht übermittelt" in html
    assert f'href="/versicherte/?unit={gera_units[0].pk}">1<' in html


def test_versicherte_finds_a_spelling_of_her_name_and_logs_the_read(clerk_client, hanna, joerg, gera_clerk):
    response = clerk_client.get("/versicherte/", {"q": "mueller"})
    html = page_text(response)
    assert "Müller, Hanna" in html and "0020200001" in html
    assert "Weiß" not in html  # Gera's third unit is not granted to this clerk
    [read] = AccessLogEntry.objects.all()
    assert (read.user, read.person, read.page) == (gera_clerk, hanna, "persons")


def test_a_persons_page_shows_the_verlauf_newest_year_first_with_sums(clerk_client, hanna, gera_clerk):
    response = clerk_client.get(f"/versicherte/{hanna.pk}/")
    html = page_text(response)
    assert html.index("Summe 2025") < html.index("Summe 2024")
    assert "44.025,00 €" in html and "1.785,00 €" in html
    assert AccessLogEntry.objects.filter(person=hanna, user=gera_clerk, page="person").count() == 1


def test_a_persons_page_shows_only_the_verlauf_and_meldungen_of_granted_units(
    clerk_client, hanna, gera_units, jena_units
):
    """Hanna is employed at Gera's Kita-Verbund and at Jena too, with a Verlauf and a Meldung at each: none of it
    shows to Gera's clerk, who is granted neither."""
    for unit, year in ((gera_units[2], 2022), (jena_units[0], 2023)):
        factories.EmploymentFactory(person=hanna, billing_unit=unit, start=date(2015, 4, 1))
        factories.SectionFactory(person=hanna, billing_unit=unit, start=date(year, 2, 1), end=date(year, 11, 30))
        factories.ReportFactory(person=hanna, billing_unit=unit, year=year)
    mine = factories.ReportFactory(person=hanna, billing_unit=gera_units[0], year=2026)
    response = clerk_client.get(f"/versicherte/{hanna.pk}/")
    html = page_text(response)
    assert "Summe 2025" in html and "Summe 2024" in html
    assert "01.02.2022" not in html and "01.02.2023" not in html and "Summe 2023" not in html
    assert f"/meldungen/{mine.pk}/" in response.content.decode()
    assert "002022" not in html and "003030" not in html and "Jahresmeldung 2022" not in html


@pytest.mark.parametrize("who", ["gera_clerk", "jena_clerk"])
def test_a_person_of_a_unit_not_granted_is_a_404(client, request, who, joerg, jens):
    clerk = request.getfixturevalue(who)
    client.force_login(clerk)
    other = joerg if who == "gera_clerk" else factories.InsuredPersonFactory()
    response = client.get(f"/versicherte/{other.pk}/")
    assert response.status_code == 404 and "Kein Zugriff" in response.content.decode()
    assert not AccessLogEntry.objects.exists()


@pytest.mark.parametrize("who", ["gera_admin", "staff"])
def test_administrators_and_fund_staff_see_no_insured_persons_in_the_portal(client, request, who, hanna):
    client.force_login(request.getfixturevalue(who))
    for url in ("/versicherte/", f"/versicherte/{hanna.pk}/", "/meldungen/"):
        assert client.get(url).status_code == 403, url


def test_a_withdrawn_grant_is_a_404_on_the_next_request(clerk_client, hanna, gera_clerk, gera_admin, gera_units):
    assert clerk_client.get(f"/versicherte/{hanna.pk}/").status_code == 200
    clerk_services.set_grants(clerk=gera_clerk, unit_ids=[gera_units[1].pk], by=gera_admin)
    assert clerk_client.get(f"/versicherte/{hanna.pk}/").status_code == 404
    assert clerk_client.get("/versicherte/").status_code == 200  # the rest of its units still work


def test_a_member_lock_is_a_404_on_the_next_request_and_the_other_members_units_still_work(
    client, hanna, jens, gera_units, jena_units, gera_admin
):
    """ "Berechtigung entziehen" by Gera's administrator suspends the shared clerk's Gera grant inside its open session;
    its Jena grant stays, and with it Jena's Versicherte."""
    shared = factories.ClerkFactory(units=[gera_units[0], jena_units[0]])
    client.force_login(shared)
    assert client.get(f"/versicherte/{hanna.pk}/").status_code == 200
    clerk_services.lock_clerk(clerk=shared, by=gera_admin, reason="Elternzeit")
    response = client.get(f"/versicherte/{hanna.pk}/")
    assert response.status_code == 404 and "Kein Zugriff" in response.content.decode()
    assert client.get(f"/versicherte/{jens.pk}/").status_code == 200
    html = page_text(client.get("/versicherte/"))
    assert f'href="/versicherte/{jens.pk}/"' in html and f'href="/versicherte/{hanna.pk}/"' not in html


def test_an_overlapping_abschnitt_gets_its_message_beside_the_field_and_saves_nothing(clerk_client, hanna, gera_units):
    data = jahresmeldung(("2026-01-01", "2026-06-30", "10", "21.000,00"), ("2026-06-01", "2026-12-31", "10", "21000"))
    response = clerk_client.post(create_url(hanna, gera_units[0]), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_abschnitt-1-start_error"' in html
    assert "Der Abschnitt überschneidet sich mit Abschnitt 1 dieser Meldung." in html
    assert not Report.objects.exists()


def test_a_jahresmeldung_with_two_abschnitte_is_saved_erfasst(clerk_client, hanna, gera_units, gera_clerk):
    data = jahresmeldung(
        ("2026-01-01", "2026-06-30", "10", "21.000,00"),
        ("2026-07-01", "2026-12-31", "10", "21.500,50"),
        ("", "", "", ""),
        total=3,
    )
    response = clerk_client.post(create_url(hanna, gera_units[0]), data)
    report = Report.objects.get()
    assert response.status_code == 302 and response.url == f"/meldungen/{report.pk}/"
    assert (report.status, report.created_by, report.sections.count()) == (ReportStatus.DRAFT, gera_clerk, 2)
    html = page_text(clerk_client.get(response.url, follow=True))
    assert "21.500,50 €" in html and "Bearbeiten" in html and "Löschen" in html


def test_another_row_is_added_without_saving(clerk_client, hanna, gera_units):
    data = jahresmeldung(("2026-01-01", "2026-06-30", "10", "21000"), button="abschnitt_hinzufuegen")
    response = clerk_client.post(create_url(hanna, gera_units[0]), data)
    assert response.content.decode().count('data-testid="section-row"') == 2
    assert not Report.objects.exists()


def test_an_amount_that_is_no_amount_gets_a_german_message(clerk_client, hanna, gera_units):
    data = jahresmeldung(("2026-01-01", "2026-06-30", "10", "zwanzig"))
    html = clerk_client.post(create_url(hanna, gera_units[0]), data).content.decode()
    assert "Bitte geben Sie einen Betrag in Euro ein, z. B. 1.234,56." in html
    assert not Report.objects.exists()


def test_save_and_submit_leads_to_the_confirmation_then_sends(clerk_client, hanna, gera_units, gera_clerk):
    data = jahresmeldung(("2026-01-01", "2026-06-30", "10", "21000"), button="uebermitteln")
    response = clerk_client.post(create_url(hanna, gera_units[0]), data)
    report = Report.objects.get()
    assert response.url == f"/meldungen/uebermitteln/?meldung={report.pk}"
    assert "Möchten Sie diese Meldung" in clerk_client.get(response.url).content.decode()
    assert Report.objects.get().status == ReportStatus.DRAFT  # the GET sends nothing
    clerk_client.post("/meldungen/uebermitteln/", {"meldung": [report.pk]})
    report.refresh_from_db()
    assert (report.status, report.submitted_by) == (ReportStatus.SUBMITTED, gera_clerk)


def test_many_meldungen_are_sent_from_the_list_after_one_confirmation(
    clerk_client, hanna, joerg, gera_units, gera_clerk
):
    """The list offers a checkbox for each Meldung erfasst; the confirmation names those it sends and those it does
    not; another unit's Meldung smuggled into the form is neither shown nor sent."""
    other = factories.InsuredPersonFactory(last_name="Bäcker", first_name="Berta")
    factories.EmploymentFactory(person=other, billing_unit=gera_units[1], start=date(2020, 1, 1))
    drafts = [
        factories.ReportFactory(person=hanna, billing_unit=gera_units[0], created_by=gera_clerk),
        factories.ReportFactory(person=other, billing_unit=gera_units[1], created_by=gera_clerk),
    ]
    sent = factories.ReportFactory(
        person=hanna,
        billing_unit=gera_units[0],
        created_by=gera_clerk,
        kind=Kind.DEREGISTRATION,
        year=None,
        end=date(2026, 6, 30),
        deregistration_reason="end",
    )
    services.submit_reports(reports=[sent], by=gera_clerk)
    foreign = factories.ReportFactory(person=joerg, billing_unit=gera_units[2], created_by=factories.ClerkFactory())
    listed = clerk_client.get("/meldungen/").content.decode()
    assert listed.count('type="checkbox" name="meldung"') == 2
    chosen = {"meldung": [r.pk for r in (*drafts, sent, foreign)]}
    html = page_text(clerk_client.get("/meldungen/uebermitteln/", chosen))
    assert "Möchten Sie diese 2 Meldungen an die Zusatzversorgungskasse übermitteln?" in html
    assert "Bäcker, Berta" in html and "Abmeldung zum 30.06.2026 – Müller, Hanna: übermittelt" in html
    assert "Weiß" not in html
    assert Report.objects.filter(status=ReportStatus.DRAFT).count() == 3  # the confirmation sends nothing
    response = clerk_client.post("/meldungen/uebermitteln/", chosen)
    assert response.url == "/meldungen/?status=submitted"
    assert set(Report.objects.filter(status=ReportStatus.SUBMITTED)) == {*drafts, sent}
    assert Report.objects.get(pk=foreign.pk).status == ReportStatus.DRAFT


def test_delete_asks_first(clerk_client, hanna, gera_units, gera_clerk):
    report = factories.ReportFactory(person=hanna, billing_unit=gera_units[0], created_by=gera_clerk)
    assert "Möchten Sie die" in clerk_client.get(f"/meldungen/{report.pk}/loeschen/").content.decode()
    assert Report.objects.exists()
    response = clerk_client.post(f"/meldungen/{report.pk}/loeschen/")
    assert response.url == f"/versicherte/{hanna.pk}/" and not Report.objects.exists()


def test_a_rejected_meldung_shows_the_reason_and_is_corrected_and_sent_again(
    clerk_client, hanna, gera_units, gera_clerk, staff
):
    report = factories.ReportFactory(person=hanna, billing_unit=gera_units[0], created_by=gera_clerk)
    services.submit_reports(reports=[report], by=gera_clerk)
    services.reject_report(report=report, by=staff, reason="Bitte das Entgelt prüfen.")
    html = page_text(clerk_client.get(f"/meldungen/{report.pk}/"))
    assert "Bitte das Entgelt prüfen." in html and "Korrigieren und erneut übermitteln" in html
    edit = clerk_client.get(f"/meldungen/{report.pk}/bearbeiten/").content.decode()
    assert 'value="21000,00"' in edit
    data = jahresmeldung(("2026-01-01", "2026-06-30", "10", "20.500,00"), button="uebermitteln")
    response = clerk_client.post(f"/meldungen/{report.pk}/bearbeiten/", data)
    assert response.url == f"/meldungen/uebermitteln/?meldung={report.pk}"
    clerk_client.post("/meldungen/uebermitteln/", {"meldung": [report.pk]})
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and report.sections.get().pay == 20500


def test_a_submitted_meldung_has_no_edit(clerk_client, hanna, gera_units, gera_clerk):
    report = factories.ReportFactory(person=hanna, billing_unit=gera_units[0], created_by=gera_clerk)
    services.submit_reports(reports=[report], by=gera_clerk)
    html = clerk_client.get(f"/meldungen/{report.pk}/").content.decode()
    assert "Bearbeiten" not in html and "Löschen" not in html
    response = clerk_client.post(f"/meldungen/{report.pk}/bearbeiten/", jahresmeldung())
    assert response.status_code == 302 and Report.objects.get().status == ReportStatus.SUBMITTED


def test_new_report_by_insurance_number(clerk_client, hanna, joerg):
    response = clerk_client.get("/meldungen/neu/", {"versicherungsnummer": hanna.insurance_number})
    assert response.url == f"/versicherte/{hanna.pk}/meldung/neu/"
    refused = clerk_client.get("/meldungen/neu/", {"versicherungsnummer": joerg.insurance_number})
    assert "keinen Versicherten mit dieser Nummer" in refused.content.decode()


def test_choosing_the_kind_leads_to_its_form(clerk_client, hanna, gera_units):
    response = clerk_client.get(f"/versicherte/{hanna.pk}/meldung/neu/", {"kind": "annual"})
    assert response.url == create_url(hanna, gera_units[0])
    html = clerk_client.get(response.url).content.decode()
    assert "Neue Meldung: Jahresmeldung" in html and html.count('data-testid="section-row"') == 2


def test_the_meldungen_list_shows_who_wrote_and_who_sent(clerk_client, hanna, gera_units, gera_clerk):
    successor = factories.ClerkFactory(first_name="Bert", last_name="Nachfolger", units=[gera_units[0]])
    report = factories.ReportFactory(person=hanna, billing_unit=gera_units[0], created_by=gera_clerk)
    services.submit_reports(reports=[report], by=successor)
    html = page_text(clerk_client.get("/meldungen/"))
    assert "Anna Schmidt" in html and "Bert Nachfolger" in html


def test_the_last_administrators_lock_ends_the_clerks_reading_at_the_next_request(
    client, hanna, gera_clerk, gera_admin
):
    """The last-administrator cascade (manual §7.2) locks the member's clerks: the open session's next request is
    the login, not the person."""
    client.force_login(gera_clerk)
    assert client.get(f"/versicherte/{hanna.pk}/").status_code == 200
    clerk_services.lock_administrator(administrator=gera_admin, by=gera_admin, reason="Ausgeschieden")
    response = client.get(f"/versicherte/{hanna.pk}/")
    assert response.status_code == 302 and response.url.startswith("/login/")
