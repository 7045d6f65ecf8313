"""The base of the Django admin pages of every app."""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """For what fund staff read but never edit in the Django admin: users, grants, locks, requests, registrations and
    the audit log change only through the services (admin actions), so there is no add, change or delete."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
