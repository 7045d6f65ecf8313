"""§7.1 and §7.2: "Berechtigung entziehen" and "Berechtigung erteilen" for clerks, and the administrator's lock with
its second confirmation."""

from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accounts.models import DomainError
from clerks import authority, listing, lock_collisions, services
from clerks.forms import (
    LockReasonForm,
)
from clerks.models import MemberLock
from clerks.views.common import (
    NEW_OTP_ELSEWHERE,
    administrator_only,
    administrator_or_404,
    clerk_or_404,
    to_fresh_otp,
)

# --- §7.1 Sachbearbeiter: Berechtigung entziehen / erteilen ---------------------------------------


@administrator_only
@require_http_methods(["GET", "HEAD", "POST"])
def lock(request, pk):
    clerk = clerk_or_404(request, pk)
    refusal = services.lock_refusal(clerk=clerk, by=request.user) if request.method != "POST" else None
    if refusal:  # no reason to ask for: say why at once (the POST is refused by the service alike)
        messages.error(request, refusal)
        return redirect("clerks:detail", pk=clerk.pk)
    form = LockReasonForm(
        request.POST if request.method == "POST" else None, initial={"reason": request.GET.get("grund", "")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.lock_clerk(clerk=clerk, by=request.user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, "Dem Sachbearbeiter wurde die Berechtigung entzogen.")
        return redirect("clerks:detail", pk=clerk.pk)
    return render(request, "clerks/lock_reason.html", {"target": clerk, "form": form})


@administrator_only
@require_http_methods(["GET", "HEAD", "POST"])
def unlock(request, pk, lock_pk):
    clerk = clerk_or_404(request, pk)
    member_lock = get_object_or_404(MemberLock.objects.visible_to(request.user).filter(clerk=clerk), pk=lock_pk)
    if not member_lock.is_open:  # e.g. a colleague lifted it a moment ago
        messages.info(request, lock_collisions.already_lifted(lock=member_lock, by=request.user))
        return redirect("clerks:detail", pk=clerk.pk)
    if not authority.may_lift(lock=member_lock, by=request.user):
        messages.error(request, lock_collisions.lift_refused(lock=member_lock, by=request.user))
        return redirect("clerks:detail", pk=clerk.pk)
    if request.method == "POST":
        try:
            value = services.restore_clerk(lock=member_lock, by=request.user)
        except DomainError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, "Die Berechtigung wurde erteilt.")
            if value and authority.may_handle_credentials(by=request.user, target=clerk):
                messages.info(request, "Teilen Sie dem Sachbearbeiter das neu generierte Einmalpasswort mit.")
                return to_fresh_otp(request, clerk)
            if value:
                messages.info(request, NEW_OTP_ELSEWHERE)
        return redirect("clerks:detail", pk=clerk.pk)
    return render(request, "clerks/clerk_unlock.html", {"clerk": clerk, "lock": member_lock})


# --- §7.2 Administrator: Berechtigung entziehen ---------------------------------------------------


@administrator_only
@require_http_methods(["GET", "HEAD", "POST"])
def lock_administrator(request, pk):
    """Step b: the reason. A valid reason leads to the confirmation page of step c."""
    administrator = administrator_or_404(request, pk)
    form = LockReasonForm(
        request.POST if request.method == "POST" else None, initial={"reason": request.GET.get("grund", "")}
    )
    if request.method == "POST" and form.is_valid():
        context = {
            "target": administrator,
            "form": form,
            "plan": services.administrator_lock_plan(administrator=administrator, by=request.user),
            "is_self": administrator.pk == request.user.pk,
        }
        return render(request, "clerks/administrator_lock_confirm.html", context)
    return render(request, "clerks/lock_reason.html", {"target": administrator, "form": form})


@administrator_only
@require_http_methods(["GET", "HEAD", "POST"])
def lock_administrator_confirm(request, pk):
    """Step c: "Berechtigung entziehen" once more, then the administrator is Gesperrt for good."""
    administrator = administrator_or_404(request, pk)
    form = LockReasonForm(request.POST if request.method == "POST" else None)
    if request.method != "POST" or not form.is_valid():
        return redirect("clerks:lock_administrator", pk=administrator.pk)
    try:
        services.lock_administrator(administrator=administrator, by=request.user, reason=form.cleaned_data["reason"])
    except DomainError as error:
        messages.error(request, error.messages[0])
        return redirect(listing.list_url(request))
    if administrator.pk == request.user.pk:
        logout(request)
        messages.info(request, "Sie haben sich selbst die Berechtigung entzogen und wurden abgemeldet.")
        return redirect("accounts:login")
    administrator.refresh_from_db(fields=["status", "is_active"])
    if administrator.is_locked:
        messages.success(request, "Dem Administrator wurde die Berechtigung entzogen.")
    else:
        messages.success(
            request,
            "Dem Administrator wurde die Berechtigung für Ihre Abrechnungsstellen entzogen. Für seine übrigen "
            "Registrierungen bleibt er Administrator.",
        )
    return redirect(listing.list_url(request))
