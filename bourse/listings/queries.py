"""Reads for browsing and searching listings: the radius search, full-text search and filters.

One code path serves the API (GET /api/v1/listings/), the search page and the benchmark
(bench/search.py): `parse_search_params` validates what the client sent, `ListingSearch` runs it.

Radius search, as measured (shared/spec/MEASURED.md, docs/benchmarks.md "Radius search"):
bounding box(es) on a (latitude, longitude) B-tree (the covering index `listing_search_geo` of
migrations 0004/0006), then the exact great-circle test in SQL; `distance_km` is the haversine
formula in SQL. Sorting by distance first looks in a small circle and grows it until it holds the
page, so a dense city (Paris: ~13,000 of 100,000 listings within 50 km) does not sort every row
of its radius to show twenty. Pages are read as ids first, then the page's rows by id.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import BooleanField, Exists, F, FloatField, Func, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from bourse.geo import data as geo
from bourse.geo.distance import EARTH_RADIUS_KM, bounding_boxes, haversine_km

from .models import Category, Kind, Listing

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


class HaversineTerm(HaversineKm):
    """Twice the haversine term a of the distance d = 2R·asin(√a), written with
    1 − cos x = 2·sin²(x/2): three cosines per row where the full distance needs ten calls.

    d grows with a, so ordering by this term is ordering by distance, and d ≤ r exactly when
    2a ≤ 2·sin²(r / 2R) (WithinRadius). Without SQLite math functions it is the distance itself
    (Python fallback), which orders the same.
    """

    def as_sql(self, compiler, connection, **extra_context):  # noqa: A002 - Django's name
        if connection.vendor == "sqlite" and not _sqlite_has_math(connection):
            return super().as_sql(compiler, connection, **extra_context)
        lat_sql, lon_sql, params = self._parts(compiler, connection)
        plat, plon = self.point
        to_rad = _float_sql(math.pi / 180)
        rad_plat = _float_sql(math.radians(plat))
        cos_plat = _float_sql(math.cos(math.radians(plat)))
        rad_plon = _float_sql(math.radians(plon))
        sql = (
            f"((1 - COS({lat_sql} * {to_rad} - {rad_plat})) + {cos_plat} * "
            f"COS({lat_sql} * {to_rad}) * (1 - COS({lon_sql} * {to_rad} - {rad_plon})))"
        )
        lat_params = params[: len(params) // 2]
        lon_params = params[len(params) // 2 :]
        return sql, [*lat_params, *lat_params, *lon_params]

    @staticmethod
    def bound(radius_km: float, connection) -> float:
        """The value of the term at `radius_km` (both sides of the WithinRadius test)."""
        if connection.vendor == "sqlite" and not _sqlite_has_math(connection):
            return float(radius_km)
        return 2 * math.sin(radius_km / (2 * EARTH_RADIUS_KM)) ** 2


class WithinRadius(HaversineTerm):
    """`great-circle distance ≤ radius_km`, as a boolean SQL expression for filter()."""

    output_field = BooleanField()

    def __init__(self, lat: float, lon: float, radius_km: float):
        self.radius_km = float(radius_km)
        super().__init__(lat, lon)

    def as_sql(self, compiler, connection, **extra_context):  # noqa: A002 - Django's name
        sql, params = super().as_sql(compiler, connection, **extra_context)
        return f"({sql} <= {_float_sql(self.bound(self.radius_km, connection))})", params


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


def within_radius(qs: QuerySet, lat: float, lon: float, radius_km: float) -> QuerySet:
    """`qs` narrowed to the circle (the box first, for the index; then the exact test), each row
    annotated with its exact `distance_km` (the haversine formula in SQL)."""
    return (
        qs.filter(box_q(lat, lon, radius_km))
        .filter(WithinRadius(lat, lon, radius_km))
        .annotate(distance_km=HaversineKm(lat, lon))
    )


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


SQLITE_SEARCH_INDEX = (
    "CREATE INDEX IF NOT EXISTS listing_search_geo ON listings_listing "
    "(status, latitude, longitude, expires_at, company_id, published_at)"
)


def ensure_sqlite_search_schema(conn) -> None:
    """Restores the FTS5 triggers and the covering index of migrations 0003/0004 if a table
    rebuild dropped them.

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
            [*SQLITE_FTS_TRIGGER_NAMES, SQLITE_FTS_TABLE, "listing_search_geo"],
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
            if "listing_search_geo" not in present:
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


