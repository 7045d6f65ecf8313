"""Who saw a one-time password (LOG-10), the clerk's hand-over slip ("Übergabeblatt drucken"), and the new one-time
password shown first after it was set."""

import pytest
from django.test import Client

from accounts import otp
from audit.models import AuditEntry
from clerks import services
from tests import factories
from tests.helpers import fresh, page_text

pytestmark = pytest.mark.django_db


def views_of(clerk, action="user.otp_viewed"):
    return list(AuditEntry.objects.filter(target=clerk, action=action).values_list("actor_label", flat=True))


def test_showing_a_one_time_password_is_audited_once_per_password_and_administrator(
    client, gera_admin, gera_admin2, gera_units
):
    clerk = factories.PendingClerkFactory(units=gera_units[:1])
    client.force_login(gera_admin)
    page = page_text(client.get(f"/benutzer/{clerk.pk}/"))
    assert clerk.otp_plain in page and "Einmalpasswort angezeigt" in page  # the per-clerk protocol shows it
    client.get(f"/benutzer/{clerk.pk}/")
    assert views_of(clerk) == [gera_admin.email]
    client.force_login(gera_admin2)
    client.get(f"/benutzer/{clerk.pk}/")
    assert sorted(views_of(clerk)) == sorted([gera_admin.email, gera_admin2.email])


def test_a_clerk_without_a_one_time_password_writes_nothing(client, gera_admin, gera_clerk):
    client.force_login(gera_admin)
    client.get(f"/benutzer/{gera_clerk.pk}/")
    assert views_of(gera_clerk) == []


def test_the_hand_over_slip_shows_the_login_and_is_audited(client, gera_admin, gera_units):
    clerk = factories.PendingClerkFactory(units=gera_units[:1])
    client.force_login(gera_admin)
    assert "Übergabeblatt drucken" in client.get(f"/benutzer/{clerk.pk}/").content.decode()
    response = client.get(f"/benutzer/{clerk.pk}/uebergabeblatt/")
    html = response.content.decode()
    assert response.status_code == 200 and clerk.otp_plain in html and clerk.email in html
    assert "no-store" in response["Cache-Control"]
    assert views_of(clerk, "user.otp_slip_printed") == [gera_admin.email]


def test_a_head_request_prints_no_slip(client, gera_admin, gera_units):
    clerk = factories.PendingClerkFactory(units=gera_units[:1])
    client.force_login(gera_admin)
    assert client.head(f"/benutzer/{clerk.pk}/uebergabeblatt/").status_code == 200
    assert views_of(clerk, "user.otp_slip_printed") == []


def test_head_requests_record_no_view_and_no_export(client, gera_admin, gera_units):
    """Only a GET shows a password or takes a file out of the portal, so only a GET is audited (a HEAD's body is
    never sent)."""
    clerk = factories.PendingClerkFactory(units=gera_units[:1])
    client.force_login(gera_admin)
    for url in (
        f"/benutzer/{clerk.pk}/",
        "/berechtigungen/?format=csv",
        "/berechtigungen/?format=xlsx",
        "/berechtigungen/?format=print",
        "/protokoll/?format=csv",
    ):
        assert client.head(url).status_code == 200, url
    assert views_of(clerk) == []
    assert not AuditEntry.objects.filter(action__in=["overview.exported", "protocol.exported"]).exists()
    client.get(f"/benutzer/{clerk.pk}/")
    assert len(views_of(clerk)) == 1


def test_no_slip_without_a_password_or_for_a_clerk_beyond_the_registration(
    client, gera_admin, gera_clerk, jena_admin, gera_units, jena_units
):
    client.force_login(gera_admin)
    response = client.get(f"/benutzer/{gera_clerk.pk}/uebergabeblatt/", follow=True)
    assert "kein gültiges Einmalpasswort" in response.content.decode()
    shared = factories.PendingClerkFactory(units=[gera_units[0], jena_units[0]])
    client.force_login(jena_admin)
    response = client.get(f"/benutzer/{shared.pk}/uebergabeblatt/", follow=True)
    assert shared.otp_plain not in page_text(response)
    assert views_of(shared, "user.otp_slip_printed") == []


