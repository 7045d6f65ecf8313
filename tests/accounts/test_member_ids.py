"""`User.member_ids`, the scope every query of a logged-in user starts from: an administrator belongs to the members it
holds both a membership and a registered billing unit of, a clerk to the members of its memberships."""

import pytest

from accounts.models import Membership
from clerks import services
from tests import factories
from tests.helpers import fresh

pytestmark = pytest.mark.django_db


def test_an_administrator_belongs_to_every_member_of_its_registration_in_member_order(gera_units, jena_units):
    administrator = factories.AdministratorFactory(units=[jena_units[0], gera_units[1]])
    assert administrator.member_ids == sorted([gera_units[0].member_id, jena_units[0].member_id])


def test_an_ended_registration_ends_the_membership_in_this_sense_and_keeps_its_row(gera_admin, gera_units, jena_units):
    shared = factories.AdministratorFactory(units=[*gera_units, *jena_units])
    services.lock_administrator(administrator=shared, by=gera_admin, reason="Wechsel")
    assert fresh(shared).member_ids == [jena_units[0].member_id]
    assert Membership.objects.filter(user=shared, member=gera_units[0].member).exists()  # Gera still sees who it was


def test_a_registered_unit_without_the_membership_grants_no_member(gera_units, jena_units):
    """Registration approves both together; a unit added beside it by other means widens nothing."""
    administrator = factories.AdministratorFactory(units=gera_units)
    administrator.scope_units.add(jena_units[0])
    assert fresh(administrator).member_ids == [gera_units[0].member_id]


def test_a_clerk_belongs_to_the_members_of_its_memberships_granted_or_not(gera_units, jena):
    clerk = factories.ClerkFactory(units=gera_units[:1], members=[jena])
    assert clerk.member_ids == sorted([gera_units[0].member_id, jena.pk])
