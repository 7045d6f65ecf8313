from django.contrib import admin
from django.shortcuts import redirect


class PortalAdminSite(admin.AdminSite):
    """The Django admin for fund staff, with German titles."""

    site_header = "Zusatzversorgungskasse Thüringen – Verwaltung"
    site_title = "ZVK-Verwaltung"
    index_title = "Mitgliederportal: Benutzerverwaltung"

    def has_permission(self, request):
        """Fund staff reach the admin only with a session that confirmed their second factor (AUTH-18), as
        django-otp's OTPAdminSite does; factors.middleware sends them to "Anmeldung bestätigen" first."""
        return super().has_permission(request) and request.user.is_verified()

    def password_change(self, request, extra_context=None):
        """Fund staff change their password on the portal's page, which goes through the services (rules,
        audit entry, e-mail) like everyone else's."""
        return redirect("accounts:password_set")
