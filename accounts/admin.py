"""Django admin for staff: users, companies, memberships, invitations.

Company status changes belong to moderators (bourse.moderation services write the audit log),
so the status is read-only here.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import Company, Invitation, Membership, Moderator, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "joined_at"]
    readonly_fields = ["joined_at"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "company", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_superuser", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    list_select_related = ["membership__company"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Identité"), {"fields": ("first_name", "last_name", "phone")}),
        (
            _("Droits"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    @admin.display(description=_("entreprise"))
    def company(self, user: User) -> str:
        membership = user.membership_or_none
        return membership.company.name if membership else "—"


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "siret",
        "postal_code",
        "commune",
        "departement",
        "status",
        "created_at",
    ]
    list_filter = ["status", "departement"]
    search_fields = ["name", "siret", "siren", "commune"]
    readonly_fields = [
        "siren",
        "commune",
        "departement",
        "latitude",
        "longitude",
        "status",
        "status_reason",
        "status_changed_at",
        "created_at",
        "updated_at",
    ]
    inlines = [MembershipInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "company", "role", "joined_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "company__name"]
    autocomplete_fields = ["user", "company"]
    list_select_related = ["user", "company"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "company", "invited_by", "created_at", "accepted_at", "revoked_at"]
    search_fields = ["email", "company__name"]
    readonly_fields = ["token", "created_at", "accepted_at"]
    autocomplete_fields = ["company", "invited_by"]
    list_select_related = ["company", "invited_by"]


@admin.register(Moderator)
class ModeratorAdmin(admin.ModelAdmin):
    list_display = ["user", "is_national", "departements", "created_at"]
    list_filter = ["is_national"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]
