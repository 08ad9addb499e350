from django.contrib import admin

from .models import AuditLogEntry, ModerationReason, Report


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(admin.ModelAdmin):
    """Read only: the log is append-only, written by the services."""

    list_display = [
        "created_at",
        "actor_email",
        "action",
        "target_type",
        "target_id",
        "departement",
    ]
    list_filter = ["action", "target_type", "departement"]
    search_fields = ["actor_email", "reason"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["created_at", "target_type", "target_id", "departement", "status", "decision"]
    list_filter = ["status", "target_type", "departement"]
    search_fields = ["reason", "note"]
    raw_id_fields = ["reporter", "reporter_company", "resolved_by"]
    readonly_fields = ["created_at"]


@admin.register(ModerationReason)
class ModerationReasonAdmin(admin.ModelAdmin):
    """The common reasons moderators pick from (API: /api/v1/moderation/reasons/)."""

    list_display = ["text", "target", "action", "position", "active"]
    list_filter = ["target", "action", "active"]
    list_editable = ["position", "active"]
    search_fields = ["text"]
