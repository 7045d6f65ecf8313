"""E-mails about a user's own access. Each is sent after the transaction that caused it commits."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string


def send_templated(name: str, to: str, context: dict | None = None) -> None:
    """Render templates/emails/<name>_subject.txt and _body.txt and send them once the transaction commits."""
    context = {"fund_name": settings.FUND_NAME, "portal_url": settings.PORTAL_URL, **(context or {})}
    subject = " ".join(render_to_string(f"emails/{name}_subject.txt", context).split())
    body = render_to_string(f"emails/{name}_body.txt", context)
    transaction.on_commit(lambda: send_mail(subject, body, None, [to]))


def forgot_password_clerk(user) -> None:
    send_templated("forgot_password_clerk", user.email, {"user": user})


def forgot_password_administrator(user) -> None:
    send_templated("forgot_password_administrator", user.email, {"user": user})


def password_set(user) -> None:
    send_templated("password_set", user.email, {"user": user})


def deactivated(user) -> None:
    send_templated("deactivated", user.email, {"user": user})
