"""HTTP under load: what a browser gets from the production set of processes, against a floor.

Seeds a PostgreSQL database of its own (`bourse_bench_http_*`, beside BENCH_POSTGRES_URL):
companies placed in proportion to population, published listings, members with a logged-in
session, listings and conversations of their own (half of them read), and recent strong matches
for their listings (the dashboard's "new suggestions"), and fills every live listing's stored
suggestions as a deployment does (`fill_suggestion_lists`). Then it starts the Procfile's
production set with honcho (`honcho start -c web=2`: two uvicorn processes on PostgreSQL and
Redis, the task worker, the scheduler) with BENCH_FLOOR_VIEW on, and loads it from 127.0.0.1
with N concurrent clients (default 50; one keep-alive connection each, spread over the two
processes), one scenario after the other, each bounded in time and in requests:

- floor: GET /bench/floor, a bare Django JSON view on the same processes and middleware
  (run first and last: the machine's speed drifts, the ratio uses the mean of the two);
- search: anonymous GET /annonces/?q=<word>&lat=&lon=&radius_km=50 (the page), points drawn
  in proportion to population;
- search-api: the same through GET /api/v1/listings/;
- detail: anonymous GET /annonces/<id>/ of a published listing;
- suggestions: a member's GET /suggestions/ (the best counterparts of the company's listings);
- inbox: a member's GET /messages/;
- home: a member's GET / (their dashboard: open listings and what each needs, new
  suggestions, unread conversations, next steps).

For each: requests per second, median and p99 latency (ms), errors (any status but 200, or a
failed request), and the ratio of its throughput to the floor's. `--profile SCENARIO` also runs
that scenario's requests in one process under pyinstrument and prints where the time goes, and
the SQL queries each page runs.

    .venv/bin/python bench/http_load.py                   # ~2 minutes plus seeding
    .venv/bin/python bench/http_load.py --quick           # 3 s per scenario, smaller data
    .venv/bin/python bench/http_load.py --profile search  # and a profile of the search page

Needs PostgreSQL (BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/postgres) and
Redis (BENCH_REDIS_URL, else REDIS_URL, else redis://127.0.0.1:6379/0); skips without them.

Long on purpose, like every script in bench/: each runs standalone (`python bench/x.py`), and
seeding, serving, loading and reporting read top to bottom in one file.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import _stack  # bench/_stack.py: run as a script, bench/ is on sys.path

# Listing titles: a thing and a wording, so that the text search finds some of them.
THINGS = ["palettes", "entrepôt", "chariot élévateur", "cartons", "camion", "chambre froide"]
WORDINGS = {
    "offer": ["{} à donner", "{} disponible", "Prête {}"],
    "need": ["Cherche {}", "Besoin : {}"],
}
PLACE_FIELDS = ("postal_code", "commune", "departement", "latitude", "longitude")
SEARCH_WORDS = ["palettes", "entrepôt", "chariot", "stockage", "cartons", "camion"]
SCENARIOS = ("floor", "search", "search-api", "detail", "suggestions", "inbox", "home")
TARGET_RATIO = 0.30  # search and detail: at least 30 % of the floor's throughput
TARGET_P99_MS = 100.0


# --- Seeding (runs in a child process with Django set up) -------------------------------------
def seed(n_companies: int, n_listings: int, n_members: int, out: str) -> None:
    from datetime import timedelta

    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import Company, Membership, User
    from bourse.geo import data as geo
    from bourse.listings.models import Category, Listing
    from bourse.matching.models import Match
    from messaging.models import Conversation, Message, ReadMark

    rng = random.Random(16)
    now = timezone.now()
    places = [p for p in geo.places() if p.population > 0]
    weights = [p.population for p in places]
    categories = list(Category.objects.filter(parent__isnull=False).values_list("pk", flat=True))

    def jitter(place):
        return (place.latitude + rng.gauss(0, 0.009), place.longitude + rng.gauss(0, 0.012))

    with transaction.atomic():
        companies = Company.objects.bulk_create(
            [
                Company(
                    name=f"Société de test {i}",
                    siret=f"{80000000000000 + i}",
                    siren=f"{800000000 + i}",
                    address=f"{i % 90 + 1} avenue du Banc",
                    status="verified",
                    status_changed_at=now,
                    **{field: getattr(p, field) for field in PLACE_FIELDS},
                )
                for i, p in enumerate(rng.choices(places, weights=weights, k=n_companies))
            ],
            batch_size=2000,
        )
        members = companies[:n_members]
        users = User.objects.bulk_create(
            [
                User(
                    email=f"membre{i}@bench.example",
                    first_name=f"Membre{i}",
                    password="!bench",  # noqa: S106 - unusable password
                    # Members who accepted the terms: the web pages would send them there first.
                    terms_version=settings.TERMS_VERSION,
                    terms_accepted_at=now,
                )
                for i in range(n_members)
            ]
        )
        Membership.objects.bulk_create(
            [
                Membership(user=u, company=c, role="admin")
                for u, c in zip(users, members, strict=True)
            ]
        )

        listings = []
        for i in range(n_listings):
            # Each member's company has three listings of its own (its suggestions page has
            # three sections); the others belong to companies drawn at random.
            company = members[i // 3] if i < 3 * n_members else rng.choice(companies)
            place = rng.choices(places, weights=weights)[0] if i >= 3 * n_members else None
            lat, lon = jitter(place) if place else (company.latitude, company.longitude)
            kind = "offer" if rng.random() < 0.6 else "need"
            published = now - timedelta(days=rng.random() * 50)
            listings.append(
                Listing(
                    company=company,
                    kind=kind,
                    title=rng.choice(WORDINGS[kind]).format(rng.choice(THINGS)).capitalize(),
                    description="Annonce générée pour le banc d'essai HTTP. "
                    + " ".join(rng.sample(SEARCH_WORDS, 3)),
                    category_id=rng.choice(categories),
                    terms="to_discuss",
                    status="published",
                    postal_code=place.postal_code if place else company.postal_code,
                    commune=place.commune if place else company.commune,
                    departement=place.departement if place else company.departement,
                    latitude=lat,
                    longitude=lon,
                    published_at=published,
                    expires_at=published + timedelta(days=60),
                )
            )
        listings = Listing.objects.bulk_create(listings, batch_size=5000)

        # Each member's company wrote about 10 listings of others; 4 lines per conversation.
        others = listings[3 * n_members :]
        conversations = []
        for company in members:
            for listing in rng.sample(others, 10):
                if listing.company_id != company.pk:
                    conversations.append(
                        Conversation(
                            listing=listing,
                            owner_company_id=listing.company_id,
                            other_company=company,
                        )
                    )
        conversations = Conversation.objects.bulk_create(conversations, batch_size=2000)
        user_of = {c.pk: u for u, c in zip(users, members, strict=True)}
        messages = []
        for c in conversations:
            for k in range(4):
                company_id = c.other_company_id if k % 2 == 0 else c.owner_company_id
                messages.append(
                    Message(
                        conversation=c,
                        company_id=company_id,
                        sender=user_of.get(company_id),
                        body=f"Bonjour, message {k} au sujet de votre annonce.",
                        created_at=now - timedelta(minutes=10 * (4 - k)),
                    )
                )
        messages = Message.objects.bulk_create(messages, batch_size=5000)
        for i, c in enumerate(conversations):
            c.last_message = messages[4 * i + 3]
            c.updated_at = messages[4 * i + 3].created_at
        Conversation.objects.bulk_update(
            conversations, ["last_message", "updated_at"], batch_size=2000
        )
        # The member's company has read every other conversation up to its last line: the
        # dashboard lists the unread ones, the inbox shows both kinds.
        ReadMark.objects.bulk_create(
            [
                ReadMark(
                    conversation=c,
                    company=c.other_company,
                    last_read_message_id=messages[4 * i + 3].pk,
                )
                for i, c in enumerate(conversations)
                if i % 2
            ],
            batch_size=2000,
        )
        # Strong matches recorded lately for each member's listings (the worker records them
        # when a listing is published): the dashboard's new suggestions.
        pairs = {}
        for own in listings[: 3 * n_members]:
            for other in rng.sample(others, 3):
                if other.company_id != own.company_id:
                    pair = (min(own.pk, other.pk), max(own.pk, other.pk))
                    pairs[pair] = round(rng.uniform(0.6, 0.95), 3)
        Match.objects.bulk_create(
            [Match(listing_a_id=a, listing_b_id=b, score=s) for (a, b), s in pairs.items()],
            batch_size=2000,
        )

        keys = _stack.login_sessions(users)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")

    points = [jitter(p) for p in rng.choices(places, weights=weights, k=500)]
    Path(out).write_text(
        json.dumps(
            {
                "sessions": keys,
                "listings": [listing.pk for listing in rng.sample(listings, 2000)],
                "points": points,
            }
        )
    )


# --- Requests ----------------------------------------------------------------------------------
def request_maker(scenario: str, data: dict, rng: random.Random):
    """A function returning (path, session key or None) for the scenario's next request."""
    from urllib.parse import urlencode

    sessions, listings, points = data["sessions"], data["listings"], data["points"]

    def search_query() -> str:
        lat, lon = rng.choice(points)
        return urlencode(
            {"q": rng.choice(SEARCH_WORDS), "lat": f"{lat:.5f}", "lon": f"{lon:.5f}"}
            | {"radius_km": "50"}
        )

    if scenario == "floor":
        return lambda client: ("/bench/floor", None)
    if scenario == "search":
        return lambda client: (f"/annonces/?{search_query()}", None)
    if scenario == "search-api":
        return lambda client: (f"/api/v1/listings/?{search_query()}", None)
    if scenario == "detail":
        return lambda client: (f"/annonces/{rng.choice(listings)}/", None)
    if scenario == "suggestions":
        return lambda client: ("/suggestions/", sessions[client % len(sessions)])
    if scenario == "inbox":
        return lambda client: ("/messages/", sessions[client % len(sessions)])
    if scenario == "home":
        return lambda client: ("/", sessions[client % len(sessions)])
    raise ValueError(scenario)


