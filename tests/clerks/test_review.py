"""Berechtigungen bestätigen: the yearly review of access per member, with frozen time."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.models import Status
from audit.models import AuditEntry
from clerks import review
from clerks.models import AccessReview, Confirmation
from tests import factories
from tests.helpers import fresh
from tests.mail import deliver_outbox

pytestmark = pytest.mark.django_db


@pytest.fixture
def started(settings, gera_admin, gera_admin2, gera_clerk):
    settings.ACCESS_REVIEW_DAY = "01-15"
    moment = review.review_day(timezone.now().year) + timedelta(hours=8)
    with time_machine.travel(moment, tick=False):
        review.run()
    return AccessReview.objects.get(member=gera_clerk.memberships.get().member)


def test_the_review_starts_on_its_day_once_and_mails_the_administrators(started, gera_admin, gera_admin2):
    assert started.is_open
    mails = deliver_outbox()
    assert {m.to[0] for m in mails} >= {gera_admin.email, gera_admin2.email}
    assert all("Berechtigungen bestätigen" in m.body for m in mails)
    with time_machine.travel(started.started_at + timedelta(hours=1), tick=False):
        assert review.run()["started"] == []


def test_reminders_after_14_and_28_days_and_overdue_after_42(started, client, staff):
    for days, reminders in ((13, 0), (14, 1), (20, 1), (28, 2)):
        with time_machine.travel(started.started_at + timedelta(days=days), tick=False):
            review.run()
        assert fresh_review(started).reminders == reminders
    with time_machine.travel(started.started_at + timedelta(days=43), tick=False):
        assert list(review.overdue()) == [fresh_review(started)]
        client.force_login(staff)
        listing = client.get("/admin/clerks/accessreview/", {"ueberfaellig": "ja"}).content.decode()
    assert "Stadt Gera" in listing


def fresh_review(r):
    return AccessReview.objects.get(pk=r.pk)


def test_the_review_page_confirms_each_person_but_never_oneself(started, client, gera_admin, gera_admin2, gera_clerk):
    client.force_login(gera_admin)
    listing = client.get("/benutzer/").content.decode()
    assert "Aufgabe: Bitte bestätigen Sie die Berechtigungen" in listing
    page = client.get(f"/berechtigungen-bestaetigen/{started.member_id}/").content.decode()
    assert gera_clerk.email in page and "bestätigt ein anderer Administrator" in page
    client.post(f"/berechtigungen-bestaetigen/{started.member_id}/{gera_admin.pk}/")
    assert not started.confirmations.filter(user=gera_admin).exists()
    client.post(f"/berechtigungen-bestaetigen/{started.member_id}/{gera_clerk.pk}/")
    assert started.confirmations.filter(user=gera_clerk, confirmed_by=gera_admin).exists()
    detail = client.get(f"/benutzer/{gera_clerk.pk}/").content.decode()
    assert "zuletzt bestätigt am" in detail and gera_admin.email in detail
    assert AuditEntry.objects.filter(action="user.access_confirmed", target=gera_clerk).count() == 1


def test_all_unchanged_on_the_page_and_the_colleague_complete_the_review(
    started, client, gera_admin, gera_admin2, gera_clerk
):
    client.force_login(gera_admin)
    client.post(
        f"/berechtigungen-bestaetigen/{started.member_id}/seite/",
        {"users": [gera_clerk.pk, gera_admin2.pk, gera_admin.pk]},
    )
    assert fresh_review(started).is_open  # gera_admin itself is still to be confirmed by its colleague
    client.force_login(gera_admin2)
    client.post(f"/berechtigungen-bestaetigen/{started.member_id}/{gera_admin.pk}/")
    assert not fresh_review(started).is_open
    assert AuditEntry.objects.filter(action="review.completed").count() == 1


def test_withdrawing_from_the_review_is_the_existing_lock_with_the_reason_prefilled(
    started, client, gera_admin, gera_clerk
):
    client.force_login(gera_admin)
    page = client.get(
        f"/benutzer/{gera_clerk.pk}/sperren/?grund=%C3%9Cberpr%C3%BCfung%3A%20nicht%20mehr%20ben%C3%B6tigt"
    )
    assert "Überprüfung: nicht mehr benötigt" in page.content.decode()


def test_another_members_administrator_gets_404(started, client, jena_admin, gera_clerk):
    client.force_login(jena_admin)
    assert client.get(f"/berechtigungen-bestaetigen/{started.member_id}/").status_code == 404
    assert client.post(f"/berechtigungen-bestaetigen/{started.member_id}/{gera_clerk.pk}/").status_code == 404
    assert not started.confirmations.exists()
    assert fresh(gera_clerk).status == Status.ACTIVE


def test_another_members_person_is_not_confirmed_in_ones_own_review(started, client, gera_admin, jena_clerk):
    client.force_login(gera_admin)
    url = f"/berechtigungen-bestaetigen/{started.member_id}"
    assert client.post(f"{url}/{jena_clerk.pk}/").status_code == 404
    client.post(f"{url}/seite/", {"users": [jena_clerk.pk, gera_admin.pk]})
    assert not started.confirmations.exists()
    assert not AuditEntry.objects.filter(action="user.access_confirmed").exists()


def test_an_administrator_of_both_members_confirms_no_jena_clerk_in_geras_review(
    started, client, gera_units, jena_units, jena_clerk
):
    both = factories.AdministratorFactory(units=gera_units + jena_units)
    client.force_login(both)
    client.post(f"/berechtigungen-bestaetigen/{started.member_id}/{jena_clerk.pk}/")  # it sees the Jena clerk
    client.post(f"/berechtigungen-bestaetigen/{started.member_id}/seite/", {"users": [jena_clerk.pk, both.pk]})
    assert not started.confirmations.exists()


def test_no_administrator_confirms_itself_in_any_way(started, client, gera_admin):
    client.force_login(gera_admin)
    url = f"/berechtigungen-bestaetigen/{started.member_id}"
    response = client.post(f"{url}/{gera_admin.pk}/", follow=True)
    assert "Ihre eigene Berechtigung bestätigt ein anderer Administrator." in response.content.decode()
    client.post(f"{url}/seite/", {"users": [gera_admin.pk, gera_admin.pk, f"{gera_admin.pk} "]})
    assert not started.confirmations.filter(user=gera_admin).exists()


def test_the_page_shows_how_far_the_review_has_come(started, client, gera_admin, gera_admin2, gera_clerk):
    client.force_login(gera_admin)
    url = f"/berechtigungen-bestaetigen/{started.member_id}/"
    assert "0 von 3 bestätigt" in client.get(url).content.decode()
    client.post(f"{url}{gera_clerk.pk}/")
    assert "1 von 3 bestätigt" in client.get(url).content.decode()


def test_the_filter_by_abrechnungsstelle_takes_only_the_administrators_own_units(
    started, client, gera_admin, gera_clerk, gera_units, jena_units
):
    other = factories.ClerkFactory(last_name="Kita", units=gera_units[2:])
    client.force_login(gera_admin)
    url = f"/berechtigungen-bestaetigen/{started.member_id}/"
    html = client.get(url, {"unit": gera_units[2].pk}).content.decode()
    assert other.email in html and gera_clerk.email not in html
    # the clerk of 002022 and the two administrators registered for it
    assert "3 Personen mit der Abrechnungsstelle 002022" in html and "0 von 4 bestätigt" in html
    refused = client.get(url, {"unit": jena_units[0].pk}).content.decode()
    assert "Bitte wählen Sie eine angezeigte Abrechnungsstelle." in refused and jena_units[0].name not in refused
    assert gera_clerk.email in refused and other.email in refused  # no filter applied


def test_after_each_confirmation_the_page_goes_on_at_the_next_row(started, client, gera_admin, gera_units):
    """Page and filter kept, the anchor at the next person still to be confirmed on that page."""
    people = [factories.ClerkFactory(last_name=f"Zeller{n:02}", units=gera_units[:1]) for n in range(55)]
    client.force_login(gera_admin)
    url = f"/berechtigungen-bestaetigen/{started.member_id}/"
    page = client.get(url, {"unit": gera_units[0].pk, "page": 2}).content.decode()
    first, second = people[-5], people[-4]  # page 2 of 50: the last people in name order
    assert f'id="person-{first.pk}"' in page and f'name="next" value="{second.pk}"' in page
    form = {"page": "2", "unit": str(gera_units[0].pk), "next": str(second.pk)}
    response = client.post(f"{url}{first.pk}/", form)
    assert response.url == f"{url}?unit={gera_units[0].pk}&page=2#person-{second.pk}"
    last = client.post(f"{url}{people[-1].pk}/", {"page": "2", "next": "javascript:alert(1)"})
    assert last.url == f"{url}?page=2#seitenende"
    assert started.confirmations.filter(user__in=[first, people[-1]]).count() == 2


def test_the_last_confirmation_is_the_newest_with_its_confirmer(gera, gera_admin, gera_admin2, gera_clerk, jena_clerk):
    """ "Berechtigung zuletzt bestätigt am … von …": the newest of the person's confirmations, whichever review."""
    assert review.last_confirmation(gera_clerk) is None
    year = timezone.now().year
    older = AccessReview.objects.create(member=gera, year=year - 1)
    newer = AccessReview.objects.create(member=gera, year=year)
    now = timezone.now()
    Confirmation.objects.create(
        review=older, user=gera_clerk, confirmed_by=gera_admin, confirmed_at=now - timedelta(days=365)
    )
    Confirmation.objects.create(review=newer, user=gera_clerk, confirmed_by=gera_admin2, confirmed_at=now)
    Confirmation.objects.create(
        review=newer, user=jena_clerk, confirmed_by=gera_admin, confirmed_at=now + timedelta(hours=1)
    )
    assert review.last_confirmation(gera_clerk) == {"confirmed_at": now, "confirmed_by_email": gera_admin2.email}
