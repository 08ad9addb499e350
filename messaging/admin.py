from django.contrib import admin

from .models import Conversation, Message


class MessageInline(admin.TabularInline):
    model = Message
    fields = ("created_at", "sender", "company", "body")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    """Read-only: conversations are private to the two companies; staff only inspect them."""

    list_display = ("id", "listing", "owner_company", "other_company", "updated_at")
    list_select_related = ("listing", "owner_company", "other_company")
    search_fields = ("listing__title", "owner_company__name", "other_company__name")
    readonly_fields = (
        "listing",
        "owner_company",
        "other_company",
        "last_message",
        "created_at",
        "updated_at",
    )
    inlines = [MessageInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
