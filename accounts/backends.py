from django.contrib.auth.backends import ModelBackend

from accounts import devices, throttling
from accounts.client_address import client_ip
from accounts.models import Role
from accounts.services import log_in


class PortalBackend(ModelBackend):
    """Authentication through accounts.services.log_in, so that lockout and audit apply everywhere.

    The portal's login passes a role; the Django admin's login passes only `username`, which is the
    e-mail of a fund staff member. Sessions are honoured only while the user is not locked
    (`user_can_authenticate`, checked by Django on every request).
    """

    def authenticate(self, request, username=None, password=None, email=None, role=None, **kwargs):
        if password is None or (email or username) is None:
            return None
        ip = client_ip(request) if request is not None else None
        if ip is not None and not throttling.attempt(throttling.LOGIN, ip=ip).allowed:
            return None  # the Django admin's login shares the portal's budget per address (issue 7 §2)
        outcome = log_in(
            role=role or Role.STAFF,
            email=email or username,
            password=password,
            ip=ip,
            device_tokens=devices.tokens_from(request),
        )
        if outcome.ok and request is not None:
            request.trusted_login = outcome.user  # accounts.devices.DeviceCookieMiddleware sets the cookie
            if ip is not None:
                throttling.give_back(throttling.LOGIN, ip=ip)
        return outcome.user
