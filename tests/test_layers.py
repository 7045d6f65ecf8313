"""The apps' dependency arrows point one way. Each app's domain code (models, services and the rules beside them)
imports only apps below it in LAYERS; the screens (views, admin, urls, forms, middleware, backends, templates' helpers,
management commands) sit on top and may use any app's domain code. A new backward import fails here by file and
line."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Lowest first: an app may build on those before it (the order of INSTALLED_APPS, zvk_portal/settings.py).
LAYERS = [
    "exports",
    "audit",
    "security",
    "outbox",
    "billing_units",
    "accounts",
    "factors",
    "clerks",
    "registration",
    "retention",
    "demo",
]
SCREENS = {"views", "admin", "urls", "forms", "middleware", "backends", "decorators", "apps", "checks"}


def domain_modules():
    for app in LAYERS:
        for path in sorted((ROOT / app).rglob("*.py")):
            parts = path.relative_to(ROOT / app).parts
            if parts[0] in ("migrations", "management") or path.stem in SCREENS:
                continue
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


@pytest.mark.parametrize(("app", "path"), list(domain_modules()), ids=lambda value: getattr(value, "name", value))
def test_domain_code_imports_only_the_apps_below(app, path):
    allowed = set(LAYERS[: LAYERS.index(app) + 1])
    backwards = [f"line {line}: imports {other}" for line, other in imported_apps(path) if other not in allowed]
    assert backwards == [], f"{path.relative_to(ROOT)} ({app}) reaches up to a later app"


def test_no_app_holds_more_than_about_two_fifths_of_the_code():
    lines = {
        app: sum(len(p.read_text().splitlines()) for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts)
        for app in LAYERS
    }
    total = sum(lines.values())
    assert max(lines.values()) <= 0.4 * total, lines