def _panel_first(html: str) -> bool:
    """The panel of the new one-time password stands above every other panel of the Detailansicht."""
    return 0 < html.find('data-testid="fresh-otp-panel"') < html.find('id="rights-heading"')


def test_a_one_time_password_just_set_opens_the_detailansicht_once(client, gera_admin, gera_clerk):
    client.force_login(gera_admin)
    response = client.post(f"/benutzer/{gera_clerk.pk}/einmalpasswort/")
    assert response.url == f"/benutzer/{gera_clerk.pk}/#neues-einmalpasswort"
    html = client.get(response.url).content.decode()
    value = otp.readable(fresh(gera_clerk))
    grouped = f'<span class="otp-group">{value[:3]}</span><span class="otp-group">{value[3:6]}</span>'
    assert _panel_first(html) and f'data-testid="otp">{grouped}' in html
    assert 'id="neues-einmalpasswort" tabindex="-1" data-focus-on-load' in html
    again = page_text(client.get(f"/benutzer/{gera_clerk.pk}/"))
    assert "fresh-otp-panel" not in again and value in again  # later it stays in its own panel


def test_berechtigung_erteilen_with_a_new_password_opens_with_it(client, gera_admin, gera_clerk):
    [lock] = services.lock_clerk(clerk=gera_clerk, by=gera_admin, reason="Elternzeit")
    client.force_login(gera_admin)
    response = client.post(f"/benutzer/{gera_clerk.pk}/sperren/{lock.pk}/aufheben/")
    assert response.url.endswith("#neues-einmalpasswort")
    assert _panel_first(client.get(response.url).content.decode())


def test_a_clerk_still_working_for_another_member_gets_no_new_password_panel(
    client, gera_admin, jena_admin, shared_clerk
):
    [lock] = services.lock_clerk(clerk=shared_clerk, by=gera_admin, reason="Elternzeit")
    client.force_login(gera_admin)
    response = client.post(f"/benutzer/{shared_clerk.pk}/sperren/{lock.pk}/aufheben/", follow=True)
    assert "fresh-otp-panel" not in response.content.decode()


def test_a_colleague_opening_the_clerk_sees_the_password_in_its_usual_place(
    client, gera_admin, gera_admin2, gera_clerk
):
    client.force_login(gera_admin)
    client.post(f"/benutzer/{gera_clerk.pk}/einmalpasswort/")
    colleague = Client()
    colleague.force_login(gera_admin2)
    html = page_text(colleague.get(f"/benutzer/{gera_clerk.pk}/"))
    assert "fresh-otp-panel" not in html and otp.readable(fresh(gera_clerk)) in html


@pytest.mark.parametrize("who", ["jena_admin", "partial", "gera_clerk"])
def test_the_slip_of_a_clerk_with_a_one_time_password_by_url(client, request, who, gera_units, jena_units):
    """Another member's administrator (404), a narrower registration (back to the Detailansicht with the reason)
    and a clerk (403) get no slip: no password on the page, nothing audited."""
    clerk = factories.PendingClerkFactory(units=gera_units)
    people = {"partial": lambda: factories.AdministratorFactory(units=gera_units[1:2])}
    user = people[who]() if who in people else request.getfixturevalue(who)
    client.force_login(user)
    for method in ("get", "head"):
        response = getattr(client, method)(f"/benutzer/{clerk.pk}/uebergabeblatt/")
        expected = {"jena_admin": 404, "partial": 302, "gera_clerk": 403}[who]
        assert response.status_code == expected and clerk.otp_plain not in response.content.decode()
    if who == "partial":
        assert clerk.otp_plain not in client.get(f"/benutzer/{clerk.pk}/uebergabeblatt/", follow=True).content.decode()
    assert views_of(clerk, "user.otp_slip_printed") == [] and views_of(clerk) == []