async def load(
    *,
    ports: list[int],
    make,
    clients: int,
    seconds: float,
    max_requests: int,
    warmup_seconds: float,
    think_ms: float = 0.0,
    on_measuring=None,
) -> dict:
    """`clients` concurrent clients, each with one keep-alive connection to one of the ports,
    sending one request after another for `seconds` (after a warm-up), `max_requests` at most.

    With `think_ms`, each client pauses between a response and its next request, for a time
    drawn from an exponential distribution of that mean: people reading a page before the
    next. Without it (0) the clients never pause, and the server is always saturated: the
    throughput is the server's capacity, and each latency is mostly time spent queuing behind
    the other clients' requests (Little's law: latency ≈ clients / throughput)."""
    import aiohttp

    pauses = random.Random(99)

    latencies: list[float] = []
    statuses: dict[str, int] = {}
    errors = 0
    issued = 0
    measuring = False
    stop_at = 0.0

    async def client(k: int) -> None:
        nonlocal errors, issued
        port = ports[k % len(ports)]
        connector = aiohttp.TCPConnector(limit=1, force_close=False)
        timeout = aiohttp.ClientTimeout(total=30)
        async with aiohttp.ClientSession(
            f"http://127.0.0.1:{port}", connector=connector, timeout=timeout
        ) as session:
            while True:
                now = time.perf_counter()
                if measuring and (now >= stop_at or issued >= max_requests):
                    return
                path, key = make(k)
                headers = {"Cookie": f"sessionid={key}"} if key else {}
                counted = measuring
                if counted:
                    issued += 1
                t0 = time.perf_counter()
                try:
                    async with session.get(path, headers=headers, allow_redirects=False) as resp:
                        await resp.read()
                        status = resp.status
                except (TimeoutError, aiohttp.ClientError) as exc:
                    status = exc.__class__.__name__
                elapsed = (time.perf_counter() - t0) * 1000
                if counted:
                    latencies.append(elapsed)
                    if status != 200:
                        errors += 1
                        statuses[str(status)] = statuses.get(str(status), 0) + 1
                if think_ms > 0:
                    await asyncio.sleep(pauses.expovariate(1000.0 / think_ms))

    cpu0 = 0.0

    async def run() -> float:
        nonlocal measuring, stop_at, cpu0
        tasks = [asyncio.create_task(client(k)) for k in range(clients)]
        await asyncio.sleep(warmup_seconds)
        # CPU is counted from here, as the requests: not the warm-up's.
        cpu0 = time.process_time()
        if on_measuring is not None:
            on_measuring()
        start = time.perf_counter()
        stop_at = start + seconds
        measuring = True
        await asyncio.gather(*tasks)
        return time.perf_counter() - start

    elapsed = await run()
    client_cpu = time.process_time() - cpu0
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "seconds": round(elapsed, 2),
        "rps": len(ordered) / elapsed if elapsed else 0.0,
        "median_ms": statistics.median(ordered) if ordered else float("nan"),
        "p99_ms": _stack.percentile(ordered, 99),
        "max_ms": ordered[-1] if ordered else float("nan"),
        "errors": errors,
        "error_statuses": statuses,
        "client_cpu_s": round(client_cpu, 2),
    }


