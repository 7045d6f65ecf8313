"""Each status question has one name (accounts/models.py): `User.objects.unlocked()` / `unlocked_q()` for "not
Gesperrt", `User.objects.administering(member)` for a member's active administrators, `awaits_handover` /
`awaits_handover_q()` / `HOLDS_AN_OTP` for a one-time password waiting to be handed over, `otp_expired_at` /
`otp_expired_q()` for the one-time password's expiry; `awaits_handover_of` / `otp_expired_of` ask the same of a row
read as plain values. A copy of one of these rules written out by hand elsewhere fails here by file and line, so that
a change of the rule is made in one place."""

import re
from pathlib import Path

import pytest

from accounts.models import Role, Status, User

ROOT = Path(__file__).resolve().parents[2]
HOME = ROOT / "accounts" / "models.py"
RAW = {
    "not Gesperrt": re.compile(
        r"exclude\([^)]*status=Status\.LOCKED|~Q\([^)]*status=Status\.LOCKED|!=\s*Status\.LOCKED"
    ),
    "is Gesperrt, asked of a user": re.compile(r"\.status\s*==\s*Status\.LOCKED"),
    "a member's active administrators": re.compile(r"scope_units__member(_id)?="),
    "awaits a hand-over": re.compile(
        r"Status\.PENDING,\s*Status\.DEACTIVATED|Status\.DEACTIVATED,\s*Status\.PENDING|\bin\s+HOLDS_AN_OTP\b"
    ),
    # The expiry compared by hand, at any moment (now, a warning's horizon) and either way round (not yet expired).
    "the one-time password has expired": re.compile(
        r"otp_expires_at__(gt|gte|lt|lte)=|\b(otp_)?expires(_at)?\s*[<>]=?\s*\w|\w\s*[<>]=?\s*(\w+\.)?(otp_)?expires(_at)?\b"
    ),
}


def sources():
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        # The load test's checker states the invariants again on purpose, to test the code against them.
        if parts[0] in (".venv", "tests", "scripts") or "migrations" in parts or path == HOME:
            continue
        yield path


def copies(text: str) -> list[str]:
    return [
        f"line {number}: {rule}"
        for number, line in enumerate(text.splitlines(), start=1)
        for rule, pattern in RAW.items()
        if pattern.search(line)
    ]


@pytest.mark.parametrize("path", list(sources()), ids=lambda path: str(path.relative_to(ROOT)))
def test_no_status_rule_is_written_out_beside_its_name(path):
    assert copies(path.read_text()) == []


@pytest.mark.parametrize(
    "line",
    [
        "User.objects.exclude(status=Status.LOCKED)",
        ".exclude(user__status=Status.LOCKED)",
        "filter=~Q(billing_units__administrators__status=Status.LOCKED)",
        "if user.status != Status.LOCKED:",
        "if clerk.status == Status.LOCKED:",
        ".filter(scope_units__member=member)",
        "status in (Status.PENDING, Status.DEACTIVATED)",
        ".filter(otp_expires_at__lte=timezone.now())",
        "expired = user.otp_expires_at <= now",
        "otp_expires_at__gt=now,",
        "if expires <= soon and marked_expiry != expires:",
        "if now >= clerk.otp_expires_at:",
        "if expires is not None and status in HOLDS_AN_OTP:",
    ],
)
def test_the_check_sees_each_kind_of_copy(line):
    assert copies(line) != []


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("status", list(Status))
def test_the_pages_labels_of_role_and_status_are_the_choices_labels(role, status):
    user = User(role=role, status=status)
    assert (user.get_role_display(), user.get_status_display()) == (role.label, status.label)
    assert user.get_status_display() == User._get_FIELD_display(user, User._meta.get_field("status"))
