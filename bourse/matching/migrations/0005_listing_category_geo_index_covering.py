"""The matching index covers every column the candidate query reads (bourse.matching.candidates).

0003's index held the box and the reach test (latitude, longitude, radius_km) but not the
columns of the rows kept (id, dates, quantity, unit): each of the hundreds of rows of a top 20
was then read again from the table, one page each on PostgreSQL (a bitmap heap scan of ~1,500
pages for a listing in Paris on the 100,000-listing benchmark). With them in the index, the
statement is answered from the index alone (PostgreSQL: an index-only scan once the table's
pages are all-visible, as autovacuum keeps them; SQLite: a covering index).
"""

from django.db import migrations

INDEX = "matching_listing_category_geo"
COVERING = {
    "postgresql": [
        f"DROP INDEX IF EXISTS {INDEX}",
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON listings_listing "
        "(category_id, kind, latitude, longitude) INCLUDE (radius_km, expires_at, company_id, "
        "id, available_from, available_until, quantity, unit) WHERE status = 'published'",
    ],
    "sqlite": [
        f"DROP INDEX IF EXISTS {INDEX}",
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON listings_listing "
        "(category_id, kind, status, latitude, longitude, radius_km, expires_at, company_id, "
        "available_from, available_until, quantity, unit)",
    ],
}
PREVIOUS = {
    "postgresql": [
        f"DROP INDEX IF EXISTS {INDEX}",
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON listings_listing "
        "(category_id, kind, latitude, longitude) INCLUDE (radius_km, expires_at, company_id) "
        "WHERE status = 'published'",
    ],
    "sqlite": [
        f"DROP INDEX IF EXISTS {INDEX}",
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON listings_listing "
        "(category_id, kind, status, latitude, longitude, radius_km, expires_at, company_id)",
    ],
}


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0004_suggestion_contact"),
    ]

    operations = [
        migrations.RunPython(_run(COVERING), _run(PREVIOUS), elidable=False),
    ]
