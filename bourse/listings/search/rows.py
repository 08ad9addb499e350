"""A search page's rows, loaded by id in one hand-written statement.

The hot path of every search page: the ORM spent longer building and reading its two queries
(listings with company and category, then photos) than the database running them
(docs/benchmarks.md). `page_rows` reads the same objects as `Listing.objects.for_api()`; a test
checks that the serializer gets the same from both.
"""

from __future__ import annotations

import weakref

from django.db import DEFAULT_DB_ALIAS, connections

from ..models import Category, Listing


class _Columns:
    """Some columns of a model's table: their SQL, and how to turn what the database returns
    into the model's values (the converters Django's compiler would apply)."""

    def __init__(self, model, field_names: list[str] | None, conn):
        fields = model._meta.concrete_fields
        if field_names is not None:
            fields = [f for f in fields if f.name in field_names]
        table = model._meta.db_table
        quote = conn.ops.quote_name
        self.model = model
        self.attnames = [f.attname for f in fields]
        self.sql = [f"{quote(table)}.{quote(f.column)}" for f in fields]
        self.converters = []
        for index, f in enumerate(fields):
            col = f.get_col(table)
            found = conn.ops.get_db_converters(col) + col.get_db_converters(conn)
            if found:
                self.converters.append((index, col, found))

    def instance(self, values: list, conn):
        for index, col, converters in self.converters:
            value = values[index]
            for converter in converters:
                value = converter(value, col, conn)
            values[index] = value
        return self.model.from_db(conn.alias, self.attnames, values)


class _PageStatements:
    """The statement of page_rows for one database connection, written once."""

    def __init__(self, conn):
        from accounts.models import Company

        from ..models import PREFETCHED_PHOTOS, ListingPhoto

        self.photos_attr = PREFETCHED_PHOTOS
        self.listing = _Columns(Listing, None, conn)
        self.company = _Columns(Company, ["id", "name"], conn)
        self.category = _Columns(Category, None, conn)
        self.photo = _Columns(ListingPhoto, None, conn)
        self.n_listing, self.n_company = len(self.listing.attnames), len(self.company.attnames)
        self.n_photo = len(self.photo.attnames)
        # Where a row holds the listing's id, and the photo's (NULL for a listing without one).
        self.listing_pk_at = self.listing.attnames.index(Listing._meta.pk.attname)
        self.photo_pk_at = self.photo.attnames.index(ListingPhoto._meta.pk.attname) - self.n_photo
        q = conn.ops.quote_name
        listing, company = q(Listing._meta.db_table), q(Company._meta.db_table)
        category, photo = q(Category._meta.db_table), q(ListingPhoto._meta.db_table)
        columns = [*self.listing.sql, *self.company.sql, *self.category.sql, *self.photo.sql]
        photo_order = ", ".join(
            f"{photo}.{q(ListingPhoto._meta.get_field(name).column)}"
            for name in ListingPhoto._meta.ordering
        )
        # One row per photo (or one with no photo), a listing's rows together, its photos in
        # display order. Every name comes from the models' _meta.
        self.sql = (
            f"SELECT {', '.join(columns)} FROM {listing} "  # noqa: S608
            f"JOIN {company} ON {company}.{q('id')} = {listing}.{q('company_id')} "
            f"JOIN {category} ON {category}.{q('id')} = {listing}.{q('category_id')} "
            f"LEFT JOIN {photo} ON {photo}.{q('listing_id')} = {listing}.{q('id')} "
            f"WHERE {listing}.{q('id')} IN ({{ids}}) ORDER BY {listing}.{q('id')}, {photo_order}"
        )

    def listing_from(self, values: list, conn) -> Listing:
        """A listing with its company and category, and no photo yet, from a row's values."""
        n_listing, n_company = self.n_listing, self.n_company
        listing = self.listing.instance(values[:n_listing], conn)
        company = self.company.instance(values[n_listing : n_listing + n_company], conn)
        listing._state.fields_cache["company"] = company
        listing._state.fields_cache["category"] = self.category.instance(
            values[n_listing + n_company :], conn
        )
        listing.__dict__[self.photos_attr] = []
        return listing

    def add_photo(self, listing: Listing, values: list, conn) -> None:
        photo = self.photo.instance(values, conn)
        photo._state.fields_cache["listing"] = listing
        listing.__dict__[self.photos_attr].append(photo)


# Written once per database connection, kept only as long as the connection object lives.
_statements: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def page_statements() -> _PageStatements:
    """This connection's _PageStatements."""
    wrapper = connections[DEFAULT_DB_ALIAS]  # this thread's, as `connection` is
    statements = _statements.get(wrapper)
    if statements is None:
        statements = _statements[wrapper] = _PageStatements(wrapper)
    return statements


def page_rows(ids: list[int]) -> list[Listing]:
    """The listings of `ids` (any order) as Listing.objects.for_api() loads them (the listing,
    its category, its company's id and name, its photos in order), in one plain statement."""
    ids = [int(pk) for pk in ids]
    if not ids:
        return []  # `IN ()` is not SQL
    return rows_in(", ".join(["%s"] * len(ids)), ids)


def rows_in(ids_sql: str, params: list) -> list[Listing]:
    """page_rows for the ids an SQL list or subquery gives (`id IN (ids_sql)`): a statement
    that finds the ids and loads their rows in one round trip. `ids_sql` is ours; what the
    client sent is in `params`."""
    # This thread's connection itself, not the `connection` proxy: each attribute read through
    # the proxy looks the connection up again (~60 look-ups for a page of 20 rows).
    conn = connections[DEFAULT_DB_ALIAS]
    statements = page_statements()
    n_photo = statements.n_photo
    listings: dict[int, Listing] = {}
    with conn.cursor() as cursor:
        cursor.execute(statements.sql.format(ids=ids_sql), params)
        rows = cursor.fetchall()
    for row in rows:
        listing = listings.get(row[statements.listing_pk_at])
        if listing is None:
            listing = statements.listing_from(list(row[:-n_photo]), conn)
            listings[listing.pk] = listing
        if row[statements.photo_pk_at] is not None:
            statements.add_photo(listing, list(row[-n_photo:]), conn)
    return list(listings.values())
