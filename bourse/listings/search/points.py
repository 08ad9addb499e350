"""Every live listing matching a search, as the map draws them: GET /api/v1/listings/map/.

The map page shows all the matches at once (clustered in the browser), so the answer is compact:
one array per listing, `[id, lat, lon, kind, category]` of integers: coordinates in thousandths
of a degree (~100 m: a listing is placed at its commune's centre anyway), kind as an index into
`kinds`, category as its id, named once in `categories`. The database computes the integers,
so Python only encodes them: 90,000 live listings weigh ~2.1 MB of JSON (~0.77 MB gzipped);
the title and link of a listing are read when its marker is opened (GET /api/v1/listings/{id}/).
Figures: docs/benchmarks.md, "Map points".

The serialized answer is cached per filter set. A change to a listing or a company (publication,
withdrawal, verification, suspension) bumps a generation number that is part of every key, after
commit, so the next request reads the database again; a short lifetime covers what changes with
time alone (a listing's expiry). When the cache is down the answer is computed each time.
"""

from __future__ import annotations

import contextlib
import hashlib
import json

from django.core.cache import cache
from redis.exceptions import RedisError

from ..models import Category, Kind
from .engine import LAT_COLUMN, LISTING_TABLE, LON_COLUMN, ListingSearch
from .params import SearchParams

# Beyond this many matches the newest are sent and `truncated` says so (sized for 100,000).
MAX_POINTS = 200_000
SCALE = 1000  # coordinates in thousandths of a degree
CACHE_SECONDS = 300
KINDS = [Kind.OFFER.value, Kind.NEED.value]  # the kind's index in a point
GENERATION_KEY = "listings:map:generation"
# The five values of a point, computed by the database (both backends write them alike).
POINT_COLUMNS = (
    f'{LISTING_TABLE}."id", '
    f"CAST(ROUND({LAT_COLUMN} * {SCALE}) AS INTEGER), "
    f"CAST(ROUND({LON_COLUMN} * {SCALE}) AS INTEGER), "
    f"CASE WHEN {LISTING_TABLE}.\"kind\" = '{Kind.NEED.value}' THEN 1 ELSE 0 END, "
    f'{LISTING_TABLE}."category_id"'
)


def cache_key(params: SearchParams) -> str:
    """The cache key of a filter set, within the current generation."""
    filters = (
        params.kind,
        params.category_ids,
        params.q,
        params.lat,
        params.lon,
        params.radius_km if params.has_point else None,
        params.company_id,
        params.departement,
    )
    digest = hashlib.sha256(repr(filters).encode()).hexdigest()[:32]
    return f"listings:map:{_generation()}:{digest}"


def _generation() -> int:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, 1, timeout=None)
        generation = cache.get(GENERATION_KEY, 1)
    return generation


def bump_generation() -> None:
    """Makes every cached answer stale (called after commit when listings or companies change)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no generation yet: nothing is cached under one
        cache.add(GENERATION_KEY, 1, timeout=None)
    except (RedisError, OSError):
        pass  # the cache is down: nothing cached can be served either


def build_points(params: SearchParams) -> bytes:
    """The answer for `params`, serialized (UTF-8 JSON), read from the database."""
    rows = ListingSearch(params).every_row(POINT_COLUMNS, MAX_POINTS + 1)
    truncated = len(rows) > MAX_POINTS
    rows = rows[:MAX_POINTS]
    category_ids = {row[4] for row in rows}
    categories = dict(
        Category.objects.filter(pk__in=category_ids).order_by("pk").values_list("pk", "slug")
    )
    body = {
        "count": len(rows),
        "truncated": truncated,
        "scale": SCALE,
        "kinds": KINDS,
        "categories": {str(pk): slug for pk, slug in categories.items()},
        "points": rows,  # tuples: JSON arrays
    }
    return json.dumps(body, separators=(",", ":")).encode()


def map_points(params: SearchParams) -> bytes:
    """The answer for `params`, from the cache when a request for the same filters was answered
    since the last change."""
    try:
        key = cache_key(params)
        cached = cache.get(key)
    except (RedisError, OSError):
        return build_points(params)
    if cached is not None:
        return cached
    body = build_points(params)
    with contextlib.suppress(RedisError, OSError):
        cache.set(key, body, timeout=CACHE_SECONDS)
    return body
