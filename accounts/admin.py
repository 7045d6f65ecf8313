"""The Django admin for fund staff: users, "Passwort vergessen" requests, registrations, the audit log.

Statuses, one-time passwords, grants and locks change only through the services (admin actions here);
password hashes and one-time passwords never appear in a list or form.
"""

from django.contrib import admin, messages
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html, format_html_join

from accounts import letters, otp, services
from accounts.models import DomainError, Membership, PasswordRequest, Role, User
from audit.models import AuditEntry
from base.admin import ReadOnlyAdmin
from factors import policy as factor_policy
from factors import services as factor_services
from registration.models import AdministratorApplication, ApplicationStatus

# Fund staff are superusers and the user form shows no groups or permissions, so Django's group admin has no
# use here; it is removed rather than shown with its permission picker, whose search labels break WCAG 4.1.2
# (axe: aria-prohibited-attr).
admin.site.unregister(Group)


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ["member", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class InactivityReportedFilter(admin.SimpleListFilter):
    """Administrators that `lock_inactive_accounts` did not lock because they are a member's last one: fund staff
    decide (call them, or approve a new administrator)."""

    title = "wegen Inaktivität gemeldet"
    parameter_name = "inaktiv_gemeldet"

    def lookups(self, request, model_admin):
        return [("ja", "ja")]

    def queryset(self, request, queryset):
        if self.value() != "ja":
            return queryset
        reported = AuditEntry.objects.filter(action="administrator.inactive_reported").values("target_id")
        return queryset.filter(pk__in=reported).unlocked()


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    list_display = ["email", "last_name", "first_name", "role", "status", "portal_access_display", "last_login"]
    list_filter = ["role", "status", "is_staff", InactivityReportedFilter]
    search_fields = ["email", "first_name", "last_name"]
    ordering = ["name_key", "pk"]
    fields = [
        "email",
        "role",
        "first_name",
        "last_name",
        "phone",
        "status",
        "portal_access_display",
        "otp_expires_at",
        "failed_login_count",
        "scope_units_display",
        "date_joined",
        "last_login",
        "password_changed_at",
        "is_staff",
        "is_superuser",
    ]
    readonly_fields = fields
    inlines = [MembershipInline]
    actions = ["issue_access_letter", "reset_second_factor", "end_sessions"]

    # Never filterable through the query string (?password__startswith=… would read hashes out letter by letter).
    SECRET_FIELDS = ("password", "otp_hash", "otp_ciphertext")

    def lookup_allowed(self, lookup, value, request=None):
        if lookup.split("__")[0] in self.SECRET_FIELDS:
            return False
        return super().lookup_allowed(lookup, value, request)

    @admin.display(description="Portalzugang")
    def portal_access_display(self, obj):
        return obj.portal_access

    @admin.display(description="Abrechnungsstellen (Registrierung)")
    def scope_units_display(self, obj):
        return ", ".join(str(unit) for unit in obj.scope_units.all()) or "–"

    @admin.action(description="Neues Einmalpasswort setzen und Zugangsbrief erstellen")
    def issue_access_letter(self, request, queryset):
        done = []
        for user in queryset:
            try:
                services.issue_access_letter_otp(user=user, by=request.user)
            except DomainError as error:
                self.message_user(request, f"{user.email}: {error.messages[0]}", messages.ERROR)
            else:
                done.append(user)
        if done:
            links = format_html_join(
                ", ",
                '<a href="{}">{}</a>',
                ((reverse("admin:accounts_user_letter", args=[u.pk]), u.email) for u in done),
            )
            self.message_user(request, format_html("Neues Einmalpasswort gesetzt. Zugangsbrief: {}", links))

    @admin.action(description="Zweiten Faktor zurücksetzen und Zugangsbrief erstellen")
    def reset_second_factor(self, request, queryset):
        """An administrator's lost factor (DESIGN §8): every factor goes, then a new one-time password for the
        letter, so the owner proves itself with the letter again and enrols anew. Fund staff's factors are reset
        by another superuser with `manage.py reset_second_factor`."""
        done = []
        for user in queryset:
            if user.role != Role.ADMINISTRATOR:
                self.message_user(
                    request,
                    f"{user.email}: Hier nur für Administratoren. Den zweiten Faktor eines Sachbearbeiters setzt sein "
                    "Administrator zurück, den eines ZVK-Mitarbeiters ein anderer Superuser (manage.py "
                    "reset_second_factor).",
                    messages.ERROR,
                )
                continue
            try:
                with transaction.atomic():  # the reset and its letter, or neither
                    factor_services.reset_by_staff(user=user, by=request.user)
                    services.issue_access_letter_otp(user=user, by=request.user, after_factor_reset=True)
            except DomainError as error:
                self.message_user(request, f"{user.email}: {error.messages[0]}", messages.ERROR)
            else:
                done.append(user)
        if done:
            links = format_html_join(
                ", ",
                '<a href="{}">{}</a>',
                ((reverse("admin:accounts_user_letter", args=[u.pk]), u.email) for u in done),
            )
            self.message_user(request, format_html("Zweiter Faktor zurückgesetzt. Zugangsbrief: {}", links))

    @admin.action(description="Alle Sitzungen beenden")
    def end_sessions(self, request, queryset):
        for user in queryset:
            services.end_sessions(user=user, by=request.user)
        self.message_user(request, f"Die Sitzungen von {queryset.count()} Benutzer(n) wurden beendet.")

    def get_urls(self):
        letter = self.admin_site.admin_view(self.access_letter)
        return [path("<int:pk>/zugangsbrief/", letter, name="accounts_user_letter"), *super().get_urls()]

    def access_letter(self, request, pk):
        """Zugangsdaten: a printable A4 letter with login name, one-time password, expiry and first steps."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        user = get_object_or_404(
            User.objects.prefetch_related(
                Prefetch("memberships", queryset=Membership.objects.select_related("member"))
            ),
            pk=pk,
        )
        member = letter_member(user)
        attention = f"z. Hd. {user.addressed_name}"
        otp_value = otp.readable(user)
        if otp_value and request.method == "GET" and not services.record_otp_shown(clerk=user, by=request.user):
            otp_value = None  # the row is held by a change under way: the letter shows no password it did not log
        context = {
            **self.admin_site.each_context(request),
            "recipient": user,
            "occasion": letters.occasion(user),
            "member": member,
            "address_lines": member.address_lines(attention) if member else [attention],
            "otp_value": otp_value,
            "expires_at": user.otp_expires_at,
            # What the first login asks besides the password (DESIGN §8): a passkey or an app, or a clerk's e-mail code.
            "strong_factor": factor_policy.requires_strong_factor(user),
            "email_code": factor_policy.clerk_mode() != "off",
        }
        response = TemplateResponse(request, "admin/accounts/user/access_letter.html", context)
        add_never_cache_headers(response)
        return response


def letter_member(user):
    """Whose address the access letter goes to: for an administrator, the member of its most recently approved
    registration (DESIGN §8: never a member that has just ended it); otherwise its first member."""
    if user.is_administrator:
        approved = (
            AdministratorApplication.objects.filter(administrator=user, status=ApplicationStatus.APPROVED)
            .select_related("member")
            .order_by("-decided_at", "-pk")
            .first()
        )
        if approved is not None:
            return approved.member
    membership = next(iter(user.memberships.all()), None)
    return membership.member if membership else None


@admin.register(PasswordRequest)
class PasswordRequestAdmin(ReadOnlyAdmin):
    list_display = ["email", "role", "user", "created_at", "handled_at", "letter_link"]
    list_filter = ["role", ("handled_at", admin.EmptyFieldListFilter)]
    search_fields = ["email"]
    list_select_related = ["user"]
    readonly_fields = ["email", "role", "user", "created_at", "handled_at", "handled_by"]

    @admin.display(description="Zugangsbrief")
    def letter_link(self, obj):
        if obj.role != Role.ADMINISTRATOR or obj.user is None:
            return "–"
        url = reverse("admin:accounts_user_changelist") + f"?id__exact={obj.user_id}"
        return format_html('<a href="{}">Benutzer öffnen</a>', url)
