"""What the access letter (fund staff, accounts/admin.py) and the hand-over slip (clerks) say: the one case that
applies, read from the audit entry that issued the one-time password, never "… bzw. …"."""

from audit.models import AuditEntry

# The entries that issue a one-time password to hand over, newest decides.
ISSUING = ("clerk.created", "application.approved", "user.otp_reset", "user.deactivated", "clerk.unlocked")
ISSUING_OTHERWISE = ("password.forgot_requested",)


def occasion(user) -> str:
    """Why the user's current one-time password was issued: "registered" (a first registration approved),
    "renewed" (a registration that renewed an existing account), "factor_reset" (fund staff reset the second
    factor), "created" (a new clerk), or "new_otp" (any other new one-time password)."""
    entries = (
        AuditEntry.objects.filter(target=user, action__in=ISSUING + ISSUING_OTHERWISE)
        .only("action", "data")
        .order_by("-created_at", "-pk")[:10]
    )
    # "Berechtigung erteilen" issues one only for a clerk that was Gesperrt
    entry = next((e for e in entries if e.action != "clerk.unlocked" or (e.data or {}).get("new_otp")), None)
    data = (entry.data or {}) if entry else {}
    if entry is None or entry.action in ISSUING_OTHERWISE:
        return "new_otp"
    if entry.action == "application.approved":
        return "renewed" if data.get("renewed_account") else "registered"
    if entry.action == "user.otp_reset" and data.get("factor_reset"):
        return "factor_reset"
    if entry.action == "clerk.created":
        return "created"
    return "new_otp"
