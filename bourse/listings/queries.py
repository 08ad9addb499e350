"""Reads for browsing and searching listings: the radius search, full-text search and filters.

One code path serves the API (GET /api/v1/listings/), the search page and the benchmark
(bench/search.py): `parse_search_params` validates what the client sent, `ListingSearch` runs it.

Radius search, as measured (shared/spec/MEASURED.md, docs/benchmarks.md "Radius search"):
bounding box(es) read from a B-tree on (0.1° latitude band, longitude) (the covering index
`listing_search_band` of migration 0008), then the exact great-circle test in SQL. Sorting by
distance first looks in a small circle and grows it until it holds the page, so a dense city
(Paris: ~13,000 of 100,000 listings within 50 km) does not sort every row of its radius to show
twenty. The filters are compiled by the ORM once per search; the count and the page's ids are
then short statements on the listings table, and the page's rows are read by id.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connection, transaction
from django.db.models import BooleanField, F, FloatField, Func, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from bourse.geo import data as geo
from bourse.geo.distance import EARTH_RADIUS_KM, bounding_boxes, haversine_km, inner_box

from .models import Category, Kind, Listing

LISTING_TABLE = '"listings_listing"'
ID_COLUMN = '"listings_listing"."id"'
LAT_COLUMN = '"listings_listing"."latitude"'
LON_COLUMN = '"listings_listing"."longitude"'
PUBLISHED_COLUMN = '"listings_listing"."published_at"'
# The radius search's index (migration 0008, `listing_search_band`) leads with the 0.1° band of
# the latitude (~11 km), then the longitude: a box is read as a few short runs of longitudes,
# one per band, instead of every listing of its latitudes across the whole country. Queries
# must write the expression exactly as the index does for the planner to match it.
LATITUDE_BANDS_PER_DEGREE = 10
LATITUDE_BAND_SQL = f"CAST(FLOOR({{lat}} * {LATITUDE_BANDS_PER_DEGREE}) AS INTEGER)"
DEFAULT_RADIUS_KM = 50.0
MIN_RADIUS_KM = 1.0
MAX_RADIUS_KM = 1000.0
MAX_QUERY_LENGTH = 200
ORDERING_DISTANCE = "distance"
ORDERING_RECENT = "-published_at"
ORDERINGS = (ORDERING_DISTANCE, ORDERING_RECENT)

# PostgreSQL text search configuration created by migration 0003 (french stemmer + unaccent).
PG_TEXT_SEARCH_CONFIG = "french_unaccent"
# The indexed expression of the GIN index `listing_fulltext`: a query must repeat it exactly.
PG_DOCUMENT_SQL = (
    "to_tsvector('french_unaccent'::regconfig, "
    "coalesce(\"listings_listing\".\"title\", '') || ' ' || "
    'coalesce("listings_listing"."description", \'\'))'
)
SQLITE_FTS_TABLE = "listings_listing_fts"
# The triggers that keep the FTS5 table (external content: listings_listing) in step. Migration
# 0003 creates the same ones; `ensure_sqlite_search_schema` restores them if they went missing.
SQLITE_FTS_TRIGGER_NAMES = (
    "listings_listing_fts_ai",
    "listings_listing_fts_ad",
    "listings_listing_fts_au",
)
SQLITE_FTS_TRIGGERS = (
    "CREATE TRIGGER listings_listing_fts_ai AFTER INSERT ON listings_listing BEGIN "
    "INSERT INTO listings_listing_fts(rowid, title, description) "
    "VALUES (new.id, new.title, new.description); END",
    "CREATE TRIGGER listings_listing_fts_ad AFTER DELETE ON listings_listing BEGIN "
    "INSERT INTO listings_listing_fts(listings_listing_fts, rowid, title, description) "
    "VALUES ('delete', old.id, old.title, old.description); END",
    "CREATE TRIGGER listings_listing_fts_au AFTER UPDATE OF title, description "
    "ON listings_listing BEGIN "
    "INSERT INTO listings_listing_fts(listings_listing_fts, rowid, title, description) "
    "VALUES ('delete', old.id, old.title, old.description); "
    "INSERT INTO listings_listing_fts(rowid, title, description) "
    "VALUES (new.id, new.title, new.description); END",
)


# --- Distance in SQL -------------------------------------------------------------------------


def _sqlite_has_math(conn) -> bool:
    """SQLite's math functions (sin, asin, radians...) are a build option: detect them once."""
    cached = getattr(conn, "_bourse_has_math", None)
    if cached is None:
        with conn.cursor() as cursor:
            try:
                cursor.execute("SELECT sin(1), asin(1), radians(1), sqrt(4), cos(1)")
                cursor.fetchone()
                cached = True
            except Exception:  # noqa: BLE001 - "no such function" is an OperationalError
                cached = False
        conn._bourse_has_math = cached
    return cached


