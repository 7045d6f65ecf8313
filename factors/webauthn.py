"""Passkeys and security keys through django-otp-webauthn, as a second step after the password only.

The library's four JSON endpoints, each with the portal's rules: only administrators and fund staff register
passkeys (clerks confirm by e-mail); a registration or use writes its audit entry (factors.services); a failed
use counts as a failed login like a wrong code, within the per-address limit of the login. Passwordless login is
off (OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False), so the authentication endpoints need the password's session.
"""

from urllib.parse import urlsplit

from django.contrib.auth import logout
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.i18n import JavaScriptCatalog
from django_otp_webauthn import exceptions
from django_otp_webauthn import views as library
from django_otp_webauthn.helpers import WebAuthnHelper
from django_otp_webauthn.utils import rewrite_exceptions

from factors import policy, services
from security import throttling
from security.client_address import client_ip


def relying_party_id(request) -> str:
    """The host name the browser talks to (ALLOWED_HOSTS has validated it); a passkey belongs to it."""
    return urlsplit(f"//{request.get_host()}").hostname


class PortalWebAuthnHelper(WebAuthnHelper):
    def get_allowed_origins(self) -> list[str]:
        own = f"{self.request.scheme}://{self.request.get_host()}"
        return [*super().get_allowed_origins(), own]


class NotForThisRole(exceptions.OTPWebAuthnApiError):
    status_code = 403
    default_code = "not_for_this_role"
    default_detail = "Sachbearbeiter bestätigen ihre Anmeldung mit einem Code per E-Mail."


class Throttled(exceptions.OTPWebAuthnApiError):
    status_code = 429
    default_code = "throttled"
    default_detail = "Zu viele Versuche. Bitte warten Sie eine Minute und versuchen Sie es dann erneut."


class Failed(exceptions.OTPWebAuthnApiError):
    status_code = 403
    default_code = "verification_failed"
    default_detail = "Die Bestätigung mit dem Passkey ist fehlgeschlagen. Bitte versuchen Sie es erneut."


class Refused(exceptions.OTPWebAuthnApiError):
    status_code = 403
    default_code = "refused"
    default_detail = (
        "Zu viele fehlgeschlagene Versuche von unbekannten Geräten. Bitte melden Sie sich später erneut an."
    )


class _PortalRegistration:
    def check_can_register(self):
        if not policy.requires_strong_factor(self.request.user):
            raise NotForThisRole()


class BeginRegistration(_PortalRegistration, library.BeginCredentialRegistrationView):
    pass


class CompleteRegistration(_PortalRegistration, library.CompleteCredentialRegistrationView):
    def post(self, *args, **kwargs):
        user = self.get_user()
        state = self.get_state()
        with rewrite_exceptions(logger=library._get_pywebauthn_logger()):
            device = self.get_helper().register_complete(user=user, state=state, data=self.request.data)
        services.passkey_added(user=user, device=device)
        if not self.request.user.is_verified():
            # The first factor of an account just set up in this session counts as confirmed (as the library does).
            services.passkey_used(request=self.request, user=user, device=device, ip=client_ip(self.request))
        return JsonResponse({"id": device.pk})


class BeginAuthentication(library.BeginCredentialAuthenticationView):
    pass


class CompleteAuthentication(library.CompleteCredentialAuthenticationView):
    def post(self, *args, **kwargs):
        user = self.get_user()
        if user is None:
            raise exceptions.PasswordlessLoginDisabled()
        ip = client_ip(self.request)
        decision = throttling.attempt(throttling.LOGIN, ip=ip)
        if not decision.allowed:
            raise Throttled()
        if services.refused_here(request=self.request, user=user):
            logout(self.request)
            raise Refused()
        state = self.get_state()  # none: no ceremony was begun in this session (400, nothing to count)
        try:
            with rewrite_exceptions(logger=library._get_pywebauthn_logger()):
                device = self.get_helper().authenticate_complete(user=user, state=state, data=self.request.data)
            self.check_device_usable(device)
        except exceptions.OTPWebAuthnApiError:
            services.failed(request=self.request, user=user, kind="passkey", ip=ip)
            raise Failed() from None
        services.passkey_used(request=self.request, user=user, device=device, ip=ip)
        throttling.give_back(throttling.LOGIN, ip=ip)
        return JsonResponse({"id": device.pk, "redirect_url": self.get_success_url()})

    def get_success_url(self):
        from factors.views import after_verification

        return after_verification(self.request)


urlpatterns = [
    path("registration/begin/", BeginRegistration.as_view(), name="credential-registration-begin"),
    path("registration/complete/", CompleteRegistration.as_view(), name="credential-registration-complete"),
    path("authentication/begin/", BeginAuthentication.as_view(), name="credential-authentication-begin"),
    path("authentication/complete/", CompleteAuthentication.as_view(), name="credential-authentication-complete"),
    path(
        "jsi18n/",
        never_cache(JavaScriptCatalog.as_view(packages=["django_otp_webauthn"])),
        name="js-i18n-catalog",
    ),
]
