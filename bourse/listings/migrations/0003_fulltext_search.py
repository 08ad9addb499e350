"""Full-text search on listings (title and description), per database.

PostgreSQL: the `unaccent` extension, a text search configuration `french_unaccent` (French
stemmer after accent folding, so "entrepôts" finds "Entrepôt") and a GIN index on the very
expression the search queries (bourse.listings.search.ddl holds both). Creating the extension needs a role
allowed to (superuser, or the database owner on PostgreSQL 13+ where unaccent is trusted).

SQLite: an FTS5 table over listings_listing (external content, diacritics removed), kept in step
by triggers; the search adds plural stripping and prefix matching, and restores the triggers after
a migrate if a table rebuild dropped them (bourse.listings.search.schema).

Other databases: nothing (the search falls back to substring matching).
"""

from django.db import migrations

from bourse.listings.search import ddl

PG_FORWARD = ddl.PG_FULLTEXT_FORWARD
PG_BACKWARD = ddl.PG_FULLTEXT_BACKWARD
SQLITE_FORWARD = ddl.SQLITE_FTS_FORWARD
SQLITE_BACKWARD = ddl.SQLITE_FTS_BACKWARD


class Migration(migrations.Migration):
    dependencies = [
        ("listings", "0002_categories"),
    ]

    operations = [
        migrations.RunPython(
            ddl.run_per_vendor({"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}),
            ddl.run_per_vendor({"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}),
            elidable=False,
        ),
    ]
