"""Plumbing shared by the database benchmarks (search, matching): one child process per backend,
throwaway databases, percentiles, places drawn by population. Not a benchmark itself (bench/run.py
skips files starting with "_")."""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def admin_url(postgres_url: str) -> str:
    return postgres_url.rsplit("/", 1)[0] + "/postgres"


def postgres_reachable(postgres_url: str) -> bool:
    try:
        import psycopg

        with psycopg.connect(admin_url(postgres_url), connect_timeout=3) as conn:
            conn.execute("SELECT 1")
        return True
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        return False


def run_child(
    script: str, backend: str, *, sqlite_path: Path, postgres_url: str, env_extra: dict
) -> dict:
    """Run `script --child backend` against a database of its own; its last line is JSON."""
    env = dict(os.environ)
    env.setdefault("SECRET_KEY", "bench-only-secret-key")
    env["DJANGO_SETTINGS_MODULE"] = "bourse.settings"
    env.update(env_extra)
    env.pop("REDIS_URL", None)
    env["DATABASE_URL"] = postgres_url if backend == "postgres" else f"sqlite:///{sqlite_path}"
    out = subprocess.run(  # noqa: S603 - our own script, same interpreter
        [sys.executable, script, "--child", backend],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def summary(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {
        "median": statistics.median(ordered),
        "p95": ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))],
        "max": ordered[-1],
    }


def fresh_database(backend: str, *, sqlite_path: Path, postgres_url: str) -> None:
    if backend == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{sqlite_path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    name = postgres_url.rsplit("/", 1)[1]
    with psycopg.connect(admin_url(postgres_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def weighted_places(rng: random.Random, k: int):
    """k places drawn in proportion to population (dense cities, empty countryside, overseas)."""
    from bourse.geo import data as geo

    places = [p for p in geo.places() if p.population > 0]
    return rng.choices(places, weights=[p.population for p in places], k=k)


def bench_companies(rng: random.Random, n: int) -> list:
    """n unsaved companies at places drawn by population; one in 20 is not (or no longer)
    verified, so its listings must not show."""
    from accounts.models import Company

    return [
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
        for i, p in enumerate(weighted_places(rng, n), start=1)
    ]


def main(*, child, run_child, report, postgres_url: str) -> None:
    """The parent's command line of a two-backend benchmark: `--child BACKEND` runs `child` (in
    the child process), otherwise each backend (`--only` one) runs in a child and `report`
    prints their results."""
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--child", choices=["sqlite", "postgres"])
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    results = []
    for backend in [args.only] if args.only else ["sqlite", "postgres"]:
        if backend == "postgres" and not postgres_reachable(postgres_url):
            print("PostgreSQL not reachable: skipped (set BENCH_POSTGRES_URL)")
            continue
        print(f"[{backend}] seeding and measuring...", flush=True)
        results.append(run_child(backend))
    report(results)