# --- Profile (runs in a child process with Django set up) -------------------------------------
def profile(scenario: str, data_path: str, n: int, warmup: int = 20) -> None:
    """The scenario's requests through Django's test client in this process: the SQL queries of
    one page, then where the time of `n` pages goes (pyinstrument), after `warmup` pages (what
    a process keeps, such as rendered cards, fills as it serves: a long warm-up measures a
    process that has been serving for a while)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from pyinstrument import Profiler

    data = json.loads(Path(data_path).read_text())
    make = request_maker(scenario, data, random.Random(7))
    client = Client(HTTP_HOST="127.0.0.1")

    def get(k: int):
        path, key = make(k)
        if key:
            client.cookies["sessionid"] = key
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)  # noqa: S101

    for k in range(warmup):  # warm caches, connections, templates
        get(k)
    make = request_maker(scenario, data, random.Random(8))  # measured pages: other requests
    with CaptureQueriesContext(connection) as ctx:
        get(0)
    print(f"--- {scenario}: {len(ctx.captured_queries)} SQL queries for one page")
    for q in ctx.captured_queries:
        print(f"  {q['time']}s  {q['sql'][:160]}")
    print(f"--- {scenario}: " + call_counts(get, n))
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for k in range(n):
        get(k)
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False, show_all=False, short_mode=False))
    # The same samples by function (own time), library frames included: where a hidden subtree
    # (template rendering, translation) spends it.
    flat = profiler.output_text(unicode=True, color=False, flat=True, show_all=True)
    print("\n".join(flat.splitlines()[:50]))


def call_counts(get, n: int) -> str:
    """Python function calls per page, and how many of them render templates: figures that the
    machine's load does not move, unlike times. Then the share of time in rendering (cProfile's
    cumulative time of the template backend's render)."""
    import cProfile
    import pstats

    from django.template.backends import django as backend

    profile = cProfile.Profile()
    profile.enable()
    for k in range(n):
        get(k)
    profile.disable()
    stats = pstats.Stats(profile)
    rendering_time = sum(
        row[3]
        for (filename, _line, name), row in stats.stats.items()  # type: ignore[attr-defined]
        if name == "render" and filename == backend.__file__
    )
    share_time = rendering_time / stats.total_tt  # type: ignore[attr-defined]

    # The same pages counted call by call, noting those made while a template renders.
    counts = {"all": 0, "rendering": 0}
    inside = [0]

    def counter(frame, event, arg):
        if event in ("call", "c_call"):
            counts["all"] += 1
            if inside[0]:
                counts["rendering"] += 1

    original = backend.Template.render

    def render(self, *args, **kwargs):
        inside[0] += 1
        try:
            return original(self, *args, **kwargs)
        finally:
            inside[0] -= 1

    backend.Template.render = render
    sys.setprofile(counter)
    try:
        for k in range(n):
            get(k)
    finally:
        sys.setprofile(None)
        backend.Template.render = original
    return (
        f"{counts['all'] / n:,.0f} function calls per page, {counts['rendering'] / n:,.0f} of "
        f"them ({counts['rendering'] / max(1, counts['all']):.0%}) rendering templates; "
        f"{share_time:.0%} of the profiled time in rendering"
    )


