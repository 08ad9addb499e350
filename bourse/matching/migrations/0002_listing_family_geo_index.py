"""An index on listings for the matching query (docs/benchmarks.md, "Matching").

The counterparts of a listing are found by kind, category family and a bounding box whose
size is the largest radius in play (up to 200 km and more). The search's indexes start with the
position, so in a dense region the box alone holds tens of thousands of rows of every category,
each fetched from the table to test its category. This index starts with kind and category, then
the position, and carries the radius: the box, the exact distance test against
max(r1, radius_km) and the MAX(radius_km) bound are read from the index, and the table is only
visited for the rows that pass.

It lives in the matching app because matching is its only user; the table belongs to listings.
PostgreSQL: partial on status = 'published' with INCLUDE. SQLite: status leads instead of a
partial WHERE (SQLite only uses a partial index when it can prove the condition at prepare time,
and Django binds 'published' as a parameter); queries.ensure_sqlite_matching_index restores it if
a SQLite table rebuild by a later listings migration dropped it.
"""

from django.db import migrations

FORWARD = {
    "postgresql": [
        "CREATE INDEX IF NOT EXISTS matching_listing_family_geo ON listings_listing "
        "(kind, category_id, latitude, longitude) INCLUDE (radius_km, expires_at, company_id) "
        "WHERE status = 'published'"
    ],
    "sqlite": [
        "CREATE INDEX IF NOT EXISTS matching_listing_family_geo ON listings_listing "
        "(status, kind, category_id, latitude, longitude, radius_km, expires_at, company_id)"
    ],
}
BACKWARD = {
    "postgresql": ["DROP INDEX IF EXISTS matching_listing_family_geo"],
    "sqlite": ["DROP INDEX IF EXISTS matching_listing_family_geo"],
}


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0001_initial"),
        ("listings", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False),
    ]
