"""Zweiten Faktor einrichten, Anmeldung bestätigen, Sicherheit (a user's own factors)."""

from base64 import b32encode
from urllib.parse import quote

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.middleware import csrf
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import json_script
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential
from markupsafe import Markup

from accounts import next_page
from accounts.models import DomainError, User
from factors import policy, services
from factors.forms import CODE_INVALID, CodeForm, EmailCodeForm, PasskeyNameForm, TotpEnrolForm
from factors.login_step import after_verification
from factors.models import EmailCodeDevice
from security import devices, throttling
from security.client_address import client_ip

ENROL_KEY = "factors_enrol_totp_key"
CODES_DUE = "factors_recovery_codes_due"


def recovery_codes_due(request) -> bool:
    """Whether this session left "Passkey eingerichtet" or the codes' page without making recovery codes: every page
    then says so, with the way to make them, until they are made."""
    user, session = getattr(request, "user", None), getattr(request, "session", None)  # none on some error pages
    return bool(user is not None and user.is_authenticated and session is not None and session.get(CODES_DUE))


ENDED = "Zu viele fehlgeschlagene Versuche. Bitte melden Sie sich erneut an."
# Who hands over the new one-time password of a Deaktiviert account: a clerk's administrator, else the fund by letter.
ENDED_CLERK = f"{ENDED} Ist Ihr Zugang deaktiviert, erhalten Sie von Ihrem Administrator ein neues Einmalpasswort."
ENDED_BY_LETTER = (
    f"{ENDED} Ist Ihr Zugang deaktiviert, erhalten Sie von der Zusatzversorgungskasse neue Zugangsdaten per Brief."
)


def _webauthn_config(request) -> str:
    """django-otp-webauthn's configuration as a JSON data block (allowed by the CSP, unlike an inline script)."""
    config = {
        "autocompleteLoginFieldSelector": None,
        "nextFieldSelector": "input[name='next']",
        "csrfToken": csrf.get_token(request),
        "beginAuthenticationUrl": reverse("otp_webauthn:credential-authentication-begin"),
        "completeAuthenticationUrl": reverse("otp_webauthn:credential-authentication-complete"),
        "beginRegistrationUrl": reverse("otp_webauthn:credential-registration-begin"),
        "completeRegistrationUrl": reverse("otp_webauthn:credential-registration-complete"),
    }
    return json_script(config, "otp_webauthn_config")


def _totp_qr(request, user, key: str) -> str:
    """The authenticator app's enrolment as an inline SVG QR code (segno; nothing loaded from elsewhere)."""
    device = TOTPDevice(user=user, key=key, name="ZVK")
    qr = segno.make(device.config_url, error="m")
    return Markup(qr.svg_inline(scale=4, title="QR-Code für die Authenticator-App", omitsize=False))


# --- Zweiten Faktor einrichten ---------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
def enrol(request):
    """The administrator's (and fund staff's) first factor: a passkey first, the authenticator app as alternative."""
    if not policy.requires_strong_factor(request.user):
        return redirect("factors:security")
    if policy.is_enrolled(request.user):
        return redirect("factors:security")
    return render(request, "factors/enrol.html", {"webauthn_config": _webauthn_config(request)})


@sensitive_post_parameters("code")
@require_http_methods(["GET", "HEAD", "POST"])
def enrol_totp(request):
    """Authenticator app: the secret is kept in the session until the app's first code confirms it."""
    user = request.user
    if not policy.requires_strong_factor(user):
        return redirect("factors:security")
    enrolled = policy.is_enrolled(user)
    if enrolled and not policy.session_is_verified(request):
        return redirect("factors:verify")
    key = request.session.get(ENROL_KEY)
    if key is None or request.method != "POST":
        key = request.session[ENROL_KEY] = services.new_totp_key()
    form = TotpEnrolForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        device = services.enrol_totp(user=user, key=key, token=form.cleaned_data["code"])
        if device is not None:
            del request.session[ENROL_KEY]
            if not request.user.is_verified():
                otp_login(request, device)  # the first factor, just proven with its code, confirms this session
            messages.success(request, "Die Authenticator-App ist eingerichtet.")
            return redirect("factors:recovery_codes" if not enrolled else "factors:security")
        form.add_error("code", CODE_INVALID)
    device = TOTPDevice(user=user, key=key)
    context = {
        "form": form,
        "qr": _totp_qr(request, user, key),
        "secret": _grouped_base32(device.bin_key),
        "enrolled": enrolled,
    }
    return render(request, "factors/enrol_totp.html", context)


