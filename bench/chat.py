"""Real-time messaging benchmark: delivery latency over the WebSocket, against a bare floor.

Seeds a database of its own (PostgreSQL `bourse_bench_chat_*` when a server answers at
BENCH_POSTGRES_URL, else a SQLite file in /tmp) with pairs of verified companies, one member
each, one listing and one conversation per pair, and a logged-in session per member. Then it
starts ONE uvicorn process serving `bourse.asgi:application` with the Redis channel layer, and
ONE uvicorn process serving a bare Channels consumer that relays to a group
(bench/chat_floor/asgi.py: no auth, no database) on the same channel layer: the floor.

Each scenario runs the same load against both, one after the other:
- 200 sockets (100 conversations), 100 messages/s in all, every socket sending in turn, the
  two servers in A B B A order (`--rounds 2`: the machine's speed drifts between runs);
- 1,000 sockets (500 conversations), 50 messages/s in all, for 2 minutes (`--long-seconds`),
  with the server's RSS at the start and at the end.
Latency is from just before the client sends to the partner's socket receiving it (same
process, monotonic clock). Lost = sent but never received by the partner; duplicated =
received twice. Load goes to 127.0.0.1 only; every loop is bounded.

    .venv/bin/python bench/chat.py                 # full run (~9 minutes)
    .venv/bin/python bench/chat.py --quick         # shorter runs, for a smoke test
    .venv/bin/python bench/chat.py --db sqlite
    .venv/bin/python bench/chat.py --servers app,floor,app-previous --previous ../old-checkout
        # also the app as another checkout has it (e.g. `git worktree add ../old-checkout
        # <commit>`), in the same run, on the same database: the ratio against it is printed

Needs Redis: BENCH_REDIS_URL, else REDIS_URL, else redis://127.0.0.1:6379/0.

Long on purpose, like every script in bench/: each runs standalone (`python bench/x.py`), and
seeding, serving, loading and reporting read top to bottom in one file.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import _stack  # bench/_stack.py: run as a script, bench/ is on sys.path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
UVICORN = str(Path(PYTHON).with_name("uvicorn"))
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = (
    os.environ.get("BENCH_REDIS_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
)

SEED = r"""
import json, sys
import django
django.setup()
from datetime import timedelta
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone
from django.utils.crypto import get_random_string
from accounts.models import Company, Membership, User
from bourse.listings.models import Category, Listing
from messaging.models import Conversation

n_pairs, out = int(sys.argv[1]), sys.argv[2]
now = timezone.now()
place = dict(address="1 rue du Banc d'essai", postal_code="69002", commune="Lyon",
             departement="69", latitude=45.75, longitude=4.83)
companies = Company.objects.bulk_create([
    Company(name=f"Banc {i}", siret=f"{90000000000000 + i}", siren=f"{900000000 + i}"[:9],
            status="verified", status_changed_at=now, **place)
    for i in range(2 * n_pairs)
])
users = User.objects.bulk_create([
    User(email=f"banc{i}@bench.example", first_name=f"Banc{i}", password="!bench")
    for i in range(2 * n_pairs)
])
Membership.objects.bulk_create([
    Membership(user=u, company=c, role="admin") for u, c in zip(users, companies)
])
category = Category.objects.filter(parent__isnull=False).order_by("pk").first()
listings = Listing.objects.bulk_create([
    Listing(company=companies[2 * i], kind="offer", title=f"Offre {i}", description="Banc.",
            category=category, terms="free", status="published", published_at=now,
            expires_at=now + timedelta(days=60), **{k: v for k, v in place.items()
                                                     if k != "address"})
    for i in range(n_pairs)
])
conversations = Conversation.objects.bulk_create([
    Conversation(listing=listings[i], owner_company=companies[2 * i],
                 other_company=companies[2 * i + 1])
    for i in range(n_pairs)
])
store = SessionStore()
keys = []
sessions = []
for user in users:
    key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
    data = {SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: user.get_session_auth_hash()}
    sessions.append(Session(session_key=key, session_data=store.encode(data),
                            expire_date=now + timedelta(days=1)))
    keys.append(key)
Session.objects.bulk_create(sessions)
pairs = [{"conversation": conversations[i].pk, "a": keys[2 * i], "b": keys[2 * i + 1]}
         for i in range(n_pairs)]
