"""§3 Sachbearbeiter anlegen, in two steps: the personal data, then the billing units."""

import uuid

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from accounts import typed_input
from accounts.models import DomainError
from billing_units.models import BillingUnit
from clerks import services
from clerks.forms import (
    PersonalDataForm,
    UnitsForm,
)
from clerks.views.common import (
    PERSON_INPUT,
    SAVED,
    UNIT_FIELDS,
    administrator_only,
    clerk_or_404,
    refuse,
    toggled,
    typed_again,
)

DRAFT = "clerk_draft"
CREATED = "clerk_created"


@administrator_only
@typed_input.keeps_input(*PERSON_INPUT)
@require_http_methods(["GET", "HEAD", "POST"])
def create(request):
    """Step 1: the personal data. They wait in the session until step 2 saves the clerk."""
    typed = typed_again(request, "Weiter") if request.method != "POST" else None
    draft = request.session.get(DRAFT) or {}
    returning = draft and request.GET.get("entwurf") == draft.get("token")
    initial = typed.dict() if typed is not None else draft.get("person") if returning else None
    form = PersonalDataForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.check_clerk_email(email=form.cleaned_data["email"])
        except DomainError as error:
            refuse(form, error)
        else:
            token = draft.get("token") or uuid.uuid4().hex
            request.session[DRAFT] = {"token": token, "person": form.cleaned_data, "units": draft.get("units", [])}
            return redirect("clerks:create_units")
    return render(request, "clerks/clerk_create.html", {"form": form})


@administrator_only
@typed_input.keeps_input("units", session_keys=(DRAFT,))
@require_http_methods(["GET", "HEAD", "POST"])
def create_units(request):
    """Step 2: a checkbox per billing unit in scope, then "Speichern". A second submit never makes a second clerk."""
    typed = typed_again(request, "Speichern") if request.method != "POST" else None
    created = request.session.get(CREATED) or {}
    token = request.POST.get("token", "")
    if request.method == "POST" and token in created:
        return redirect("clerks:created", pk=created[token])
    draft = request.session.get(DRAFT)
    if not draft and created and request.method != "POST":  # "Zurück" after saving
        messages.info(request, "Der Sachbearbeiter wurde bereits gespeichert. Sie müssen nichts erneut speichern.")
        return redirect("clerks:created", pk=next(iter(created.values())))
    if not draft or (request.method == "POST" and token != draft["token"]):
        messages.info(request, "Bitte geben Sie zuerst die persönlichen Daten des Sachbearbeiters ein.")
        return redirect("clerks:create")
    units = BillingUnit.objects.visible_to(request.user).only(*UNIT_FIELDS).order_by("number")
    chosen = typed.getlist("units") if typed is not None else draft["units"]
    form = UnitsForm(request.POST if request.method == "POST" else None, units=units, initial={"units": chosen})
    if "toggle_all" in request.POST:
        form = UnitsForm(units=units, initial={"units": toggled(request, units)})
    elif request.method == "POST" and form.is_valid():
        try:
            clerk = services.create_clerk(
                by=request.user, **draft["person"], unit_ids=[unit.pk for unit in form.cleaned_data["units"]]
            )
        except DomainError as error:
            clerk = services.just_created_by(by=request.user, email=draft["person"]["email"])
            if clerk is None:
                refuse(form, error)
        if clerk is not None:
            request.session[CREATED] = {token: clerk.pk}
            request.session.pop(DRAFT, None)
            messages.success(request, SAVED)
            return redirect("clerks:created", pk=clerk.pk)
    return render(request, "clerks/clerk_create_units.html", {"form": form, "draft": draft})


@administrator_only
@require_safe
def created(request, pk):
    return render(request, "clerks/clerk_created.html", {"clerk": clerk_or_404(request, pk)})
