"""Who saw a one-time password (LOG-10), and the clerk's hand-over slip ("Übergabeblatt drucken")."""

import pytest

from audit.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db


def views_of(clerk, action="user.otp_viewed"):
    return list(AuditEntry.objects.filter(target=clerk, action=action).values_list("actor_label", flat=True))


def test_showing_a_one_time_password_is_audited_once_per_password_and_administrator(
    client, gera_admin, gera_admin2, gera_units
):
    clerk = factories.PendingClerkFactory(units=gera_units[:1])
    client.force_login(gera_admin)
    page = client.get(f"/benutzer/{clerk.pk}/").content.decode()
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


def test_no_slip_without_a_password_or_for_a_clerk_beyond_the_registration(
    client, gera_admin, gera_clerk, jena_admin, gera_units, jena_units
):
    client.force_login(gera_admin)
    response = client.get(f"/benutzer/{gera_clerk.pk}/uebergabeblatt/", follow=True)
    assert "kein gültiges Einmalpasswort" in response.content.decode()
    shared = factories.PendingClerkFactory(units=[gera_units[0], jena_units[0]])
    client.force_login(jena_admin)
    response = client.get(f"/benutzer/{shared.pk}/uebergabeblatt/", follow=True)
    assert shared.otp_plain not in response.content.decode()
    assert views_of(shared, "user.otp_slip_printed") == []
