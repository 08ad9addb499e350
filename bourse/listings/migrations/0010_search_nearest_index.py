"""Nearest first on PostgreSQL: a GiST index on each published listing's point of the unit sphere.

`ListingSearch` reads page 1 by distance in index order (KNN, `<->`) and stops after the page,
instead of sorting the rows of a growing circle (docs/search.md, "Nearest first"). The index and
its expression are bourse.listings.search.ddl.PG_KNN_FORWARD.

Needs the contrib extension `cube` (shipped with PostgreSQL, no PostGIS): the migrating role
must be allowed to create it (superuser, or the database owner: `cube` is a trusted extension
since PostgreSQL 13), or an administrator runs `CREATE EXTENSION cube` beforehand. SQLite keeps
its design: nothing to do there.
"""

from django.db import migrations

from bourse.listings.search import ddl


class Migration(migrations.Migration):
    dependencies = [
        ("listings", "0009_trade_attributes_and_vocabulary"),
    ]

    operations = [
        migrations.RunPython(
            ddl.run_per_vendor({"postgresql": ddl.PG_KNN_FORWARD}),
            ddl.run_per_vendor({"postgresql": ddl.PG_KNN_BACKWARD}),
            elidable=False,
        ),
    ]
