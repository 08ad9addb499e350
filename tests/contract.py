"""Shapes fixed by the public contract (shared/spec/API.md), written once for every test that
checks a response against it. Kept apart from the serializers on purpose: a test must fail when
the code drifts from the contract."""

# "Fields of a listing in responses" (API.md, Listings).
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
