"""A covering index for the radius search's count (docs/benchmarks.md, "Radius search").

Counting the listings in a circle reads, for each row of the bounding box, its position, its
expiry and its company (to skip expired listings and non-verified companies). With those in the
index the count never touches the table: PostgreSQL does an index-only scan (the visibility map
is kept by autovacuum), SQLite a covering-index search.

PostgreSQL: partial on status = 'published', like listing_published_latlon, with INCLUDE.
SQLite: status leads instead of a partial WHERE, because SQLite only uses a partial index when it
can prove the condition from the query at prepare time, and Django binds 'published' as a
parameter.
"""

from django.db import migrations

FORWARD = {
    "postgresql": [
        "CREATE INDEX IF NOT EXISTS listing_search_geo ON listings_listing "
        "(latitude, longitude) INCLUDE (expires_at, company_id) WHERE status = 'published'"
    ],
    "sqlite": [
        "CREATE INDEX IF NOT EXISTS listing_search_geo ON listings_listing "
        "(status, latitude, longitude, expires_at, company_id)"
    ],
}
BACKWARD = {
    "postgresql": ["DROP INDEX IF EXISTS listing_search_geo"],
    "sqlite": ["DROP INDEX IF EXISTS listing_search_geo"],
}


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("listings", "0003_fulltext_search"),
    ]

    operations = [
        migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False),
    ]
