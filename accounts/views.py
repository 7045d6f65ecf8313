"""Public pages and a user's own access: home, login, logout, passwords, the clerk's start page."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts import next_page, services, typed_input
from accounts.forms import (
    LOGIN_FAILED_CHECK_ROLE,
    ForgotPasswordForm,
    LoginForm,
    NewPasswordForm,
    PasswordChangeForm,
    otp_expired_message,
)
from accounts.middleware import LAST_SEEN, start_session_clock
from factors import login_step
from security import throttling
from security.client_address import client_ip
from security.pages import throttled

FORGOT_ANSWER = (
    "Vielen Dank. Wenn zu dieser E-Mail-Adresse ein Zugang in der gewählten Benutzerrolle besteht, wurde ein neues "
    "Einmalpasswort veranlasst. Sachbearbeiter erhalten es von ihrem Administrator, Administratoren erhalten neue "
    "Zugangsdaten per Brief von der Zusatzversorgungskasse."
)


def _login_failed_message(outcome, role: str) -> str:
    if outcome is None:
        return LOGIN_FAILED_CHECK_ROLE
    if outcome.refusal is not None:
        return outcome.refusal.message
    return otp_expired_message(role) if outcome.otp_expired else LOGIN_FAILED_CHECK_ROLE


@login_not_required
@require_safe
def home(request):
    if request.user.is_authenticated:
        return redirect(next_page.start_page(request.user))
    return render(request, "accounts/home.html")


@login_not_required
@sensitive_post_parameters("password")
@require_http_methods(["GET", "HEAD", "POST"])
def login_view(request):
    if request.user.is_authenticated and request.method != "POST":
        return redirect(next_page.start_page(request.user))
    if request.method != "POST":
        return render(request, "accounts/login.html", {"form": LoginForm(), "next": next_page.requested(request)})
    form = LoginForm(request.POST)
    if form.is_valid():
        user = authenticate(request, **form.cleaned_data)  # accounts.backends.PortalBackend
        decision = getattr(request, "login_throttle", None)
        if decision is not None and not decision.allowed:
            return throttled(request, "accounts/login.html", LoginForm, decision, next=next_page.requested(request))
        if user is not None:
            login(request, user)
            typed_input.forget_unless(request, user)
            start_session_clock(request)
            factor_step = login_step.after_login(request, user)
            if factor_step is not None:
                return redirect(factor_step)
            if user.must_change_password:
                return redirect("accounts:password_set")
            return redirect(next_page.onward(request))
        form.add_error(None, _login_failed_message(getattr(request, "login_outcome", None), form.cleaned_data["role"]))
    return render(request, "accounts/login.html", {"form": form, "next": next_page.requested(request)})


@require_POST
def logout_view(request):
    services.record_logout(user=request.user)
    logout(request)
    messages.success(request, "Sie haben sich abgemeldet.")
    return redirect("accounts:login")


@login_not_required
@require_http_methods(["GET", "HEAD", "POST"])
def password_forgot(request):
    if request.method != "POST":
        return render(request, "accounts/password_forgot.html", {"form": ForgotPasswordForm()})
    ip = client_ip(request)
    decision = throttling.attempt(throttling.FORGOT_PASSWORD, ip=ip)
    if not decision.allowed:
        return throttled(request, "accounts/password_forgot.html", ForgotPasswordForm, decision)
    form = ForgotPasswordForm(request.POST)
    if form.is_valid():
        started = time.monotonic()
        services.request_password_reset(**form.cleaned_data, ip=ip)
        # Every answer takes at least FORGOT_PASSWORD_MIN_SECONDS: a known address does more work (a new one-time
        # password, its mail, an audit entry) than an unknown one, and the time must not tell them apart.
        time.sleep(max(0.0, settings.FORGOT_PASSWORD_MIN_SECONDS - (time.monotonic() - started)))
        return render(request, "accounts/password_forgot_done.html", {"answer": FORGOT_ANSWER})
    return render(request, "accounts/password_forgot.html", {"form": form})


@sensitive_post_parameters()
@require_http_methods(["GET", "HEAD", "POST"])
def password_set(request):
    """Passwort ändern: forced after a one-time password (§6 Hinweis), voluntary for an active user."""
    user = request.user
    forced = user.must_change_password
    form_class = NewPasswordForm if forced else PasswordChangeForm
    form = form_class(user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and not forced:
        # The current password is checked against a limit per user, as a login is per address.
        decision = throttling.attempt(throttling.PASSWORD_CHANGE, ip=f"user:{user.pk}")
        if not decision.allowed:
            messages.error(request, decision.message)
            form = form_class(user)
            response = render(request, "accounts/password_set.html", {"form": form, "forced": forced}, status=429)
            response["Retry-After"] = str(decision.retry_after)
            return response
    if request.method == "POST" and form.is_valid():
        if not forced:
            throttling.give_back(throttling.PASSWORD_CHANGE, ip=f"user:{user.pk}")
        password = form.cleaned_data["new_password1"]
        change = services.set_personal_password if forced else services.change_password
        user = change(user=user, password=password)
        update_session_auth_hash(request, user)
        messages.success(request, "Ihr persönliches Passwort wurde gespeichert.")
        return redirect(next_page.start_page(user))
    return render(request, "accounts/password_set.html", {"form": form, "forced": forced})


@require_safe
def session_keepalive(request):
    """ "Sitzung verlängern" of the timeout warning (WCAG 2.2.1): the idle clock starts again. A logged-out or expired
    session gets the login redirect like any page, which the warning then follows."""
    request.session[LAST_SEEN] = int(time.time())
    return HttpResponse(status=204)
