"""A lock that is there already, or not the viewer's to lift: the page says who set it, when, and what to do."""

import pytest
from django.utils import timezone

from clerks import services
from clerks.models import MemberLock
from tests import factories

pytestmark = pytest.mark.django_db


def today() -> str:
    return timezone.localdate().strftime("%d.%m.%Y")


def message_after(client, method, url, data=None) -> str:
    response = getattr(client, method)(url, data or {}, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def test_a_colleagues_lock_is_named_with_who_when_and_why_and_what_to_do(client, gera_admin, gera_admin2, gera_clerk):
    services.lock_clerk(clerk=gera_clerk, by=gera_admin2, reason="Elternzeit")
    client.force_login(gera_admin)
    for method, data in (("get", None), ("post", {"reason": "Wechsel"})):  # the page, and a lock sent meanwhile
        html = message_after(client, method, f"/benutzer/{gera_clerk.pk}/sperren/", data)
        assert (
            f"bereits entzogen: für 002020 Stadt Gera am {today()} von {gera_admin2.email} (Sperrgrund: Elternzeit)"
            in html
        ), method
        assert "mit „Berechtigung erteilen“ aufheben" in html
    assert MemberLock.objects.count() == 1


def test_an_own_lock_says_von_ihnen(client, gera_admin, gera_clerk):
    services.lock_clerk(clerk=gera_clerk, by=gera_admin, reason="Elternzeit")
    client.force_login(gera_admin)
    assert f"am {today()} von Ihnen" in message_after(client, "get", f"/benutzer/{gera_clerk.pk}/sperren/")


def test_a_lock_the_viewer_may_not_lift_names_who_can(client, gera_admin, gera_units, gera_clerk):
    partial = factories.AdministratorFactory(units=gera_units[1:2])
    [lock] = services.lock_clerk(clerk=gera_clerk, by=gera_admin, reason="Elternzeit")
    client.force_login(partial)
    html = message_after(client, "post", f"/benutzer/{gera_clerk.pk}/sperren/{lock.pk}/aufheben/")
    assert f"Diese Sperre wurde für 002020 Stadt Gera am {today()} von {gera_admin.email}" in html
    assert "für die Sie nicht registriert sind" in html
    assert f"Aufheben kann sie nur Maria Keller ({gera_admin.email})" in html
    assert MemberLock.objects.get().is_open
    again = message_after(client, "get", f"/benutzer/{gera_clerk.pk}/sperren/")
    assert "von admin@stadt-gera.example (Sperrgrund: Elternzeit)" in again and "Aufheben kann sie nur" in again


def test_a_lock_lifted_a_moment_ago_says_by_whom(client, gera_admin, gera_admin2, gera_clerk):
    [lock] = services.lock_clerk(clerk=gera_clerk, by=gera_admin, reason="Elternzeit")
    services.restore_clerk(lock=lock, by=gera_admin2)
    client.force_login(gera_admin)
    html = message_after(client, "post", f"/benutzer/{gera_clerk.pk}/sperren/{lock.pk}/aufheben/")
    assert f"Diese Sperre wurde bereits aufgehoben. Sie wurde am {today()} von {gera_admin2.email} aufgehoben" in html


def test_another_members_lock_and_administrator_are_never_named(
    client, gera_admin, gera_admin2, jena_admin, shared_clerk
):
    services.lock_clerk(clerk=shared_clerk, by=jena_admin, reason="Jenaer Grund")
    services.lock_clerk(clerk=shared_clerk, by=gera_admin, reason="Elternzeit")
    client.force_login(gera_admin2)
    html = message_after(client, "get", f"/benutzer/{shared_clerk.pk}/sperren/")
    assert "002020 Stadt Gera" in html and "Elternzeit" in html
    assert jena_admin.email not in html and "Jenaer Grund" not in html and "003030" not in html
