"""Map points benchmark: GET /api/v1/listings/map/ over 100,000 listings, size and time.

Seeds the search benchmark's data set (bench/search.py: 100,000 listings placed by population,
a few not live) in databases of its own (a SQLite file in /tmp; the PostgreSQL database
`bourse_bench_map` when a server answers, BENCH_POSTGRES_URL), then times, in the same run:

- the floor: a plain statement reading the same five columns of every published listing
  (`SELECT id, latitude, longitude, kind, category_id ... WHERE status = 'published'`), no
  expiry, no company test, no JSON;
- the endpoint's work uncached (search/points.build_points: the search's filters, the category
  legend, the JSON), and the whole request through Django (middleware, view) uncached and cached;
- the same for a département (Rhône) and a circle (50 km around Lyon).

It prints the payload's size, raw and gzipped (deploy/nginx.conf compresses JSON), and the ratio
of each time to the floor.

    .venv/bin/python bench/map_points.py            # both backends (PostgreSQL when reachable)
    .venv/bin/python bench/map_points.py --only sqlite
    BENCH_REUSE=1 .venv/bin/python bench/map_points.py   # keep the rows of the previous run
"""

from __future__ import annotations

import gzip
import os
import random
import sys
import time
from pathlib import Path

import _common  # bench/_common.py: run as a script, bench/ is on sys.path
import search as search_bench  # bench/search.py: its seed (the same data set)

ROOT = Path(__file__).resolve().parent.parent
N_LISTINGS = search_bench.N_LISTINGS
RUNS = int(os.environ.get("BENCH_RUNS", "7"))
SQLITE_PATH = Path("/tmp/bourse_bench_map.sqlite3")  # noqa: S108 - a throwaway file
POSTGRES_URL = (
    os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/bourse_bench").rsplit(
        "/", 1
    )[0]
    + "/bourse_bench_map"
)
CASES = [
    ("all of France", {}),
    ("département 69", {"departement": "69"}),
    ("50 km around Lyon", {"near": "69001", "radius_km": "50"}),
]


def run_child(backend: str) -> dict:
    return _common.run_child(
        __file__,
        backend,
        sqlite_path=SQLITE_PATH,
        postgres_url=POSTGRES_URL,
        env_extra={"ALLOWED_HOSTS": "testserver", "BENCH_LISTINGS": str(N_LISTINGS)},
    )


def print_report(results: list[dict]) -> None:
    print()
    print(f"Map points, {N_LISTINGS:,} listings, median of {RUNS} runs (ms)")
    print(
        f"{'backend':<10} {'case':<20} {'points':>7} {'raw KB':>8} {'gzip KB':>8} "
        f"{'floor':>7} {'build':>7} {'request':>8} {'cached':>7} {'build/floor':>11}"
    )
    for r in results:
        for case in r["cases"]:
            print(
                f"{r['backend']:<10} {case['name']:<20} {case['points']:>7} "
                f"{case['raw'] / 1024:>8.0f} {case['gzip'] / 1024:>8.0f} "
                f"{case['floor']:>7.1f} {case['build']:>7.1f} {case['request']:>8.1f} "
                f"{case['cached']:>7.2f} {case['build'] / case['floor']:>10.1f}x"
            )
        print(f"{r['backend']:<10} seeding {r['seed_seconds']:.1f} s")


def median_ms(fn) -> float:
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return _common.summary(samples)["median"]


def child(backend: str) -> None:
    import json

    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from bourse.listings.models import Listing
    from bourse.listings.search import parse_search_params
    from bourse.listings.search.points import build_points

    seed_seconds = 0.0
    if os.environ.get("BENCH_REUSE") and search_bench.reusable(Listing):
        call_command("migrate", verbosity=0)
    else:
        connection.close()
        _common.fresh_database(backend, sqlite_path=SQLITE_PATH, postgres_url=POSTGRES_URL)
        call_command("migrate", verbosity=0)
        start = time.perf_counter()
        search_bench.seed(random.Random(20261123))
        seed_seconds = time.perf_counter() - start

    client = Client()
    cases = []
    for name, query in CASES:
        params = parse_search_params(query)

        def floor(params=params):
            # The same rows' five columns with the cheapest filters: the statement's floor.
            where, values = "status = 'published'", []
            if params.departement:
                where += " AND departement = %s"
                values.append(params.departement)
            if params.has_point:
                where += " AND latitude BETWEEN %s AND %s AND longitude BETWEEN %s AND %s"
                d_lat, d_lon = params.radius_km / 111.2, params.radius_km / 78.0
                values += [params.lat - d_lat, params.lat + d_lat]
                values += [params.lon - d_lon, params.lon + d_lon]
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT id, latitude, longitude, kind, category_id "  # noqa: S608 - ours
                    f"FROM listings_listing WHERE {where}",
                    values,
                )
                return cursor.fetchall()

        def request(query=query):
            response = client.get("/api/v1/listings/map/", query, secure=True)
            assert response.status_code == 200, response.content[:200]
            return response.content

        def uncached_request(query=query):
            cache.clear()
            return request(query)

        body = build_points(params)
        cases.append(
            {
                "name": name,
                "points": json.loads(body)["count"],
                "raw": len(body),
                "gzip": len(gzip.compress(body, compresslevel=6)),
                "floor": median_ms(floor),
                "build": median_ms(lambda params=params: build_points(params)),
                "request": median_ms(uncached_request),
                "cached": median_ms(request),  # the last uncached request filled the cache
            }
        )
    print(json.dumps({"backend": backend, "seed_seconds": seed_seconds, "cases": cases}))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    _common.main(child=child, run_child=run_child, report=print_report, postgres_url=POSTGRES_URL)
