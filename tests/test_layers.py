"""The apps' dependency arrows point one way. Every module of an app — models, services, views, the admin, forms,
management commands — imports only apps below it in LAYERS; `zvk_portal` (settings, URLs, the site-wide pages) is the
top that composes them all. The few screens that reach up are listed in UPWARD, each with its reason; a new backward
import fails here by file and line, and an entry no longer needed fails too."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Lowest first: an app may build on those before it (the order of INSTALLED_APPS, zvk_portal/settings.py).
LAYERS = [
    "base",  # what every app builds on: the page form, the read-only admin, the transaction guard, database limits,
    # the append-only rule, kept HTML's CSRF slot
    "exports",  # CSV and XLSX files without formulas
    "audit",
    "security",
    "outbox",
    "billing_units",
    "accounts",
    "factors",
    "insured",  # the clerk's workspace: Versicherte, Verlauf, Meldungen, the access log
    "clerks",
    "registration",
    "retention",
    "demo",
    "zvk_portal",  # the project: settings, URLs, error pages, "Barriere melden"
]
# (module, app it imports from above): why a screen reaches up rather than the arrow being turned round.
UPWARD = {
    ("accounts/views.py", "factors"): "the login's password step hands over to the second factor's step "
    "(factors.login_step), which builds on accounts",
    ("accounts/backends.py", "factors"): "the one login path asks factors.policy whether a second factor follows, "
    "so that the password alone never makes a browser trusted",
    ("accounts/admin.py", "factors"): "fund staff's action 'Zweiten Faktor zurücksetzen und Zugangsbrief erstellen' "
    "on the user list calls the factor's reset service",
    ("accounts/admin.py", "registration"): "the access letter on the user list names the member of the approved "
    "registration",
    ("billing_units/admin.py", "accounts"): "the member list in the Django admin counts each member's active "
    "administrators",
}


def modules():
    for app in LAYERS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.relative_to(ROOT / app).parts:
                yield app, path


def imported_apps(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        found += [(node.lineno, name.split(".")[0]) for name in names if name.split(".")[0] in LAYERS]
    return found


def upward_imports() -> dict[tuple[str, str], list[int]]:
    found = {}
    for app, path in modules():
        allowed = set(LAYERS[: LAYERS.index(app) + 1])
        for line, other in imported_apps(path):
            if other not in allowed:
                found.setdefault((str(path.relative_to(ROOT)), other), []).append(line)
    return found


@pytest.mark.parametrize(("app", "path"), list(modules()), ids=lambda value: getattr(value, "name", value))
def test_every_module_imports_only_the_apps_below(app, path):
    module = str(path.relative_to(ROOT))
    allowed = set(LAYERS[: LAYERS.index(app) + 1]) | {other for (place, other) in UPWARD if place == module}
    backwards = [f"line {line}: imports {other}" for line, other in imported_apps(path) if other not in allowed]
    assert backwards == [], f"{module} ({app}) reaches up to a later app"


def test_every_listed_exception_is_still_needed():
    assert set(UPWARD) - set(upward_imports()) == set()


def test_every_app_is_a_layer_and_every_layer_is_installed(settings):
    installed = {name.split(".")[0] for name in settings.INSTALLED_APPS}
    packages = {path.parent.name for path in ROOT.glob("*/__init__.py")}
    assert packages - {"tests", "scripts"} == set(LAYERS)
    assert set(LAYERS) - installed == {"base", "exports"}  # plain packages, no models


def test_no_app_holds_more_than_about_two_fifths_of_the_code():
    lines = {
        app: sum(len(p.read_text().splitlines()) for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts)
        for app in LAYERS
    }
    total = sum(lines.values())
    assert max(lines.values()) <= 0.4 * total, lines


def test_the_built_package_holds_every_app_and_its_subpackages():
    """A wheel is built from pyproject.toml's package list: an app left out of it would be missing on a server that
    installs the wheel, though the editable install of development finds it."""
    import tomllib

    from setuptools import find_packages

    include = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]["include"]
    packaged = set(find_packages(str(ROOT), include=include))
    every = {
        ".".join(path.parent.relative_to(ROOT).parts) for app in LAYERS for path in (ROOT / app).rglob("__init__.py")
    }
    assert every - packaged == set()
