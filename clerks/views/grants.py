"""§5 +/- Zuordnen: which of the administrator's billing units a clerk may work on."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.models import DomainError
from clerks import services
from clerks.forms import (
    UnitsForm,
)
from clerks.models import Grant
from clerks.views.common import (
    UNIT_FIELDS,
    administrator_only,
    already_saved,
    clerk_or_404,
    refuse,
    remember_saved,
    toggled,
)

# --- §5 +/- Zuordnen ----------------------------------------------------------------------------

# The field of the second "Speichern" that takes a clerk's last billing unit.
CONFIRM_NO_UNIT = "ohne_abrechnungsstelle"


@administrator_only
@require_http_methods(["GET", "HEAD", "POST"])
def assign(request, pk):
    clerk = clerk_or_404(request, pk)
    units = services.assignable_units(clerk=clerk, by=request.user).only(*UNIT_FIELDS).order_by("number")
    granted = Grant.objects.visible_to(request.user).filter(clerk=clerk, billing_unit__in=units)
    granted = granted.values_list("billing_unit_id", flat=True)
    form = UnitsForm(
        request.POST if request.method == "POST" else None,
        units=units,
        require_one=False,
        initial={"units": list(granted)},
    )
    if "toggle_all" in request.POST:
        form = UnitsForm(units=units, require_one=False, initial={"units": toggled(request, units)})
    elif request.method == "POST" and form.is_valid():
        unit_ids = [u.pk for u in form.cleaned_data["units"]]
        if CONFIRM_NO_UNIT not in request.POST and services.leaves_without_units(
            clerk=clerk, by=request.user, unit_ids=unit_ids
        ):
            return render(request, "clerks/clerk_assign_none.html", {"clerk": clerk, "confirm": CONFIRM_NO_UNIT})
        try:
            change = services.set_grants(clerk=clerk, by=request.user, unit_ids=unit_ids)
        except DomainError as error:
            refuse(form, error)
        else:
            changed = change["added"] or change["removed"]
            if changed:
                remember_saved(request, "assign", clerk)
            messages.success(
                request,
                "Die Berechtigungen wurden gespeichert." if changed else "Es wurden keine Änderungen vorgenommen.",
            )
            return redirect("clerks:detail", pk=clerk.pk)
    context = {
        "clerk": clerk,
        "form": form,
        "already_saved": "" if form.is_bound else already_saved(request, "assign", clerk),
    }
    return render(request, "clerks/clerk_assign.html", context)
