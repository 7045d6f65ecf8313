"""Registrierung: the public application form and its confirmation page."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from registration import services
from registration.forms import RegistrationForm
from security import throttling
from security.client_address import client_ip
from security.pages import throttled


@login_not_required
@require_http_methods(["GET", "HEAD", "POST"])
def apply(request):
    if request.method != "POST":
        return render(request, "registration/application.html", {"form": RegistrationForm()})
    decision = throttling.attempt(throttling.REGISTRATION, ip=client_ip(request))
    if not decision.allowed:
        return throttled(request, "registration/application.html", RegistrationForm, decision)
    form = RegistrationForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        services.submit_application(
            member=data["member"],
            units=data["units"],
            all_units=not data["units"],
            salutation=data["salutation"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            phone=data["phone"],
        )
        return redirect("registration:done")
    return render(request, "registration/application.html", {"form": form})


@login_not_required
@require_safe
def done(request):
    return render(request, "registration/done.html")
