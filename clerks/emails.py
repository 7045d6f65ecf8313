"""E-mails to clerks about what their administrator did. Written to the outbox (accounts.emails.send_templated)."""

from accounts.emails import clerk_contacts, send_templated
from factors import policy


def _to_clerk(name: str, clerk, **context) -> None:
    """A mail to a clerk, naming the administrators who can act for it (or the fund where nobody can)."""
    send_templated(name, clerk.email, {"user": clerk, "administrators": clerk_contacts(clerk), **context})


def clerk_created(clerk) -> None:
    """§3 Hinweis: the clerk learns of its access and asks its administrator for the one-time password."""
    _to_clerk("clerk_created", clerk, email_code=policy.clerk_mode() != "off")


def email_changed(clerk, *, old_email: str) -> None:
    """§4 Hinweis: the e-mail is the login name; both the old and the new address are told, each in its own
    mail, so that a server refusing the old address does not hold up the mail to the new one."""
    context = {"user": clerk, "old_email": old_email, "administrators": clerk_contacts(clerk)}
    send_templated("email_changed", old_email, context)
    send_templated("email_changed", clerk.email, context)


def otp_reset(clerk) -> None:
    _to_clerk("otp_reset", clerk)


def clerk_locked(clerk, *, members, locked: bool, by_administrator: bool = True, ask_fund: bool = False) -> None:
    """A member lock (§7.1): by "Berechtigung entziehen", or by the portal itself (the last-administrator cascade,
    inactivity). The clerk learns for which members, and whether it can still log in at all; it is sent to the
    administrators who can act for it, or to the fund where its member has no administrator left (`ask_fund`) or
    nobody can. The reason stays with the administrators: it may be a personnel matter."""
    administrators = [] if ask_fund else clerk_contacts(clerk)
    context = {"members": members, "locked": locked, "by_administrator": by_administrator, "ask_fund": ask_fund}
    send_templated("clerk_locked", clerk.email, {"user": clerk, "administrators": administrators, **context})


def clerk_restored(clerk, *, member, new_otp: bool, by_administrator: bool = True) -> None:
    """Berechtigung erteilen (§7.1 g–h), or the lifting of the last-administrator cascade when fund staff approve a
    new administrator for the member (`by_administrator=False`): the grants are back; a new one-time password comes
    from the administrator, never by mail."""
    _to_clerk("clerk_restored", clerk, member=member, new_otp=new_otp, by_administrator=by_administrator)


def inactivity_warning(user, *, deadline) -> None:
    """Before a lock for inactivity: log in by the deadline to keep the access."""
    send_templated("inactivity_warning", user.email, {"user": user, "deadline": deadline})


def access_review(administrator, *, review, reminder: bool) -> None:
    """The yearly review has begun (or waits still): a link to "Berechtigungen bestätigen"."""
    send_templated(
        "access_review", administrator.email, {"user": administrator, "review": review, "reminder": reminder}
    )


def clerk_notices(administrator, notices) -> None:
    """What happened to clerks whose credentials the administrator hands over: one case, or the day's digest."""
    send_templated("clerk_notices", administrator.email, {"user": administrator, "notices": notices})
