"""The search itself: the published listings matching a SearchParams, counted and paged.

Radius search: bounding box(es) read from a B-tree on (0.1° latitude band, longitude) (the
covering index `listing_search_band`, ddl.SEARCH_BAND_INDEX), then the exact great-circle test in
SQL. Sorting by distance first looks in a small circle and grows it until it holds the page, so a
dense city (Paris: ~13,000 of 100,000 listings within 50 km) does not sort every row of its
radius to show twenty. The filters are compiled by the ORM once per search; the count and the
page's ids are then short statements on the listings table, and the page's rows are read by id
(rows.page_rows). Figures: docs/benchmarks.md, "Radius search".
"""

from __future__ import annotations

import functools
import math

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from bourse.geo.distance import bounding_boxes, haversine_km, inner_box
from bourse.geo.sql import distance_bound, distance_order_sql, float_sql

from ..models import Listing
from ..vocabulary import query_units
from .ddl import LATITUDE_BAND_SQL, LATITUDE_BANDS_PER_DEGREE, PG_SPHERE_POINT_SQL
from .fulltext import text_search
from .params import MIN_RADIUS_KM, ORDERING_DISTANCE, SearchParams
from .rows import page_rows, rows_in

LISTING_TABLE = '"listings_listing"'
ID_COLUMN = '"listings_listing"."id"'
LAT_COLUMN = '"listings_listing"."latitude"'
LON_COLUMN = '"listings_listing"."longitude"'
PUBLISHED_COLUMN = '"listings_listing"."published_at"'
EXPIRES_COLUMN = '"listings_listing"."expires_at"'
# The expression of the GiST index `listing_search_knn` (ddl.PG_KNN_FORWARD), as queries write it.
SPHERE_POINT_COLUMN = PG_SPHERE_POINT_SQL.format(lat=LAT_COLUMN, lon=LON_COLUMN)


def sphere_point_sql(lat: float, lon: float) -> str:
    """The point (lat, lon) of the unit sphere as a cube literal, computed here."""
    phi, lam = math.radians(lat), math.radians(lon)
    xyz = (math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi))
    return f"cube(ARRAY[{', '.join(float_sql(v) for v in xyz)}])"


def live_listings() -> QuerySet:
    """What Listing.objects.published() selects (published, not past expiry, company verified;
    a test pins the equality), with the company test written as `company_id NOT IN (the
    companies that are not verified)` instead of a join: listed_listings(), not past expiry.

    Same rows, better plans: with the join, SQLite drives the query from the verified
    companies and sorts every live listing to show the newest twenty (docs/benchmarks.md,
    "Radius search"); with the subquery it walks the (status, published_at) index and stops after
    twenty. The companies that are not verified are read once per statement from the status
    index (a hash on PostgreSQL, a small temporary index on SQLite); a correlated EXISTS, one
    lookup per row of the circle, cost a third of the count (docs/benchmarks.md).
    """
    return listed_listings().filter(expires_at__gt=timezone.now())


def listed_listings() -> QuerySet:
    """The published listings of verified companies, expired or not: live_listings without the
    one condition that changes with the clock, so that its compiled SQL can be kept
    (live_filters)."""
    from accounts.models import Company

    # Named statuses rather than `status <> 'verified'`, so that the status index serves it.
    others = [status for status in Company.Status.values if status != Company.Status.VERIFIED]
    not_verified = Company.objects.filter(status__in=others).values("pk")
    return Listing.objects.filter(~Q(company_id__in=not_verified), status=Listing.Status.PUBLISHED)


def add_filters(qs: QuerySet, params: SearchParams, units: list[list[str]] | None) -> QuerySet:
    """`qs` with every filter of `params` except the point and its circle (`units`: the text's,
    vocabulary.query_units)."""
    if params.kind:
        qs = qs.filter(kind=params.kind)
    if params.category_ids:
        qs = qs.filter(category_id__in=params.category_ids)
    if params.company_id is not None:
        qs = qs.filter(company_id=params.company_id)
    if params.departement:
        qs = qs.filter(departement=params.departement)
    if params.q:
        qs = text_search(qs, params.q, units=units)
    return qs