# --- Main --------------------------------------------------------------------------------------
def print_report(results: list[dict], clients: int, think_ms: float = 0.0) -> None:
    floors = [r for r in results if r["scenario"] == "floor"]
    floor_rps = statistics.fmean(r["rps"] for r in floors) if floors else float("nan")
    print()
    print(
        f"| scenario ({clients} clients) | requests | req/s | × floor | median ms | p99 ms | "
        "max ms | errors |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in results:
        print(
            f"| {r['scenario']} | {r['requests']} | {r['rps']:.0f} | "
            f"{r['rps'] / floor_rps:.2f} | {r['median_ms']:.1f} | {r['p99_ms']:.1f} | "
            f"{r['max_ms']:.1f} | {r['errors']} |"
        )
    for r in results:
        if r["scenario"] in ("search", "search-api", "detail"):
            ok_ratio = r["rps"] / floor_rps >= TARGET_RATIO
            ok_p99 = r["p99_ms"] <= TARGET_P99_MS
            # With pauses the clients ask less than the server can give: the throughput then
            # measures the clients, and only the latency and the errors say something.
            ratio = (
                "not measured with pauses" if think_ms else f"{'met' if ok_ratio else 'NOT met'}"
            )
            print(
                f"target {r['scenario']}: ≥ {TARGET_RATIO:.0%} of the floor ({ratio}), "
                f"p99 ≤ {TARGET_P99_MS:.0f} ms ({'met' if ok_p99 else 'NOT met'}), 0 errors "
                f"({'met' if r['errors'] == 0 else 'NOT met'})"
            )


def run_scenarios(env: dict, data: dict, scenarios: list[str], args) -> list[dict]:
    results = []
    stack = _stack.Stack(env, web=args.web)
    try:
        rss_start = stack.web_rss_mb()
        for scenario in scenarios:
            make = request_maker(scenario, data, random.Random(16))
            server_cpu0 = []  # the servers' CPU when the measured requests start
            load0 = os.getloadavg()[0]
            result = asyncio.run(
                load(
                    ports=stack.ports,
                    make=make,
                    clients=args.clients,
                    seconds=args.seconds,
                    max_requests=args.max_requests,
                    warmup_seconds=args.warmup,
                    think_ms=args.think_ms,
                    on_measuring=lambda cpu=server_cpu0: cpu.append(stack.web_cpu_seconds()),
                )
            )
            result["scenario"] = scenario
            result["think_ms"] = args.think_ms
            result["server_cpu_ms_per_request"] = round(
                (stack.web_cpu_seconds() - server_cpu0[0]) * 1000 / max(1, result["requests"]), 2
            )
            result["load_average"] = [round(load0, 2), round(os.getloadavg()[0], 2)]
            results.append(result)
            print(json.dumps(result), flush=True)
        rss_end = stack.web_rss_mb()
        tracebacks = stack.tracebacks()
        alive = stack.alive()
    finally:
        stack.stop()
    print(
        f"server RSS MB (each process) {rss_start} → {rss_end}; tracebacks in the servers' "
        f"logs: {tracebacks}; every process alive at the end: {alive}"
    )
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 s per scenario, less data")
    parser.add_argument("--seconds", type=float, default=12.0, help="measured, per scenario")
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument(
        "--think-ms",
        type=float,
        default=0.0,
        help="mean pause of each client between a response and its next request (0: none, "
        "the server saturated)",
    )
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--web", type=int, default=2, help="uvicorn processes")
    parser.add_argument("--max-requests", type=int, default=50_000, help="per scenario")
    parser.add_argument("--companies", type=int, default=5000)
    parser.add_argument("--listings", type=int, default=30_000)
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--profile", choices=SCENARIOS, help="profile this scenario too")
    parser.add_argument("--profile-requests", type=int, default=300)
    parser.add_argument(
        "--profile-warmup", type=int, default=20, help="pages served before the profiled ones"
    )
    parser.add_argument("--database-prefix", default="bourse_bench_http")
    parser.add_argument("--json", help="write the results to this file")
    parser.add_argument("--keep", action="store_true", help="keep the seeded database")
    parser.add_argument("--reuse", metavar="NAME", help="a database kept by --keep, as it is")
    parser.add_argument(
        "--no-load", action="store_true", help="seed (or reuse) and profile only, no servers"
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        import django

        django.setup()
        if args.child[0] == "seed":
            seed(*(int(v) for v in args.child[1:4]), args.child[4])
        else:
            profile(args.child[1], args.child[2], int(args.child[3]), int(args.child[4]))
        return 0

    if args.quick:
        args.seconds, args.warmup = 3.0, 1.0
        args.companies, args.listings, args.members = 1000, 5000, 100
    if not _stack.postgres_reachable():
        print(f"bench/http_load.py skipped: PostgreSQL is needed ({_stack.POSTGRES_URL})")
        return 0
    why = _stack.redis_reachable()
    if why:
        print(f"bench/http_load.py skipped: Redis is needed ({_stack.REDIS_URL}): {why}")
        return 0
    scenarios = [s for s in args.scenarios.split(",") if s]
    if "floor" in scenarios:
        # First and last: the ratio uses the mean of the two floors around the others.
        scenarios = ["floor", *[s for s in scenarios if s != "floor"], "floor"]

    print(
        f"HTTP benchmark — PostgreSQL, Redis {_stack.REDIS_URL}, {args.web} uvicorn processes "
        f"(Procfile via honcho), {args.clients} clients"
        + (f" pausing {args.think_ms:g} ms on average" if args.think_ms else "")
        + f", {args.seconds:g} s per scenario"
    )
    results: list[dict] = []
    script = str(Path(__file__).resolve())
    with (
        _stack.bench_database(
            args.database_prefix, keep=args.keep, reuse=args.reuse
        ) as database_url,
        tempfile.TemporaryDirectory() as folder,
    ):
        name = database_url.rsplit("/", 1)[1]
        # The seeded sessions are signed with the secret key: the same one for a reused database.
        env = _stack.server_env(
            database_url, BENCH_FLOOR_VIEW="true", SECRET_KEY=f"bench-{name}-" + "k" * 40
        )
        kept = Path(tempfile.gettempdir()) / f"{name}.json"
        data_path = str(kept if args.keep or args.reuse else Path(folder) / "data.json")
        t0 = time.perf_counter()
        _stack.manage(env, "migrate", "--no-input", "-v", "0")
        if not args.reuse:
            _stack.run_python(
                env,
                script,
                "--child",
                "seed",
                str(args.companies),
                str(args.listings),
                str(args.members),
                data_path,
            )
            print(
                f"seeded {args.companies} companies, {args.listings} listings, {args.members} "
                f"members with sessions and conversations in {time.perf_counter() - t0:.0f} s",
                flush=True,
            )
            # As a deployment does once (docs/deployment.md): every live listing's stored
            # suggestions. Without them the scheduler's job hands every listing to the worker
            # during the runs, and the suggestions page computes its lists on read.
            t0 = time.perf_counter()
            _stack.manage(env, "fill_suggestion_lists", timeout=7200)
            print(f"stored suggestions filled in {time.perf_counter() - t0:.0f} s", flush=True)
        data = json.loads(Path(data_path).read_text())
        if scenarios and not args.no_load:
            results = run_scenarios(env, data, scenarios, args)
            print_report(results, args.clients, args.think_ms)
        if args.json:
            Path(args.json).write_text(json.dumps(results, indent=2))
        if args.profile:
            _stack.run_python(
                env,
                script,
                "--child",
                "profile",
                args.profile,
                data_path,
                str(args.profile_requests),
                str(args.profile_warmup),
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
