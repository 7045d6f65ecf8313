"""Scope (DESIGN §3): the Jena administrator walks every administrator URL against Gera's
clerk, administrator and lock, by GET and POST, and gets 404 everywhere with nothing changed."""

import pytest
from django.urls import resolve, reverse

from accounts.models import User
from audit.models import AuditEntry
from clerks import services
from clerks.models import Grant, MemberLock

pytestmark = pytest.mark.django_db


def gera_urls(clerk, admin, lock):
    return [
        reverse("clerks:created", args=[clerk.pk]),
        reverse("clerks:detail", args=[clerk.pk]),
        reverse("clerks:personal_data", args=[clerk.pk]),
        reverse("clerks:assign", args=[clerk.pk]),
        reverse("clerks:reset_otp", args=[clerk.pk]),
        reverse("clerks:lock", args=[clerk.pk]),
        reverse("clerks:unlock", args=[clerk.pk, lock.pk]),
        reverse("clerks:lock_administrator", args=[admin.pk]),
        reverse("clerks:lock_administrator_confirm", args=[admin.pk]),
    ]


def snapshot():
    return (
        list(User.objects.order_by("pk").values()),
        list(Grant.objects.order_by("pk").values()),
        list(MemberLock.objects.order_by("pk").values()),
        AuditEntry.objects.count(),
    )


def test_jena_administrator_gets_404_on_every_gera_url(
    client, jena_admin, gera_admin, gera_admin2, gera_units, jena_units
):
    from tests import factories

    clerk = factories.ClerkFactory(units=gera_units[:1])
    locked = factories.ClerkFactory(units=gera_units[1:2])
    [lock] = services.lock_clerk(clerk=locked, by=gera_admin, reason="Elternzeit")
    client.force_login(jena_admin)
    before = snapshot()
    data = {
        "reason": "x",
        "first_name": "Hack",
        "last_name": "Er",
        "phone": "0123456",
        "email": "hack@stadt-jena.example",
        "units": [jena_units[0].pk],
    }
    for url in gera_urls(clerk, gera_admin2, lock) + [reverse("clerks:unlock", args=[locked.pk, lock.pk])]:
        assert client.get(url).status_code == 404, url
        # a page that only shows something answers a POST with 405 for every id alike, which reveals nothing
        get_only = resolve(url).url_name in {"created", "detail"}
        assert client.post(url, data).status_code == (405 if get_only else 404), url
    assert snapshot() == before


def test_scope_is_read_anew_on_every_request(client, gera_admin, gera_clerk):
    """The administrator's members are read once per request, never kept across requests: when its registration
    ends, the very next click is a 404."""
    client.force_login(gera_admin)
    detail = reverse("clerks:detail", args=[gera_clerk.pk])
    assert client.get(detail).status_code == 200
    gera_admin.scope_units.clear()
    assert client.get(detail).status_code == 404
    assert gera_clerk.email not in client.get(reverse("clerks:list")).content.decode()


def test_a_new_membership_is_seen_by_the_same_user_object(gera_clerk, jena_units):
    """Code that adds a membership forgets the member ids it read before."""
    assert jena_units[0].member_id not in gera_clerk.member_ids
    services._join_members(gera_clerk, {jena_units[0].member_id})
    assert jena_units[0].member_id in gera_clerk.member_ids


def test_a_service_checks_scope_against_the_members_read_in_its_own_transaction(gera_admin, gera_clerk):
    """The request may have read the administrator's members before fund staff took one away; once a service
    reads them again under its locks, its scope checks (visible_to) use that fresh read, not the old one."""
    assert User.objects.visible_to(gera_admin).filter(pk=gera_clerk.pk).exists()  # read at the request's start
    gera_admin.scope_units.clear()
    assert services._member_ids(gera_admin) == set()
    assert not User.objects.visible_to(gera_admin).filter(pk=gera_clerk.pk).exists()
