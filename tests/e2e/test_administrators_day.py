"""A day of the administrator of a large employer, in the browser: a clerk forgets the password and the administrator
hears of it by mail and under "Handlungsbedarf" before the clerk phones; the administrator searches, filters,
pages, opens a clerk and comes back to the same place of the list."""

import re

from django.utils import timezone
from playwright.sync_api import expect

from clerks import notices
from clerks.models import AccessReview
from tests import factories
from tests.mail import deliver_outbox


def test_a_forgotten_password_reaches_the_administrator_and_the_list_keeps_its_place(
    open_portal, gera_admin, gera_clerk, gera_units
):
    factories.ClerkFactory.create_batch(55, units=gera_units[:1])  # two pages of 50
    weiss = factories.ClerkFactory(
        first_name="Jürgen", last_name="Weiß", email="j.weiss@stadt-gera.example", units=gera_units[2:]
    )

    # The clerk: "Passwort vergessen" on the login page.
    clerk = open_portal()
    page = clerk.goto("/login/")
    clerk.click(page.get_by_role("link", name="Passwort vergessen"))
    page.get_by_role("radio", name="Sachbearbeiter", exact=True).check()
    page.get_by_label("E-Mail", exact=True).fill(gera_clerk.email)
    clerk.click(page.get_by_role("button", name="Neues Einmalpasswort anfordern"))
    deliver_outbox()  # the clerk's own mail

    # The outbox worker's minute: the administrator's mail, with the link to the clerk and no password.
    notices.send_due()
    [notice] = [mail for mail in deliver_outbox() if mail.to == [gera_admin.email]]
    assert "Passwort vergessen" in notice.subject + notice.body
    link = re.search(r"https?://\S+/benutzer/(\d+)/", notice.body)
    assert link and int(link.group(1)) == gera_clerk.pk

    # The administrator: "Handlungsbedarf" names the clerk and the next step.
    admin = open_portal()
    page = admin.login(gera_admin)
    attention = page.get_by_test_id("attention")
    attention.get_by_text("Einmalpasswort übergeben:").click()  # the names of a kind, one click away
    expect(attention).to_contain_text("Schmidt, Anna – „Passwort vergessen“ am")
    expect(attention.get_by_role("link", name="Einmalpasswort anzeigen für Anna Schmidt")).to_be_visible()

    # Search as the name is spoken, filter by role and billing unit, open the clerk, come back.
    page.get_by_label("Suche nach Name, E-Mail oder Abrechnungsstelle").fill("Weiss")
    page.get_by_label("Benutzerrolle").select_option(label="Sachbearbeiter")
    page.get_by_label("Abrechnungsstelle", exact=True).select_option(label="002022 Stadt Gera – Kita-Verbund")
    admin.click(page.get_by_role("button", name="Anzeigen"))
    expect(page.get_by_test_id("user-table").get_by_role("row")).to_have_count(2)  # the heading and Jürgen Weiß
    admin.open_detail(weiss.email)
    admin.click(page.get_by_role("link", name="Zurück").first)
    expect(page.get_by_label("Suche nach Name, E-Mail oder Abrechnungsstelle")).to_have_value("Weiss")
    expect(page.get_by_label("Benutzerrolle")).to_have_value("clerk")
    expect(page.get_by_test_id("user-table")).to_contain_text("Weiß, Jürgen")

    # Page two, a clerk there, back to page two.
    admin.click(page.get_by_role("link", name="Filter zurücksetzen"))
    admin.click(page.get_by_role("navigation", name="Seiten").get_by_role("link", name="Letzte Seite"))
    expect(page.get_by_role("status").filter(has_text="Seite 2 von 2")).to_be_visible()
    second_page_email = page.get_by_test_id("user-table").locator("td.email").first.inner_text()
    admin.open_detail(second_page_email)
    admin.click(page.get_by_role("link", name="Zurück").first)
    expect(page.get_by_role("status").filter(has_text="Seite 2 von 2")).to_be_visible()


def test_berechtigungen_bestaetigen_goes_down_the_list_one_confirmation_after_the_other(
    open_portal, gera_admin, gera_admin2, gera_units
):
    """A review of sixty people: the progress above, a filter by unit, and after each "bestätigen" the same page and
    filter at the next row still to be confirmed."""
    review = AccessReview.objects.create(member=gera_units[0].member, year=timezone.now().year)
    people = [factories.ClerkFactory(last_name=f"Zeller{n:02}", units=gera_units[:1]) for n in range(60)]
    admin = open_portal()
    page = admin.login(gera_admin)
    page = admin.goto(f"/berechtigungen-bestaetigen/{review.member_id}/")
    expect(page.get_by_test_id("review-progress")).to_contain_text("0 von 62 bestätigt")
    page.get_by_label("Abrechnungsstelle", exact=True).select_option(label="002020 Stadt Gera")
    admin.click(page.get_by_role("button", name="Anzeigen"))
    admin.click(page.get_by_role("navigation", name="Seiten").get_by_role("link", name="Letzte Seite"))
    first, second = people[-12], people[-11]  # page 2: after 50 in name order (the administrators come first)
    name = f"bestätigen {first.first_name} {first.last_name}"
    admin.click(page.get_by_role("button", name=name, exact=True))
    expect(page.get_by_test_id("review-progress")).to_contain_text("1 von 62 bestätigt")
    assert page.url.endswith(f"page=2#person-{second.pk}") and f"unit={gera_units[0].pk}" in page.url
    expect(page.get_by_label("Abrechnungsstelle", exact=True)).to_have_value(str(gera_units[0].pk))
    expect(page.locator(f"#person-{second.pk}")).to_be_in_viewport()
    expect(page.locator(f"#person-{first.pk}")).to_contain_text("von admin@stadt-gera.example")
