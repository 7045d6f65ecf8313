"""The job's most frequent task (manual §6): a clerk waits for its one-time password, and the administrator reads it
out on the phone. From "Handlungsbedarf" one click leads to the password itself, at 1280 px and at 320 px."""

import pytest
from playwright.sync_api import expect

from tests import factories

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
    if not link.is_visible():  # the names of a kind are one click away
        attention.locator("summary").filter(has_text="Einmalpasswort übergeben").click()
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
