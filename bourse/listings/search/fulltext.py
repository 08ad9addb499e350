"""Full-text search on a listing's title and description, per database.

PostgreSQL: French stemming with accents folded (configuration `french_unaccent`), served by the
GIN index on the same expression (ddl.pg_document_sql). SQLite has no French stemmer: an FTS5
table (diacritics removed) queried with plural-stripped prefixes. Any other database: substring
matching. On PostgreSQL and SQLite each word also finds its other spellings in the trade's
vocabulary and, when unknown, the known words one letter away (bourse.listings.vocabulary).
"""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL

from bourse.geo import data as geo

from .. import vocabulary
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


def _sqlite_alternative(text: str) -> str:
    """One spelling of a unit for FTS5: its words as prefixes, except words of three letters
    or less (PL, VL, EPI), matched as whole words or their plural ("PL" must not find
    "places")."""
    parts = []
    for word in _WORD.findall(text):
        if len(word) > 3:
            parts.append(f'"{_sqlite_stem(word)}"*')
        else:
            word = geo.fold(word)
            parts.append(f'("{word}" OR "{word}s")')
    return " AND ".join(parts)


def text_search(qs: QuerySet, text: str, units: list[list[str]] | None = None) -> QuerySet:
    """Listings whose title or description match every word of `text` (see the module), or
    for each word one of its other spellings in the trade's vocabulary, or a known word one
    letter away (bourse.listings.vocabulary.query_units, or `units` when the caller has them):
    the same expansion on every database."""
    if not _WORD.search(text):
        return qs  # punctuation only: nothing to look for, on every backend alike
    if units is None:
        units = vocabulary.query_units(text)
    if connection.vendor == "postgresql":
        tsquery = f"plainto_tsquery('{PG_TEXT_SEARCH_CONFIG}'::regconfig, %s)"
        sql = " && ".join("(" + " || ".join([tsquery] * len(unit)) + ")" for unit in units)
        return qs.filter(
            RawSQL(  # noqa: S611 - constant SQL, the words are bound parameters
                f"{PG_DOCUMENT_SQL} @@ ({sql})",
                [alternative for unit in units for alternative in unit],
                output_field=BooleanField(),
            )
        )
    if connection.vendor == "sqlite":
        groups = []
        for typed, *others in units:
            # A word as typed is a prefix, as before, unless the vocabulary or a correction
            # gave it other spellings: then every spelling is read alike.
            first = _sqlite_alternative(typed) if others else sqlite_match_expression(typed)
            alternatives = [first.replace('* "', '* AND "')]
            alternatives = [a for a in alternatives + [_sqlite_alternative(o) for o in others] if a]
            if alternatives:
                groups.append("(" + " OR ".join(f"({a})" for a in alternatives) + ")")
        if not groups:
            return qs
        return qs.filter(
            pk__in=RawSQL(  # noqa: S611 - constant SQL, the text is a bound parameter
                "SELECT rowid FROM listings_listing_fts WHERE listings_listing_fts MATCH %s",
                [" AND ".join(groups)],
            )
        )
    # Any other database: accent-sensitive substring search on every word.
    for word in _WORD.findall(text):
        qs = qs.filter(Q(title__icontains=word) | Q(description__icontains=word))
    return qs
