"""Session lifetime, the forced password change after a one-time password, and no caching of private pages."""

import time

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import logout
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequiredMiddleware
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.cache import add_never_cache_headers

from accounts import typed_input
from security import security_log
from security.client_address import client_ip

SESSION_EXPIRED = "Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an."
FORM_AFTER_SESSION = "Ihre Sitzung ist abgelaufen, deshalb wurde nichts gespeichert. Bitte melden Sie sich erneut an."
FORM_KEPT = (
    f"{FORM_AFTER_SESSION} Danach sind Ihre Eingaben wieder eingetragen (Passwörter ausgenommen), und Sie können "
    "das Formular noch einmal absenden."
)
LOGIN_AT = "portal_login_at"
LAST_SEEN = "portal_last_seen"
# Writing the session on every click would cost a query per page; a minute of slack is enough.
LAST_SEEN_RESOLUTION = 60


def start_session_clock(request) -> None:
    now = int(time.time())
    request.session[LOGIN_AT] = now
    request.session[LAST_SEEN] = now


class SessionTimeoutMiddleware:
    """Ends a session after SESSION_IDLE_TIMEOUT_SECONDS without a request, and SESSION_ABSOLUTE_TIMEOUT_SECONDS
    after login however busy it was (SESS-02, SESS-03)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            login_at = request.session.get(LOGIN_AT)
            last_seen = request.session.get(LAST_SEEN)
            if login_at is None or last_seen is None:
                start_session_clock(request)
            elif (
                now - last_seen > settings.SESSION_IDLE_TIMEOUT_SECONDS
                or now - login_at > settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS
            ):
                # A form sent now is answered by LoginRequiredMiddleware, which may keep what was typed.
                request.ended_session = (request.user.pk, dict(request.session.items()))
                logout(request)
                if request.method != "POST":
                    messages.info(request, SESSION_EXPIRED)
            elif now - last_seen >= LAST_SEEN_RESOLUTION:
                request.session[LAST_SEEN] = now
        return self.get_response(request)


# URL names a user who logged in with a one-time password may still reach.
# "Anmeldung bestätigen" comes first: an account with a second factor confirms it before it sets a password.
PASSWORD_CHANGE_EXEMPT = {
    "accounts:password_set",
    "accounts:logout",
    "factors:verify",
    "factors:email_code",
    "otp_webauthn:credential-authentication-begin",
    "otp_webauthn:credential-authentication-complete",
    "otp_webauthn:js-i18n-catalog",
}


class PasswordChangeRequiredMiddleware:
    """Until a user who logged in with a one-time password sets a personal one, every page leads to
    "Passwort ändern" (manual §6 Hinweis; AUTH-09 b)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and request.user.must_change_password:
            try:
                view_name = resolve(request.path_info).view_name
            except Resolver404:
                view_name = None  # an unknown address stays a 404
            if view_name is not None and view_name not in PASSWORD_CHANGE_EXEMPT:
                return redirect("accounts:password_set")
        return self.get_response(request)


class NoStoreMiddleware:
    """No page shown to a logged-in user is kept in a browser or proxy cache (CFG-05)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            add_never_cache_headers(response)
        return response


class LoginRequiredMiddleware(DjangoLoginRequiredMiddleware):
    """Login is the default (AC-01). An anonymous visitor of the Django admin is sent to the admin's own login
    page, where fund staff sign in with their e-mail; the portal's login only knows administrators and clerks."""

    def handle_no_permission(self, request, view_func):
        match = getattr(request, "resolver_match", None)
        if match is not None and match.app_name == admin.site.name:
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        if request.method == "POST":
            # Only a page opened while logged in has a form to a page behind the login: its session has ended.
            # What was typed is kept only where the session that ended is known, so its owner alone gets it back.
            ended = getattr(request, "ended_session", None)
            kept = ended is not None and typed_input.put_aside(
                request, view_func, user_id=ended[0], ended_session=ended[1]
            )
            messages.info(request, FORM_KEPT if kept else FORM_AFTER_SESSION)
        return super().handle_no_permission(request, view_func)


class AccessDeniedLogMiddleware:
    """Logs every refusal a view decides (LOG-02): a 404 from a scoped lookup (another member's object) and a
    403 from the role check, as a WARNING with user, path, view, URL arguments and the decision. Unknown
    addresses never reach a view and are not logged here."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, Http404 | PermissionDenied):
            match = request.resolver_match
            security_log.warning(
                "access.denied",
                outcome="not_found" if isinstance(exception, Http404) else "forbidden",
                user=request.user if request.user.is_authenticated else None,
                ip=client_ip(request),
                path=request.path,
                method=request.method,
                view=match.view_name if match else None,
                arguments=match.kwargs if match else None,
            )
        return None  # Django answers with the German 404 or 403 page as before
