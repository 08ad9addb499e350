"""Matching benchmark: the top 20 counterparts of one listing, and the rematch of a new listing.

Seeds 100,000 published listings in a database of its own (a SQLite file in /tmp, and the
PostgreSQL database `bourse_bench_matching` when a server answers; BENCH_MATCHING_POSTGRES_URL):
placed in proportion to population (bourse.geo.data.places()), spread over the whole category
taxonomy (the data migration's), radii 10–200 km, availability windows, quantities and units,
French titles and descriptions drawn from a vocabulary per category family; 4,000 companies
(one in 20 pending or suspended), 1,000 saved searches.

Then it times, after warm-up:
- `queries.score_top` (what GET /api/v1/listings/{id}/matches/ computes) for 200 listings,
  and `queries.suggestions_for` (the same plus the rows the API serialises);
- the naive baseline `queries.suggestions_naive` (every published listing scored in Python)
  on a few of the same listings, checking both give the same top 20;
- `services.rematch_listing` (compute, record matches, notify both companies in the app and by
  e-mail to a local outbox, alert saved searches) for 50 newly published listings.

    .venv/bin/python bench/matching.py            # both backends (PostgreSQL when reachable)
    .venv/bin/python bench/matching.py --only sqlite

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
from datetime import date, timedelta
from pathlib import Path

import _common  # bench/_common.py: run as a script, bench/ is on sys.path

ROOT = Path(__file__).resolve().parent.parent
N_LISTINGS = int(os.environ.get("BENCH_LISTINGS", "100000"))
N_COMPANIES = 4000
N_SAVED_SEARCHES = 1000
N_SAMPLES = int(os.environ.get("BENCH_SAMPLES", "200"))
N_NAIVE = int(os.environ.get("BENCH_NAIVE_SAMPLES", "5"))
N_REMATCH = 50
SQLITE_PATH = Path("/tmp/bourse_bench_matching.sqlite3")  # noqa: S108 - a throwaway file
POSTGRES_URL = os.environ.get(
    "BENCH_MATCHING_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/bourse_bench_matching"
)

# Words per category family (slug of the parent); the "common" words go everywhere.
VOCABULARY = {
    "stockage": "entrepôt stockage palettes quai chargement hangar surface racks froid "
    "chambre frigorifique parking extérieur sec abrité",
    "matieres-premieres": "métal acier aluminium bois planches plastique granulés textile "
    "tissu carton papier chutes bobines produits chimiques farine sucre",
    "equipements": "machine presse tour fraiseuse chariot élévateur transpalette camion "
    "utilitaire outillage perceuse ordinateurs écrans masques gants",
    "transport-logistique": "transport camion livraison tournée semi-remorque frigorifique "
    "emballage film cartons colis messagerie",
    "main-d-oeuvre": "opérateurs caristes soudeurs préparateurs commandes intérim "
    "compétences ingénieur comptable personnel",
    "locaux": "bureaux atelier local commercial boutique salle réunion open-space vitrine",
    "services": "maintenance dépannage expertise audit formation conseil nettoyage",
}
COMMON = "urgent semaines mois lyon région disponible rapidement proche accès quai"
ADJECTIVES = ["grand", "petit", "neuf", "récent", "propre", "sécurisé", "couvert", "équipé"]


def postgres_reachable() -> bool:
    return _common.postgres_reachable(POSTGRES_URL)


def run_child(backend: str) -> dict:
    return _common.run_child(
        __file__,
        backend,
        sqlite_path=SQLITE_PATH,
        postgres_url=POSTGRES_URL,
        env_extra={
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "TASKS_BACKEND": "immediate",
        },
    )


def print_report(results: list[dict]) -> None:
    print()
    print(
        f"Matching, {N_LISTINGS:,} published listings (ms, after warm-up; "
        f"{N_SAMPLES} listings, naive on {N_NAIVE}, rematch of {N_REMATCH} new listings)"
    )
    print(f"{'backend':<10} {'what':<58} {'median':>9} {'p95':>9} {'max':>9}")
    for r in results:
        for label, key in (
            ("top 20 for one listing (queries.score_top)", "top"),
            ("top 20 + listing rows for the API (suggestions_for)", "api"),
            ("rematch of a new listing (compute+record+notify+alerts)", "rematch"),
            ("baseline: naive, every listing scored in Python", "naive"),
            ("  fast path on the same listings", "fast_same"),
        ):
            t = r["timings"].get(key)
            if t:
                print(
                    f"{r['backend']:<10} {label:<58} {t['median']:>9.2f} {t['p95']:>9.2f} "
                    f"{t['max']:>9.2f}"
                )
        for label, key in (
            ("  CPU time of this process, top 20", "top"),
            ("  CPU time of this process, rematch", "rematch"),
        ):
            t = r["cpu"][key]
            print(
                f"{r['backend']:<10} {label:<58} {t['median']:>9.2f} {t['p95']:>9.2f} "
                f"{t['max']:>9.2f}"
            )
        ratio = r["timings"]["naive"]["median"] / r["timings"]["fast_same"]["median"]
        print(
            f"{r['backend']:<10} naive / fast (medians, same listings): {ratio:.0f}x; "
            f"rows scored per listing: median {r['rows']['median']}, max {r['rows']['max']}; "
            f"texts compared: median {r['texts']['median']}; "
            f"new matches per rematch: {r['new_matches']:.1f}, e-mails: {r['emails']}, "
            f"saved-search hits: {r['hits']}; seeding {r['seed_seconds']:.0f} s; "
            f"load average at the end {r['load'][0]:.1f}"
        )
        if r["mismatches"]:
            print(f"{r['backend']:<10} MISMATCHES with the naive baseline: {r['mismatches']}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", choices=["sqlite", "postgres"])
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    backends = [args.only] if args.only else ["sqlite", "postgres"]
    results = []
    for backend in backends:
        if backend == "postgres" and not postgres_reachable():
            print("PostgreSQL not reachable: skipped (set BENCH_MATCHING_POSTGRES_URL)")
            continue
        print(f"[{backend}] seeding and measuring...", flush=True)
        results.append(run_child(backend))
    print_report(results)


# --- Child: one backend ----------------------------------------------------------------------
summary = _common.summary


def fresh_database(backend: str) -> None:
    _common.fresh_database(backend, sqlite_path=SQLITE_PATH, postgres_url=POSTGRES_URL)


weighted_places = _common.weighted_places


def family_words(category) -> list[str]:
    parent = category.parent or category
    return (VOCABULARY.get(parent.slug) or COMMON).split()


def make_listing(rng: random.Random, *, company_id, category, place, now):
    from bourse.listings.models import Listing

    words = family_words(category)
    kind = "offer" if rng.random() < 0.55 else "need"
    title_words = rng.sample(words, min(3, len(words)))
    title = " ".join([title_words[0].capitalize(), *title_words[1:], rng.choice(ADJECTIVES)])
    description = " ".join(rng.sample(words, min(6, len(words))) + rng.sample(COMMON.split(), 3))
    start = None
    until = None
    roll = rng.random()
    if roll < 0.6:
        start = date.today() + timedelta(days=rng.randrange(-20, 60))
        if rng.random() < 0.8:
            until = start + timedelta(days=rng.randrange(7, 120))
    quantity = unit = None
    units = category.units or ["unit"]
    if rng.random() < 0.6:
        unit = rng.choice(units)
        quantity = rng.choice([1, 2, 5, 10, 20, 50, 100, 200, 500])
    published = now - timedelta(days=rng.random() * 50)
    return Listing(
        company_id=company_id,
        kind=kind,
        title=title[:120],
        description=description,
        category_id=category.pk,
        terms=rng.choice(["free", "loan", "rent", "sale", "to_discuss"]),
        status="published",
        postal_code=place.postal_code,
        commune=place.commune,
        departement=place.departement,
        latitude=place.latitude + rng.gauss(0, 0.009),
        longitude=place.longitude + rng.gauss(0, 0.012),
        radius_km=rng.randrange(10, 201),
        available_from=start,
        available_until=until,
        quantity=quantity,
        unit=unit or "",
        published_at=published,
        expires_at=published + timedelta(days=60),
    )


def seed(rng: random.Random) -> tuple[list[int], list]:
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import Company, Membership, User
    from bourse.listings.models import Category, Listing
    from bourse.matching.models import SavedSearch

    now = timezone.now()
    categories = list(Category.objects.select_related("parent"))
    # Children, and parents without children ("Autre"): where listings are filed.
    parents_with_children = {c.parent_id for c in categories if c.parent_id}
    leaves = [c for c in categories if c.parent_id or c.pk not in parents_with_children]
    company_places = weighted_places(rng, N_COMPANIES)
    with transaction.atomic():
        Company.objects.bulk_create(
            [
                Company(
                    name=f"Entreprise {i}",
                    siret=f"{i:014d}",
                    siren=f"{i:014d}"[:9],
                    address="1 rue du Commerce",
                    postal_code=p.postal_code,
                    commune=p.commune,
                    departement=p.departement,
                    latitude=p.latitude,
                    longitude=p.longitude,
                    status="verified" if i % 20 else rng.choice(["pending", "suspended"]),
                )
                for i, p in enumerate(company_places, start=1)
            ],
            batch_size=2000,
        )
        companies = list(Company.objects.values_list("pk", "status"))
        User.objects.bulk_create(
            [
                User(email=f"membre{pk}@bench.example", password="!")  # noqa: S106 - unusable
                for pk, _ in companies
            ],
            batch_size=2000,
        )
        users = dict(User.objects.values_list("email", "pk"))
        Membership.objects.bulk_create(
            [
                Membership(user_id=users[f"membre{pk}@bench.example"], company_id=pk, role="admin")
                for pk, _ in companies
            ],
            batch_size=2000,
        )
    company_ids = [pk for pk, _ in companies]
    places = weighted_places(rng, N_LISTINGS)
    listings = [
        make_listing(
            rng,
            company_id=rng.choice(company_ids),
            category=rng.choice(leaves),
            place=place,
            now=now,
        )
        for place in places
    ]
    with transaction.atomic():
        Listing.objects.bulk_create(listings, batch_size=5000)
    verified = [pk for pk, status in companies if status == "verified"]
    with transaction.atomic():
        searches = []
        for place in weighted_places(rng, N_SAVED_SEARCHES):
            category = rng.choice(categories) if rng.random() < 0.7 else None
            words = family_words(category) if category else COMMON.split()
            searches.append(
                SavedSearch(
                    company_id=rng.choice(verified),
                    name="Recherche",
                    q=rng.choice(words) if rng.random() < 0.5 else "",
                    kind=rng.choice(["", "offer", "need"]),
                    category=category,
                    postal_code=place.postal_code,
                    latitude=place.latitude,
                    longitude=place.longitude,
                    radius_km=rng.choice([20, 50, 100]),
                )
            )
        SavedSearch.objects.bulk_create(searches)
    with connection.cursor() as cursor:
        # PostgreSQL: VACUUM sets the visibility map, so the MAX(radius_km) bound is read by
        # an index-only scan, as autovacuum would allow in production.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return verified, leaves


CPU: dict[str, list[float]] = {}


def timed(fn, cpu_key: str | None = None) -> float:
    """Wall-clock ms; with `cpu_key`, also this process's CPU ms (steadier on a busy machine;
    PostgreSQL's own CPU is not in it)."""
    start, cpu_start = time.perf_counter(), time.process_time()
    fn()
    if cpu_key:
        CPU.setdefault(cpu_key, []).append((time.process_time() - cpu_start) * 1000)
    return (time.perf_counter() - start) * 1000


