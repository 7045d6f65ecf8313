"""The attacks of the outside review (DESIGN §8), each followed by the labels on the screen as the attacker would,
and shown refused. axe-core checks every page on the way (conftest.py)."""

import re

from playwright.sync_api import expect

from accounts import otp
from accounts.models import Status, User
from clerks import services as clerk_services
from tests import factories

OTP = re.compile(r"^\d{10}$")
LOGIN_FAILED = "E-Mail-Adresse oder Passwort ist falsch. Bitte prüfen Sie auch die gewählte Benutzerrolle."


def test_jena_cannot_take_over_a_clerk_that_also_works_for_gera(open_portal, jena_admin, both_admin, shared_clerk):
    """Jena's administrator opens a clerk that also holds a Gera unit. No one-time password to read,
    no "Einmalpasswort setzen", the e-mail is read-only, and the page names who can."""
    both, clerk = both_admin, shared_clerk
    admin = open_portal()
    admin.login(jena_admin)
    admin.open_user_list()
    page = admin.open_detail(clerk.email)
    expect(page.get_by_test_id("credential-holders")).to_contain_text("Petra Beide (beide@stadt-gera.example)")
    expect(page.get_by_test_id("otp")).to_have_count(0)
    expect(page.get_by_role("link", name="Einmalpasswort setzen")).to_have_count(0)
    expect(page.get_by_label("E-Mail", exact=True)).to_be_disabled()
    # typing the address of "Einmalpasswort setzen" leads back with the reason
    admin.goto(f"/benutzer/{clerk.pk}/einmalpasswort/")
    expect(admin.messages).to_contain_text("auch Berechtigungen außerhalb Ihrer Registrierung")
    # the administrator of both members sees the one-time password as the manual says
    other = open_portal()
    other.login(both)
    other.open_user_list()
    other.open_detail(clerk.email)
    assert OTP.match(other.value_of("Einmalpasswort"))


def test_gera_locking_a_shared_administrator_leaves_it_jenas(
    open_portal, gera_admin, gera_units, jena_units, jena_clerk
):
    """The confirmation page says what changes; afterwards the shared administrator still manages
    Jena, and no Jena clerk is locked."""
    shared = factories.AdministratorFactory(
        email="geteilt@stadt-jena.example", first_name="Uwe", last_name="Geteilt", units=gera_units + jena_units
    )
    admin = open_portal()
    admin.login(gera_admin)
    page = admin.open_user_list()
    row = page.get_by_role("row").filter(has_text=shared.email)
    admin.click(row.get_by_role("link", name=re.compile("^Berechtigung entziehen")))
    page.get_by_label("Grund für die Sperrung").fill("Wechsel zur Stadt Jena")
    admin.click(page.get_by_role("button", name="Berechtigung entziehen"))
    plan = page.get_by_test_id("lock-plan")
    expect(plan).to_contain_text("Die Registrierung für 002020 Stadt Gera endet.")
    expect(plan).to_contain_text("Für 003030 Stadt Jena bleibt Uwe Geteilt Administrator")
    expect(page.get_by_text("letzte aktive Administrator")).to_have_count(0)
    admin.click(page.get_by_role("button", name="Berechtigung entziehen"))
    expect(admin.messages).to_contain_text("Für seine übrigen Registrierungen bleibt er Administrator.")
    expect(page.get_by_role("row").filter(has_text=shared.email)).to_contain_text(
        "Berechtigung für Ihr Mitglied entzogen"
    )

    jena = open_portal()
    jena_page = jena.login(shared)
    expect(jena_page.get_by_role("heading", level=1)).to_have_text("Verwaltung der Benutzer")
    expect(jena_page.get_by_role("row").filter(has_text=jena_clerk.email)).to_contain_text("Aktiv")
    expect(jena_page.get_by_role("row").filter(has_text="anna.schmidt")).to_have_count(0)


def test_outsiders_cannot_lock_a_clerk_out(open_portal, gera_clerk, settings):
    """Twice the limit of wrong passwords from another browser; the clerk's own browser still logs in,
    and the account is not Deaktiviert."""
    own = open_portal()
    own.login(gera_clerk)
    own.logout()
    attacker = open_portal()
    settings.LOGIN_ATTEMPTS_PER_ADDRESS = 1000  # one loopback address here stands for many
    for attempt in range(2 * settings.UNTRUSTED_LOGIN_FAILURE_LIMIT):
        page = attacker.login(gera_clerk, password=f"geraten {attempt}")
    expect(page.get_by_role("alert")).to_contain_text("von unbekannten Geräten")
    # even the right password is refused there for a while, with a message that names no account
    attacker.login(gera_clerk)
    expect(page.get_by_role("alert")).to_contain_text("von unbekannten Geräten")
    own_page = own.login(gera_clerk)
    expect(own_page.get_by_role("heading", level=1)).to_have_text("Meine Abrechnungsstellen")
    assert User.objects.get(pk=gera_clerk.pk).status == Status.ACTIVE


def test_an_anonymous_passwort_vergessen_cuts_the_clerk_off_from_nothing(open_portal, gera_clerk):
    """Someone asks for a new one-time password for a working clerk. Its open session stays, and its
    personal password still logs in and ends the request."""
    own = open_portal()
    own_page = own.login(gera_clerk)
    attacker = open_portal()
    page = attacker.goto("/passwort-vergessen/")
    page.get_by_role("radio", name="Sachbearbeiter", exact=True).check()
    page.get_by_label("E-Mail", exact=True).fill(gera_clerk.email)
    attacker.click(page.get_by_role("button", name=re.compile("anfordern|absenden|Passwort", re.I)))
    expect(page.get_by_text("Vielen Dank")).to_be_visible()
    assert User.objects.get(pk=gera_clerk.pk).status == Status.PENDING
    own.goto("/start/")
    expect(own_page.get_by_role("heading", level=1)).to_have_text("Meine Abrechnungsstellen")
    second = open_portal()
    second_page = second.login(gera_clerk)
    expect(second_page.get_by_role("heading", level=1)).to_have_text("Meine Abrechnungsstellen")
    clerk = User.objects.get(pk=gera_clerk.pk)
    assert clerk.status == Status.ACTIVE and otp.readable(clerk) is None


def test_the_approval_says_which_member_is_granted(open_portal, staff, gera_admin, jena_units):
    """Fund staff see on the registration which member the approval grants and what the account holds
    already; a registration ended by Gera's lock does not come back with Jena's approval."""
    leaving = factories.AdministratorFactory(
        email="wechsel@stadt-gera.example", units=list(gera_admin.scope_units.all())
    )
    clerk_services.lock_administrator(administrator=leaving, by=gera_admin, reason="Wechsel nach Jena")
    application = factories.ApplicationFactory(member=jena_units[0].member, email=leaving.email)
    portal = open_portal()
    page = portal.goto("/admin/login/")
    page.get_by_label("E-Mail").fill(staff.email)
    page.get_by_label("Passwort").fill(factories.PASSWORD)
    portal.click(page.get_by_role("button", name="Anmelden"))
    portal.confirm_factor("ZVK-Mitarbeiter", staff.email)
    portal.goto(f"/admin/registration/administratorapplication/{application.pk}/change/")
    expect(page.get_by_text("Die Freigabe erteilt die Registrierung für 003030 Stadt Jena")).to_be_visible()
    expect(page.get_by_text("derzeit für kein Mitglied registriert")).to_be_visible()
