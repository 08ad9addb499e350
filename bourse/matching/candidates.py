"""The statements behind a listing's suggestions, written once as SQL (queries.score_top runs them).

A top is computed for every newly published listing (its stored suggestions: services.lists)
and for a stored list read missing or stale. Built through the ORM, its five or six queries
cost more CPU to compile (filters, joins, an aggregate, converters) than the database took to
run them. Here each is a plain
statement over the models' own table and column names, with bound parameters:

- `family`: the categories of the listing's family with their attribute names and, in the same
  statement, the largest radius among published listings of the wanted kind in each (what
  draws the bounding box: a row within reach of its own larger radius must be inside it);
- `dismissed`: what the company dismissed, per category (the feedback factor);
- `candidate_rows`: the rows the product rules allow inside the box, tested against
  max(r1, their radius) with the haversine term (three cosines a row; the exact distance, the
  same Python function as the reference `suggestions_naive`, is computed for the rows kept);
- `texts`: titles, descriptions and attribute values of a batch of rows.

Values from the listing (coordinates, radius) are bound parameters; the point's constants are
literals computed by bourse.geo.sql from floats, never from text.
"""

from __future__ import annotations

import json
from datetime import datetime

from django.db import connection

from accounts.models import Company
from bourse.geo.distance import EARTH_RADIUS_KM, bounding_boxes, haversine_km
from bourse.geo.sql import distance_order_sql, float_sql, uses_python_distance
from bourse.listings.models import Category, Listing

from .models import Dismissal

# A row is kept by SQL a little beyond its reach, then tested exactly in Python: floating point
# in SQL and in Python may differ in the last digits, and the rule is the Python one.
SLACK_KM = 0.01

ROW_COLUMNS = (
    "id",
    "company_id",
    "kind",
    "category_id",
    "latitude",
    "longitude",
    "radius_km",
    "available_from",
    "available_until",
    "quantity",
    "unit",
)


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _table(model) -> str:
    return _q(model._meta.db_table)


def _column(model, name: str) -> str:
    return _q(model._meta.get_field(name).column)


def _json(value):
    """A JSON column read without Django's converters: text on SQLite (and on PostgreSQL with
    Django's loaders), already decoded elsewhere."""
    return json.loads(value) if isinstance(value, str) else value