def live_filters(params: SearchParams) -> tuple[str, list]:
    """The WHERE clause of live_listings() with every filter of `params` except the circle, as
    compile_filters would write it, from SQL kept per process: building the querysets and
    compiling them cost about a tenth of a search page's Python time, for SQL that only
    changes with the search's filters. The clock's condition (`expires_at > now`) is added to
    the kept SQL here, its value adapted as the ORM adapts it."""
    units = query_units(params.q) if params.q else None
    sql, kept_params = _compiled_live_filters(
        connection.vendor,
        params.kind,
        tuple(params.category_ids),
        params.company_id,
        params.departement,
        params.q,
        None if units is None else tuple(tuple(unit) for unit in units),
    )
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    return f"({sql}) AND {EXPIRES_COLUMN} > %s", [*kept_params, now]


@functools.lru_cache(maxsize=2048)
def _compiled_live_filters(
    vendor: str,
    kind: str,
    category_ids: tuple[int, ...],
    company_id: int | None,
    departement: str,
    q: str,
    units: tuple[tuple[str, ...], ...] | None,
) -> tuple[str, tuple]:
    """compile_filters of listed_listings() and the filters given, once per distinct set of
    them (a least recently used one goes first). `vendor` keys the SQL to the kind of database;
    `units` (the text's alternatives from the vocabulary as it is now) to the vocabulary, which
    reloads."""
    params = SearchParams(
        kind=kind, category_ids=category_ids, company_id=company_id, departement=departement, q=q
    )
    texts = None if units is None else [list(unit) for unit in units]
    qs = add_filters(listed_listings(), params, texts)
    sql, compiled_params = compile_filters(qs)
    return sql, tuple(compiled_params)


def compile_filters(qs: QuerySet) -> tuple[str, list]:
    """The WHERE clause of `qs` as SQL and parameters, for statements written by hand around it.

    Only filters on the listings table itself are allowed (a subquery is fine, a join is not):
    the statements of ListingSearch select from that table alone.
    """
    query = qs.query
    compiler = query.get_compiler(using=qs.db)
    try:
        sql, params = compiler.compile(query.where)
    except EmptyResultSet:
        return "1 = 0", []
    except FullResultSet:
        return "1 = 1", []
    used = {alias for alias, refs in query.alias_refcount.items() if refs}
    joined = used - {Listing._meta.db_table}
    if joined:
        raise ValueError(f"search filters must not join other tables: {sorted(joined)}")
    return sql, list(params)


def latitude_bands(min_lat: float, max_lat: float) -> list[int]:
    """The bands (LATITUDE_BAND_SQL) holding every latitude from `min_lat` to `max_lat`."""
    return list(
        range(
            math.floor(min_lat * LATITUDE_BANDS_PER_DEGREE),
            math.floor(max_lat * LATITUDE_BANDS_PER_DEGREE) + 1,
        )
    )


def exact_circle_sql(lat: float, lon: float, radius_km: float, conn) -> str:
    """The exact great-circle test d ≤ radius_km, row by row (no index serves it)."""
    order = distance_order_sql(LAT_COLUMN, LON_COLUMN, lat, lon, conn)
    return f"{order} <= {float_sql(distance_bound(radius_km, conn))}"


