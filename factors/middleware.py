"""The second factor on every request: `request.user.is_verified()` (django-otp's contract, read from the session
without a query), and "Zweiten Faktor einrichten" / "Anmeldung bestätigen" before anything else, the Django admin
included, as "Passwort ändern" is forced after a one-time password."""

from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django_otp import DEVICE_ID_SESSION_KEY

from factors import policy

# What a user who still has to confirm its login (or set up its factor) may reach.
VERIFY_VIEWS = {
    "factors:verify",
    "factors:email_code",
    "accounts:login",
    "accounts:logout",
    "otp_webauthn:credential-authentication-begin",
    "otp_webauthn:credential-authentication-complete",
    "otp_webauthn:js-i18n-catalog",
}
ENROL_VIEWS = {
    "factors:enrol",
    "factors:enrol_totp",
    "factors:recovery_codes",
    "accounts:login",
    "accounts:logout",
    "otp_webauthn:credential-registration-begin",
    "otp_webauthn:credential-registration-complete",
    "otp_webauthn:js-i18n-catalog",
}


class VerifiedSessionMiddleware:
    """django-otp's contract without its query on every page: `request.user.is_verified()` says whether this session
    confirmed a second factor (django_otp.login stores the device's id in it). Resets end the owner's sessions, so
    a verified session never outlives the reset of its factor."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        session = request.session
        user.is_verified = lambda: bool(user.is_authenticated and session.get(DEVICE_ID_SESSION_KEY))
        return self.get_response(request)


class SecondFactorRequiredMiddleware:
    """Until the session passed the second factor its user needs, every URL leads to "Anmeldung bestätigen" (or,
    for an administrator or fund staff member without a factor yet, to "Zweiten Faktor einrichten", after the
    forced "Passwort ändern"). Unknown addresses stay a 404."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not policy.session_is_verified(request):
            try:
                view_name = resolve(request.path_info).view_name
            except Resolver404:
                view_name = None
            if view_name is not None:
                if policy.requires_strong_factor(user) and not policy.is_enrolled(user):
                    if not user.must_change_password and view_name not in ENROL_VIEWS:
                        return redirect("factors:enrol")
                elif view_name not in VERIFY_VIEWS:
                    return redirect("factors:verify")
        return self.get_response(request)