with open(out, "w") as f:
    json.dump(pairs, f)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def postgres_reachable() -> bool:
    try:
        import psycopg

        with psycopg.connect(POSTGRES_URL, connect_timeout=3):
            return True
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        return False


@contextlib.contextmanager
def bench_database(kind: str):
    if kind == "postgres":
        import psycopg

        name = f"bourse_bench_chat_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        base = POSTGRES_URL.rsplit("/", 1)[0]
        try:
            yield f"{base}/{name}"
        finally:
            with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        with tempfile.TemporaryDirectory(prefix="bourse_bench_chat_") as folder:
            yield f"sqlite:///{folder}/bench.sqlite3"


def server_env(database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_VERSION"}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bourse.settings",
            "SECRET_KEY": env.get("SECRET_KEY") or "bench-" + uuid.uuid4().hex * 2,
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "STATIC_MANIFEST": "false",
            "DATABASE_URL": database_url,
            # Persistent connections, as in production: the consumer's database thread would
            # otherwise open a new connection for every message.
            "CONN_MAX_AGE": "60",
            "REDIS_URL": REDIS_URL,
            # Pub/sub channels are global to a Redis server: keep this run's groups apart.
            "CHANNEL_LAYER_PREFIX": f"bench{uuid.uuid4().hex[:8]}",
            "CACHE_KEY_PREFIX": f"bench{uuid.uuid4().hex[:8]}",
            "LOG_LEVEL": "WARNING",
        }
    )
    return env


def seed(env: dict, n_pairs: int, *, analyze: bool = True) -> list[dict]:
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=600,
    )
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run(
            [PYTHON, "-c", SEED, str(n_pairs), out.name],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=600,
        )
        pairs = json.loads(Path(out.name).read_text())
    if analyze and env["DATABASE_URL"].startswith("postgres"):
        # A database in service has its statistics and its rows' hint bits set. A freshly
        # seeded one gets them from autovacuum within the first minute, i.e. during the first
        # run, which then competes with it (and may see its plans change): do it now.
        import psycopg

        with psycopg.connect(env["DATABASE_URL"], autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
    return pairs


def autovacuum_since(database_url: str, since) -> list[str]:
    """Tables that autovacuum vacuumed or analyzed since `since` (the server's clock)."""
    if not database_url.startswith("postgres") or since is None:
        return []
    import psycopg

    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT relname FROM pg_stat_user_tables WHERE greatest(last_autovacuum, "
            "last_autoanalyze) >= %s ORDER BY relname",
            [since],
        ).fetchall()
    return [r[0] for r in rows]


def server_clock(database_url: str):
    if not database_url.startswith("postgres"):
        return None
    import psycopg

    with psycopg.connect(database_url) as conn:
        return conn.execute("SELECT now()").fetchone()[0]


class Server:
    def __init__(
        self, app: str, env: dict, log: Path, app_dir: str | None = None, cwd: Path = ROOT
    ):
        self.port = free_port()
        args = [UVICORN, app, "--host", "127.0.0.1", "--port", str(self.port)]
        if app_dir:
            args += ["--app-dir", app_dir]
        self.log = open(log, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            args, cwd=cwd, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{app} exited, see {log}")
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.2)
        raise RuntimeError(f"{app} did not start")

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)
        self.log.close()


