"""A comment, docstring or document that names a file of the project (`clerks/views/people.py`) names one that exists:
after code moves, a pointer to where it lived before fails here by file and line. Migrations are history and keep
the paths of their day."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIPPED = {".venv", ".git", "build", "staticfiles", "node_modules"}
NAMED = re.compile(r"(?<![\w./-])([a-z_][a-z_0-9]*(?:/[a-z_0-9]+)+\.py)\b")


def texts():
    for path in sorted(ROOT.rglob("*")):
        parts = path.relative_to(ROOT).parts
        if SKIPPED & set(parts) or "migrations" in parts or parts[0].endswith(".egg-info"):
            continue
        if path.suffix in (".py", ".md", ".html", ".txt") or path.name == "Makefile":
            yield path


def missing(path: Path) -> list[str]:
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        for named in NAMED.findall(line):
            if not (ROOT / named).exists() and not (path.parent / named).exists():
                found.append(f"line {number}: {named}")
    return found


def test_every_file_named_in_the_project_exists():
    stale = {str(path.relative_to(ROOT)): lines for path in texts() if (lines := missing(path))}
    assert stale == {}


def test_the_check_sees_a_path_that_is_gone(tmp_path):
    gone = "/".join(["accounts", "security_log.py"])  # where the security log lived before security/
    note = tmp_path / "note.md"
    note.write_text(f"The login lives in accounts/views.py; the security log in {gone}.\n")
    assert missing(note) == [f"line 1: {gone}"]