def _register_python_haversine(conn) -> None:
    """Fallback for SQLite builds without math functions: the distance as a Python function,
    registered on each new database connection (about twice slower, see MEASURED.md)."""
    raw = conn.connection
    if getattr(conn, "_bourse_haversine_on", None) is raw:
        return
    raw.create_function("bourse_haversine_km", 4, haversine_km, deterministic=True)
    conn._bourse_haversine_on = raw


def _float_sql(value: float) -> str:
    # Only floats we computed or parsed (finite) reach SQL this way, never text from a client.
    value = float(value)
    if not math.isfinite(value):
        raise ValueError("not a finite number")
    return repr(value)


class HaversineKm(Func):
    """The great-circle distance in km from a fixed point to (latitude, longitude), in SQL.

    The same formula as bourse.geo.distance.haversine_km (sphere of 6,371.0088 km); the point's
    constants are computed once in Python and written as literals.
    """

    output_field = FloatField()

    def __init__(self, lat: float, lon: float, lat_field="latitude", lon_field="longitude"):
        self.point = (float(lat), float(lon))
        super().__init__(F(lat_field), F(lon_field))

    def _parts(self, compiler, conn):
        lat_sql, lat_params = compiler.compile(self.source_expressions[0])
        lon_sql, lon_params = compiler.compile(self.source_expressions[1])
        return lat_sql, lon_sql, [*lat_params, *lon_params]

    def as_sql(self, compiler, connection, **extra_context):  # noqa: A002 - Django's name
        lat_sql, lon_sql, params = self._parts(compiler, connection)
        plat, plon = self.point
        if connection.vendor == "sqlite" and not _sqlite_has_math(connection):
            _register_python_haversine(connection)
            sql = (
                f"bourse_haversine_km({_float_sql(plat)}, {_float_sql(plon)}, {lat_sql}, {lon_sql})"
            )
            # haversine_km(lat1, lon1, lat2, lon2) is symmetric; params follow lat, lon order.
            return sql, params
        least = "LEAST" if connection.vendor == "postgresql" else "MIN"
        rad_plat = _float_sql(math.radians(plat))
        cos_plat = _float_sql(math.cos(math.radians(plat)))
        rad_plon = _float_sql(math.radians(plon))
        diameter = _float_sql(2 * EARTH_RADIUS_KM)
        sql = (
            f"({diameter} * ASIN({least}(1.0, SQRT("
            f"POWER(SIN((RADIANS({lat_sql}) - {rad_plat}) / 2), 2) + "
            f"{cos_plat} * COS(RADIANS({lat_sql})) * "
            f"POWER(SIN((RADIANS({lon_sql}) - {rad_plon}) / 2), 2)))))"
        )
        # lat_sql appears twice, lon_sql once: repeat their (normally empty) params in order.
        lat_params = params[: len(params) // 2]
        lon_params = params[len(params) // 2 :]
        return sql, [*lat_params, *lat_params, *lon_params]


def haversine_term_sql(lat_sql: str, lon_sql: str, lat: float, lon: float) -> str:
    """Twice the haversine term a of the distance d = 2R·asin(√a) from (lat, lon) to the columns
    `lat_sql`, `lon_sql`, written with 1 − cos x = 2·sin²(x/2): three cosines per row where the
    full distance needs ten calls. The point's constants are literals computed here."""
    to_rad = _float_sql(math.pi / 180)
    rad_plat = _float_sql(math.radians(lat))
    cos_plat = _float_sql(math.cos(math.radians(lat)))
    rad_plon = _float_sql(math.radians(lon))
    return (
        f"((1 - COS({lat_sql} * {to_rad} - {rad_plat})) + {cos_plat} * "
        f"COS({lat_sql} * {to_rad}) * (1 - COS({lon_sql} * {to_rad} - {rad_plon})))"
    )


def haversine_term_bound(radius_km: float) -> float:
    """The value of haversine_term_sql at `radius_km`: d ≤ r exactly when the term ≤ this."""
    return 2 * math.sin(radius_km / (2 * EARTH_RADIUS_KM)) ** 2


def distance_order_sql(lat_sql: str, lon_sql: str, lat: float, lon: float, conn) -> str:
    """An SQL value growing with the distance from (lat, lon): the haversine term, or the
    distance itself through the Python function on SQLite builds without math functions."""
    if conn.vendor == "sqlite" and not _sqlite_has_math(conn):
        _register_python_haversine(conn)
        return f"bourse_haversine_km({_float_sql(lat)}, {_float_sql(lon)}, {lat_sql}, {lon_sql})"
    return haversine_term_sql(lat_sql, lon_sql, lat, lon)


def distance_bound(radius_km: float, conn) -> float:
    """The value of distance_order_sql at `radius_km`."""
    if conn.vendor == "sqlite" and not _sqlite_has_math(conn):
        return float(radius_km)
    return haversine_term_bound(radius_km)


def box_q(lat: float, lon: float, radius_km: float) -> Q:
    """The bounding box(es) of the circle, as a filter the (latitude, longitude) index serves."""
    q = Q()
    for min_lat, max_lat, min_lon, max_lon in bounding_boxes(lat, lon, radius_km):
        q |= Q(
            latitude__gte=min_lat,
            latitude__lte=max_lat,
            longitude__gte=min_lon,
            longitude__lte=max_lon,
        )
    return q


# --- Full-text search ------------------------------------------------------------------------

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


SQLITE_SEARCH_INDEX_NAME = "listing_search_band"
SQLITE_SEARCH_INDEX = (  # as migration 0008 creates it
    f"CREATE INDEX IF NOT EXISTS {SQLITE_SEARCH_INDEX_NAME} ON listings_listing "
    f"(status, {LATITUDE_BAND_SQL.format(lat='latitude')}, longitude, latitude, expires_at, "
    "company_id, published_at)"
)


def ensure_sqlite_search_schema(conn) -> None:
    """Restores the FTS5 triggers (migration 0003) and the radius search's covering index
    (migration 0008) if a table rebuild dropped them.

    SQLite's schema editor alters a table by copying it and dropping the old one, which drops
    the triggers and indexes Django does not know about: a later migration of Listing would
    silently stop the text index from following and slow the radius search. Checked once per
    connection; a no-op elsewhere than SQLite.
    """
    if conn.vendor != "sqlite" or getattr(conn, "_bourse_search_schema_checked", False):
        return
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE name IN (%s, %s, %s, %s, %s)",
            [*SQLITE_FTS_TRIGGER_NAMES, SQLITE_FTS_TABLE, SQLITE_SEARCH_INDEX_NAME],
        )
        present = {row[0] for row in cursor.fetchall()}
        if SQLITE_FTS_TABLE not in present:
            # Migrations have not run (or were faked): nothing to restore here.
            conn._bourse_search_schema_checked = True
            return
        missing_triggers = set(SQLITE_FTS_TRIGGER_NAMES) - present
        with transaction.atomic(using=conn.alias):
            if missing_triggers:
                for name in SQLITE_FTS_TRIGGER_NAMES:
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                for statement in SQLITE_FTS_TRIGGERS:
                    cursor.execute(statement)
                cursor.execute(
                    "INSERT INTO listings_listing_fts(listings_listing_fts) VALUES ('rebuild')"
                )
            if SQLITE_SEARCH_INDEX_NAME not in present:
                cursor.execute(SQLITE_SEARCH_INDEX)
    conn._bourse_search_schema_checked = True


def text_search(qs: QuerySet, text: str) -> QuerySet:
    """Listings whose title or description match every word of `text`.

    PostgreSQL: French stemming and accents folded (configuration `french_unaccent`), served by
    the GIN index on the same expression. SQLite: an FTS5 table (diacritics removed) queried
    with plural-stripped prefixes.
    """
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
        ensure_sqlite_search_schema(connection)
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


# --- Search parameters -----------------------------------------------------------------------


class SearchParamsError(Exception):
    """Invalid search input; `errors` has DRF's shape {"field": ["message", ...]}."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


@dataclass(frozen=True)
class SearchParams:
    kind: str = ""
    category: Category | None = None
    category_ids: tuple[int, ...] = ()
    q: str = ""
    lat: float | None = None
    lon: float | None = None
    radius_km: float = DEFAULT_RADIUS_KM
    company_id: int | None = None
    ordering: str = ORDERING_RECENT
    place: geo.Place | None = field(default=None, compare=False)

    @property
    def has_point(self) -> bool:
        return self.lat is not None and self.lon is not None


def _first(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name, "")
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    return str(value).strip() if value is not None else ""


def parse_float(raw: str) -> float | None:
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse_search_params(
    data: Mapping[str, Any], *, point: tuple[float, float] | None = None
) -> SearchParams:
    """Validates the query string of a search (API or page). Raises SearchParamsError naming
    each bad field, in French. `point` is a position the caller already knows (the page's
    "around my company"), used when the request names none."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}

    kind = _first(data, "kind")
    if kind:
        if kind not in Kind.values:
            errors["kind"] = [_("Choisissez « offer » (offre) ou « need » (besoin).")]
        else:
            values["kind"] = kind

    slug = _first(data, "category")
    if slug:
        category = Category.objects.filter(slug=slug).first()
        if category is None:
            errors["category"] = [_("Catégorie inconnue : « %(slug)s ».") % {"slug": slug}]
        else:
            # A parent category includes its children (two levels only).
            ids = [category.pk]
            if category.parent_id is None:
                ids += list(category.children.values_list("pk", flat=True))
            values["category"] = category
            values["category_ids"] = tuple(ids)

    q = _first(data, "q")
    if len(q) > MAX_QUERY_LENGTH:
        errors["q"] = [
            _("Le texte recherché est trop long (%(max)d caractères au plus).")
            % {"max": MAX_QUERY_LENGTH}
        ]
    elif q:
        values["q"] = q

    near = _first(data, "near")
    raw_lat, raw_lon = _first(data, "lat"), _first(data, "lon")
    if near and (raw_lat or raw_lon):
        errors["near"] = [_("Indiquez soit un code postal, soit une latitude et une longitude.")]
    elif near:
        place = geo.lookup(near) if re.fullmatch(r"\d[0-9AB]\d{3}", near) else None
        if place is None:
            errors["near"] = [_("Code postal inconnu : « %(code)s ».") % {"code": near[:10]}]
        else:
            values.update(lat=place.latitude, lon=place.longitude, place=place)
    elif raw_lat or raw_lon:
        lat = parse_float(raw_lat) if raw_lat else None
        lon = parse_float(raw_lon) if raw_lon else None
        if not raw_lat:
            errors["lat"] = [_("Indiquez aussi la latitude.")]
        elif lat is None or not -90 <= lat <= 90:
            errors["lat"] = [_("La latitude doit être un nombre entre -90 et 90.")]
        if not raw_lon:
            errors["lon"] = [_("Indiquez aussi la longitude.")]
        elif lon is None or not -180 <= lon <= 180:
            errors["lon"] = [_("La longitude doit être un nombre entre -180 et 180.")]
        if "lat" not in errors and "lon" not in errors:
            values.update(lat=lat, lon=lon)
    elif point is not None:
        values.update(lat=float(point[0]), lon=float(point[1]))

    raw_radius = _first(data, "radius_km")
    if raw_radius:
        radius = parse_float(raw_radius)
        if radius is None or not MIN_RADIUS_KM <= radius <= MAX_RADIUS_KM:
            errors["radius_km"] = [_("Le rayon doit être un nombre de km entre 1 et 1000.")]
        else:
            values["radius_km"] = radius

    raw_company = _first(data, "company")
    if raw_company:
        if not raw_company.isdigit() or int(raw_company) <= 0 or len(raw_company) > 18:
            errors["company"] = [_("Identifiant d'entreprise invalide.")]
        else:
            values["company_id"] = int(raw_company)

    ordering = _first(data, "ordering")
    if ordering:
        if ordering not in ORDERINGS:
            errors["ordering"] = [_("Tri inconnu : choisissez « distance » ou « -published_at ».")]
        elif ordering == ORDERING_DISTANCE and "lat" not in values and "near" not in errors:
            errors["ordering"] = [
                _("Le tri par distance demande un lieu (code postal, ou latitude et longitude).")
            ]
        else:
            values["ordering"] = ordering

    if errors:
        raise SearchParamsError(errors)
    return SearchParams(**values)


# --- The search ------------------------------------------------------------------------------


def live_listings() -> QuerySet:
    """What Listing.objects.published() selects (published, not past expiry, company verified;
    a test pins the equality), with the company test written as `company_id NOT IN (the
    companies that are not verified)` instead of a join.

    Same rows, better plans: with the join, SQLite drives the query from the verified
    companies and sorts every live listing to show the newest twenty (~150 ms for 100,000
    listings); with the subquery it walks the (status, published_at) index and stops after
    twenty. The companies that are not verified are read once per statement from the status
    index (a hash on PostgreSQL, a small temporary index on SQLite); a correlated EXISTS, one
    lookup per row of the circle, cost a third of the count (docs/benchmarks.md).
    """
    from accounts.models import Company

    # Named statuses rather than `status <> 'verified'`, so that the status index serves it.
    others = [status for status in Company.Status.values if status != Company.Status.VERIFIED]
    not_verified = Company.objects.filter(status__in=others).values("pk")
    return Listing.objects.filter(
        ~Q(company_id__in=not_verified),
        status=Listing.Status.PUBLISHED,
        expires_at__gt=timezone.now(),
    )


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
    order = distance_order_sql(LAT_COLUMN, LON_COLUMN, lat, lon, conn)
    exact = f"{order} <= {_float_sql(distance_bound(radius_km, conn))}"
    inner = inner_box(lat, lon, radius_km)
    if inner is not None:
        # Rows of the square inside the circle pass without their distance (both databases
        # stop at the first true term of an OR): a third less time for a count.
        min_lat, max_lat, min_lon, max_lon = (_float_sql(v) for v in inner)
        exact = (
            f"({LAT_COLUMN} >= {min_lat} AND {LAT_COLUMN} <= {max_lat} "
            f"AND {LON_COLUMN} >= {min_lon} AND {LON_COLUMN} <= {max_lon}) OR {exact}"
        )
    return f"({' OR '.join(boxes)}) AND ({exact})", params


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
        self.base = base if base is not None else live_listings()
        self._count: int | None = None
        self._filters: tuple[str, list] | None = None
        self.queries_in_last_slice = 0

    def filtered(self) -> QuerySet:
        """Every filter except the circle, as a queryset."""
        p = self.params
        qs = self.base
        if p.kind:
            qs = qs.filter(kind=p.kind)
        if p.category_ids:
            qs = qs.filter(category_id__in=p.category_ids)
        if p.company_id is not None:
            qs = qs.filter(company_id=p.company_id)
        if p.q:
            qs = text_search(qs, p.q)
        return qs

    def _where(self, radius_km: float | None = None) -> tuple[str, list]:
        """Every filter and, with a point, the circle of `radius_km` (the search's by default)."""
        if self._filters is None:
            self._filters = compile_filters(self.filtered())
        sql, params = self._filters
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
        which add tens of ms to these index queries on a small server (MEASURED.md), are off
        for the whole connection (settings: PG_MAX_PARALLEL_WORKERS_PER_GATHER)."""
        ensure_sqlite_search_schema(connection)
        sql, params = where
        statement = f"SELECT {columns} FROM {LISTING_TABLE} WHERE {sql} {tail}"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall()

    def count(self) -> int:
        if self._count is None:
            self._count = self._select("COUNT(*)", self._where())[0][0]
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if isinstance(index, int):
            rows = self[index : index + 1]
            if not rows:
                raise IndexError(index)
            return rows[0]
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("ListingSearch supports integer indexes and plain slices")
        start = index.start or 0
        stop = index.stop if index.stop is not None else self.count()
        if start < 0 or stop < 0:
            raise ValueError("ListingSearch does not support negative indexes")
        if stop <= start:
            return []
        if self.params.has_point and self.params.ordering == ORDERING_DISTANCE:
            return self._nearest(start, stop)
        # Newest first: ids (and dates) from an index, then the page's rows by id.
        self.queries_in_last_slice = 1
        ids = self._select(
            f"{ID_COLUMN}",
            self._where(),
            f"ORDER BY {PUBLISHED_COLUMN} DESC, {ID_COLUMN} DESC "
            f"LIMIT {int(stop - start)} OFFSET {int(start)}",
        )
        return self._rows_by_ids([row[0] for row in ids])

    def _nearest(self, start: int, stop: int) -> list[Listing]:
        p = self.params
        total = self.count()
        wanted = min(stop, total)
        if wanted <= start:
            self.queries_in_last_slice = 0
            return []
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
        return self._rows_by_ids(hits[start:stop])

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

        from .models import PREFETCHED_PHOTOS, ListingPhoto

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


def page_statements() -> _PageStatements:
    """This connection's _PageStatements."""
    statements = getattr(connection, "_bourse_page_statements", None)
    if statements is None:
        statements = connection._bourse_page_statements = _PageStatements(connection)
    return statements


def page_rows(ids: list[int]) -> list[Listing]:
    """The listings of `ids` (any order) as Listing.objects.for_api() loads them (the listing,
    its category, its company's id and name, its photos in order), in one plain statement.

    A search page's hot path: the ORM spent longer building and reading its two queries than
    the database running them (docs/benchmarks.md). A test checks that the serializer gets the
    same from both.
    """
    ids = [int(pk) for pk in ids]
    if not ids:
        return []  # `IN ()` is not SQL
    statements = page_statements()
    n_photo = statements.n_photo
    listings: dict[int, Listing] = {}
    with connection.cursor() as cursor:
        cursor.execute(statements.sql.format(ids=", ".join(["%s"] * len(ids))), ids)
        rows = cursor.fetchall()
    for row in rows:
        listing = listings.get(row[statements.listing_pk_at])
        if listing is None:
            listing = statements.listing_from(list(row[:-n_photo]), connection)
            listings[listing.pk] = listing
        if row[statements.photo_pk_at] is not None:
            statements.add_photo(listing, list(row[-n_photo:]), connection)
    return list(listings.values())
