"""The radius search's index leads with the 0.1° band of the latitude, then the longitude.

A box of 50 km was read from (latitude, longitude) as one run of every listing of its latitudes
across the whole country, the longitude tested entry by entry. Led by the band, it is read as ~10
short runs of longitudes, one per band: about a third of the entries for a 50 km circle in
France. The expression is bourse.listings.search.ddl.LATITUDE_BAND_SQL, which the search's
statements write too, so that both planners match it. The index carries every column the count and the
page's ids read (on PostgreSQL `id` too, or the ids are read from the table: 2-3x slower), so
both are index-only. Replaces `listing_search_geo` (0004/0006).
"""

from django.db import migrations

from bourse.listings.search import ddl

FORWARD = {
    "postgresql": [
        "DROP INDEX IF EXISTS listing_search_geo",
        ddl.SEARCH_BAND_INDEX["postgresql"],
    ],
    "sqlite": [
        "DROP INDEX IF EXISTS listing_search_geo",
        ddl.SEARCH_BAND_INDEX["sqlite"],
    ],
}
BACKWARD = {
    "postgresql": [
        "DROP INDEX IF EXISTS listing_search_band",
        "CREATE INDEX IF NOT EXISTS listing_search_geo ON listings_listing (latitude, longitude) "
        "INCLUDE (expires_at, company_id, published_at) WHERE status = 'published'",
    ],
    "sqlite": [
        "DROP INDEX IF EXISTS listing_search_band",
        "CREATE INDEX IF NOT EXISTS listing_search_geo ON listings_listing "
        "(status, latitude, longitude, expires_at, company_id, published_at)",
    ],
}


class Migration(migrations.Migration):
    dependencies = [
        ("listings", "0007_drop_redundant_latlon_index"),
    ]

    operations = [
        migrations.RunPython(ddl.run_per_vendor(FORWARD), ddl.run_per_vendor(BACKWARD), elidable=False),
    ]