@contextmanager
def search_transaction(conn=None):
    """Wraps each search query. PostgreSQL: on two cores, parallel plans add tens of ms to
    these index queries (MEASURED.md), so they are turned off for this transaction only.
    SQLite: no transaction at all (this project's SQLite transactions are IMMEDIATE, i.e. take
    the write lock, which a read must not do); the search schema is checked once per
    connection instead. Reentrant: wrap a whole request's count and page in one."""
    conn = conn or connection
    if getattr(conn, "_bourse_in_search_transaction", False):
        yield  # nested: the count and the page of one request share one transaction
    elif conn.vendor == "postgresql":
        with transaction.atomic(using=conn.alias):
            with conn.cursor() as cursor:
                cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
            conn._bourse_in_search_transaction = True
            try:
                yield
            finally:
                conn._bourse_in_search_transaction = False
    else:
        ensure_sqlite_search_schema(conn)
        yield


def live_listings() -> QuerySet:
    """What Listing.objects.published() selects (published, not past expiry, company verified;
    a test pins the equality), with the company test written as a correlated EXISTS instead of
    a join.

    Same rows, better plans: with the join, SQLite drives the query from the verified
    companies and sorts every live listing to show the newest twenty (~150 ms for 100,000
    listings); with EXISTS it walks the (status, published_at) index and stops after twenty
    (0.1 ms), and counts through a covering index (3x faster). PostgreSQL plans both alike.
    """
    from accounts.models import Company

    return Listing.objects.filter(
        Exists(Company.objects.filter(pk=OuterRef("company_id"), status=Company.Status.VERIFIED)),
        status=Listing.Status.PUBLISHED,
        expires_at__gt=timezone.now(),
    )


class ListingSearch:
    """The published listings matching `params`, as a sequence a Django Paginator (and so DRF's
    PageNumberPagination) can page through: `count()` and slicing.

    With a point and ordering by distance, a slice is found by looking in a small circle first
    (sized from the count and the page wanted) and doubling it until it holds the slice or
    reaches the radius: the nearest rows of the small circle are the nearest overall.
    """

    GROWTH = 2.0

    def __init__(self, params: SearchParams, base: QuerySet | None = None):
        self.params = params
        self.base = base if base is not None else live_listings()
        self._count: int | None = None
        self.queries_in_last_slice = 0

    def filtered(self) -> QuerySet:
        """Every filter except the circle."""
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

    def queryset(self, radius_km: float | None = None) -> QuerySet:
        """The full result as a queryset, in the requested order (every row of the radius)."""
        p = self.params
        qs = self.filtered()
        if p.has_point:
            qs = within_radius(qs, p.lat, p.lon, radius_km or p.radius_km)
            if p.ordering == ORDERING_DISTANCE:
                return qs.order_by(HaversineTerm(p.lat, p.lon).asc(), "-published_at", "-id")
        return qs.order_by("-published_at", "-id")

    def count(self) -> int:
        if self._count is None:
            with search_transaction():
                self._count = self.queryset().count()
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
        if stop <= start:
            return []
        with search_transaction():
            if self.params.has_point and self.params.ordering == ORDERING_DISTANCE:
                return self._nearest(start, stop)
            # Newest first: ids (and dates) from an index, then the page's rows by id.
            self.queries_in_last_slice = 1
            return self._rows_by_ids(list(self.queryset().values_list("pk", flat=True)[start:stop]))

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
        # The circle is searched on the index alone (ids and distances), then the page's rows
        # are fetched by id with their company, category and photos.
        tries = 0
        while True:
            tries += 1
            radius = min(radius, p.radius_km)
            hits = list(self.queryset(radius).values_list("pk", flat=True)[:stop])
            if len(hits) >= wanted or radius >= p.radius_km:
                break
            radius *= self.GROWTH
        self.queries_in_last_slice = tries
        return self._rows_by_ids(hits[start:stop])

    def _rows_by_ids(self, ids: list[int]) -> list[Listing]:
        """The listings of `ids`, in that order, with what the serializer reads and their
        distance. By id alone: the filters were applied by the query that found the ids
        (repeating them here lets SQLite pick a status index over the primary key)."""
        p = self.params
        rows = Listing.objects.for_api().filter(pk__in=ids).order_by()
        if p.has_point:
            rows = rows.annotate(distance_km=HaversineKm(p.lat, p.lon))
        by_id = {row.pk: row for row in rows}
        # A row gone between the two queries (PostgreSQL read committed) is left out.
        return [by_id[pk] for pk in ids if pk in by_id]
