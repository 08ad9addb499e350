"""The matching index, category first (replaces matching_listing_family_geo of 0002).

Starting with (status, kind) made SQLite's planner pick it for searches filtered by kind alone
(`?kind=offer`, newest first), where it then had to sort every live listing of that kind
(docs/benchmarks.md, "Radius search", known limits). Starting with the category, the index only
serves queries that name categories, which is what matching does (category IN the family).
"""

from django.db import migrations

FORWARD = {
    "postgresql": [
        "DROP INDEX IF EXISTS matching_listing_family_geo",
        "CREATE INDEX IF NOT EXISTS matching_listing_category_geo ON listings_listing "
        "(category_id, kind, latitude, longitude) INCLUDE (radius_km, expires_at, company_id) "
        "WHERE status = 'published'",
    ],
    "sqlite": [
        "DROP INDEX IF EXISTS matching_listing_family_geo",
        "CREATE INDEX IF NOT EXISTS matching_listing_category_geo ON listings_listing "
        "(category_id, kind, status, latitude, longitude, radius_km, expires_at, company_id)",
    ],
}
BACKWARD = {
    "postgresql": [
        "DROP INDEX IF EXISTS matching_listing_category_geo",
        "CREATE INDEX IF NOT EXISTS matching_listing_family_geo ON listings_listing "
        "(kind, category_id, latitude, longitude) INCLUDE (radius_km, expires_at, company_id) "
        "WHERE status = 'published'",
    ],
    "sqlite": [
        "DROP INDEX IF EXISTS matching_listing_category_geo",
        "CREATE INDEX IF NOT EXISTS matching_listing_family_geo ON listings_listing "
        "(status, kind, category_id, latitude, longitude, radius_km, expires_at, company_id)",
    ],
}


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0002_listing_family_geo_index"),
    ]

    operations = [
        migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False),
    ]
