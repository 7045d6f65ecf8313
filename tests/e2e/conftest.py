"""Browser tests: the manual, step by step, in headless Chromium against pytest-django's live server.

One Chromium for all tests of this folder, a fresh browser context (cookies, storage) per person and test. Every page a test
visits goes through `Portal`, which waits for the page to load and runs axe-core on it (WCAG 2.0/2.1, A and
AA); a page loaded without that check fails the test, so no page slips past. Each test leaves a screenshot of
its final page in test-artifacts/ (git-ignored; CI keeps the folder).
"""

import os
import re
import shutil
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from playwright.sync_api import Locator, Page, expect, sync_playwright

from accounts.models import Role, User
from factors import policy
from tests import factories
from tests.helpers import factor_code

E2E_DIR = Path(__file__).resolve().parent
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
# A closed network: no update checks, no sync, no QUIC, nothing fetched behind the tests' back.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# The machine is shared and busy: give the browser time, but never measure it.
expect.set_options(timeout=10_000)
# BITV 2.0 asks for WCAG 2.1 AA: the rules axe-core tags with these four tags, nothing else.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Every test in this folder is an e2e test, so `-m "not e2e"` skips them all (and only them)."""
    for item in items:
        if E2E_DIR in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="package")
def browser(django_db_setup):
    """Debian's Chromium driven by Playwright, from the first to the last test of this folder. The test
    database exists before Playwright starts."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}. Install Debian's package (`apt-get install -y chromium`, or "
            "`scripts/ensure-chromium` as root), point E2E_CHROMIUM at a Chromium binary, or skip the browser "
            "tests locally with -m 'not e2e'.",
            pytrace=False,
        )
    # Playwright's sync API keeps an asyncio loop running in this thread; Django refuses database access
    # from a thread with a running loop unless told it is safe. It is here: the tests themselves are
    # synchronous. Set only while Playwright runs (this package), never for the rest of the suite.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        playwright = sync_playwright().start()
        try:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            yield chromium
            chromium.close()
        finally:
            playwright.stop()


@pytest.fixture(scope="session")
def artifacts():
    """test-artifacts/ starts empty each run, so what CI keeps belongs to this run."""
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    return ARTIFACTS


class AccessibilityError(AssertionError):
    pass


class Portal:
    """The browser tab of one test. Navigation goes through here, so every page is checked by axe-core."""

    def __init__(self, page: Page, base_url: str):
        self.page = page
        self.base_url = base_url
        self.axe = Axe()
        self.loaded: list[str] = []  # the URL of every document loaded in this tab, in order
        self.checked: set[int] = set()  # which of them axe-core checked (their index in `loaded`)
        page.on("load", lambda loaded_page: self.loaded.append(loaded_page.url))

    # --- navigation: each waits for the next document and checks it ----------------------------------

    def goto(self, path: str) -> Page:
        with self.page.expect_event("load"):
            self.page.goto(self.base_url + path)
        return self.check()

    def click(self, target: Locator) -> Page:
        """Click a link or button that loads a new page (a form submit, a redirect…)."""
        with self.page.expect_event("load"):
            target.click()
        return self.check()

    def press(self, key: str) -> Page:
        """Press a key that loads a new page (Enter or Space on a focused button or link)."""
        with self.page.expect_event("load"):
            self.page.keyboard.press(key)
        return self.check()

    def back(self) -> Page:
        """The browser's "Zurück" to the page before."""
        with self.page.expect_event("load"):
            self.page.go_back()
        return self.check()

    def check(self) -> Page:
        """axe-core on the current page; a violation fails the test with a readable list."""
        results = self.axe.run(self.page, options=AXE_OPTIONS)
        self.checked.add(len(self.loaded) - 1)
        if results.violations_count:
            raise AccessibilityError(f"axe-core (WCAG 2.1 A/AA) on {self.page.url}:\n{results.generate_report()}")
        return self.page

    def unchecked(self) -> list[str]:
        """Pages this tab loaded that axe-core never saw (a navigation that bypassed goto/click/press)."""
        return [url for index, url in enumerate(self.loaded) if index not in self.checked]

    # --- the steps every section starts with ----------------------------------------------------------

    def login_as(self, role: str, email: str, password: str) -> Page:
        """Login: Benutzerrolle, E-Mail, Passwort, "Anmelden" (manual §2 a), then "Anmeldung bestätigen" where the
        login asks for the second factor."""
        page = self.goto("/login/")
        page.get_by_role("radio", name=role, exact=True).check()
        page.get_by_label("E-Mail", exact=True).fill(email)
        page.get_by_label("Passwort", exact=True).fill(password)
        self.click(page.get_by_role("button", name="Anmelden"))
        return self.confirm_factor(role, email)

    def confirm_factor(self, role_label: str, email: str) -> Page:
        """Anmeldung bestätigen, as the owner would: the authenticator app's code the factories gave administrators
        and fund staff, or a clerk's code from its e-mail (the outbox). A page that asks for nothing is left as is."""
        page = self.page
        if "/anmeldung-bestaetigen/" not in page.url:
            return page
        role = {label: value for value, label in Role.choices}[role_label]
        user = User.objects.get(email=email.strip().lower(), role=role)
        label = "Code" if policy.requires_strong_factor(user) else "Code aus der E-Mail"
        page.get_by_label(label, exact=True).fill(factor_code(user))
        return self.click(page.get_by_role("button", name="Bestätigen", exact=True))

    def login(self, user, password: str = factories.PASSWORD) -> Page:
        return self.login_as(user.get_role_display(), user.email, password)

    def logout(self) -> Page:
        return self.click(self.page.get_by_role("button", name="Abmelden"))

    def menu(self) -> Locator:
        """The main menu, unfolded where a narrow screen shows it folded under "Menü"."""
        menu = self.page.get_by_role("navigation", name="Hauptmenü")
        fold = menu.locator("details")
        if fold.count() and not fold.evaluate("details => details.open"):
            menu.locator("summary").click()
        return menu

    def open_user_list(self) -> Page:
        """§3 b: the menu item "Verwaltung der Benutzer"."""
        return self.click(self.menu().get_by_role("link", name="Verwaltung der Benutzer"))

    def open_detail(self, email: str) -> Page:
        """§3 i: "Detailansicht" in the row of the person with this e-mail, on the user list."""
        row = self.page.get_by_role("row").filter(has_text=email)
        return self.click(row.get_by_role("link", name=re.compile("^Detailansicht")))

    @property
    def messages(self) -> Locator:
        """The success, info and error messages at the top of the page (Django messages)."""
        area = self.page.locator(".messages")
        return area.get_by_role("status").or_(area.get_by_role("alert"))

    # --- reading the Detailansicht ----------------------------------------------------------------------

    def rights(self) -> tuple[str, str]:
        """Berechtigungen: (Portalzugang, Benutzerstatus)."""
        cells = self.page.get_by_role("region", name="Berechtigungen", exact=True).get_by_role("cell")
        access, status = (text.strip() for text in cells.all_inner_texts())
        return access, status

    def value_of(self, term: str) -> str:
        """The value shown beside a label of a description list (Einmalpasswort, Ablaufdatum …)."""
        label = self.page.locator("dt").filter(has_text=re.compile(f"^{re.escape(term)}$"))
        return label.locator("xpath=following-sibling::dd[1]").inner_text().strip()


@pytest.fixture
def open_portal(request, browser, live_server, artifacts):
    """Opens a browser tab in a fresh context (its own cookies): one person at one computer.

    At the end: a screenshot of each tab's final page, and every loaded page must have been checked.
    """
    tabs: list[tuple[Portal, object]] = []

    def open_tab() -> Portal:
        context = browser.new_context(
            locale="de-DE", timezone_id="Europe/Berlin", viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(20_000)
        tab = Portal(context.new_page(), live_server.url)
        tabs.append((tab, context))
        return tab

    yield open_tab
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    problems = []
    for number, (tab, context) in enumerate(tabs, start=1):
        suffix = "" if number == 1 else f"-tab{number}"
        try:
            tab.page.screenshot(path=str(artifacts / f"{name}{suffix}.png"), full_page=True)
            if unchecked := tab.unchecked():
                problems.append(
                    f"tab {number}: pages loaded without an axe-core check (navigate through "
                    f"Portal.goto/click/press): {unchecked}"
                )
        finally:
            context.close()
    assert not problems, "\n".join(problems)


@pytest.fixture
def portal(open_portal) -> Portal:
    """The browser tab of the test's main person (usually the administrator)."""
    return open_portal()