def family(category_id: int, parent_id: int | None, kind: str):
    """(family id, {category id: attribute names}, largest radius of published listings of
    `kind` in the family or None when there is none), in one statement."""
    family_id = parent_id if parent_id is not None else category_id
    cat, listing = _table(Category), _table(Listing)
    sql = (
        f"SELECT c.{_column(Category, 'id')}, c.{_column(Category, 'attributes')}, "  # noqa: S608
        f"(SELECT MAX(l.{_column(Listing, 'radius_km')}) FROM {listing} l "
        f"WHERE l.{_column(Listing, 'category')} = c.{_column(Category, 'id')} "
        f"AND l.{_column(Listing, 'kind')} = %s AND l.{_column(Listing, 'status')} = %s) "
        f"FROM {cat} c WHERE c.{_column(Category, 'id')} = %s "
        f"OR c.{_column(Category, 'parent')} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [kind, Listing.Status.PUBLISHED.value, family_id, family_id])
        rows = cursor.fetchall()
    names = {pk: tuple(_json(attributes) or ()) for pk, attributes, _largest in rows}
    radii = [largest for _pk, _attributes, largest in rows if largest is not None]
    return family_id, names, (max(radii) if radii else None)


def dismissed(company_id: int) -> tuple[set[int], dict[int, int]]:
    """The listings the company dismissed, and how many of each category."""
    sql = (
        f"SELECT d.{_column(Dismissal, 'listing')}, l.{_column(Listing, 'category')} "  # noqa: S608
        f"FROM {_table(Dismissal)} d INNER JOIN {_table(Listing)} l "
        f"ON l.{_column(Listing, 'id')} = d.{_column(Dismissal, 'listing')} "
        f"WHERE d.{_column(Dismissal, 'company')} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [company_id])
        rows = cursor.fetchall()
    by_category: dict[int, int] = {}
    for _listing_id, category_id in rows:
        by_category[category_id] = by_category.get(category_id, 0) + 1
    return {listing_id for listing_id, _category in rows}, by_category


def _within_sql(lat: float, lon: float, radius_km: float) -> str:
    """SQL true when a row's distance to (lat, lon) is at most max(radius_km, its radius) plus
    SLACK_KM."""
    order = distance_order_sql("l.latitude", "l.longitude", lat, lon, connection)
    greatest = "GREATEST" if connection.vendor == "postgresql" else "MAX"
    # Floats on both sides (PostgreSQL would otherwise compute in numeric).
    radius = f"CAST(l.{_column(Listing, 'radius_km')} AS DOUBLE PRECISION)"
    reach = f"({greatest}(CAST({float_sql(radius_km)} AS DOUBLE PRECISION), {radius}) + {SLACK_KM})"
    if uses_python_distance(connection):
        return f"{order} <= {reach}"
    # The haversine term at distance r is 2·sin²(r / 2R) (bourse.geo.sql.haversine_term_bound).
    return f"{order} <= 2 * POWER(SIN({reach} / {float_sql(2 * EARTH_RADIUS_KM)}), 2)"


def candidates_statement(
    listing: Listing,
    *,
    category_ids: list[int],
    largest: float,
    exclude_company_dismissals: bool,
    now: datetime,
) -> tuple[str, list]:
    """The statement of candidate_rows: published, live, of a verified company, of the opposite
    kind, of the family, of another company, (not dismissed by the listing's company,) inside
    the box drawn with max(r1, largest) and within SLACK_KM of max(r1, their radius)."""
    col = {name: f"l.{_column(Listing, name)}" for name in (*ROW_COLUMNS, "status", "expires_at")}
    reach = max(float(listing.radius_km), float(largest))
    boxes = bounding_boxes(listing.latitude, listing.longitude, reach + SLACK_KM)
    box_sql = " OR ".join(
        f"({col['latitude']} >= %s AND {col['latitude']} <= %s "
        f"AND {col['longitude']} >= %s AND {col['longitude']} <= %s)"
        for _box in boxes
    )
    params: list = [
        Listing.Status.PUBLISHED.value,
        connection.ops.adapt_datetimefield_value(now),
        Company.Status.VERIFIED.value,
    ]
    params += ["need" if listing.kind == "offer" else "offer", *category_ids, listing.company_id]
    dismissals = ""
    if exclude_company_dismissals:
        dismissals = (
            f"AND {col['id']} NOT IN (SELECT {_column(Dismissal, 'listing')} "  # noqa: S608
            f"FROM {_table(Dismissal)} WHERE {_column(Dismissal, 'company')} = %s) "
        )
        params.append(listing.company_id)
    params += [value for box in boxes for value in box]
    sql = (
        f"SELECT {', '.join(col[name] for name in ROW_COLUMNS)} "  # noqa: S608
        f"FROM {_table(Listing)} l INNER JOIN {_table(Company)} c "
        f"ON c.{_column(Company, 'id')} = {col['company_id']} "
        f"WHERE {col['status']} = %s AND {col['expires_at']} > %s "
        f"AND c.{_column(Company, 'status')} = %s "
        f"AND {col['kind']} = %s "
        f"AND {col['category_id']} IN ({', '.join(['%s'] * len(category_ids))}) "
        f"AND {col['company_id']} <> %s "
        f"{dismissals}"
        f"AND ({box_sql}) "
        f"AND {_within_sql(listing.latitude, listing.longitude, float(listing.radius_km))}"
    )
    return sql, params


def candidate_rows(
    listing: Listing,
    *,
    category_ids: list[int],
    largest: float,
    exclude_company_dismissals: bool,
    now: datetime,
) -> list[tuple]:
    """The candidates within reach, as (ROW_COLUMNS..., distance_km) tuples, unordered; dates
    may be ISO strings (SQLite) and quantities strings or floats: scoring reads both."""
    sql, params = candidates_statement(
        listing,
        category_ids=category_ids,
        largest=largest,
        exclude_company_dismissals=exclude_company_dismissals,
        now=now,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    lat, lon, radius = listing.latitude, listing.longitude, float(listing.radius_km)
    kept = []
    for row in rows:
        d = haversine_km(lat, lon, row[4], row[5])
        if d <= (radius if radius >= row[6] else row[6]):
            kept.append((*row, d))
    return kept


def texts(ids: list[int]) -> dict[int, tuple[str, dict | None]]:
    """{id: (title + newline + description, attribute values)} of the listings `ids`."""
    if not ids:
        return {}
    sql = (
        f"SELECT {_column(Listing, 'id')}, {_column(Listing, 'title')}, "  # noqa: S608
        f"{_column(Listing, 'description')}, {_column(Listing, 'attributes')} "
        f"FROM {_table(Listing)} WHERE {_column(Listing, 'id')} IN "
        f"({', '.join(['%s'] * len(ids))})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, ids)
        return {
            pk: (f"{title}\n{description}", _json(attributes))
            for pk, title, description, attributes in cursor.fetchall()
        }
