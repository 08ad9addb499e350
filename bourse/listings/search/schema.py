"""Keeps the search's own SQLite schema whole: restored after every migrate, never on a read.

SQLite's schema editor alters a table by copying it and dropping the old one, which drops the
triggers and indexes Django does not know about (ddl.SQLITE_FTS_TRIGGERS, ddl.SEARCH_BAND_INDEX):
a later migration of Listing would silently stop the text index from following and slow the
radius search. `repair_sqlite_search_schema` runs on `post_migrate` (ListingsConfig.ready), after
the migration that dropped them, and recreates what is missing from the very definitions the
migrations used. PostgreSQL alters tables in place: nothing to do there.
"""

from __future__ import annotations

from django.db import connections, transaction

from . import ddl


def repair_sqlite_search_schema(conn) -> list[str]:
    """Recreates the FTS triggers (then rebuilds the FTS table, which missed the writes made
    without them) and the radius search's index if missing; returns the names restored."""
    if conn.vendor != "sqlite":
        return []
    wanted = [*ddl.SQLITE_FTS_TRIGGERS, ddl.SQLITE_FTS_TABLE, ddl.SEARCH_BAND_INDEX_NAME]
    placeholders = ", ".join(["%s"] * len(wanted))
    with conn.cursor() as cursor:
        cursor.execute(f"SELECT name FROM sqlite_master WHERE name IN ({placeholders})", wanted)  # noqa: S608
        present = {row[0] for row in cursor.fetchall()}
        if ddl.SQLITE_FTS_TABLE not in present:
            return []  # the migrations that create them have not run (yet)
        missing = [name for name in wanted if name not in present]
        if not missing:
            return []
        with transaction.atomic(using=conn.alias):
            triggers = [name for name in missing if name in ddl.SQLITE_FTS_TRIGGERS]
            for name in triggers:
                cursor.execute(ddl.SQLITE_FTS_TRIGGERS[name])
            if triggers:
                cursor.execute(ddl.SQLITE_FTS_REBUILD)
            if ddl.SEARCH_BAND_INDEX_NAME in missing:
                cursor.execute(ddl.SEARCH_BAND_INDEX["sqlite"])
    return missing


def repair_after_migrate(sender, using, **kwargs) -> None:
    """`post_migrate` receiver (sent once per migrate for the listings app)."""
    repair_sqlite_search_schema(connections[using])
