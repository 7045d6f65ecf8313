"""The Detailansicht (§3 i, §4, §6, §7.1): personal data, the one-time password, its hand-over slip, and the
credential actions "Einmalpasswort setzen" and "Zweiten Faktor zurücksetzen" (DESIGN §8)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from accounts import letters, otp, typed_input
from accounts.models import DomainError, Event
from accounts.services import record_otp_shown
from audit.models import AuditEntry
from clerks import authority, services
from clerks import review as review_service
from clerks.forms import (
    PersonalDataForm,
)
from clerks.models import Grant, MemberLock
from clerks.views.common import (
    BUSY,
    FRESH_OTP,
    HISTORY_ROWS,
    PERSON_INPUT,
    SAVED,
    administrator_only,
    already_saved,
    clerk_and_shared_members,
    clerk_or_404,
    refuse,
    remember_saved,
    to_fresh_otp,
    typed_again,
)
from security import devices

# --- Detailansicht (§3 i, §4, §6, §7.1) -----------------------------------------------------------


def _detail(request, clerk, shared_members, personal_form=None, status=200):
    # Rows of plain values, not model instances: a clerk may hold hundreds of grants.
    grants = (
        Grant.objects.visible_to(request.user)
        .filter(clerk_id=clerk.pk)
        .order_by("billing_unit__member__number", "billing_unit__number")
        .values_list(
            "billing_unit__member__number", "billing_unit__member__name", "billing_unit__name", "billing_unit__number"
        )
    )
    locks = list(MemberLock.objects.visible_to(request.user).filter(clerk_id=clerk.pk).select_related("member"))
    handles_credentials = authority.may_handle_credentials(by=request.user, target=clerk)
    otp_value = authority.readable_otp(by=request.user, clerk=clerk, handles_credentials=handles_credentials)
    just_set = request.session.pop(FRESH_OTP, None) == clerk.pk
    # A HEAD request shows nothing; a GET is audited, and while the clerk's row is held it shows no password.
    otp_busy = bool(otp_value) and request.method == "GET" and not record_otp_shown(clerk=clerk, by=request.user)
    if otp_busy:
        otp_value = None  # never shown without its audit entry
    # Read after that audit entry: the Änderungsprotokoll lists this showing too.
    history = AuditEntry.objects.history_visible_to(request.user, clerk, limit=HISTORY_ROWS)
    personal_form = personal_form or PersonalDataForm(
        initial={f: getattr(clerk, f) for f in ("first_name", "last_name", "phone", "email")},
        email_locked=not handles_credentials,
    )
    # "Berechtigung entziehen" while one of the administrator's members has not locked the clerk yet.
    lockable = services.lockable_member_ids(
        clerk=clerk, by=request.user, shared=shared_members, locks=locks, handles_credentials=handles_credentials
    )
    liftable, restores = authority.open_locks_seen(locks=locks, by=request.user)
    context = {
        "clerk": clerk,
        "can_lock": clerk.can(Event.LOCK) and bool(lockable),
        "can_change": not clerk.is_locked,
        "handles_credentials": handles_credentials,
        "credential_holders": None if handles_credentials else authority.credential_holders(clerk),
        "personal_form": personal_form,
        "otp_value": otp_value,
        "otp_busy": otp_busy,
        "otp_place": _otp_place(clerk, handles_credentials, fresh=just_set and bool(otp_value)),
        "already_saved": "" if personal_form.is_bound else already_saved(request, "personal", clerk),
        "otp_unreadable": handles_credentials and otp.unreadable(clerk),
        "otp_expired": clerk.otp_has_expired,
        "untrusted_refusal": devices.refusal_for(clerk),
        "grants": grants,
        "locks": locks,
        "liftable_locks": liftable,
        "restores": restores,
        "has_open_lock": any(lock.is_open for lock in locks),
        "history": history,
        "last_confirmation": review_service.last_confirmation(clerk),
    }
    return render(request, "clerks/clerk_detail.html", context, status=status)


def _otp_place(clerk, handles_credentials: bool, *, fresh: bool) -> str | None:
    """Where the Detailansicht shows the one-time password: "fresh" at the very top right after it was set, "first"
    above the personal data while one waits to be handed over (manual §6), "usual" below them otherwise, nowhere
    for an administrator who may not handle the clerk's credentials (DESIGN §8)."""
    if not handles_credentials:
        return None
    if fresh:
        return "fresh"
    return "first" if clerk.awaits_handover else "usual"


@administrator_only
@require_safe
def detail(request, pk):
    return _detail(request, *clerk_and_shared_members(request, pk))