def child(backend: str) -> None:
    import django

    django.setup()
    from django.core import mail
    from django.core.management import call_command
    from django.utils import timezone

    from bourse.listings.models import Listing
    from bourse.matching import queries, services
    from bourse.matching.models import Match, SavedSearchHit

    fresh_database(backend)
    call_command("migrate", verbosity=0)
    rng = random.Random(20261125)
    start = time.perf_counter()
    verified, leaves = seed(rng)
    seed_seconds = time.perf_counter() - start

    live_ids = list(
        Listing.objects.published().order_by("?").values_list("pk", flat=True)[:N_SAMPLES]
    )
    samples = list(Listing.objects.select_related("company", "category").filter(pk__in=live_ids))
    rng.shuffle(samples)

    from bourse.matching import scoring

    rows, texts = [], []
    original_score_pair = scoring.score_pair

    def counting_score_pair(*args, **kwargs):
        texts[-1] += 1
        return original_score_pair(*args, **kwargs)

    for listing in samples:  # warm-up, and how much work each listing is
        texts.append(0)
        scoring.score_pair = counting_score_pair
        try:
            queries.score_top(listing)
        finally:
            scoring.score_pair = original_score_pair
        rows.append(queries.candidates_within_reach(listing).count())

    timings: dict[str, list[float]] = {k: [] for k in ("top", "api", "naive", "fast_same")}
    for listing in samples:
        timings["top"].append(timed(lambda: queries.score_top(listing), "top"))  # noqa: B023
        timings["api"].append(timed(lambda: queries.suggestions_for(listing)))  # noqa: B023

    mismatches = 0
    for listing in samples[:N_NAIVE]:
        result = {}
        timings["naive"].append(
            timed(lambda: result.update(naive=queries.suggestions_naive(listing)))  # noqa: B023
        )
        timings["fast_same"].append(
            timed(lambda: result.update(fast=queries.score_top(listing)))  # noqa: B023
        )
        naive = [(s.listing_id, s.score) for s in result["naive"]]
        fast = [(s.listing_id, s.score) for s in result["fast"]]
        if naive != fast:
            mismatches += 1

    # Newly published listings, rematched as the background task does.
    now = timezone.now()
    new_listings = [
        make_listing(
            rng,
            company_id=rng.choice(verified),
            category=rng.choice(leaves),
            place=place,
            now=now,
        )
        for place in weighted_places(rng, N_REMATCH + 5)
    ]
    for listing in new_listings:
        listing.published_at, listing.expires_at = now, now + timedelta(days=60)
    Listing.objects.bulk_create(new_listings)
    new_ids = list(
        Listing.objects.order_by("-pk").values_list("pk", flat=True)[: len(new_listings)]
    )
    matches_before, hits_before = Match.objects.count(), SavedSearchHit.objects.count()
    for pk in new_ids[:5]:  # warm-up
        services.rematch_listing(listing_id=pk)
    mail.outbox = []
    timings["rematch"] = []
    matches_after_warmup = Match.objects.count()
    for pk in new_ids[5:]:
        timings["rematch"].append(
            timed(lambda: services.rematch_listing(listing_id=pk), "rematch")  # noqa: B023
        )
    new_matches = (Match.objects.count() - matches_after_warmup) / N_REMATCH

    report = {
        "backend": backend,
        "timings": {k: summary(v) for k, v in timings.items() if v},
        "cpu": {k: summary(v) for k, v in CPU.items()},
        "load": os.getloadavg(),
        "rows": {"median": statistics.median(rows), "max": max(rows)},
        "texts": {"median": statistics.median(texts), "max": max(texts)},
        "new_matches": new_matches,
        "emails": len(mail.outbox),
        "hits": SavedSearchHit.objects.count() - hits_before,
        "matches_total": Match.objects.count() - matches_before,
        "mismatches": mismatches,
        "seed_seconds": seed_seconds,
    }
    print(json.dumps(report))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
