"""The great-circle distance in SQL, for every app that searches by position (listings, matching).

The same sphere and formula as bourse.geo.distance.haversine_km. A point's constants are computed
once in Python and written into the statement as literals (finite floats only, never text from a
client); the columns come from the ORM or from the caller's own SQL.

SQLite's math functions (sin, asin, radians...) are a build option. Without them (Django then
registers slow Python versions of each) the distance is one Python function,
`bourse_haversine_km`, registered on every SQLite connection as it opens (GeoConfig.ready):
about twice faster than ten Python calls per row.
"""

from __future__ import annotations

import functools
import math
import sqlite3

from django.db.models import F, FloatField, Func, Q

from .distance import EARTH_RADIUS_KM, bounding_boxes, haversine_km

PYTHON_HAVERSINE = "bourse_haversine_km"


@functools.cache
def sqlite_has_math() -> bool:
    """Whether the SQLite library of this process has its math functions (checked on a private
    in-memory database: Django's connections have Python stand-ins registered)."""
    probe = sqlite3.connect(":memory:")
    try:
        probe.execute("SELECT sin(1), asin(1), radians(1), sqrt(4), cos(1)").fetchone()
    except sqlite3.OperationalError:  # "no such function"
        return False
    finally:
        probe.close()
    return True


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    """`connection_created` receiver: the Python distance on each new SQLite connection."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(PYTHON_HAVERSINE, 4, haversine_km, deterministic=True)


def uses_python_distance(conn) -> bool:
    return conn.vendor == "sqlite" and not sqlite_has_math()


def float_sql(value: float) -> str:
    """A finite float as an SQL literal (only numbers we computed or parsed come here)."""
    value = float(value)
    if not math.isfinite(value):
        raise ValueError("not a finite number")
    return repr(value)


class HaversineKm(Func):
    """The great-circle distance in km from a fixed point to (latitude, longitude), in SQL."""

    output_field = FloatField()

    def __init__(self, lat: float, lon: float, lat_field="latitude", lon_field="longitude"):
        self.point = (float(lat), float(lon))
        super().__init__(F(lat_field), F(lon_field))

    def as_sql(self, compiler, connection, **extra_context):  # noqa: A002 - Django's name
        lat_sql, lat_params = compiler.compile(self.source_expressions[0])
        lon_sql, lon_params = compiler.compile(self.source_expressions[1])
        plat, plon = self.point
        if uses_python_distance(connection):
            # haversine_km(lat1, lon1, lat2, lon2); params follow the lat, lon order.
            sql = f"{PYTHON_HAVERSINE}({float_sql(plat)}, {float_sql(plon)}, {lat_sql}, {lon_sql})"
            return sql, [*lat_params, *lon_params]
        least = "LEAST" if connection.vendor == "postgresql" else "MIN"
        rad_plat = float_sql(math.radians(plat))
        cos_plat = float_sql(math.cos(math.radians(plat)))
        rad_plon = float_sql(math.radians(plon))
        diameter = float_sql(2 * EARTH_RADIUS_KM)
        sql = (
            f"({diameter} * ASIN({least}(1.0, SQRT("
            f"POWER(SIN((RADIANS({lat_sql}) - {rad_plat}) / 2), 2) + "
            f"{cos_plat} * COS(RADIANS({lat_sql})) * "
            f"POWER(SIN((RADIANS({lon_sql}) - {rad_plon}) / 2), 2)))))"
        )
        # lat_sql appears twice, lon_sql once: repeat their (normally empty) params in order.
        return sql, [*lat_params, *lat_params, *lon_params]


def haversine_term_sql(lat_sql: str, lon_sql: str, lat: float, lon: float) -> str:
    """Twice the haversine term a of the distance d = 2R·asin(√a) from (lat, lon) to the columns
    `lat_sql`, `lon_sql`, written with 1 − cos x = 2·sin²(x/2): three cosines per row where the
    full distance needs ten calls. The point's constants are literals computed here."""
    to_rad = float_sql(math.pi / 180)
    rad_plat = float_sql(math.radians(lat))
    cos_plat = float_sql(math.cos(math.radians(lat)))
    rad_plon = float_sql(math.radians(lon))
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
    if uses_python_distance(conn):
        return f"{PYTHON_HAVERSINE}({float_sql(lat)}, {float_sql(lon)}, {lat_sql}, {lon_sql})"
    return haversine_term_sql(lat_sql, lon_sql, lat, lon)


def distance_bound(radius_km: float, conn) -> float:
    """The value of distance_order_sql at `radius_km`."""
    if uses_python_distance(conn):
        return float(radius_km)
    return haversine_term_bound(radius_km)


def box_q(lat: float, lon: float, radius_km: float) -> Q:
    """The bounding box(es) of the circle, as a filter a (latitude, longitude) index serves."""
    q = Q()
    for min_lat, max_lat, min_lon, max_lon in bounding_boxes(lat, lon, radius_km):
        q |= Q(
            latitude__gte=min_lat,
            latitude__lte=max_lat,
            longitude__gte=min_lon,
            longitude__lte=max_lon,
        )
    return q
