"""Staff see what the side-effect path and the scheduler are doing, and retry what failed."""

import json

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import outbox
from .models import OutboxEntry, PeriodicJob


@admin.register(OutboxEntry)
class OutboxEntryAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "kind",
        "label",
        "status",
        "attempts",
        "run_after",
        "short_error",
    )
    list_filter = ("status", "kind")
    search_fields = ("key",)
    ordering = ("-created_at",)
    date_hierarchy = "created_at"
    actions = ("retry_now",)
    readonly_fields = fields = (
        "key",
        "kind",
        "shown_payload",
        "status",
        "attempts",
        "run_after",
        "lease_until",
        "task_id",
        "last_error",
        "created_at",
        "done_at",
    )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("objet"))
    def label(self, obj: OutboxEntry) -> str:
        return obj.label

    @admin.display(description=_("dernière erreur"))
    def short_error(self, obj: OutboxEntry) -> str:
        return obj.last_error[:120]

    @admin.display(description=_("contenu"))
    def shown_payload(self, obj: OutboxEntry) -> str:
        """A code or a reset link is not for staff's eyes."""
        return json.dumps(outbox.redacted(obj.payload), ensure_ascii=False, indent=2)

    @admin.action(description=_("Réessayer maintenant"), permissions=["change"])
    def retry_now(self, request, queryset):
        count = outbox.retry(queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext("%(count)d envoi relancé.", "%(count)d envois relancés.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(PeriodicJob)
class PeriodicJobAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "next_run_at",
        "last_started_at",
        "last_finished_at",
        "runs",
        "failures",
        "short_error",
    )
    readonly_fields = (
        "name",
        "next_run_at",
        "lease_until",
        "owner",
        "last_started_at",
        "last_finished_at",
        "last_error",
        "runs",
        "failures",
    )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("dernière erreur"))
    def short_error(self, obj: PeriodicJob) -> str:
        return obj.last_error[:120]
