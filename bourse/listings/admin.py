"""Admin: staff edit the category taxonomy; listings are read-only here (their lifecycle goes
through services, from the companies' pages and the moderation pages)."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .attributes import ATTRIBUTES
from .models import Category, Listing, ListingPhoto, TradeTerm, WatchedWord
from .units import Unit


class UnitsField(forms.MultipleChoiceField):
    """A category's units as boxes to tick among the vocabulary (bourse.listings.units)."""

    def __init__(self, **kwargs):
        super().__init__(
            label=_("unités"),
            choices=Unit.choices,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            help_text=_(
                "Unités proposées pour la quantité des annonces de cette catégorie, la première "
                "suggérée. Sans unité cochée, une catégorie parente reprend celles de ses "
                "sous-catégories."
            ),
            **kwargs,
        )


class UnitsFormMixin:
    """Ticking boxes loses an order; the units kept stay in the category's order (the listing
    form suggests the first one), those added follow in the vocabulary's order."""

    def clean_units(self):
        chosen = set(self.cleaned_data["units"])
        kept = [unit for unit in (self.instance.units or []) if unit in chosen]
        return kept + [unit for unit in Unit.values if unit in chosen and unit not in kept]


class ChildCategoryForm(UnitsFormMixin, forms.ModelForm):
    units = UnitsField()

    class Meta:
        model = Category
        fields = ["slug", "name", "name_en", "position", "units"]


class CategoryAdminForm(UnitsFormMixin, forms.ModelForm):
    """The category's units and attributes as boxes to tick among the vocabulary's
    (bourse.listings.units, bourse.listings.attributes)."""

    units = UnitsField()
    attributes = forms.MultipleChoiceField(
        label=_("attributs"),
        choices=[(name, attribute.label) for name, attribute in ATTRIBUTES.items()],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=Category._meta.get_field("attributes").help_text,
    )

    class Meta:
        model = Category
        fields = ["slug", "name", "name_en", "parent", "position", "units", "attributes"]


class ChildCategoryInline(admin.TabularInline):
    model = Category
    form = ChildCategoryForm
    fk_name = "parent"
    fields = ["slug", "name", "name_en", "position", "units"]
    extra = 0
    verbose_name = "sous-catégorie"
    verbose_name_plural = "sous-catégories"


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    form = CategoryAdminForm
    list_display = ["name", "name_en", "slug", "parent", "position", "units", "attributes"]
    list_filter = [("parent", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["parent"]
    search_fields = ["name", "name_en", "slug"]
    ordering = ["parent__position", "position", "name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ChildCategoryInline]

    def get_inlines(self, request, obj):
        # Two levels only: children of a child make no sense.
        return self.inlines if obj is None or obj.parent_id is None else []


class ListingPhotoInline(admin.TabularInline):
    model = ListingPhoto
    fields = ["image", "thumbnail", "width", "height", "position"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "company",
        "kind",
        "category",
        "status",
        "departement",
        "published_at",
        "expires_at",
    ]
    list_filter = ["status", "kind", "terms", ("category", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["company", "category"]
    search_fields = ["title", "description", "company__name", "postal_code", "commune"]
    date_hierarchy = "created_at"
    inlines = [ListingPhotoInline]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TradeTerm)
class TradeTermAdmin(admin.ModelAdmin):
    """The trade's vocabulary that search and matching read (bourse.listings.vocabulary)."""

    list_display = ["term", "variants", "updated_at"]
    search_fields = ["term", "variants"]
    ordering = ["term"]


@admin.register(WatchedWord)
class WatchedWordAdmin(admin.ModelAdmin):
    """Words that hold a listing for a moderator (bourse.listings.holds)."""

    list_display = ["word", "created_at"]
    search_fields = ["word"]
