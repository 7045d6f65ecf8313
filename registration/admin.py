"""Registrations for fund staff: "Freigeben" and "Ablehnen" as admin actions (services), never a field edit."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from accounts.models import DomainError
from base.admin import ReadOnlyAdmin
from registration import services
from registration.models import AdministratorApplication, ApplicationStatus, earlier_accounts_of


class RejectForm(forms.Form):
    reason = forms.CharField(
        label="Grund der Ablehnung",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Bitte geben Sie einen Grund für die Ablehnung an."},
    )


class _ChangeList(ChangeList):
    """The change list with the earlier accounts of its page's registrations read at once (their "Hinweis")."""

    def get_results(self, request):
        super().get_results(request)
        earlier = earlier_accounts_of(self.result_list)
        for application in self.result_list:
            application.earlier = earlier[application.pk]


@admin.register(AdministratorApplication)
class AdministratorApplicationAdmin(ReadOnlyAdmin):
    list_display = ["full_name", "email", "member", "units_display", "status", "created_at", "earlier_accounts_display"]
    list_filter = ["status", ("member", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["email", "last_name", "first_name", "member__number", "member__name"]
    list_select_related = ["member"]
    fields = [
        "salutation",
        "first_name",
        "last_name",
        "email",
        "phone",
        "member",
        "units_display",
        "responsibilities_confirmed",
        "status",
        "created_at",
        "decided_at",
        "decided_by",
        "rejection_reason",
        "administrator",
        "earlier_accounts_display",
    ]
    readonly_fields = fields
    actions = ["approve", "reject"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("billing_units")

    def get_changelist(self, request, **kwargs):
        return _ChangeList

    @admin.display(description="Name")
    def full_name(self, obj):
        return f"{obj.first_name} {obj.last_name}"

    @admin.display(description="Abrechnungsstellen")
    def units_display(self, obj):
        if obj.all_units:
            return "alle Abrechnungsstellen des Mitglieds"
        return ", ".join(unit.number for unit in obj.billing_units.all())

    @admin.display(description="Hinweis")
    def earlier_accounts_display(self, obj):
        grants = f"Die Freigabe erteilt die Registrierung für {obj.member} ({self.units_display(obj)})."
        earlier = obj.earlier if hasattr(obj, "earlier") else obj.earlier_accounts()
        if not earlier:
            return grants
        accounts = "; ".join(f"{u.email} ({u.get_status_display()}{self._registrations(u)})" for u in earlier)
        return (
            f"{grants} Erneute Registrierung: Für diese Person besteht bereits ein Administratorzugang: {accounts}. "
            "Bei gleicher E-Mail-Adresse erhält dieser Zugang neue Zugangsdaten; bestehende Registrierungen für "
            "andere Mitglieder bleiben, durch eine Sperre beendete Registrierungen leben nicht wieder auf. Bei neuer "
            "E-Mail-Adresse entsteht ein neuer Zugang, der bisherige bleibt bestehen."
        )

    @staticmethod
    def _registrations(user) -> str:
        members = sorted({str(unit.member) for unit in user.scope_units.all()})
        return f"; registriert für {', '.join(members)}" if members else "; derzeit für kein Mitglied registriert"

    def get_urls(self):
        def view(method):
            return self.admin_site.admin_view(method)

        return [
            path(
                "<path:object_id>/freigeben/",
                view(self.approve_one),
                name="registration_administratorapplication_approve",
            ),
            path(
                "<path:object_id>/ablehnen/",
                view(self.reject_one),
                name="registration_administratorapplication_reject",
            ),
            *super().get_urls(),
        ]

    def _decision(self, request, object_id):
        """The registration a "Freigeben"/"Ablehnen" button of its page names; a decided one goes back to its page."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        application = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not application.is_open:
            self.message_user(request, "Über diese Registrierung wurde bereits entschieden.", messages.WARNING)
        return application

    def _change_page(self, application):
        return redirect("admin:registration_administratorapplication_change", application.pk)

    def _confirmation(self, request, application, *, title, template, form=None):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "application": application,
            "units": self.units_display(application),
            "hint": self.earlier_accounts_display(application),
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, f"admin/registration/administratorapplication/{template}", context)

    def approve_one(self, request, object_id):
        """ "Freigeben" on a registration's page: a confirmation page on GET, the approval on POST."""
        application = self._decision(request, object_id)
        if not application.is_open:
            return self._change_page(application)
        if request.method != "POST":
            return self._confirmation(request, application, title="Registrierung freigeben", template="approve.html")
        try:
            administrator, _value = services.approve_application(application=application, by=request.user)
        except DomainError as error:
            self.message_user(request, error.messages[0], messages.ERROR)
            return self._change_page(application)
        self.message_user(request, f"Registrierung von {administrator.email} freigegeben. Bitte Zugangsbrief drucken.")
        return redirect("admin:accounts_user_letter", pk=administrator.pk)

    def reject_one(self, request, object_id):
        """ "Ablehnen" on a registration's page: the reason on GET (the confirmation step), the rejection on POST."""
        application = self._decision(request, object_id)
        if not application.is_open:
            return self._change_page(application)
        form = RejectForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            try:
                services.reject_application(
                    application=application, by=request.user, reason=form.cleaned_data["reason"]
                )
            except DomainError as error:
                self.message_user(request, error.messages[0], messages.ERROR)
            else:
                self.message_user(request, f"Registrierung von {application.email} abgelehnt.")
            return self._change_page(application)
        return self._confirmation(
            request, application, title="Registrierung ablehnen", template="reject_one.html", form=form
        )

    @admin.action(description="Freigeben")
    def approve(self, request, queryset):
        approved = []
        for application in queryset:
            try:
                administrator, _value = services.approve_application(application=application, by=request.user)
            except DomainError as error:
                self.message_user(request, f"{application.email}: {error.messages[0]}", messages.ERROR)
            else:
                approved.append(administrator)
        if len(approved) == 1:
            self.message_user(
                request, f"Registrierung von {approved[0].email} freigegeben. Bitte Zugangsbrief drucken."
            )
            return redirect("admin:accounts_user_letter", pk=approved[0].pk)
        if approved:
            links = format_html_join(
                ", ",
                '<a href="{}">{}</a>',
                ((reverse("admin:accounts_user_letter", args=[u.pk]), u.email) for u in approved),
            )
            self.message_user(request, format_html("Freigegeben. Zugangsbriefe: {}", links))
        return None

    @admin.action(description="Ablehnen")
    def reject(self, request, queryset):
        open_applications = queryset.filter(status=ApplicationStatus.OPEN)
        form = RejectForm(request.POST if "reason" in request.POST else None)
        if form.is_valid():
            for application in open_applications:
                services.reject_application(
                    application=application, by=request.user, reason=form.cleaned_data["reason"]
                )
            self.message_user(request, f"{open_applications.count() or 'Keine'} offene Registrierung(en) abgelehnt.")
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Registrierungen ablehnen",
            "applications": open_applications,
            "form": form,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/registration/administratorapplication/reject.html", context)
