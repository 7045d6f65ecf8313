"""A membership carries a copy of its user's role and name, the key of "Verwaltung der Benutzer".

The list counts and pages on that copy, so it must never differ from the user: the models take it from the
user and keep the name in step, only administrators and clerks can be members, and on PostgreSQL a foreign
key refuses a differing copy and carries a change of name over by itself."""

import pytest
from django.db import IntegrityError, connection, transaction

from accounts.models import Membership, Role, User
from clerks.forms import SORTS
from tests import factories

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the foreign key is PostgreSQL's")


def copy_of(user):
    return list(Membership.objects.filter(user=user).values_list("role", "last_name", "first_name"))


def test_a_new_membership_takes_role_and_name_from_its_user(gera_units, jena_units):
    clerk = factories.ClerkFactory(first_name="Jörg", last_name="Weiß", units=gera_units[:1])
    assert copy_of(clerk) == [(Role.CLERK, "Weiß", "Jörg")]
    Membership.objects.bulk_create([Membership.of(clerk, member=jena_units[0].member)])
    assert copy_of(clerk) == [(Role.CLERK, "Weiß", "Jörg")] * 2


def test_saving_a_new_name_changes_every_copy(gera_units, jena_units):
    clerk = factories.ClerkFactory(first_name="Jörg", last_name="Weiß", units=[gera_units[0], jena_units[0]])
    clerk.first_name, clerk.last_name = "Jürgen", "Schwarz"
    clerk.save(update_fields=["first_name", "last_name"])
    assert copy_of(clerk) == [(Role.CLERK, "Schwarz", "Jürgen")] * 2
    clerk.last_name = "Grün"
    clerk.save()
    assert copy_of(clerk) == [(Role.CLERK, "Grün", "Jürgen")] * 2


def test_fund_staff_cannot_be_members(gera_units):
    staff = factories.StaffFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=staff, member=gera_units[0].member)


@postgresql_only
def test_postgresql_refuses_a_copy_that_differs_from_the_user(gera_units):
    clerk = factories.ClerkFactory(last_name="Weiß")
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.bulk_create([Membership(user=clerk, member=gera_units[0].member, role=Role.CLERK)])
        connection.check_constraints()  # the key is deferred to the commit, as Django's own are


@postgresql_only
def test_postgresql_carries_a_name_changed_behind_the_models_back(gera_units):
    clerk = factories.ClerkFactory(last_name="Weiß", units=gera_units[:1])
    User.objects.filter(pk=clerk.pk).update(last_name="Schwarz")
    assert copy_of(clerk)[0][1] == "Schwarz"


@postgresql_only
def test_postgresql_finds_a_page_of_the_list_in_the_membership_index(gera_admin, gera_units):
    keys = Membership.objects.visible_to(gera_admin).order_by(*SORTS["name"]["key"]).values("user_id")[:50]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a handful of test rows would rather be read whole
        plan = keys.explain()
    assert "membership_list_idx" in plan and "Sort" not in plan, plan