@administrator_only
@typed_input.keeps_input(*PERSON_INPUT)
@require_http_methods(["GET", "HEAD", "POST"])
def personal_data(request, pk):
    """§4: Persönliche Daten "Speichern". The form lives on the detail page; a GET shows it there, filled in again
    after a login where it was sent after the session had ended."""
    clerk, shared_members = clerk_and_shared_members(request, pk)
    email_locked = not authority.may_handle_credentials(by=request.user, target=clerk)
    if request.method != "POST":
        typed = typed_again(request, "Speichern")
        if typed is None:
            return redirect("clerks:detail", pk=clerk.pk)
        initial = typed.dict() | ({"email": clerk.email} if email_locked else {})
        form = PersonalDataForm(initial=initial, email_locked=email_locked)
        return _detail(request, clerk, shared_members, personal_form=form)
    form = PersonalDataForm(request.POST, initial={"email": clerk.email}, email_locked=email_locked)
    if form.is_valid():
        try:
            changes = services.update_personal_data(clerk=clerk, by=request.user, **form.cleaned_data)
        except DomainError as error:
            refuse(form, error)
        else:
            messages.success(request, SAVED if changes else "Es wurden keine Änderungen vorgenommen.")
            if changes:
                remember_saved(request, "personal", clerk, lands_here=True)
            if "email" in changes:
                messages.info(
                    request,
                    "Die E-Mail-Adresse ist der neue Benutzername. Der Sachbearbeiter wurde per E-Mail informiert.",
                )
            return redirect("clerks:detail", pk=clerk.pk)
    return _detail(request, clerk, shared_members, personal_form=form)


def _today_de() -> str:
    return timezone.localdate().strftime("%d.%m.%Y")


@administrator_only
@require_safe
def handover_slip(request, pk):
    """ "Übergabeblatt drucken": one A4 page with the clerk's login and one-time password, to hand over (audited)."""
    clerk, _shared = clerk_and_shared_members(request, pk)
    if not authority.may_handle_credentials(by=request.user, target=clerk):
        messages.error(request, authority.REFUSED)
        return redirect("clerks:detail", pk=clerk.pk)
    value = authority.readable_otp(by=request.user, clerk=clerk, handles_credentials=True)
    if not value:
        messages.info(request, "Es gibt kein gültiges Einmalpasswort. Setzen Sie zuerst ein neues Einmalpasswort.")
        return redirect("clerks:detail", pk=clerk.pk)
    # A HEAD request prints nothing; a GET is audited, and while the clerk's row is held it prints no slip.
    if request.method == "GET" and not services.record_handover_slip(clerk=clerk, by=request.user):
        messages.error(request, BUSY)
        return redirect("clerks:detail", pk=clerk.pk)
    context = {"clerk": clerk, "otp_value": value, "administrator": request.user, "now_de": _today_de()}
    context["occasion"] = letters.occasion(clerk)
    return render(request, "clerks/handover_slip.html", context)


# --- §6 Einmalpasswort setzen ---------------------------------------------------------------------


def _credential_action(request, pk, *, refused: str, act, done: str, template: str, sets_otp: bool = False):
    """A credential action on a clerk (DESIGN §8): a confirmation page on GET for whom may handle the clerk's
    credentials (the others go back to the Detailansicht with the reason), the service on POST, which checks
    the same rule again under its locks."""
    clerk = clerk_or_404(request, pk)
    if request.method != "POST" and not authority.may_handle_credentials(by=request.user, target=clerk):
        messages.error(request, refused)
        return redirect("clerks:detail", pk=clerk.pk)
    if request.method == "POST":
        try:
            act(clerk=clerk, by=request.user)
        except DomainError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, done)
            if sets_otp:
                return to_fresh_otp(request, clerk)
        return redirect("clerks:detail", pk=clerk.pk)
    return render(request, template, {"clerk": clerk})


@administrator_only
@require_http_methods(["GET", "HEAD", "POST"])
def reset_otp(request, pk):
    return _credential_action(
        request,
        pk,
        refused=authority.REFUSED,
        act=services.reset_otp,
        done="Ein neues Einmalpasswort wurde gesetzt. Teilen Sie es dem Sachbearbeiter mit.",
        template="clerks/clerk_reset_otp.html",
        sets_otp=True,
    )


@administrator_only
@require_http_methods(["GET", "HEAD", "POST"])
def reset_factor(request, pk):
    """Zweiten Faktor zurücksetzen: a confirmation page, then the reset (the same authority as the one-time password)."""
    return _credential_action(
        request,
        pk,
        refused=authority.REFUSED_FACTOR,
        act=services.reset_second_factor,
        done="Der zweite Faktor wurde zurückgesetzt. Der Sachbearbeiter bestätigt seine nächste Anmeldung an jedem "
        "Computer wieder mit einem Code per E-Mail.",
        template="clerks/clerk_reset_factor.html",
    )