async def run_load(
    *,
    kind: str,
    server: Server,
    pairs: list[dict],
    rate: float,
    seconds: float,
    warmup_seconds: float = 3.0,
) -> dict:
    """Open 2 sockets per pair, send `rate` messages/s in all for `seconds`, measure."""
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    origin = f"http://127.0.0.1:{server.port}"
    sockets: list = [None] * (2 * len(pairs))
    conversations = [p["conversation"] for p in pairs for _ in (0, 1)]
    sent: dict[str, tuple[float, int]] = {}  # client_id -> (t0, sender index)
    partner_latency: dict[str, float] = {}
    duplicates = 0
    errors: list[str] = []
    closed_by_server = 0
    closing = False

    async def open_one(i: int):
        pair = pairs[i // 2]
        if kind.startswith("app"):  # app, app-threads
            key = pair["a"] if i % 2 == 0 else pair["b"]
            url = f"ws://127.0.0.1:{server.port}/ws/"
            headers = {"Cookie": f"sessionid={key}"}
        else:
            url = f"ws://127.0.0.1:{server.port}/ws/?group=room.{i // 2}"
            headers = {}
        sockets[i] = await connect(
            url,
            origin=origin,
            additional_headers=headers,
            proxy=None,
            compression=None,
            open_timeout=60,
            ping_interval=None,
            max_queue=None,
        )

    async def reader(i: int):
        nonlocal duplicates, closed_by_server
        ws = sockets[i]
        try:
            async for raw in ws:
                now = time.perf_counter()
                event = json.loads(raw)
                if event.get("type") == "error":
                    errors.append(event.get("code", "?"))
                    continue
                if event.get("type") != "message.new":
                    continue
                client_id = event["message"].get("client_id", "")
                origin_info = sent.get(client_id)
                if origin_info is None or origin_info[1] == i:
                    continue  # a warm-up message, or the sender's own echo
                if client_id in partner_latency:
                    duplicates += 1
                else:
                    partner_latency[client_id] = (now - origin_info[0]) * 1000
        except ConnectionClosed:
            pass
        if not closing:
            closed_by_server += 1

    # Connect in batches so the handshakes do not all land in the same millisecond.
    for start in range(0, len(sockets), 50):
        await asyncio.gather(*(open_one(i) for i in range(start, min(start + 50, len(sockets)))))
    readers = [asyncio.create_task(reader(i)) for i in range(len(sockets))]

    def frame(i: int, client_id: str) -> str:
        if kind.startswith("app"):  # app, app-threads
            return json.dumps(
                {
                    "type": "message.send",
                    "conversation": conversations[i],
                    "body": f"Message de banc d'essai {client_id}",
                    "client_id": client_id,
                }
            )
        return json.dumps({"client_id": client_id, "body": f"Message {client_id}"})

    async def send_at(rate_: float, count: int, prefix: str, record: bool):
        begin = time.perf_counter()
        for k in range(count):
            target = begin + k / rate_
            delay = target - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            i = k % len(sockets)
            client_id = f"{prefix}{k}"
            if record:
                sent[client_id] = (time.perf_counter(), i)
            await sockets[i].send(frame(i, client_id))

    # client_id is the idempotency key: a value already used by the same user in the same
    # conversation (an earlier scenario on this database) would rightly not be stored again.
    run = uuid.uuid4().hex[:8]
    await send_at(rate, int(rate * warmup_seconds), f"{run}w", record=False)
    await asyncio.sleep(1)
    rss_start = server.rss_mb()
    cpu_start = server.cpu_seconds()
    load_start = os.getloadavg()[0]
    t_start = time.perf_counter()
    await send_at(rate, int(rate * seconds), f"{run}m", record=True)
    elapsed = time.perf_counter() - t_start
    # Grace period for the last deliveries, bounded.
    deadline = time.perf_counter() + 10
    while len(partner_latency) < len(sent) and time.perf_counter() < deadline:
        await asyncio.sleep(0.1)
    rss_end = server.rss_mb()
    cpu_used = server.cpu_seconds() - cpu_start
    load_end = os.getloadavg()[0]
    closing = True
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    await asyncio.wait_for(asyncio.gather(*readers, return_exceptions=True), timeout=30)

    latencies = sorted(partner_latency.values())
    # Where a stall sits: the worst latency of the lines sent in each of the first 5 seconds,
    # and of all the later ones.
    by_second: dict[int, float] = {}
    for cid, latency in partner_latency.items():
        second = min(5, int(sent[cid][0] - t_start))
        by_second[second] = max(by_second.get(second, 0.0), latency)
    lost_ids = [cid for cid in sent if cid not in partner_latency]
    lost_senders = sorted({sent[cid][1] for cid in lost_ids})

    def pct(p: float) -> float:
        if not latencies:
            return float("nan")
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))]

    return {
        "server": kind,
        "sockets": len(sockets),
        "rate": rate,
        "seconds": round(elapsed, 1),
        "sent": len(sent),
        "lost": len(sent) - len(partner_latency),
        "duplicated": duplicates,
        "errors": len(errors),
        "error_codes": sorted(set(errors)),
        "closed_by_server": closed_by_server,
        "median_ms": statistics.median(latencies) if latencies else float("nan"),
        "p95_ms": pct(95),
        "p99_ms": pct(99),
        "max_ms": latencies[-1] if latencies else float("nan"),
        "rss_start_mb": rss_start,
        "rss_end_mb": rss_end,
        "server_cpu_ms_per_message": cpu_used * 1000 / max(1, len(sent)),
        "load_average": [round(load_start, 2), round(load_end, 2)],
        "max_ms_by_second": [round(by_second.get(k, 0.0), 1) for k in range(5)],
        "max_ms_after_5_s": round(by_second.get(5, 0.0), 1),
        "lost_from_senders": lost_senders[:20],
        "lost_seq_range": [
            min((int(c[9:]) for c in lost_ids), default=None),
            max((int(c[9:]) for c in lost_ids), default=None),
        ],
    }


