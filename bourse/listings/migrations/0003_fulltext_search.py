"""Full-text search on listings (title and description), per database.

PostgreSQL: the `unaccent` extension, a text search configuration `french_unaccent` (French
stemmer after accent folding, so "entrepôts" finds "Entrepôt") and a GIN index on the very
expression bourse.listings.queries.PG_DOCUMENT_SQL queries. Creating the extension needs a role
allowed to (superuser, or the database owner on PostgreSQL 13+ where unaccent is trusted).

SQLite: an FTS5 table over listings_listing (external content, diacritics removed), kept in step
by triggers; queries.py adds plural stripping and prefix matching, and restores the triggers if a
later table rebuild dropped them.

Other databases: nothing (queries.py falls back to substring matching).
"""

from django.db import migrations

PG_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    """
    DO $$
    BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'french_unaccent') THEN
            CREATE TEXT SEARCH CONFIGURATION french_unaccent (COPY = french);
            ALTER TEXT SEARCH CONFIGURATION french_unaccent
                ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
        END IF;
    END
    $$
    """,
    """
    CREATE INDEX IF NOT EXISTS listing_fulltext ON listings_listing USING GIN (
        to_tsvector('french_unaccent'::regconfig,
                    coalesce(title, '') || ' ' || coalesce(description, ''))
    )
    """,
]
PG_BACKWARD = [
    "DROP INDEX IF EXISTS listing_fulltext",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS french_unaccent",
]

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS listings_listing_fts USING fts5("
    "title, description, content='listings_listing', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS listings_listing_fts_ai AFTER INSERT ON listings_listing BEGIN "
    "INSERT INTO listings_listing_fts(rowid, title, description) "
    "VALUES (new.id, new.title, new.description); END",
    "CREATE TRIGGER IF NOT EXISTS listings_listing_fts_ad AFTER DELETE ON listings_listing BEGIN "
    "INSERT INTO listings_listing_fts(listings_listing_fts, rowid, title, description) "
    "VALUES ('delete', old.id, old.title, old.description); END",
    "CREATE TRIGGER IF NOT EXISTS listings_listing_fts_au AFTER UPDATE OF title, description "
    "ON listings_listing BEGIN "
    "INSERT INTO listings_listing_fts(listings_listing_fts, rowid, title, description) "
    "VALUES ('delete', old.id, old.title, old.description); "
    "INSERT INTO listings_listing_fts(rowid, title, description) "
    "VALUES (new.id, new.title, new.description); END",
    "INSERT INTO listings_listing_fts(listings_listing_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS listings_listing_fts_ai",
    "DROP TRIGGER IF EXISTS listings_listing_fts_ad",
    "DROP TRIGGER IF EXISTS listings_listing_fts_au",
    "DROP TABLE IF EXISTS listings_listing_fts",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("listings", "0002_categories"),
    ]

    operations = [
        migrations.RunPython(
            _run({"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}),
            elidable=False,
        ),
    ]
