"""Full-text search on a listing's title and description, per database.

PostgreSQL: French stemming with accents folded (configuration `french_unaccent`), served by the
GIN index on the same expression (ddl.pg_document_sql). SQLite has no French stemmer: an FTS5
table (diacritics removed) queried with plural-stripped prefixes. Any other database: substring
matching.
"""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL

from bourse.geo import data as geo

from .ddl import PG_TEXT_SEARCH_CONFIG, pg_document_sql

PG_DOCUMENT_SQL = pg_document_sql('"listings_listing"')

_WORD = re.compile(r"\w+", re.UNICODE)


def _sqlite_stem(word: str) -> str:
    """Crude French plural stripping for SQLite, which has no French stemmer: the stem is then
    used as a prefix ("entrepôts" → entrepot*, "chevaux" → cheva*, matching cheval)."""
    word = geo.fold(word)
    if len(word) > 4 and word.endswith("aux"):
        return word[:-2]
    if len(word) > 3 and word[-1] in "sx":
        return word[:-1]
    return word


def sqlite_match_expression(text: str) -> str:
    """An FTS5 MATCH string: every word required, each as a quoted prefix (no FTS syntax from
    the client gets through)."""
    words = [_sqlite_stem(w) for w in _WORD.findall(text)]
    return " ".join(f'"{w}"*' for w in words if w)


def text_search(qs: QuerySet, text: str) -> QuerySet:
    """Listings whose title or description match every word of `text` (see the module)."""
    if not _WORD.search(text):
        return qs  # punctuation only: nothing to look for, on every backend alike
    if connection.vendor == "postgresql":
        return qs.filter(
            RawSQL(  # noqa: S611 - constant SQL, the text is a bound parameter
                f"{PG_DOCUMENT_SQL} @@ plainto_tsquery('{PG_TEXT_SEARCH_CONFIG}'::regconfig, %s)",
                [text],
                output_field=BooleanField(),
            )
        )
    if connection.vendor == "sqlite":
        match = sqlite_match_expression(text)
        if not match:
            return qs
        return qs.filter(
            pk__in=RawSQL(  # noqa: S611 - constant SQL, the text is a bound parameter
                "SELECT rowid FROM listings_listing_fts WHERE listings_listing_fts MATCH %s",
                [match],
            )
        )
    # Any other database: accent-sensitive substring search on every word.
    for word in _WORD.findall(text):
        qs = qs.filter(Q(title__icontains=word) | Q(description__icontains=word))
    return qs
