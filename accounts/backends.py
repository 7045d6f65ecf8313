from django.contrib.auth.backends import ModelBackend

from accounts.models import Role
from accounts.services import log_in
from factors import policy
from security import devices, throttling
from security.client_address import client_ip


class PortalBackend(ModelBackend):
    """The one login path: the portal's login and the Django admin's both call `authenticate()`, which comes here.

    First the per-address limit (shared by both logins), then accounts.services.log_in with the browser's device
    cookie, so lockout, trusted devices and audit apply everywhere. The portal's login passes a role; the Django
    admin's passes only `username`, the e-mail of a fund staff member. What the login page tells the user is left
    on the request: `login_throttle` (a refused attempt) and `login_outcome`. Sessions are honoured only while the
    user is not locked (`user_can_authenticate`, checked by Django on every request).
    """

    def authenticate(self, request, username=None, password=None, email=None, role=None, **kwargs):
        if password is None or (email or username) is None:
            return None
        ip = client_ip(request) if request is not None else None
        if ip is not None:
            decision = throttling.attempt(throttling.LOGIN, ip=ip)
            request.login_throttle = decision
            if not decision.allowed:
                return None
        outcome = log_in(
            role=role or Role.STAFF,
            email=email or username,
            password=password,
            ip=ip,
            device_tokens=devices.tokens_from(request),
            factor_follows=lambda user: policy.factor_follows(request, user),
        )
        if request is not None:
            request.login_outcome = outcome
        if outcome.ok and request is not None:
            if outcome.passed_refusal:
                devices.remember_refusal_passed(request, outcome.user)  # its factor step may follow, too
            if not policy.factor_follows(request, outcome.user):
                # security.devices.DeviceCookieMiddleware sets the cookie; where a second factor follows, only its
                # confirmation makes the browser trusted (factors.services), never the password alone
                request.trusted_login = outcome.user
            if ip is not None:
                throttling.give_back(throttling.LOGIN, ip=ip)
        return outcome.user
