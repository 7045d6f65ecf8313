"""The second factor's step of a login: after the password, where the factor is still due (accounts.views.login_view
asks `after_login`), and where a confirmed login goes on (`after_verification`)."""

from django.contrib import messages
from django.urls import reverse
from django.utils.http import urlencode

from accounts import next_page
from factors import policy, services
from security.client_address import client_ip


def after_login(request, user) -> str | None:
    """Right after the password: where the second factor is still due, the page that asks for it. A clerk whose
    browser must confirm gets its e-mail code now; one that need not is marked so in the session
    (factors.policy.session_is_verified)."""
    if policy.requires_strong_factor(user):
        if not policy.is_enrolled(user):
            return None  # "Passwort ändern" first where due, then factors.middleware leads to the enrolment
        return _with_next(reverse("factors:verify"), request)
    if policy.clerk_needs_code(request, user):
        sent = services.send_email_code(user=user, ip=client_ip(request))
        if not sent.allowed:
            messages.info(request, sent.message)
        return _with_next(reverse("factors:verify"), request)
    request.session[policy.CLERK_EXEMPT_SESSION_KEY] = True
    return None


def after_verification(request) -> str:
    """Where a confirmed login goes on: "Passwort ändern" if still due, else the page asked for, else the start page."""
    if request.user.must_change_password:
        return reverse("accounts:password_set")
    return next_page.onward(request)


def _with_next(path: str, request) -> str:
    target = next_page.requested(request)
    return f"{path}?{urlencode({'next': target})}" if target else path