def circle_sql(lat: float, lon: float, radius_km: float, conn) -> tuple[str, list]:
    """`the listing lies within radius_km of (lat, lon)` as SQL for the search statements.

    Each bounding box (two across the date line) is read from the index `listing_search_band`
    as a run of longitudes per latitude band, then the exact great-circle test keeps the
    circle, except for the rows of a box inscribed in it (bourse.geo.distance.inner_box).
    """
    boxes, params = [], []
    for min_lat, max_lat, min_lon, max_lon in bounding_boxes(lat, lon, radius_km):
        bands = ", ".join(str(band) for band in latitude_bands(min_lat, max_lat))
        boxes.append(
            f"({LATITUDE_BAND_SQL.format(lat=LAT_COLUMN)} IN ({bands}) "
            f"AND {LAT_COLUMN} >= %s AND {LAT_COLUMN} <= %s "
            f"AND {LON_COLUMN} >= %s AND {LON_COLUMN} <= %s)"
        )
        params += [min_lat, max_lat, min_lon, max_lon]
    exact = exact_circle_sql(lat, lon, radius_km, conn)
    inner = inner_box(lat, lon, radius_km)
    if inner is not None:
        # Rows of the square inside the circle pass without their distance (both databases
        # stop at the first true term of an OR): a third less time for a count.
        min_lat, max_lat, min_lon, max_lon = (float_sql(v) for v in inner)
        exact = (
            f"({LAT_COLUMN} >= {min_lat} AND {LAT_COLUMN} <= {max_lat} "
            f"AND {LON_COLUMN} >= {min_lon} AND {LON_COLUMN} <= {max_lon}) OR {exact}"
        )
    return f"({' OR '.join(boxes)}) AND ({exact})", params


def one_row(search, index: int):
    """search[index] of a search that pages by slices (ListingSearch, PinnedSearch)."""
    rows = search[index : index + 1]
    if not rows:
        raise IndexError(index)
    return rows[0]


def plain_slice(index, count) -> tuple[int, int]:
    """(start, stop) of a plain, non-negative slice (`count()` gives a missing stop): what
    Django's Paginator asks of a search."""
    if not isinstance(index, slice) or index.step not in (None, 1):
        raise TypeError("searches support integer indexes and plain slices")
    start = index.start or 0
    stop = index.stop if index.stop is not None else count()
    if start < 0 or stop < 0:
        raise ValueError("searches do not support negative indexes")
    return start, stop


