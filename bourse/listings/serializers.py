"""The wire shape of listings and categories (docs/api.md "Listings", "Categories").

`ListingSerializer` is the one read shape, reused by the search endpoint (which adds
`distance_km`) and by matching. Querysets fed to it should come from
`Listing.objects.for_api()` (select_related company/category, photos prefetched) so a page
costs a constant number of queries.

`ListingInputSerializer` parses what a client sends; the business rules (geocoding, unit allowed
for the category, window order...) live in `services.py` so the web form and the API agree.
"""

from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bourse.core.text import validate_single_line, validate_text

from .attributes import CACES_CATEGORIES, HAZARD_CLASSES, LICENCES, names_of
from .models import Category, Kind, Listing, ListingPhoto, Terms, Unit
from .units import allowed_units


class CategorySerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="localized_name", read_only=True)
    parent = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    attributes = serializers.SerializerMethodField(
        help_text="The attributes its listings are asked for (names of ListingAttributes' "
        "groups: temperature, capacity_t, lift_height_m, caces, licence, adr, hazard_classes, "
        "food_grade, organic, grade, surface_m2, ceiling_height_m, crane_t)."
    )
    units = serializers.SerializerMethodField(
        help_text="The values of a listing's `unit` this category accepts, the first one "
        "suggested (a parent accepts those of its children)."
    )

    class Meta:
        model = Category
        fields = ["slug", "name", "parent", "attributes", "units"]

    def get_attributes(self, category: Category) -> list[str]:
        return names_of(category)

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(Unit.choices)))
    def get_units(self, category: Category) -> list[str]:
        return allowed_units(category)


def _measure(minimum: float, maximum: float, help_text: str) -> serializers.FloatField:
    return serializers.FloatField(
        required=False, allow_null=True, min_value=minimum, max_value=maximum, help_text=help_text
    )


def _choices(choices: list[str], help_text: str) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.ChoiceField(choices=choices),
        required=False,
        allow_null=True,
        max_length=len(choices),
        help_text=help_text,
    )


def _flag(help_text: str) -> serializers.BooleanField:
    return serializers.BooleanField(required=False, allow_null=True, help_text=help_text)


class ListingAttributesSerializer(serializers.Serializer):
    """What decides a substitute (bourse.listings.attributes). Only the attributes of the
    listing's category are accepted (`GET /api/v1/categories/` lists them); every key is
    optional, and a response holds only the keys given. On a need a value is a requirement, on
    an offer what it has."""

    temp_min = _measure(-60, 60, "Temperature range, lowest (°C); `temperature`.")
    temp_max = _measure(-60, 60, "Temperature range, highest (°C); `temperature`.")
    capacity_t = _measure(0, 1000, "Capacity (tonnes): lifting, payload, bulk bag.")
    lift_height_m = _measure(0, 50, "Lifting height (m).")
    caces = _choices(CACES_CATEGORIES, "CACES R489 categories.")
    licence = _choices(LICENCES, "Driving licences.")
    adr = _flag("Dangerous goods (ADR): required (need) or qualified (offer).")
    hazard_classes = _choices(HAZARD_CLASSES, "ADR hazard classes of the goods or accepted.")
    food_grade = _flag("Food contact or human consumption grade.")
    organic = _flag("Organic (AB).")
    grade = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        max_length=40,
        validators=[validate_single_line],
        help_text="Alloy, grade or reference (304L, 5754, T65).",
    )
    surface_m2 = _measure(0, 1_000_000, "Surface (m²).")
    ceiling_height_m = _measure(0, 100, "Ceiling height (m).")
    crane_t = _measure(0, 1000, "Overhead crane capacity (tonnes).")

    def get_attribute(self, instance):
        # A listing without attributes (NULL) answers an empty object, not null.
        return super().get_attribute(instance) or {}

    def to_representation(self, values) -> dict:
        return {key: value for key, value in (values or {}).items() if key in self.fields}


def _absolute(request, url: str) -> str:
    return request.build_absolute_uri(url) if request is not None else url


class ListingPhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = ListingPhoto
        fields = ["id", "url", "thumbnail_url"]

    def get_url(self, photo: ListingPhoto) -> str:
        return _absolute(self.context.get("request"), photo.image.url)

    def get_thumbnail_url(self, photo: ListingPhoto) -> str:
        return _absolute(self.context.get("request"), photo.thumbnail.url)


class ListingCompanySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class ListingSerializer(serializers.ModelSerializer):
    """Exactly the fields the API contract lists for a listing (docs/api.md)."""

    category = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    quantity = serializers.DecimalField(
        max_digits=12, decimal_places=2, coerce_to_string=False, allow_null=True, read_only=True
    )
    price = serializers.DecimalField(
        max_digits=12, decimal_places=2, coerce_to_string=False, allow_null=True, read_only=True
    )
    # "" when no unit was given: the schema's enum must say so.
    unit = serializers.ChoiceField(choices=Unit.choices, allow_blank=True, read_only=True)
    company = ListingCompanySerializer(read_only=True)
    photos = ListingPhotoSerializer(many=True, read_only=True, source="ordered_photos")
    attributes = ListingAttributesSerializer(read_only=True)

    class Meta:
        model = Listing
        fields = [
            "id",
            "kind",
            "title",
            "description",
            "category",
            "quantity",
            "unit",
            "terms",
            "price",
            "status",
            "rejection_reason",
            "postal_code",
            "commune",
            "departement",
            "latitude",
            "longitude",
            "radius_km",
            "available_from",
            "available_until",
            "attributes",
            "published_at",
            "expires_at",
            "company",
            "photos",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


# The fields of ListingSerializer whose wire format is DRF's own (rounding, time zone, ISO
# formats): listing_representation asks the same field classes.
_DECIMAL = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=False)
_DATE = serializers.DateField()
_DATETIME = serializers.DateTimeField()
_ATTRIBUTE_KEYS = frozenset(ListingAttributesSerializer._declared_fields)


def moment_writer():
    """DRF's DateTimeField.to_representation (None stays None) with the time zone in force read
    once, for a whole response: DRF reads it for each date of each row (80 reads of a
    context-local variable for a page of 20 listings)."""
    field = _DATETIME
    if settings.USE_TZ:
        field = serializers.DateTimeField(default_timezone=timezone.get_current_timezone())

    def moment(value):
        return None if value is None else field.to_representation(value)

    return moment


def listing_representation(listing: Listing, request=None, moment=None) -> dict:
    """What ListingSerializer(listing).data holds, written out: the search endpoint's hot path.
    DRF builds a serializer's ~30 fields anew for each response and walks them for each row
    (half of a search response's Python work for 20 listings). A test compares the two on
    listings of every shape; a field added to ListingSerializer.Meta.fields fails it until it
    is added here. `moment`: a moment_writer() made once for the response (else one is made
    for this listing)."""
    moment = moment or moment_writer()

    def day(value):
        return None if value is None else _DATE.to_representation(value)

    def amount(value):
        return None if value is None else _DECIMAL.to_representation(value)

    attributes = listing.attributes or {}
    company = listing.company
    return {
        "id": listing.pk,
        "kind": listing.kind,
        "title": listing.title,
        "description": listing.description,
        "category": listing.category.slug,
        "quantity": amount(listing.quantity),
        "unit": listing.unit,
        "terms": listing.terms,
        "price": amount(listing.price),
        "status": listing.status,
        "rejection_reason": listing.rejection_reason,
        "postal_code": listing.postal_code,
        "commune": listing.commune,
        "departement": listing.departement,
        "latitude": listing.latitude,
        "longitude": listing.longitude,
        "radius_km": listing.radius_km,
        "available_from": day(listing.available_from),
        "available_until": day(listing.available_until),
        "attributes": {k: v for k, v in attributes.items() if k in _ATTRIBUTE_KEYS},
        "published_at": moment(listing.published_at),
        "expires_at": moment(listing.expires_at),
        "company": {"id": company.pk, "name": company.name},
        "photos": [
            {
                "id": photo.pk,
                "url": _absolute(request, photo.image.url),
                "thumbnail_url": _absolute(request, photo.thumbnail.url),
            }
            for photo in listing.ordered_photos
        ],
        "created_at": moment(listing.created_at),
        "updated_at": moment(listing.updated_at),
    }


