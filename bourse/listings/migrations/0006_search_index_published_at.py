"""The radius search's covering index (0004) also carries published_at.

"Newest first within 50 km" (the API's default order with a point) then sorts ids and dates read
from the index alone instead of fetching every row of the circle. See docs/benchmarks.md.
"""

from django.db import migrations

FORWARD = {
    "postgresql": [
        "DROP INDEX IF EXISTS listing_search_geo",
        "CREATE INDEX listing_search_geo ON listings_listing (latitude, longitude) "
        "INCLUDE (expires_at, company_id, published_at) WHERE status = 'published'",
    ],
    "sqlite": [
        "DROP INDEX IF EXISTS listing_search_geo",
        "CREATE INDEX listing_search_geo ON listings_listing "
        "(status, latitude, longitude, expires_at, company_id, published_at)",
    ],
}
BACKWARD = {
    "postgresql": [
        "DROP INDEX IF EXISTS listing_search_geo",
        "CREATE INDEX listing_search_geo ON listings_listing (latitude, longitude) "
        "INCLUDE (expires_at, company_id) WHERE status = 'published'",
    ],
    "sqlite": [
        "DROP INDEX IF EXISTS listing_search_geo",
        "CREATE INDEX listing_search_geo ON listings_listing "
        "(status, latitude, longitude, expires_at, company_id)",
    ],
}


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("listings", "0005_photo_dimensions_by_pipeline"),
    ]

    operations = [
        migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False),
    ]
