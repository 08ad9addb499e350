"""The search's SQL that Django does not write: full-text configuration, triggers and indexes.

One definition per piece, used by the migrations that create it (0003, 0008) and by the code
that must write the same expression (the statements the planner matches to an index) or restore
it (schema.repair_sqlite_search_schema, after each migrate on SQLite).

Plain constants, importing nothing of the project, so that a migration can import them safely.
The rule that keeps history true: a definition some migration has applied is never edited. A
change is a new constant (or a new value under a new name) and a new migration using it; the
old one stays for the migrations that created it.
"""

# --- The radius search's index (migration 0008) ---------------------------------------------

# The index leads with the 0.1° band of the latitude (~11 km), then the longitude: a box is read
# as a few short runs of longitudes, one per band, instead of every listing of its latitudes
# across the whole country. Queries must write the expression exactly as the index does for the
# planner to match it: format LATITUDE_BAND_SQL with the latitude column as `lat`.
LATITUDE_BANDS_PER_DEGREE = 10
LATITUDE_BAND_SQL = f"CAST(FLOOR({{lat}} * {LATITUDE_BANDS_PER_DEGREE}) AS INTEGER)"
_BAND = LATITUDE_BAND_SQL.format(lat="latitude")

SEARCH_BAND_INDEX_NAME = "listing_search_band"
# It carries every column the count and the page's ids read (on PostgreSQL `id` too, or the
# ids are read from the table: 2-3x slower), so both are index-only. PostgreSQL: partial on
# status = 'published'. SQLite: status leads instead, because SQLite only uses a partial index
# when it can prove the condition at prepare time, and Django binds 'published' as a parameter.
SEARCH_BAND_INDEX = {
    "postgresql": (
        f"CREATE INDEX IF NOT EXISTS {SEARCH_BAND_INDEX_NAME} ON listings_listing "
        f"(({_BAND}), longitude) INCLUDE (latitude, expires_at, company_id, published_at, id) "
        "WHERE status = 'published'"
    ),
    "sqlite": (
        f"CREATE INDEX IF NOT EXISTS {SEARCH_BAND_INDEX_NAME} ON listings_listing (status, "
        f"{_BAND}, longitude, latitude, expires_at, company_id, published_at)"
    ),
}

# --- Full-text search (migration 0003) ------------------------------------------------------

# PostgreSQL: the French stemmer after accent folding ("entrepôts" finds "Entrepôt"), and a GIN
# index on the document expression. Queries repeat the expression (pg_document_sql) exactly.
PG_TEXT_SEARCH_CONFIG = "french_unaccent"
_PG_DOCUMENT = (
    f"to_tsvector('{PG_TEXT_SEARCH_CONFIG}'::regconfig, "
    "coalesce({title}, '') || ' ' || coalesce({description}, ''))"
)
PG_FULLTEXT_FORWARD = (
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
    "CREATE INDEX IF NOT EXISTS listing_fulltext ON listings_listing USING GIN "
    f"({_PG_DOCUMENT.format(title='title', description='description')})",
)
PG_FULLTEXT_BACKWARD = (
    "DROP INDEX IF EXISTS listing_fulltext",
    f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {PG_TEXT_SEARCH_CONFIG}",
)


def pg_document_sql(table: str) -> str:
    """The indexed document expression, on the columns of `table` (a quoted name)."""
    return _PG_DOCUMENT.format(title=f'{table}."title"', description=f'{table}."description"')


# SQLite: an FTS5 table over listings_listing (external content, diacritics removed), kept in
# step by three triggers. A table rebuild by SQLite's schema editor drops the triggers.
SQLITE_FTS_TABLE = "listings_listing_fts"
SQLITE_FTS_CREATE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {SQLITE_FTS_TABLE} USING fts5("
    "title, description, content='listings_listing', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')"
)
SQLITE_FTS_TRIGGERS = {
    "listings_listing_fts_ai": (
        "CREATE TRIGGER IF NOT EXISTS listings_listing_fts_ai AFTER INSERT ON listings_listing "
        "BEGIN INSERT INTO listings_listing_fts(rowid, title, description) "
        "VALUES (new.id, new.title, new.description); END"
    ),
    "listings_listing_fts_ad": (
        "CREATE TRIGGER IF NOT EXISTS listings_listing_fts_ad AFTER DELETE ON listings_listing "
        "BEGIN INSERT INTO listings_listing_fts(listings_listing_fts, rowid, title, description) "
        "VALUES ('delete', old.id, old.title, old.description); END"
    ),
    "listings_listing_fts_au": (
        "CREATE TRIGGER IF NOT EXISTS listings_listing_fts_au AFTER UPDATE OF title, description "
        "ON listings_listing BEGIN "
        "INSERT INTO listings_listing_fts(listings_listing_fts, rowid, title, description) "
        "VALUES ('delete', old.id, old.title, old.description); "
        "INSERT INTO listings_listing_fts(rowid, title, description) "
        "VALUES (new.id, new.title, new.description); END"
    ),
}
SQLITE_FTS_REBUILD = "INSERT INTO listings_listing_fts(listings_listing_fts) VALUES ('rebuild')"
SQLITE_FTS_FORWARD = (SQLITE_FTS_CREATE, *SQLITE_FTS_TRIGGERS.values(), SQLITE_FTS_REBUILD)
SQLITE_FTS_BACKWARD = (
    *(f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_FTS_TRIGGERS),
    f"DROP TABLE IF EXISTS {SQLITE_FTS_TABLE}",
)

# --- Nearest first on PostgreSQL (migration 0010) -------------------------------------------

# A listing's position as a point of the unit sphere in 3-D, a `cube` (contrib extension cube,
# no PostGIS): the straight-line (chord) distance `<->` between two such points grows with their
# great-circle distance, so a GiST index on it hands rows out nearest first (KNN) and stops
# after the page. Written inline from built-in functions rather than with earthdistance's
# ll_to_earth, whose SQL body names cube() and earth() without their schema and breaks
# pg_restore and autovacuum under an empty search_path. Format with the columns as `lat`, `lon`.
PG_SPHERE_POINT_SQL = (
    "cube(ARRAY[cos(radians({lat})) * cos(radians({lon})), "
    "cos(radians({lat})) * sin(radians({lon})), sin(radians({lat}))])"
)
KNN_INDEX_NAME = "listing_search_knn"
PG_KNN_FORWARD = (
    "CREATE EXTENSION IF NOT EXISTS cube",
    f"CREATE INDEX IF NOT EXISTS {KNN_INDEX_NAME} ON listings_listing USING gist "
    f"(({PG_SPHERE_POINT_SQL.format(lat='latitude', lon='longitude')})) "
    "WHERE status = 'published'",
)
PG_KNN_BACKWARD = (f"DROP INDEX IF EXISTS {KNN_INDEX_NAME}",)


def run_per_vendor(statements_by_vendor: dict[str, tuple[str, ...] | list[str]]):
    """A RunPython function executing the statements of the migrating database's vendor (none
    for another vendor)."""

    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, ()):
            schema_editor.execute(statement)

    return run
