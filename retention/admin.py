"""The reports of the deletion runs, for fund staff to read (the last one first)."""

from django.contrib import admin

from base.admin import ReadOnlyAdmin
from retention.management.commands.apply_retention import LABELS
from retention.models import RetentionRun


@admin.register(RetentionRun)
class RetentionRunAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "dry_run", "summary"]
    fields = ["started_at", "dry_run", "summary"]
    readonly_fields = fields

    @admin.display(description="Ergebnis")
    def summary(self, obj):
        parts = []
        for key, value in obj.report.items():
            parts.append(f"{LABELS.get(key, key)}: {len(value) if isinstance(value, list) else value}")
        return "; ".join(parts)