def log_errors(path: Path) -> int:
    """Tracebacks in a server's log; the first one is shown."""
    text = path.read_text(errors="replace")
    first = text.find("Traceback")
    if first >= 0:
        print(f"first traceback in {path.name}:\n{text[max(0, first - 300) : first + 3000]}")
    return text.count("Traceback")


def row(r: dict) -> str:
    return (
        f"| {r['server']:5} | {r['sockets']:5} | {r['rate']:5.0f} | {r['seconds']:5.1f} | "
        f"{r['sent']:5} | {r['lost']:4} | {r['duplicated']:3} | {r['errors']:3} | "
        f"{r['closed_by_server']:3} | {r['median_ms']:6.2f} | {r['p95_ms']:6.2f} | "
        f"{r['p99_ms']:6.2f} | {r['max_ms']:7.2f} | {r['rss_start_mb']:6.1f} → "
        f"{r['rss_end_mb']:6.1f} | {r['server_cpu_ms_per_message']:5.2f} | "
        f"{r['load_average'][0]:.1f}–{r['load_average'][1]:.1f} |"
    )


# "app-threads" is the app with MESSAGING_ASYNC_CONNECTIONS=0 (the path before pgasync);
# "app-previous" the app of another checkout (--previous).
SERVERS = ("app", "floor", "app-threads", "app-previous")
APPS = ("app", "app-threads", "app-previous")