class ListingSearch:
    """The published listings matching `params`, as a sequence a Django Paginator (and so DRF's
    PageNumberPagination) can page through: `count()` and slicing.

    The filters are compiled once (compile_filters); the count and the page's ids are then
    plain statements on the listings table, and the page's rows are read by id with what the
    serializer needs. With a point and ordering by distance, a slice is found by looking in a
    small circle first (sized from the count and the page wanted) and doubling it until it
    holds the slice or reaches the radius: the nearest rows of the small circle are the nearest
    overall.
    """

    GROWTH = 2.0

    def __init__(self, params: SearchParams, base: QuerySet | None = None):
        self.params = params
        # None: every live listing, whose filters are compiled once per process (live_filters).
        self.base = base
        self._count: int | None = None
        self._filters: tuple[str, list] | None = None
        self._expected: tuple[int, int] | None = None
        self._ids_found: tuple[int, int, list[int]] | None = None
        self.queries_in_last_slice = 0

    def expect_page(self, number: int, size: int) -> None:
        """The page the caller will ask for after counting (a paginator counts first). A search
        around a point, newest first, on PostgreSQL then counts and finds that page's ids in
        one statement (`COUNT(*) OVER ()`): the circle's rows are found once instead of twice,
        which was half the database's work for such a page. A page past the end gives no row,
        hence no count: the count is then asked on its own."""
        if number >= 1 and size >= 1:
            self._expected = ((number - 1) * size, number * size)

    def _counts_with_page(self) -> bool:
        p = self.params
        return (
            self._expected is not None
            and connection.vendor == "postgresql"
            and p.has_point
            and p.ordering != ORDERING_DISTANCE
        )

    def _newest_ids(self, start: int, stop: int, with_count: bool = False) -> list[tuple]:
        columns = f"{ID_COLUMN}, COUNT(*) OVER ()" if with_count else ID_COLUMN
        return self._select(
            columns,
            self._where(),
            f"ORDER BY {PUBLISHED_COLUMN} DESC, {ID_COLUMN} DESC "
            f"LIMIT {int(stop - start)} OFFSET {int(start)}",
        )

    def filtered(self) -> QuerySet:
        """Every filter except the circle, as a queryset."""
        base = self.base if self.base is not None else live_listings()
        return add_filters(base, self.params, None)

    def _filters_sql(self) -> tuple[str, list]:
        """Every filter except the circle, as SQL and parameters (compiled once per search)."""
        if self._filters is None:
            if self.base is None:
                self._filters = live_filters(self.params)
            else:
                self._filters = compile_filters(self.filtered())
        return self._filters

    def _where(self, radius_km: float | None = None) -> tuple[str, list]:
        """Every filter and, with a point, the circle of `radius_km` (the search's by default)."""
        sql, params = self._filters_sql()
        p = self.params
        if not p.has_point:
            return sql, params
        circle, circle_params = circle_sql(p.lat, p.lon, radius_km or p.radius_km, connection)
        return f"{sql} AND {circle}", [*params, *circle_params]

    def _select(self, columns: str, where: tuple[str, list], tail: str = "") -> list[tuple]:
        """Runs a statement on the listings table. Every piece of SQL here is ours (constants,
        the ORM's compilation, numbers we computed); what the client sent is in `params`.

        No transaction: on SQLite this project's transactions are IMMEDIATE (the write lock,
        which a read must not take); on PostgreSQL each statement sees its own snapshot (read
        committed) and a row gone between the ids and the rows is left out. Parallel plans,
        which add tens of ms to these index queries on a small server (docs/benchmarks.md), are off
        for the whole connection (settings: PG_MAX_PARALLEL_WORKERS_PER_GATHER)."""
        sql, params = where
        statement = f"SELECT {columns} FROM {LISTING_TABLE} WHERE {sql} {tail}"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall()

    def count(self) -> int:
        if self._count is None and self._counts_with_page():
            start, stop = self._expected
            rows = self._newest_ids(start, stop, with_count=True)
            if rows:
                self._count = rows[0][1]
                self._ids_found = (start, stop, [row[0] for row in rows])
        if self._count is None:
            self._count = self._select("COUNT(*)", self._where())[0][0]
        return self._count

    def __len__(self) -> int:
        return self.count()

    def every_row(self, columns: str, limit: int) -> list[tuple]:
        """`columns` (SQL expressions on the listings table, ours) of at most `limit` matching
        rows, newest id first, in one statement (the map: search/points.py)."""
        return self._select(columns, self._where(), f"ORDER BY {ID_COLUMN} DESC LIMIT {int(limit)}")

    def __getitem__(self, index):
        if isinstance(index, int):
            return one_row(self, index)
        start, stop = plain_slice(index, self.count)
        if stop <= start:
            return []
        if self.params.has_point and self.params.ordering == ORDERING_DISTANCE:
            return self._nearest(start, stop)
        # Newest first: ids (and dates) from an index, then the page's rows by id. The ids may
        # have come with the count (expect_page); the paginator's last page asks for fewer.
        found = self._ids_found
        if found is not None and found[0] == start and stop <= found[1]:
            self.queries_in_last_slice = 0
            return self._rows_by_ids(found[2][: stop - start])
        self.queries_in_last_slice = 1
        return self._rows_by_ids([row[0] for row in self._newest_ids(start, stop)])

    def _nearest(self, start: int, stop: int) -> list[Listing]:
        total = self.count()
        wanted = min(stop, total)
        if wanted <= start:
            self.queries_in_last_slice = 0
            return []
        if self._index_orders_by_distance():
            return self._nearest_by_index(stop, total)[start:stop]
        hits = self._nearest_in_growing_circles(stop, wanted, total)
        return self._rows_by_ids(hits[start:stop])

    def _index_orders_by_distance(self) -> bool:
        """Whether the GiST index hands this search's rows out nearest first at little cost:
        on PostgreSQL, when the filters let most rows of the circle through. A text query or a
        single company would make it step over most of the circle's rows one by one (the
        text's or the company's own index find them faster): those take the growing circle."""
        p = self.params
        return connection.vendor == "postgresql" and not p.q and p.company_id is None

    def _nearest_by_index(self, stop: int, total: int) -> list[Listing]:
        """The `stop` nearest rows (a few more at most), nearest first, found in index order
        (KNN) and loaded in the same statement (rows.rows_in): one round trip for page 1.

        The statement is never asked for more rows than the count found (LIMIT ≤ total), so
        the index scan stops inside the circle. The index orders by distance alone; rows at
        the same distance (listings of one commune share its centre) are ordered newest first
        here, after reading the whole group that straddles the page's end (the limit doubles
        until a farther row follows it)."""
        p = self.params
        key = f"{SPHERE_POINT_COLUMN} <-> {sphere_point_sql(p.lat, p.lon)}"
        sql, params = self._filters_sql()
        # The circle without its bounding boxes, which would lead the planner to the band
        # index and a sort. A superset of the count's rows (the boxes hold the circle), so
        # the limit below is always reached within the circle.
        where = f"{sql} AND {exact_circle_sql(p.lat, p.lon, p.radius_km, connection)}"
        limit, tries = min(total, stop + 1), 0
        while True:
            tries += 1
            rows = rows_in(
                f"SELECT {ID_COLUMN} FROM {LISTING_TABLE} WHERE {where} "  # noqa: S608 - ours
                f"ORDER BY {key} LIMIT {int(limit)}",
                params,
            )
            for row in rows:
                row.distance_km = haversine_km(p.lat, p.lon, row.latitude, row.longitude)
            rows.sort(key=lambda row: row.pk, reverse=True)  # stable sorts: id, date, distance
            # Newest first, and (as PostgreSQL's DESC) a row without a date before the others.
            rows.sort(key=lambda row: (row.published_at is None, row.published_at), reverse=True)
            rows.sort(key=lambda row: row.distance_km)
            if len(rows) <= stop or limit >= total:
                break
            if rows[-1].distance_km != rows[stop - 1].distance_km:
                break
            limit = min(total, limit * 2)
        self.queries_in_last_slice = tries
        return rows

    def _nearest_in_growing_circles(self, stop: int, wanted: int, total: int) -> list[int]:
        """The ids of the `stop` nearest rows, sorted by the database within a circle grown
        until it holds them (SQLite, and the selective searches on PostgreSQL); the rows are
        then read by id."""
        p = self.params
        # Listings are densest where people live, around the point more than at the edge of
        # its circle: a circle holding `wanted` at the radius's average density is a fair,
        # usually generous, first guess.
        radius = p.radius_km
        if total > wanted:
            radius = max(MIN_RADIUS_KM, p.radius_km * math.sqrt(wanted / total) * 1.2)
        order = (
            f"ORDER BY {distance_order_sql(LAT_COLUMN, LON_COLUMN, p.lat, p.lon, connection)}, "
            f"{PUBLISHED_COLUMN} DESC, {ID_COLUMN} DESC LIMIT {int(stop)}"
        )
        tries = 0
        while True:
            tries += 1
            radius = min(radius, p.radius_km)
            hits = [row[0] for row in self._select(ID_COLUMN, self._where(radius), order)]
            if len(hits) >= wanted or radius >= p.radius_km:
                break
            radius *= self.GROWTH
        self.queries_in_last_slice = tries
        return hits

    def _rows_by_ids(self, ids: list[int]) -> list[Listing]:
        """The listings of `ids`, in that order, with what the serializer reads and, with a
        point, their `distance_km`. By id alone: the filters were applied by the statement that
        found the ids (repeating them here lets SQLite pick a status index over the primary
        key)."""
        if not ids:
            return []
        p = self.params
        by_id = {row.pk: row for row in page_rows(ids)}
        # A row gone since the ids were read (PostgreSQL read committed) is left out.
        rows = [by_id[pk] for pk in ids if pk in by_id]
        if p.has_point:
            for row in rows:
                row.distance_km = haversine_km(p.lat, p.lon, row.latitude, row.longitude)
        return rows
