"""Fund staff keep billing units in the Django admin, but a billing unit never moves to another member."""

import pytest
from django.test import Client

from billing_units.models import BillingUnit

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(staff):
    client = Client()
    client.force_login(staff)
    return client


def test_a_billing_unit_cannot_be_moved_to_another_member(staff_client, gera_units, jena):
    unit = gera_units[1]
    url = f"/admin/billing_units/billingunit/{unit.pk}/change/"
    page = staff_client.get(url).content.decode()
    assert 'name="member"' not in page and "Stadt Gera" in page  # shown, not editable
    response = staff_client.post(url, {"member": jena.pk, "number": unit.number, "name": "Neuer Name"})
    assert response.status_code == 302
    unit = BillingUnit.objects.get(pk=unit.pk)
    assert unit.member_id == gera_units[0].member_id  # still Gera's
    assert unit.name == "Neuer Name"  # the rest of the form is saved


def test_a_new_billing_unit_chooses_its_member(staff_client, jena):
    response = staff_client.post(
        "/admin/billing_units/billingunit/add/", {"member": jena.pk, "number": "003039", "name": "Stadt Jena – Neu"}
    )
    assert response.status_code == 302
    assert BillingUnit.objects.get(number="003039").member == jena
