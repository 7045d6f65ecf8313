"""Grants and member locks for fund staff: to read. They change only through the portal's services."""

from django.contrib import admin

from base.admin import ReadOnlyAdmin
from clerks import review
from clerks.models import AccessReview, Grant, MemberLock, SuspendedGrant


@admin.register(Grant)
class GrantAdmin(ReadOnlyAdmin):
    list_display = ["clerk", "billing_unit", "granted_by", "granted_at"]
    list_select_related = ["clerk", "billing_unit", "granted_by"]
    search_fields = ["clerk__email", "clerk__last_name", "billing_unit__number", "billing_unit__name"]
    list_filter = [("billing_unit__member", admin.RelatedOnlyFieldListFilter)]


class SuspendedGrantInline(admin.TabularInline):
    model = SuspendedGrant
    fields = ["billing_unit", "granted_by", "granted_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(MemberLock)
class MemberLockAdmin(ReadOnlyAdmin):
    list_display = ["clerk", "member", "kind", "locked_by_label", "locked_at", "lifted_at"]
    list_select_related = ["clerk", "member"]
    list_filter = ["kind", ("member", admin.RelatedOnlyFieldListFilter), ("lifted_at", admin.EmptyFieldListFilter)]
    search_fields = ["clerk__email", "clerk__last_name", "member__number", "reason"]
    inlines = [SuspendedGrantInline]


class OverdueFilter(admin.SimpleListFilter):
    """Reviews still open after 42 days: fund staff ask the member; nothing is removed automatically."""

    title = "überfällig"
    parameter_name = "ueberfaellig"

    def lookups(self, request, model_admin):
        return [("ja", "ja")]

    def queryset(self, request, queryset):
        if self.value() == "ja":
            return queryset.filter(pk__in=review.overdue().values("pk"))
        return queryset


@admin.register(AccessReview)
class AccessReviewAdmin(ReadOnlyAdmin):
    list_display = ["member", "year", "started_at", "reminders", "completed_at"]
    list_filter = [OverdueFilter, "year"]
    list_select_related = ["member"]
    search_fields = ["member__number", "member__name"]
