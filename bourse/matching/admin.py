"""Staff views of matching data (read-mostly: matches are recorded by the rematch task)."""

from django.contrib import admin

from .models import Dismissal, Match, SavedSearch, SavedSearchHit


@admin.register(Match)
class MatchAdmin(admin.ModelAdmin):
    list_display = ("id", "listing_a", "listing_b", "score", "created_at", "notified_at")
    list_select_related = ("listing_a", "listing_b")
    raw_id_fields = ("listing_a", "listing_b")
    readonly_fields = ("listing_a", "listing_b", "score", "reasons", "created_at", "notified_at")
    date_hierarchy = "created_at"


@admin.register(Dismissal)
class DismissalAdmin(admin.ModelAdmin):
    list_display = ("id", "company", "listing", "dismissed_by", "created_at")
    list_select_related = ("company", "listing", "dismissed_by")
    raw_id_fields = ("company", "listing", "dismissed_by")


@admin.register(SavedSearch)
class SavedSearchAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "company", "kind", "category", "postal_code", "radius_km")
    list_select_related = ("company", "category")
    raw_id_fields = ("company", "created_by")
    search_fields = ("name", "q", "company__name")


@admin.register(SavedSearchHit)
class SavedSearchHitAdmin(admin.ModelAdmin):
    list_display = ("id", "saved_search", "listing", "created_at", "digested_at")
    list_select_related = ("saved_search", "listing")
    raw_id_fields = ("saved_search", "listing")
