"""Administrator continuity: the hint to register a second administrator, the clerks named before a cascade, and
fund staff's list of members with one or no active administrator."""

import pytest

from clerks import services
from tests import factories

pytestmark = pytest.mark.django_db
HINT = "Empfehlung: Registrieren Sie einen zweiten Administrator"


def test_a_member_with_a_single_administrator_sees_the_recommendation(client, jena_admin, gera_admin, gera_admin2):
    client.force_login(jena_admin)
    assert HINT in client.get("/benutzer/").content.decode()
    client.force_login(gera_admin)
    assert HINT not in client.get("/benutzer/").content.decode()  # Gera has two
    services.lock_administrator(administrator=gera_admin2, by=gera_admin, reason="Ruhestand")
    assert f"{HINT} für 002020 Stadt Gera" in client.get("/benutzer/").content.decode()


def test_the_last_administrators_confirmation_names_the_clerks_that_will_be_locked(client, jena_admin, jena_clerk):
    client.force_login(jena_admin)
    page = client.post(f"/administratoren/{jena_admin.pk}/sperren/", {"reason": "Ruhestand"}).content.decode()
    assert "letzte aktive Administrator" in page and f"Eva Becker ({jena_clerk.email})" in page


def test_fund_staff_list_members_by_their_active_administrators(client, staff, gera_admin, gera_admin2, jena_admin):
    lonely = factories.MemberFactory(number="004040", name="Gemeinde Ohne")
    factories.BillingUnitFactory(member=lonely, number="004041")
    client.force_login(staff)
    none = client.get("/admin/billing_units/member/", {"administratoren": "0"}).content.decode()
    one = client.get("/admin/billing_units/member/", {"administratoren": "1"}).content.decode()
    many = client.get("/admin/billing_units/member/", {"administratoren": "2"}).content.decode()
    assert "Gemeinde Ohne" in none and "Stadt Jena" not in none
    assert "Stadt Jena" in one and "Stadt Gera" not in one
    assert "Stadt Gera" in many
