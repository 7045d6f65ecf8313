from django.contrib import admin, messages

from outbox import worker
from outbox.models import MessageStatus, OutboxMessage

SECRET_HIDDEN = "(Vertraulicher Inhalt, wird nicht angezeigt.)"


class StatusFilter(admin.SimpleListFilter):
    title = "Status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return MessageStatus.choices

    def queryset(self, request, queryset):
        return queryset.filter(status=self.value()) if self.value() else queryset


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Fund staff see what waits and what failed; the worker alone sends (outbox/worker.py)."""

    list_display = ["created_at", "to", "subject", "status", "attempts", "next_attempt_at", "sent_at"]
    list_filter = [StatusFilter]
    search_fields = ["to", "subject"]
    date_hierarchy = "created_at"
    fields = [
        "status",
        "to",
        "subject",
        "body_shown",
        "template",
        "from_email",
        "message_id",
        "created_at",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_error",
        "secret",
    ]
    readonly_fields = fields
    actions = ["resend"]

    @admin.display(description="Text")
    def body_shown(self, obj):
        """A secret mail (a login code) is never shown, not even while it waits to be sent."""
        return SECRET_HIDDEN if obj.secret and obj.status == MessageStatus.QUEUED else obj.body

    def has_add_permission(self, request):
        return False  # mails are written by the portal's actions only

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # kept as the record of what was sent (SECURITY.md, log inventory)

    @admin.action(description="Erneut senden")
    def resend(self, request, queryset):
        count = worker.send_again(queryset)
        self.message_user(request, f"{count} E-Mail(s) werden erneut gesendet.", messages.SUCCESS)
        if count < queryset.count():
            self.message_user(
                request,
                "Vertrauliche E-Mails (Codes für die Anmeldung) werden nicht erneut gesendet: ihr Inhalt ist gelöscht. "
                "Der Empfänger fordert bei der Anmeldung einen neuen Code an.",
                messages.WARNING,
            )
