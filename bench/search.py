"""Radius search benchmark: page 1 of "the 20 nearest within 50 km, with the total count".

Seeds 100,000 published listings placed in proportion to population (bourse.geo.data.places():
dense cities, empty countryside, overseas included; jittered around each commune's centre) in a
database of its own: a SQLite file in /tmp, and the PostgreSQL database `bourse_bench` when a
server answers (BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/bourse_bench).

Then, around 200 points drawn the same way, it times the very code path of GET /api/v1/listings/
(search.parse_search_params → search.ListingSearch paged by Django's Paginator, as DRF's
PageNumberPagination does: count, then the page with company, category and photos), and in the
same run a full-scan haversine over the same rows as the baseline. On PostgreSQL it also times,
right after each page, the floor of a page by distance: an index-ordered nearest-neighbour query
for the same 20 rows (`ORDER BY ll_to_earth(lat, lon) <-> ll_to_earth(point) LIMIT 20` on a GiST
index of its own, contrib cube + earthdistance, created in the benchmark's database only).

    .venv/bin/python bench/search.py            # both backends (PostgreSQL when reachable)
    .venv/bin/python bench/search.py --only sqlite
    BENCH_REUSE=1 .venv/bin/python bench/search.py   # keep the rows of the previous run
    .venv/bin/python bench/search.py --national --only postgres   # 1,000,000 listings

`--national` is the whole country's scale: 1,000,000 listings and 40,000 companies in databases
of their own (kept for BENCH_REUSE), 100 points, the full scan on 10 of them. Not part of
`make bench`: seeding takes minutes per backend.

Each backend runs in a child process (Django's settings are per process).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

import _common  # bench/_common.py: run as a script, bench/ is on sys.path

ROOT = Path(__file__).resolve().parent.parent
NATIONAL = os.environ.get("BENCH_SCALE") == "national"  # set by --national for the children
N_LISTINGS = int(os.environ.get("BENCH_LISTINGS", "1000000" if NATIONAL else "100000"))
N_COMPANIES = N_LISTINGS // 25
N_POINTS = int(os.environ.get("BENCH_POINTS", "100" if NATIONAL else "200"))
BASELINE_POINTS = min(N_POINTS, 10 if NATIONAL else 50)
RADIUS_KM = 50
PAGE = 20
SEED_CHUNK = 50_000  # listings built and inserted at a time (memory stays flat at 1,000,000)
_SUFFIX = "_national" if NATIONAL else ""
SQLITE_PATH = Path(f"/tmp/bourse_bench_search{_SUFFIX}.sqlite3")  # noqa: S108 - a throwaway file
POSTGRES_URL = (
    os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/bourse_bench")
    + _SUFFIX
)

WORDS = {
    "offer": [
        "Entrepôt disponible",
        "Palettes à donner",
        "Chariot élévateur",
        "Bureaux libres",
        "Chambre froide",
        "Camion avec chauffeur",
        "Chutes de bois",
        "Cartons propres",
        "Compresseur",
        "Parking poids lourds",
    ],
    "need": [
        "Recherche stockage",
        "Besoin de palettes",
        "Cherche transport",
        "Recherche local",
        "Besoin de main-d'œuvre",
        "Cherche benne",
        "Recherche matières plastiques",
    ],
}


# --- Parent: runs each backend in a child process and prints the table ----------------------


def postgres_reachable() -> bool:
    return _common.postgres_reachable(POSTGRES_URL)


def run_child(backend: str) -> dict:
    return _common.run_child(
        __file__,
        backend,
        sqlite_path=SQLITE_PATH,
        postgres_url=POSTGRES_URL,
        env_extra={"BENCH_SCALE": "national"} if NATIONAL else {},
    )


def print_report(results: list[dict]) -> None:
    print()
    print(
        f"Radius search, {N_LISTINGS:,} listings, {RADIUS_KM} km, {N_POINTS} points "
        "(ms per query, after warm-up)"
    )
    header = ("backend", "method", "median", "p95", "max")
    print(f"{header[0]:<10} {header[1]:<52} {header[2]:>8} {header[3]:>8} {header[4]:>8}")
    for r in results:
        for label, key in (
            ("API path: count + page 1 by distance", "search"),
            ("  CPU time of this process (SQLite: all; PG: client)", "search_cpu"),
            ("  of which count in radius", "count"),
            ("  of which page 1 (PG: index order; SQLite: growing circle)", "page"),
            ("  page 1 by the growing circle (PG's previous design)", "page_circle"),
            ("floor: KNN query for the same 20 ids (ll_to_earth GiST)", "knn"),
            ("API path: count + page 1, newest first", "recent"),
            ("API path, parallel plans left on", "search_parallel"),
            (f"baseline: full-scan haversine ({BASELINE_POINTS} points)", "baseline"),
        ):
            if key not in r["timings"]:
                continue
            t = r["timings"][key]
            print(
                f"{r['backend']:<10} {label:<52} {t['median']:>8.2f} {t['p95']:>8.2f} "
                f"{t['max']:>8.2f}"
            )
        if "knn" in r["timings"]:
            knn = r["timings"]["knn"]["median"]
            print(
                f"{r['backend']:<10} ratios to the KNN floor (medians): page 1 "
                f"{r['timings']['page']['median'] / knn:.2f}x (by the growing circle "
                f"{r['timings']['page_circle']['median'] / knn:.2f}x), count + page 1 "
                f"{r['timings']['search']['median'] / knn:.2f}x; KNN floor with other ids than "
                f"the page: {r['knn_mismatches']}"
            )
        ratio = r["timings"]["baseline"]["median"] / r["timings"]["search"]["median"]
        print(
            f"{r['backend']:<10} ratio baseline / API path (medians): {ratio:.1f}x; "
            f"listings in radius: min {r['in_radius']['min']}, "
            f"median {r['in_radius']['median']}, max {r['in_radius']['max']}; "
            f"circle tries: {r['tries']}; seeding {r['seed_seconds']:.1f} s"
        )
        if r["mismatches"]:
            print(f"{r['backend']:<10} MISMATCHES with the baseline: {r['mismatches']}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", choices=["sqlite", "postgres"])
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--national", action="store_true", help="1,000,000 listings")
    args = parser.parse_args()
    if args.national and not NATIONAL:
        os.environ["BENCH_SCALE"] = "national"
        os.execv(sys.executable, [sys.executable, *sys.argv])  # noqa: S606 - this script again
    if args.child:
        child(args.child)
        return
    backends = [args.only] if args.only else ["sqlite", "postgres"]
    results = []
    for backend in backends:
        if backend == "postgres" and not postgres_reachable():
            print("PostgreSQL not reachable: skipped (set BENCH_POSTGRES_URL)")
            continue
        print(f"[{backend}] seeding and measuring...", flush=True)
        results.append(run_child(backend))
    print_report(results)


# --- Child: one backend ----------------------------------------------------------------------


summary = _common.summary


def fresh_database(backend: str) -> None:
    _common.fresh_database(backend, sqlite_path=SQLITE_PATH, postgres_url=POSTGRES_URL)


weighted_places = _common.weighted_places


def seed(rng: random.Random) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import Company
    from bourse.listings.models import Category, Listing

    now = timezone.now()
    categories = list(Category.objects.filter(parent__isnull=False).values_list("pk", flat=True))
    companies = _common.bench_companies(rng, N_COMPANIES)
    with transaction.atomic():
        Company.objects.bulk_create(companies, batch_size=2000)
    company_ids = list(Company.objects.values_list("pk", flat=True))

    places = weighted_places(rng, N_LISTINGS)
    for chunk_start in range(0, N_LISTINGS, SEED_CHUNK):
        listings = []
        for place in places[chunk_start : chunk_start + SEED_CHUNK]:
            kind = "offer" if rng.random() < 0.6 else "need"
            published = now - (rng.random() * 50) * timezone.timedelta(days=1)
            # Jitter within the commune: ~1 km around its centre.
            lat = max(-89.9, min(89.9, place.latitude + rng.gauss(0, 0.009)))
            lon = place.longitude + rng.gauss(0, 0.012)
            lon = (lon + 180) % 360 - 180
            # A few listings are past their expiry or not published: the search must skip them.
            roll = rng.random()
            status = "published" if roll < 0.95 else rng.choice(["pending", "fulfilled", "draft"])
            expires = published + timezone.timedelta(days=60 if roll < 0.97 else -1)
            listings.append(
                Listing(
                    company_id=rng.choice(company_ids),
                    kind=kind,
                    title=rng.choice(WORDS[kind]),
                    description="Annonce générée pour le banc d'essai de la recherche.",
                    category_id=rng.choice(categories),
                    terms="to_discuss",
                    status=status,
                    postal_code=place.postal_code,
                    commune=place.commune,
                    departement=place.departement,
                    latitude=lat,
                    longitude=lon,
                    published_at=published,
                    expires_at=expires,
                )
            )
        with transaction.atomic():
            Listing.objects.bulk_create(listings, batch_size=5000)
    with connection.cursor() as cursor:
        # As autovacuum would by itself soon after: statistics, and on PostgreSQL the
        # visibility map that lets the count use an index-only scan.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def reusable(listing_model) -> bool:
    from django.db import connection

    try:
        return listing_model.objects.count() >= N_LISTINGS
    except Exception:  # noqa: BLE001 - no database or no table yet
        connection.close()
        return False


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def child(backend: str) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.core.paginator import Paginator
    from django.db import connection

    from bourse.geo.sql import HaversineKm
    from bourse.listings.models import Listing
    from bourse.listings.search import (
        ListingSearch,
        compile_filters,
        live_listings,
        parse_search_params,
    )

    seed_seconds = 0.0
    if os.environ.get("BENCH_REUSE") and reusable(Listing):
        call_command("migrate", verbosity=0)  # iterate on queries over the previous run's rows
    else:
        connection.close()
        fresh_database(backend)
        call_command("migrate", verbosity=0)
        start = time.perf_counter()
        seed(random.Random(20261123))
        seed_seconds = time.perf_counter() - start
    points = [(p.latitude, p.longitude) for p in weighted_places(random.Random(42), N_POINTS)]

    def api_page(lat, lon, ordering="distance"):
        """What GET /api/v1/listings/?lat=..&lon=..&ordering=distance runs."""
        params = parse_search_params(
            {"lat": repr(lat), "lon": repr(lon), "radius_km": str(RADIUS_KM), "ordering": ordering}
        )
        search = ListingSearch(params)
        rows = list(Paginator(search, PAGE).page(1).object_list)
        return search, rows

    def baseline(lat, lon):
        """Full scan: the exact distance of every live listing, no bounding box."""
        qs = (
            Listing.objects.published()
            .for_api()
            .annotate(distance_km=HaversineKm(lat, lon))
            .filter(distance_km__lte=RADIUS_KM)
        )
        count = qs.count()
        rows = list(qs.order_by("distance_km", "-published_at", "-id")[:PAGE])
        return count, rows

    knn_floor = None
    if backend == "postgres":
        with connection.cursor() as cursor:
            # The floor's own index, in this database only (the application's is on cube).
            cursor.execute("CREATE EXTENSION IF NOT EXISTS earthdistance CASCADE")
            cursor.execute(
                "CREATE INDEX IF NOT EXISTS bench_knn_floor ON listings_listing USING gist "
                "(ll_to_earth(latitude, longitude)) WHERE status = 'published'"
            )
            cursor.execute("ANALYZE listings_listing")
        live_sql, live_params = compile_filters(live_listings())
        floor_sql = (
            f"SELECT id FROM listings_listing WHERE {live_sql} "  # noqa: S608 - ours
            "ORDER BY ll_to_earth(latitude, longitude) <-> ll_to_earth(%s, %s) LIMIT 20"
        )

        def knn_floor(lat, lon):
            with connection.cursor() as cursor:
                cursor.execute(floor_sql, [*live_params, lat, lon])
                return [row[0] for row in cursor.fetchall()]

    for lat, lon in points:  # warm-up: caches, the OS page cache, prepared plans
        api_page(lat, lon)
        if knn_floor:
            knn_floor(lat, lon)

    timings: dict[str, list[float]] = {
        k: []
        for k in (
            "search",
            "search_cpu",
            "count",
            "page",
            "page_circle",
            "knn",
            "recent",
            "baseline",
            "search_parallel",
        )
    }
    in_radius, tries, mismatches, knn_mismatches = [], [], 0, 0
    for lat, lon in points:
        cpu = time.process_time()
        timings["search"].append(timed(lambda: api_page(lat, lon)))  # noqa: B023
        timings["search_cpu"].append((time.process_time() - cpu) * 1000)
        params = parse_search_params({"lat": repr(lat), "lon": repr(lon), "ordering": "distance"})
        search = ListingSearch(params)
        timings["count"].append(timed(search.count))
        page = {}
        timings["page"].append(timed(lambda: page.update(rows=search[0:PAGE])))  # noqa: B023
        tries.append(search.queries_in_last_slice)
        if knn_floor:

            def by_circle(search=search):
                hits = search._nearest_in_growing_circles(
                    PAGE, min(PAGE, search.count()), search.count()
                )
                return search._rows_by_ids(hits[:PAGE])

            circle = {}
            timings["page_circle"].append(timed(lambda: circle.update(rows=by_circle())))  # noqa: B023
            if [row.pk for row in circle["rows"]] != [row.pk for row in page["rows"]]:
                mismatches += 1
            floor = {}
            timings["knn"].append(timed(lambda: floor.update(ids=knn_floor(lat, lon))))  # noqa: B023
            knn_mismatches += set(floor["ids"]) != {row.pk for row in page["rows"]}
        in_radius.append(search.count())
        timings["recent"].append(timed(lambda: api_page(lat, lon, "-published_at")))  # noqa: B023

    if backend == "postgres":
        # The settings turn parallel plans off for every connection; PostgreSQL's default is 2.
        with connection.cursor() as cursor:
            cursor.execute("SET max_parallel_workers_per_gather = 2")
        for lat, lon in points:
            timings["search_parallel"].append(timed(lambda: api_page(lat, lon)))  # noqa: B023
        with connection.cursor() as cursor:
            cursor.execute("SET max_parallel_workers_per_gather = 0")

    baseline(*points[0])  # warm-up
    # The full scan is slow: measured on the first BASELINE_POINTS points, and the ratio is
    # taken against the API path on those same points.
    for lat, lon in points[:BASELINE_POINTS]:
        result = {}
        timings["baseline"].append(timed(lambda: result.update(r=baseline(lat, lon))))  # noqa: B023
        count, rows = result["r"]
        search, page_rows = api_page(lat, lon)
        if count != search.count() or [r.pk for r in rows] != [r.pk for r in page_rows]:
            mismatches += 1

    tries_summary = {n: tries.count(n) for n in sorted(set(tries))}
    report = {
        "backend": backend,
        "timings": {k: summary(v) for k, v in timings.items() if v},
        "same_points": summary(timings["search"][:BASELINE_POINTS]),
        "in_radius": {
            "min": min(in_radius),
            "median": statistics.median(in_radius),
            "max": max(in_radius),
        },
        "tries": ", ".join(
            f"{n} quer{'y' if n == 1 else 'ies'}: {c}" for n, c in tries_summary.items()
        ),
        "mismatches": mismatches,
        "knn_mismatches": knn_mismatches,
        "seed_seconds": seed_seconds,
    }
    print(json.dumps(report))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
