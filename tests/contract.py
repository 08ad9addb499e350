"""Shapes fixed by the public contract (docs/api.md), written once for every test that
checks a response against it. Kept apart from the serializers on purpose: a test must fail when
the code drifts from the contract."""

# The fields of a listing in responses (docs/api.md, "Listings").
LISTING_FIELDS = frozenset(
    {
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
    }
)
