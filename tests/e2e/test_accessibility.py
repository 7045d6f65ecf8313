"""Every page of the portal, in each of its states (empty, with errors, with messages, locked …), through axe-core
with the WCAG 2.0/2.1 A and AA rules (BITV 2.0). `Portal` runs axe on each page it loads and fails on any
violation; these walks only have to reach every page. The manual's own steps are in test_manual.py.
"""

import re

import pytest
from django.template.loader import render_to_string
from playwright.sync_api import expect

from tests import factories
from tests.e2e.conftest import AccessibilityError


def test_public_pages(portal, gera_units):
    page = portal.goto("/")
    expect(page).to_have_title(re.compile("Zusatzversorgungskasse Thüringen"))
    expect(page.locator("html")).to_have_attribute("lang", "de")
    # Login, empty and with a wrong password
    portal.click(page.get_by_role("link", name="Login", exact=True))
    page.get_by_label("E-Mail", exact=True).fill("")
    portal.click(page.get_by_role("button", name="Anmelden"))
    expect(page.get_by_label("E-Mail", exact=True)).to_have_accessible_description(
        "Ihr Benutzername ist Ihre dienstliche E-Mail-Adresse. Bitte geben Sie Ihre E-Mail-Adresse ein."
    )
    portal.login_as("Sachbearbeiter", "niemand@stadt-gera.example", "falsches Passwort")
    expect(page.get_by_role("alert")).to_have_text(
        "E-Mail-Adresse oder Passwort ist falsch. Bitte prüfen Sie auch die gewählte Benutzerrolle."
    )
    # Passwort vergessen: empty, then the one answer
    portal.click(page.get_by_role("link", name="Passwort vergessen"))
    portal.click(page.get_by_role("button", name="Neues Einmalpasswort anfordern"))
    expect(page.get_by_label("E-Mail", exact=True)).to_have_attribute("aria-invalid", "true")
    page.get_by_role("radio", name="Sachbearbeiter", exact=True).check()  # no role is preset
    page.get_by_label("E-Mail", exact=True).fill("niemand@stadt-gera.example")
    portal.click(page.get_by_role("button", name="Neues Einmalpasswort anfordern"))
    expect(page.get_by_role("status")).to_contain_text("Vielen Dank.")
    # Registrierung: empty, wrong numbers, then sent
    portal.goto("/")
    portal.click(page.get_by_role("link", name="Als Administrator registrieren"))
    # The applicant's own data say their purpose, so the browser can fill them in (WCAG 1.3.5).
    for label, purpose in [
        ("Vorname", "given-name"),
        ("Nachname", "family-name"),
        ("E-Mail", "work email"),
        ("Telefonnummer", "work tel"),
    ]:
        expect(page.get_by_label(label, exact=True)).to_have_attribute("autocomplete", purpose)
    portal.click(page.get_by_role("button", name="Registrierung absenden"))
    expect(page.get_by_label("Vorname")).to_have_accessible_description("Bitte geben Sie Ihren Vornamen ein.")
    page.get_by_label("Vorname").fill("Petra")
    page.get_by_label("Nachname").fill("Neumann")
    page.get_by_label("E-Mail", exact=True).fill("petra.neumann@stadt-gera.example")
    page.get_by_label("Telefonnummer").fill("0365 838-5555")
    page.get_by_label("Mitgliedsnummer").fill("999999")
    page.get_by_label(re.compile("^Ich habe die Erklärung")).check()
    portal.click(page.get_by_role("button", name="Registrierung absenden"))
    expect(page.get_by_role("alert")).to_contain_text("Mitgliedsnummer und Abrechnungsstellennummern passen nicht")
    page.get_by_label("Mitgliedsnummer").fill("002020")
    portal.click(page.get_by_role("button", name="Registrierung absenden"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Vielen Dank für Ihre Registrierung")
    # Seite nicht gefunden
    portal.goto("/gibt-es-nicht/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Seite nicht gefunden")


def test_error_pages(portal, live_server, gera_admin, settings):
    page = portal.page
    # A form sent without its CSRF cookie: "Formular abgelaufen".
    portal.goto("/login/")
    page.context.clear_cookies()
    page.get_by_label("E-Mail", exact=True).fill(gera_admin.email)
    page.get_by_label("Passwort", exact=True).fill(factories.PASSWORD)
    portal.click(page.get_by_role("button", name="Anmelden"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Formular abgelaufen")
    # A host name the server does not serve: "Ungültige Anfrage".
    settings.ALLOWED_HOSTS = ["localhost"]
    portal.base_url = live_server.url.replace("localhost", "127.0.0.1")
    portal.goto("/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ungültige Anfrage")
    # The server error page, exactly as Django would send it (no view fails on purpose).
    page.route(
        re.compile(r".*/serverfehler/$"),
        lambda route: route.fulfill(
            status=500, body=render_to_string("500.html"), content_type="text/html; charset=utf-8"
        ),
    )
    portal.goto("/serverfehler/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Es ist ein Fehler aufgetreten")
    # The page of a request the database did not answer in time.
    page.route(
        re.compile(r".*/zeitueberschreitung/$"),
        lambda route: route.fulfill(
            status=503,
            body=render_to_string("503.html", {"incident": "0123456789AB"}),
            content_type="text/html; charset=utf-8",
        ),
    )
    portal.goto("/zeitueberschreitung/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Das Portal ist vorübergehend nicht verfügbar")


def test_administrator_pages(portal, gera_admin, gera_admin2, gera_clerk, jena_clerk, gera_units):
    pending = factories.PendingClerkFactory(
        email="bernd.mueller@stadt-gera.example", first_name="Bernd", last_name="Müller", units=gera_units[:1]
    )
    factories.ClerkFactory.create_batch(50, units=gera_units[2:])  # a second page in the list
    page = portal.login(gera_admin)
    # Verwaltung der Benutzer: two pages, a filter without result
    expect(page.get_by_role("navigation", name="Seiten")).to_contain_text("Seite 1 von 2")
    portal.click(page.get_by_role("link", name="Nächste Seite"))
    page.get_by_label("Suche nach Name, E-Mail oder Abrechnungsstelle").fill("niemand")
    page.get_by_label("Benutzerstatus").select_option(label="Gesperrt")
    portal.click(page.get_by_role("button", name="Anzeigen"))
    expect(page.get_by_text("Keine Benutzer gefunden.")).to_be_visible()
    page.get_by_label("Suche nach Name, E-Mail oder Abrechnungsstelle").fill("Müller")
    page.get_by_label("Benutzerstatus").select_option(label="alle")
    portal.click(page.get_by_role("button", name="Anzeigen"))
    # Sachbearbeiter hinzufügen: both steps with their errors
    portal.click(page.get_by_role("link", name="+ Sachbearbeiter hinzufügen"))
    portal.click(page.get_by_role("button", name="Weiter"))
    page.get_by_label("Vorname").fill("Carla")
    page.get_by_label("Nachname").fill("Neu")
    page.get_by_label("Telefonnummer").fill("0365 838-1111")
    page.get_by_label("E-Mail", exact=True).fill(gera_clerk.email)
    portal.click(page.get_by_role("button", name="Weiter"))  # an e-mail already in use
    expect(page.get_by_label("E-Mail", exact=True)).to_have_attribute("aria-invalid", "true")
    page.get_by_label("E-Mail", exact=True).fill("carla.neu@stadt-gera.example")
    portal.click(page.get_by_role("button", name="Weiter"))
    portal.click(page.get_by_role("button", name="Speichern"))
    expect(page.get_by_role("group", name="Abrechnungsstellen")).to_have_accessible_description(
        "Bitte wählen Sie mindestens eine Abrechnungsstelle aus."
    )
    portal.click(page.get_by_role("link", name="Zurück"))  # back to step 1, the data kept
    expect(page.get_by_label("Vorname")).to_have_value("Carla")
    portal.click(page.get_by_role("button", name="Weiter"))
    page.get_by_role("button", name="Alle an- bzw. abwählen").click()  # ticks all, without a new page
    page.get_by_label("002020 Stadt Gera", exact=True).uncheck()
    portal.click(page.get_by_role("button", name="Speichern"))
    # Detailansicht of a pending clerk: the one-time password, errors in the personal data
    portal.open_user_list()
    portal.open_detail(pending.email)
    page.get_by_label("Telefonnummer").fill("keine Nummer")
    portal.click(
        page.get_by_role("region", name="Persönliche Daten", exact=True).get_by_role("button", name="Speichern")
    )
    expect(page.get_by_label("Telefonnummer")).to_have_attribute("aria-invalid", "true")
    portal.click(page.get_by_role("link", name="+/- Zuordnen"))
    portal.click(page.get_by_role("button", name="Speichern"))
    portal.click(page.get_by_role("link", name="Einmalpasswort setzen"))
    portal.click(page.get_by_role("button", name="Einmalpasswort setzen"))
    # A locked clerk: the reason with its error, Benutzersperre and Mitgliedersperre, the unlock page
    portal.click(page.get_by_role("link", name="Berechtigung entziehen"))
    portal.click(page.get_by_role("button", name="Berechtigung entziehen"))
    page.get_by_label("Grund für die Sperrung").fill("Elternzeit")
    portal.click(page.get_by_role("button", name="Berechtigung entziehen"))
    expect(page.get_by_role("heading", name="Mitgliedersperre")).to_be_visible()
    lock = pending.member_locks.get()
    portal.goto(f"/benutzer/{pending.pk}/sperren/{lock.pk}/aufheben/")
    portal.click(page.get_by_role("button", name="Berechtigung erteilen"))
    # Another member's clerk: Seite nicht gefunden
    portal.goto(f"/benutzer/{jena_clerk.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Seite nicht gefunden")
    # Administrator: the reason, the confirmation with both warnings (self, last administrator)
    portal.goto(f"/administratoren/{gera_admin2.pk}/sperren/")
    portal.click(page.get_by_role("button", name="Berechtigung entziehen"))
    page.get_by_label("Grund für die Sperrung").fill("Wechsel")
    portal.click(page.get_by_role("button", name="Berechtigung entziehen"))
    portal.click(page.get_by_role("button", name="Berechtigung entziehen"))
    portal.goto(f"/administratoren/{gera_admin.pk}/sperren/")
    page.get_by_label("Grund für die Sperrung").fill("Ausscheiden")
    portal.click(page.get_by_role("button", name="Berechtigung entziehen"))
    expect(page.get_by_role("alert")).to_contain_text("letzte aktive Administrator")
    portal.click(page.get_by_role("link", name="Abbrechen"))
    # Passwort ändern (voluntary): the current password is asked for
    menu = page.get_by_role("navigation", name="Hauptmenü")
    portal.click(menu.get_by_role("link", name="Passwort ändern"))
    portal.click(page.get_by_role("button", name="Passwort speichern"))
    expect(page.get_by_label("Bisheriges Passwort")).to_have_attribute("aria-invalid", "true")
    portal.logout()


def test_clerk_pages(open_portal, gera_units):
    pending = factories.PendingClerkFactory(email="bernd.mueller@stadt-gera.example", units=gera_units[:2])
    without_units = factories.ClerkFactory(email="ohne.stelle@stadt-gera.example", members=[gera_units[0].member])
    clerk = open_portal()
    page = clerk.login(pending, password=pending.otp_plain)
    portal_password = "Sonnenblumen am Saaleufer 7"
    page.get_by_label("Neues Passwort", exact=True).fill("kurz")
    clerk.click(page.get_by_role("button", name="Passwort speichern"))
    expect(page.get_by_label("Neues Passwort", exact=True)).to_have_attribute("aria-invalid", "true")
    page.get_by_label("Neues Passwort", exact=True).fill(portal_password)
    page.get_by_label("Neues Passwort wiederholen").fill(portal_password)
    clerk.click(page.get_by_role("button", name="Passwort speichern"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Meine Abrechnungsstellen")
    clerk.goto("/benutzer/")  # the administrator's screens: Kein Zugriff
    expect(page.get_by_role("heading", level=1)).to_have_text("Kein Zugriff")
    clerk.logout()
    other = open_portal()
    other_page = other.login(without_units)
    expect(other_page.get_by_text("Ihnen ist derzeit keine Abrechnungsstelle zugeordnet.")).to_be_visible()


@pytest.fixture
def applications(gera, gera_units):
    return [
        factories.ApplicationFactory(member=gera, email="neu.eins@stadt-gera.example"),
        factories.ApplicationFactory(member=gera, email="neu.zwei@stadt-gera.example", last_name="Zweite"),
    ]


def test_fund_staff_admin_pages(portal, staff, gera_admin, gera_clerk, applications):
    failed_mail = factories.OutboxMessageFactory(
        to="kaputt@stadt-gera.example", status="failed", attempts=12, last_error="550 Mailbox unavailable"
    )
    factories.OutboxMessageFactory(to=gera_clerk.email)
    page = portal.goto("/admin/login/")
    page.get_by_label("E-Mail").fill(staff.email)
    page.get_by_label("Passwort").fill("falsch")
    portal.click(page.get_by_role("button", name="Anmelden"))
    page.get_by_label("Passwort").fill(factories.PASSWORD)
    portal.click(page.get_by_role("button", name="Anmelden"))
    expect(page.get_by_role("heading", name="Anmeldung bestätigen")).to_be_visible()  # no admin page yet
    portal.confirm_factor("ZVK-Mitarbeiter", staff.email)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    for path in [
        "/admin/accounts/user/",
        "/admin/accounts/user/?role__exact=clerk&status__exact=active",
        f"/admin/accounts/user/{gera_clerk.pk}/change/",
        "/admin/accounts/passwordrequest/",
        "/admin/audit/auditentry/",
        "/admin/billing_units/member/",
        f"/admin/billing_units/member/{gera_admin.scope_units.first().member_id}/change/",
        "/admin/billing_units/member/add/",
        "/admin/billing_units/billingunit/",
        "/admin/billing_units/billingunit/add/",
        f"/admin/billing_units/billingunit/{gera_admin.scope_units.first().pk}/change/",
        "/admin/clerks/grant/",
        "/admin/clerks/memberlock/",
        "/admin/registration/administratorapplication/",
        f"/admin/registration/administratorapplication/{applications[0].pk}/change/",
        "/admin/outbox/outboxmessage/",
        "/admin/outbox/outboxmessage/?status=failed",
        f"/admin/outbox/outboxmessage/{failed_mail.pk}/change/",
    ]:
        portal.goto(path)
    # "Erneut senden" on a failed mail
    portal.goto("/admin/outbox/outboxmessage/?status=failed")
    page.get_by_role("row").filter(has_text=failed_mail.to).get_by_role("checkbox").check()
    page.get_by_role("combobox", name=re.compile("^Aktion")).select_option(label="Erneut senden")
    portal.click(page.get_by_role("button", name="Ausführen"))
    expect(page.get_by_text("1 E-Mail(s) werden erneut gesendet.")).to_be_visible()
    # "Ablehnen": the page asking for the reason (the browser itself insists on one), then done
    portal.goto("/admin/registration/administratorapplication/")
    page.get_by_role("row").filter(has_text=applications[1].email).get_by_role("checkbox").check()
    page.get_by_role("combobox", name=re.compile("^Aktion")).select_option(label="Ablehnen")
    portal.click(page.get_by_role("button", name="Ausführen"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Registrierungen ablehnen")
    page.get_by_label("Grund der Ablehnung").fill("Keine Zuständigkeit")
    portal.click(page.get_by_role("button", name="Ablehnen"))
    # "Freigeben": the access letter
    page.get_by_role("row").filter(has_text=applications[0].email).get_by_role("checkbox").check()
    page.get_by_role("combobox", name=re.compile("^Aktion")).select_option(label="Freigeben")
    portal.click(page.get_by_role("button", name="Ausführen"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Ihre Zugangsdaten für das Mitgliederportal")
    portal.goto(f"/admin/accounts/user/{gera_admin.pk}/zugangsbrief/")


def test_the_check_fails_on_a_field_without_its_label(portal):
    """The guard itself: a form field whose label is gone is reported by axe-core, and the test fails."""
    page = portal.goto("/login/")
    page.locator("label", has_text="Passwort").first.evaluate("label => label.remove()")
    with pytest.raises(AccessibilityError, match=r"(?s)label - Ensure every form element has a label.*#id_password"):
        portal.check()


def fits_width(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_pages_reflow_at_320_css_pixels(open_portal, gera_admin, gera_clerk, gera_units):
    """WCAG 1.4.10: at 320 CSS pixels (1280 px zoomed to 400 %) nothing needs horizontal page scrolling; wide
    tables scroll inside their own box, which the keyboard can reach. axe-core checks each page at this width."""
    factories.MemberLockFactory(
        clerk=gera_clerk, member=gera_units[0].member, reason="Elternzeit", locked_by_label=gera_admin.email
    )
    visitor = open_portal()
    visitor.page.set_viewport_size({"width": 320, "height": 640})
    for path in ["/", "/login/", "/registrierung/", "/passwort-vergessen/"]:
        page = visitor.goto(path)
        assert fits_width(page), path
    admin = open_portal()
    admin.page.set_viewport_size({"width": 320, "height": 640})
    admin.login(gera_admin)
    for path in [
        "/benutzer/",
        f"/benutzer/{gera_clerk.pk}/",
        "/benutzer/neu/",
        f"/benutzer/{gera_clerk.pk}/zuordnen/",
        f"/benutzer/{gera_clerk.pk}/sperren/",
        f"/administratoren/{gera_admin.pk}/sperren/",
    ]:
        page = admin.goto(path)
        assert fits_width(page), path
    clerk = open_portal()
    clerk.page.set_viewport_size({"width": 320, "height": 640})
    page = clerk.login(gera_clerk)
    assert fits_width(page), page.url
