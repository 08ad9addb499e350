"""Django admin for staff: users, companies, memberships, invitations, moderators.

The admin is no back door around the rules the services keep:
- a company's status belongs to moderators (bourse.moderation services write the audit log);
- its identity and place (name, SIRET, address, postal code, NAF code) change through the
  company's own page (`services.company_update`: the département and coordinates follow the
  postal code, a new identity goes back to the moderators, the registry is asked again), so
  they are read-only here, and companies are declared by their members, never added here;
- memberships change only through the services' actions below (`membership_set_role`,
  `membership_remove`: a company always keeps an administrator, and a removed member's sockets
  are closed), never by editing or deleting rows.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from bourse.core.errors import ServiceError, messages_of

from . import services
from .models import Company, Invitation, Membership, Moderator, User
from .phones import normalize_phone


class MembershipInline(admin.TabularInline):
    """The company's members, read only (see the memberships list for the actions)."""

    model = Membership
    extra = 0
    fields = ["user", "role", "joined_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


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


class CompanyAdminForm(forms.ModelForm):
    """The contact details staff may correct; the phone checked and stored E.164 as on the
    company's page (a number kept as typed before numbers were checked stays until changed)."""

    website = forms.URLField(
        label=Company._meta.get_field("website").verbose_name,
        required=False,
        assume_scheme="https",
        max_length=200,
    )

    class Meta:
        model = Company
        fields = ["phone", "website", "description"]

    def clean_phone(self) -> str:
        value = self.cleaned_data["phone"]
        if "phone" not in self.changed_data:
            return value
        return normalize_phone(value)


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    form = CompanyAdminForm
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
    # Contact details only; everything else is the services' (see the module's docstring).
    editable_fields = ("phone", "website", "description")

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        return [
            f.name
            for f in Company._meta.fields
            if f.name != "id" and f.name not in self.editable_fields
        ]

    inlines = [MembershipInline]

    def has_add_permission(self, request) -> bool:
        return False


def _run_on_each(modeladmin, request, queryset, service, **kwargs) -> None:
    """Run `service` on each selected membership, in the services' rules; a refusal (the
    company's last administrator) is reported and the others still go through."""
    done = 0
    for membership in queryset.select_related("user", "company"):
        try:
            service(membership=membership, by=request.user, **kwargs)
        except ServiceError as exc:
            for message in messages_of(exc):
                modeladmin.message_user(
                    request, f"{membership.user} ({membership.company}) : {message}", messages.ERROR
                )
        else:
            done += 1
    if done:
        modeladmin.message_user(request, _("%(n)d adhésion(s) modifiée(s).") % {"n": done})


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "company", "role", "joined_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "company__name"]
    list_select_related = ["user", "company"]
    readonly_fields = ["user", "company", "role", "joined_at"]
    actions = ["make_admin", "make_member", "remove"]

    def has_add_permission(self, request) -> bool:
        return False  # a person joins through an invitation

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # the "remove" action goes through the service

    @admin.action(description=_("Nommer administrateur"), permissions=["change"])
    def make_admin(self, request, queryset):
        _run_on_each(
            self, request, queryset, services.membership_set_role, role=Membership.Role.ADMIN
        )

    @admin.action(description=_("Rendre simple membre"), permissions=["change"])
    def make_member(self, request, queryset):
        _run_on_each(
            self, request, queryset, services.membership_set_role, role=Membership.Role.MEMBER
        )

    @admin.action(description=_("Retirer de l'entreprise"), permissions=["change"])
    def remove(self, request, queryset):
        _run_on_each(self, request, queryset, services.membership_remove)


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
