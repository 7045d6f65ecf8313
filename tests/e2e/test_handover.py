"""The job's most frequent task (manual §6): a clerk waits for its one-time password, and the administrator reads it
out on the phone. From "Handlungsbedarf" one click leads to the password itself, at 1280 px and at 320 px."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from clerks.models import Grant
from tests import factories
from tests.helpers import guess_from_unknown_browsers

SIZES = [{"width": 1280, "height": 900}, {"width": 320, "height": 640}]

# The password as a person sees, copies and reads it: the text a selection of it gives, where each group begins.
READ_PASSWORD = """
(otp) => {
  const selection = window.getSelection();
  const range = document.createRange();
  range.selectNodeContents(otp);
  selection.removeAllRanges();
  selection.addRange(range);
  const copied = selection.toString();
  selection.removeAllRanges();
  const groups = [...otp.querySelectorAll(".otp-group")].map((group) => {
    const box = group.getBoundingClientRect();
    return {text: group.textContent, left: box.left, right: box.right, top: box.top};
  });
  return {copied, text: otp.textContent, groups, fits: otp.getBoundingClientRect().right <= document.documentElement.clientWidth};
}
"""


@pytest.mark.parametrize("size", SIZES, ids=["1280px", "320px"])
def test_einmalpasswort_anzeigen_lands_on_the_password_grouped_for_reading_aloud(portal, gera_admin, gera_units, size):
    clerk = factories.PendingClerkFactory(first_name="Jürgen", last_name="Weiß", units=gera_units[:1])
    portal.page.set_viewport_size(size)
    page = portal.login(gera_admin)
    attention = page.get_by_test_id("attention")
    link = attention.get_by_role("link", name="Einmalpasswort anzeigen für Jürgen Weiß")
    kind = attention.locator("summary").filter(has_text="Einmalpasswort übergeben")
    if not kind.is_visible():  # a narrow screen starts with the box folded
        attention.locator("summary").first.click()
    if not link.is_visible():  # the names of a kind are one click away
        kind.click()
    portal.click(link)

    assert page.url.endswith("#einmalpasswort")
    panel = page.get_by_role("region", name="Einmalpasswort", exact=True)
    expect(panel).to_be_focused()
    personal = page.get_by_role("region", name="Persönliche Daten")
    assert panel.bounding_box()["y"] < personal.bounding_box()["y"], "the password stands above the personal data"
    otp = panel.get_by_test_id("otp")
    box = otp.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= size["height"], "the password is in view"

    read = otp.evaluate(READ_PASSWORD)
    assert read["copied"] == read["text"] == clerk.otp_plain, "copying gives the ten digits, without spaces"
    assert [group["text"] for group in read["groups"]] == [
        clerk.otp_plain[:3],
        clerk.otp_plain[3:6],
        clerk.otp_plain[6:],
    ]
    first, second, third = read["groups"]
    for before, after in ((first, second), (second, third)):
        assert after["top"] > before["top"] + 2 or after["left"] >= before["right"] + 4, "a visible gap between groups"
    assert read["fits"], "the password fits the window"


# --- "Handlungsbedarf" that clears and does not bury the list ----------------------------------------------------


def busy_member(gera_units, settings):
    """A large employer's morning with every kind of Handlungsbedarf: passwords to hand over and some about to
    expire, clerks without a unit, dormant ones, and one whose unknown browsers are refused."""
    factories.PendingClerkFactory.create_batch(25, units=gera_units[:1])
    expiring = factories.PendingClerkFactory.create_batch(3, units=gera_units[:1])
    User.objects.filter(pk__in=[clerk.pk for clerk in expiring]).update(
        otp_expires_at=timezone.now() + timedelta(days=1)
    )
    without = factories.ClerkFactory.create_batch(8, units=gera_units[:1])
    Grant.objects.filter(clerk__in=without).delete()  # still Gera's clerks, without a unit
    long_ago = timezone.now() - timedelta(days=settings.INACTIVITY_DAYS + 5)
    factories.ClerkFactory.create_batch(8, units=gera_units[:1], last_login=long_ago)
    factories.ClerkFactory.create_batch(30, units=gera_units[:2])
    guess_from_unknown_browsers(factories.ClerkFactory(units=gera_units[:1]), settings)


def above_the_fold(page, locator, height) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


# Where a cell's own text ends on the screen (a card shows the column's name above it).
TEXT_BOTTOM = (
    "cell => { const r = document.createRange(); r.selectNodeContents(cell); return r.getBoundingClientRect().bottom; }"
)


@pytest.mark.parametrize("size", SIZES, ids=["1280px", "320px"])
def test_handlungsbedarf_counts_per_kind_and_leaves_search_and_results_above_the_fold(
    portal, gera_admin, gera_units, settings, size
):
    busy_member(gera_units, settings)
    portal.page.set_viewport_size(size)
    page = portal.login(gera_admin)
    attention = page.get_by_test_id("attention")
    handover = attention.get_by_test_id("attention-handover")
    kinds = attention.locator(".attention__kinds > li > details > summary")
    if size["width"] < 640:  # a narrow screen starts with the box folded: its counts one click away
        expect(kinds.first).to_be_hidden()
    else:
        expect(kinds).to_have_count(5)
    expect(attention.get_by_test_id("attention-without_units").locator("summary")).to_have_text(
        "Ohne Abrechnungsstelle: 8"
    )
    expect(attention.get_by_test_id("attention-dormant").locator("summary")).to_have_text("Lange nicht angemeldet: 8")
    expect(handover.get_by_role("link").first).to_be_hidden()  # the names one click away
    search = page.get_by_label("Suche nach Name, E-Mail oder Abrechnungsstelle")
    first_result = page.get_by_test_id("user-table").locator("tbody tr").first
    assert above_the_fold(page, search, size["height"]), "the search"
    assert above_the_fold(page, page.get_by_role("button", name="Anzeigen"), size["height"]), "its button"
    assert above_the_fold(page, page.get_by_role("status").filter(has_text="Benutzer"), size["height"]), "the count"
    assert first_result.locator("td").first.evaluate(TEXT_BOTTOM) <= size["height"], "the first result's name"
    if size["width"] < 640:
        attention.locator("summary").first.click()
    expect(kinds).to_have_count(5)
    expect(handover.locator("summary")).to_have_text("Einmalpasswort übergeben: 28")
    handover.locator("summary").click()
    expect(handover.get_by_role("link").first).to_be_visible()


def test_handlungsbedarf_remembers_it_was_folded_and_clears_what_was_handed_over(portal, gera_admin, gera_units):
    clerk = factories.PendingClerkFactory(first_name="Jürgen", last_name="Weiß", units=gera_units[:1])
    without = factories.ClerkFactory(first_name="Ohne", last_name="Einheit", units=gera_units[:1])
    Grant.objects.filter(clerk=without).delete()
    page = portal.login(gera_admin)
    attention = page.get_by_test_id("attention")
    attention.get_by_text("Einmalpasswort übergeben:").click()
    portal.click(attention.get_by_role("button", name="übergeben für Jürgen Weiß"))
    expect(portal.messages).to_contain_text("„Einmalpasswort übergeben“ für Jürgen Weiß als übergeben markiert")
    expect(attention.get_by_test_id("attention-handover")).to_have_count(0)
    expect(attention.get_by_test_id("attention-without_units")).to_be_visible()
    assert clerk.pk  # the clerk is still listed below
    expect(page.get_by_test_id("user-table")).to_contain_text("Weiß, Jürgen")

    attention.locator("summary").first.click()  # fold the box
    expect(attention.get_by_test_id("attention-without_units")).to_be_hidden()
    portal.open_user_list()
    expect(page.get_by_test_id("attention").get_by_test_id("attention-without_units")).to_be_hidden()
    page.get_by_test_id("attention").locator("summary").first.click()  # and unfold it again
    portal.open_user_list()
    expect(page.get_by_test_id("attention").get_by_test_id("attention-without_units")).to_be_visible()
