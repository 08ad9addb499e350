from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "company", "kind", "title", "read_at"]
    list_filter = ["kind"]
    search_fields = ["title", "company__name"]
    raw_id_fields = ["company"]
    readonly_fields = ["created_at"]