def main() -> int:
    _stack.raise_open_files_limit()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10 s and 20 s runs")
    parser.add_argument("--db", choices=["auto", "sqlite", "postgres"], default="auto")
    parser.add_argument("--short-seconds", type=float, default=30.0)
    parser.add_argument("--long-seconds", type=float, default=120.0)
    parser.add_argument("--only", choices=["all", "200", "1000"], default="all")
    parser.add_argument(
        "--rounds", type=int, default=2, help="rounds of the 200-socket scenario (A B B A ...)"
    )
    parser.add_argument(
        "--servers",
        default="app,floor",
        help="servers to load, of app, floor, app-threads (the app with "
        "MESSAGING_ASYNC_CONNECTIONS=0: chat lines stored through the database threads) and "
        "app-previous (the app of the checkout given by --previous)",
    )
    parser.add_argument(
        "--previous",
        type=Path,
        help="another checkout of the project, served as app-previous on the same database",
    )
    parser.add_argument(
        "--no-analyze",
        action="store_true",
        help="leave the seeded PostgreSQL database to autovacuum (no VACUUM ANALYZE after "
        "seeding), as runs before 2026-12-03 did",
    )
    args = parser.parse_args()
    if args.quick:
        args.short_seconds, args.long_seconds = 10.0, 20.0

    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except Exception as exc:  # noqa: BLE001
        print(f"bench/chat.py skipped: Redis is needed ({REDIS_URL}): {exc}")
        return 0
    kind = args.db
    if kind == "auto":
        kind = "postgres" if postgres_reachable() else "sqlite"

    scenarios = []
    if args.only in ("all", "200"):
        scenarios.append(("200 sockets, 100 msg/s", 100, 100.0, args.short_seconds))
    if args.only in ("all", "1000"):
        scenarios.append(("1,000 sockets, 50 msg/s", 500, 50.0, args.long_seconds))
    n_pairs = max(s[1] for s in scenarios)

    print(f"Real-time messaging benchmark — database {kind}, Redis {REDIS_URL}")
    print("channel layer: the settings' (bourse.core.channel_layer.RedisPubSubLayer), every server")
    results = []
    with bench_database(kind) as database_url, tempfile.TemporaryDirectory() as logs:
        env = server_env(database_url)
        t0 = time.perf_counter()
        pairs = seed(env, n_pairs, analyze=not args.no_analyze)
        print(
            f"seeded {2 * n_pairs} users/companies, {n_pairs} conversations "
            f"in {time.perf_counter() - t0:.1f} s"
        )
        servers = [k for k in SERVERS if k in args.servers.split(",")]
        for title, n, rate, seconds in scenarios:
            # The machine's speed drifts from minute to minute: the short scenario runs the two
            # servers in A B B A order (--rounds 2), so that drift weighs on both alike.
            rounds = args.rounds if n == 100 else 1
            order = [k for r in range(rounds) for k in (servers if r % 2 == 0 else servers[::-1])]
            for run_number, kind_ in enumerate(order):
                log = Path(logs) / f"{kind_}-{n}-{run_number}.log"
                if kind_ == "app":
                    server = Server("bourse.asgi:application", env, log)
                elif kind_ == "app-previous":
                    server = Server("bourse.asgi:application", env, log, cwd=args.previous)
                elif kind_ == "app-threads":
                    threads_env = {**env, "MESSAGING_ASYNC_CONNECTIONS": "0"}
                    server = Server("bourse.asgi:application", threads_env, log)
                else:
                    server = Server("chat_floor.asgi:application", env, log, app_dir="bench")
                clock = server_clock(database_url)
                try:
                    result = asyncio.run(
                        run_load(
                            kind=kind_,
                            server=server,
                            pairs=pairs[:n],
                            rate=rate,
                            seconds=seconds,
                        )
                    )
                finally:
                    server.stop()
                result["scenario"] = title
                result["tracebacks_in_server_log"] = log_errors(log)
                result["autovacuum_during_run"] = autovacuum_since(database_url, clock)
                results.append(result)
                print(json.dumps(result), flush=True)

    print()
    print(
        "| server | sockets | msg/s | s | sent | lost | dup | errors | closed | "
        "median ms | p95 ms | p99 ms | max ms | server RSS MB start → end | "
        "server CPU ms/msg | load avg |"
    )
    print("| --- " * 16 + "|")
    for r in results:
        print(row(r))
    print()
    print("Where the worst latencies sit, and what autovacuum did meanwhile:")
    for r in results:
        print(
            f"- {r['server']} ({r['scenario']}): max ms of the lines sent in seconds 1–5 "
            f"{r['max_ms_by_second']}, after {r['max_ms_after_5_s']}; autovacuum during the "
            f"run: {', '.join(r['autovacuum_during_run']) or 'none'}"
        )
    for title, *_ in scenarios:
        runs = {
            kind_: [r for r in results if r["scenario"] == title and r["server"] == kind_]
            for kind_ in SERVERS
        }
        for app_kind in APPS:
            if runs[app_kind] and runs["floor"]:
                print_ratios(title, app_kind, runs, "floor")
        if runs["app"] and runs["app-previous"]:
            print_ratios(title, "app", runs, "app-previous")
    return 0


def print_ratios(title: str, app_kind: str, runs: dict[str, list[dict]], base: str) -> None:
    def mean(kind_: str, key: str) -> float:
        return statistics.fmean(r[key] for r in runs[kind_])

    def ratio(key: str) -> float:
        return mean(app_kind, key) / mean(base, key)

    app = runs[app_kind][-1]
    print(
        f"{title} ({len(runs[app_kind])} run(s) each, means of the runs' figures): "
        f"{app_kind}/{base} median ×{ratio('median_ms'):.2f}, p99 ×{ratio('p99_ms'):.2f}, server "
        f"CPU per message ×{ratio('server_cpu_ms_per_message'):.2f}; {app_kind} RSS "
        f"{app['rss_start_mb']:.1f} → {app['rss_end_mb']:.1f} MB over {app['seconds']:.0f} "
        f"s; tracebacks in its logs: "
        f"{sum(r['tracebacks_in_server_log'] for r in runs[app_kind])}"
    )


if __name__ == "__main__":
    sys.exit(main())