def _grouped_base32(key: bytes) -> str:
    text = b32encode(key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


@require_http_methods(["GET", "HEAD", "POST"])
def recovery_codes(request):
    """Wiederherstellungscodes: shown once, right after they were made (POST); GET explains and offers to make them."""
    user = request.user
    if not policy.requires_strong_factor(user) or not policy.is_enrolled(user):
        return redirect("factors:enrol" if policy.requires_strong_factor(user) else "factors:security")
    if request.method == "POST":
        return _codes_page(request, services.renew_recovery_codes(user=user))
    device = policy.recovery_device(user)
    left = device.token_set.count() if device is not None else 0
    if not left and request.method == "GET":
        request.session[CODES_DUE] = True
    return render(request, "factors/recovery_codes.html", {"codes": None, "left": left})


def _codes_page(request, codes: list[str], passkey=None):
    """The new recovery codes, shown once: to print, or to download as a text file made in the page itself."""
    request.session.pop(CODES_DUE, None)
    text = "\n".join(
        [
            f"Wiederherstellungscodes für das Mitgliederportal der {settings.FUND_NAME}",
            f"Benutzername: {request.user.email} ({request.user.get_role_display()})",
            "Jeder Code gilt nur einmal. Bewahren Sie diese Datei getrennt von Ihrem Passwort auf.",
            "",
            *codes,
            "",
        ]
    )
    context = {"codes": codes, "passkey": passkey, "download": "data:text/plain;charset=utf-8," + quote(text)}
    return render(request, "factors/recovery_codes.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def passkey_added(request):
    """After a passkey was set up: the page confirms it, asks for its name ("Büro-PC") and, while no recovery code is
    left, makes them in the same step and shows them to print or download, so they cannot be skipped unnoticed."""
    device = WebAuthnCredential.objects.filter(user=request.user, confirmed=True).order_by("-created_at", "-pk").first()
    if device is None:
        return redirect("factors:security")
    needs_codes = services.needs_recovery_codes(request.user)
    if needs_codes and request.method == "GET":
        request.session[CODES_DUE] = True
    number = WebAuthnCredential.objects.filter(user=request.user, confirmed=True).count()
    form = PasskeyNameForm(request.POST or None, initial={"name": device.name or f"Passkey {number}"})
    if request.method == "POST" and form.is_valid():
        services.rename_passkey(device=device, name=form.cleaned_data["name"], by=request.user)
        device.refresh_from_db(fields=["name"])
        if needs_codes:
            return _codes_page(request, services.renew_recovery_codes(user=request.user), passkey=device)
        messages.success(request, "Der Passkey ist eingerichtet.")
        return redirect("factors:security")
    return render(request, "factors/passkey_added.html", {"form": form, "device": device, "needs_codes": needs_codes})


@require_http_methods(["GET", "HEAD", "POST"])
def rename_passkey(request, pk):
    """Umbenennen on "Sicherheit": one's own passkeys only."""
    device = get_object_or_404(WebAuthnCredential.objects.filter(user=request.user, confirmed=True), pk=pk)
    form = PasskeyNameForm(request.POST or None, initial={"name": device.name})
    if request.method == "POST" and form.is_valid():
        if services.rename_passkey(device=device, name=form.cleaned_data["name"], by=request.user):
            messages.success(request, "Die Bezeichnung des Passkeys wurde gespeichert.")
        return redirect("factors:security")
    return render(request, "factors/passkey_rename.html", {"form": form, "device": device})


# --- Anmeldung bestätigen ---------------------------------------------------------------------------------------


@sensitive_post_parameters("code")
@require_http_methods(["GET", "HEAD", "POST"])
def verify(request):
    user = request.user
    if policy.session_is_verified(request):
        return redirect(after_verification(request))
    strong = policy.requires_strong_factor(user)
    form_class = CodeForm if strong else EmailCodeForm
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        ip = client_ip(request)
        decision = throttling.attempt(throttling.LOGIN, ip=ip)
        if not decision.allowed:
            messages.error(request, decision.message)
            response = _verify_page(request, form_class(), strong, status=429)
            response["Retry-After"] = str(decision.retry_after)
            return response
        if services.refused_here(request=request, user=user):
            return _end(request, user)
        if form.is_valid():
            if services.verify_code(request=request, user=user, token=form.cleaned_data["code"], ip=ip):
                throttling.give_back(throttling.LOGIN, ip=ip)
                return redirect(after_verification(request))
            if _ended(request, user):
                return redirect("accounts:login")
            form.add_error("code", CODE_INVALID)
            form.data = form.data.copy()
            form.data["code"] = ""  # the field starts empty again
    return _verify_page(request, form, strong)


def _ended(request, user) -> bool:
    """After a failure: is the session over (Deaktiviert, or untrusted clients refused for the account)?"""
    current = User.objects.get(pk=user.pk)
    if current.session_epoch != user.session_epoch or devices.refuses(request, user):
        _end(request, user)
        return True
    return False


def _end(request, user):
    """The login is over: back to the login page, which tells an untrusted browser how long it must wait."""
    logout(request)
    messages.error(request, ENDED_CLERK if user.is_clerk else ENDED_BY_LETTER)
    return redirect("accounts:login")


def _verify_page(request, form, strong: bool, status: int = 200):
    user = request.user
    context = {"form": form, "strong": strong, "next": next_page.requested(request)}
    if strong:
        context["has_passkey"] = WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()
        context["has_app"] = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        context["webauthn_config"] = _webauthn_config(request) if context["has_passkey"] else ""
    return render(request, "factors/verify.html", context, status=status)


@require_POST
def email_code(request):
    """Neuen Code senden: a clerk asks for another e-mail code (within the login's per-address limit)."""
    user = request.user
    if policy.requires_strong_factor(user) or policy.session_is_verified(request):
        return redirect("factors:verify")
    decision = throttling.attempt(throttling.LOGIN, ip=client_ip(request))
    if not decision.allowed:
        messages.error(request, decision.message)
        return redirect("factors:verify")
    if services.refused_here(request=request, user=user):
        return _end(request, user)
    sent = services.send_email_code(user=user, ip=client_ip(request))
    if sent.allowed:
        messages.success(request, f"Wir haben Ihnen einen neuen Code an {user.email} geschickt.")
    else:
        messages.error(request, sent.message)
    return redirect("factors:verify")


# --- Sicherheit ---------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
def security(request):
    user = request.user
    context = {"strong": policy.requires_strong_factor(user)}
    if context["strong"]:
        context.update(
            passkeys=WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("pk"),
            apps=TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk"),
            recovery=policy.recovery_device(user),
            webauthn_config=_webauthn_config(request),
        )
        context["recovery_left"] = context["recovery"].token_set.count() if context["recovery"] else 0
        context["removable"] = len(context["passkeys"]) + len(context["apps"]) > 1
    else:
        context["mode"] = policy.clerk_mode()
        context["remember_days"] = settings.CLERK_REMEMBER_DAYS
        context["email_device"] = EmailCodeDevice.objects.filter(user=user).first()
    return render(request, "factors/security.html", context)


def _remove(request, device, label: str):
    if request.method == "POST":
        try:
            services.remove_factor(user=request.user, device=device)
        except DomainError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, f"{label} wurde entfernt.")
        return redirect("factors:security")
    return render(request, "factors/remove_confirm.html", {"device": device, "label": label})


@require_http_methods(["GET", "HEAD", "POST"])
def remove_passkey(request, pk):
    device = get_object_or_404(WebAuthnCredential.objects.filter(user=request.user), pk=pk)
    return _remove(request, device, f"Der Passkey „{device.name}“")


@require_http_methods(["GET", "HEAD", "POST"])
def remove_totp(request, pk):
    device = get_object_or_404(TOTPDevice.objects.filter(user=request.user), pk=pk)
    return _remove(request, device, f"Die Authenticator-App „{device.name}“")
