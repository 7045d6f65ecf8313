"""E-mails about a user's own access. Each is written to the outbox in the transaction that caused it."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.module_loading import import_string

from outbox.mail import enqueue


def send_templated(name: str, to: str, context: dict | None = None, *, secret: bool = False) -> None:
    """Render templates/emails/<name>_subject.txt and _body.txt into the outbox (outbox/mail.py), in the
    caller's transaction; the outbox worker sends it once that transaction has committed. A `secret` mail (one
    that carries a login code) has its text removed from the outbox once sent."""
    context = {
        "fund_name": settings.FUND_NAME,
        "fund_phone": settings.FUND_PHONE,
        "fund_email": settings.FUND_EMAIL,
        "portal_url": settings.PORTAL_URL,
        **(context or {}),
    }
    subject = " ".join(render_to_string(f"emails/{name}_subject.txt", context).split())
    body = render_to_string(f"emails/{name}_body.txt", context)
    enqueue(template=name, to=to, subject=subject, body=body, secret=secret)


def clerk_contacts(clerk) -> list:
    """The administrators a clerk's mail names, with phone and e-mail (templates/emails/_clerk_contacts.txt): those who
    may act for the clerk (DESIGN §8); none sends the clerk to the fund. The rule is the clerks app's, above accounts:
    the setting CLERK_CONTACTS names it."""
    return list(import_string(settings.CLERK_CONTACTS)(clerk))


def forgot_password_clerk(user) -> None:
    send_templated("forgot_password_clerk", user.email, {"user": user, "administrators": clerk_contacts(user)})


def forgot_password_administrator(user) -> None:
    send_templated("forgot_password_administrator", user.email, {"user": user})


def password_set(user) -> None:
    send_templated("password_set", user.email, {"user": user})


def deactivated(user) -> None:
    contacts = clerk_contacts(user) if user.is_clerk else []
    send_templated("deactivated", user.email, {"user": user, "administrators": contacts})
