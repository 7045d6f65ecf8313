"""The audit log for fund staff: to read and filter, never to change."""

from django.contrib import admin

from audit.models import AuditEntry
from base.admin import ReadOnlyAdmin


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor_label", "action_display", "target", "member", "reason"]
    list_filter = [
        ("member", admin.RelatedOnlyFieldListFilter),
        ("actor", admin.RelatedOnlyFieldListFilter),
        ("action", admin.ChoicesFieldListFilter),
        "created_at",
    ]
    search_fields = ["actor_label", "target__email", "target__last_name", "action"]
    list_select_related = ["target", "member"]
    date_hierarchy = "created_at"
    fields = ["created_at", "actor", "actor_label", "action", "action_display", "target", "member", "data"]
    readonly_fields = fields
    show_full_result_count = False

    @admin.display(description="Aktion")
    def action_display(self, obj):
        return obj.description

    @admin.display(description="Grund")
    def reason(self, obj):
        return (obj.data or {}).get("reason", "")