def contact_for(listing: Listing) -> dict:
    """Who to call about a listing: the company's phone and website, and the e-mail of the
    member who wrote it (the company's first admin when the author left)."""
    company = listing.company
    email = ""
    author = listing.created_by
    if author is not None and author.is_active:
        membership = author.membership_or_none
        if membership is not None and membership.company_id == company.pk:
            email = author.email
    if not email:
        admin = (
            company.memberships.filter(user__is_active=True)
            .order_by("role", "joined_at")  # "admin" sorts before "member"
            .select_related("user")
            .first()
        )
        email = admin.user.email if admin else ""
    return {"phone": company.phone, "website": company.website, "email": email}


class ListingContactSerializer(serializers.Serializer):
    phone = serializers.CharField()
    website = serializers.CharField()
    email = serializers.CharField()


class ListingDetailSerializer(ListingSerializer):
    """GET /api/v1/listings/{id}/: for members of verified companies, the listing's fields plus
    `contact` (company phone, website, e-mail of the listing's author). Everyone else gets
    exactly the fields of ListingSerializer: the key is absent, not null."""

    contact = serializers.SerializerMethodField()

    class Meta(ListingSerializer.Meta):
        fields = [*ListingSerializer.Meta.fields, "contact"]
        read_only_fields = fields

    @extend_schema_field(ListingContactSerializer)
    def get_contact(self, listing: Listing) -> dict | None:
        return contact_for(listing) if self.context.get("show_contact") else None

    def to_representation(self, listing: Listing) -> dict:
        data = super().to_representation(listing)
        if not self.context.get("show_contact"):
            del data["contact"]
        return data


class ListingInputSerializer(serializers.Serializer):
    """What POST and PATCH accept. Types and vocabularies are checked here; rules in services."""

    kind = serializers.ChoiceField(choices=Kind.choices)
    title = serializers.CharField(validators=[validate_single_line], max_length=120)
    description = serializers.CharField(validators=[validate_text], max_length=5000)
    category = serializers.SlugRelatedField(slug_field="slug", queryset=Category.objects.all())
    quantity = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True
    )
    unit = serializers.ChoiceField(
        choices=Unit.choices, required=False, allow_blank=True, allow_null=True
    )
    terms = serializers.ChoiceField(choices=Terms.choices)
    price = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, min_value=Decimal(0)
    )
    postal_code = serializers.CharField(
        validators=[validate_single_line],
        max_length=5,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="A French postal code; empty or absent: the company's location.",
    )
    radius_km = serializers.IntegerField(min_value=1, max_value=1000, required=False)
    available_from = serializers.DateField(required=False, allow_null=True)
    available_until = serializers.DateField(required=False, allow_null=True)
    attributes = ListingAttributesSerializer(required=False, allow_null=True)

    def validate_attributes(self, values: dict | None) -> dict | None:
        if values is None:
            return None
        return {key: value for key, value in values.items() if value not in (None, "", [])}


class ListingCreateSerializer(ListingInputSerializer):
    submit = serializers.BooleanField(required=False, default=True)


class ListingCloseSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=[(Listing.Status.FULFILLED, "fulfilled"), (Listing.Status.WITHDRAWN, "withdrawn")]
    )
    partner_company = serializers.IntegerField(required=False, allow_null=True)


class PhotoUploadSerializer(serializers.Serializer):
    image = serializers.FileField()


class PhotoOrderSerializer(serializers.Serializer):
    photos = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        max_length=6,
        help_text="Every photo id of the listing once, in the order wanted (the first one is "
        "the one listing cards show).",
    )
