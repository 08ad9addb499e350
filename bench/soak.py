"""Soak: 1,000 sockets on two server processes sharing Redis, for 5 minutes, with churn.

Seeds a PostgreSQL database of its own (`bourse_bench_soak_*`, beside BENCH_POSTGRES_URL) with
pairs of verified companies (one member each, a logged-in session each), one conversation per
pair, and one more listing per pair for the conversations opened during the run. Starts a
private redis-server on a free port (its clients and keys are this run's only) and the
Procfile's production set with honcho (`honcho start -c web=2`: two uvicorn processes, the
worker, the scheduler). The two members of a pair connect to different processes: every chat
line crosses Redis.

During the run (bounded in time; load to 127.0.0.1 only):
- 50 messages/s in all over the sockets (`message.send`), each to the sender's partner;
- conversations open throughout (POST /api/v1/conversations/ with the member's session token,
  one pair after the other, spread over the run): the listing's company's socket must get the
  first message;
- every minute 5 % of the sockets leave (closed by the client) and rejoin 2 s later; on
  rejoining, a socket catches up with what it missed through the inbox and GET
  /api/v1/conversations/<id>/messages/?after=<last id seen before it left>.

Each socket behaves as the page does (frontend/js/realtime.js, chat.js): it follows `seq` and
catches up over HTTP after a gap (from what it had seen before the gap), and a line whose own
copy has not come back within 5 s is sent again over HTTP with the same client_id. A message is
lost when the partner got it neither live nor by catching up (each one is then looked up in the
database: stored or not); duplicated when a socket got it live twice. Reported: sent, lost,
duplicated, live delivery latency (median, p99), sockets closed by the server, each server
process's RSS, Redis connected clients (by last command), keys (by kind) and memory, at the
start, every --sample-every seconds and at the end.

    .venv/bin/python bench/soak.py            # 1,000 sockets, 50 msg/s, 5 minutes
    .venv/bin/python bench/soak.py --quick    # 200 sockets, 60 s, churn every 15 s

Needs PostgreSQL (BENCH_POSTGRES_URL) and the redis-server binary (or BENCH_REDIS_URL to use a
running Redis instead); skips without them.

Long on purpose, like every script in bench/: each runs standalone (`python bench/x.py`), and
seeding, serving, churning and reporting read top to bottom in one file.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import _stack  # bench/_stack.py: run as a script, bench/ is on sys.path

CHURN_SHARE = 0.05
AWAY_SECONDS = 2.0
# A line whose own copy has not come back after this long is sent again over HTTP with the same
# client_id (frontend/js/chat.js does so after 5 s).
RESEND_AFTER = 5.0
# How long a socket waits for a number it skipped (out of order across processes) before
# catching up over HTTP.
GAP_GRACE = 2.0


# --- Seeding (child process, Django set up) ----------------------------------------------------
def seed(n_pairs: int, out: str) -> None:
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from accounts.models import Company, Membership, User
    from bourse.listings.models import Category, Listing
    from messaging.models import Conversation

    now = timezone.now()
    place = {
        "postal_code": "69003",
        "commune": "Lyon",
        "departement": "69",
        "latitude": 45.76,
        "longitude": 4.85,
    }
    category = Category.objects.filter(parent__isnull=False).order_by("pk").first()

    def listing(company, title):
        return Listing(
            company=company,
            kind="offer",
            title=title,
            description="Annonce de l'essai d'endurance.",
            category=category,
            terms="free",
            status="published",
            published_at=now,
            expires_at=now + timedelta(days=60),
            **place,
        )

    with transaction.atomic():
        companies = Company.objects.bulk_create(
            [
                Company(
                    name=f"Endurance {i}",
                    siret=f"{70000000000000 + i}",
                    siren=f"{700000000 + i}",
                    address=f"{i % 90 + 1} quai de l'Essai",
                    status="verified",
                    status_changed_at=now,
                    **place,
                )
                for i in range(2 * n_pairs)
            ]
        )
        users = User.objects.bulk_create(
            [
                User(
                    email=f"endurance{i}@bench.example",
                    first_name=f"Endurance{i}",
                    password="!bench",  # noqa: S106 - unusable password
                )
                for i in range(2 * n_pairs)
            ]
        )
        Membership.objects.bulk_create(
            [
                Membership(user=u, company=c, role="admin")
                for u, c in zip(users, companies, strict=True)
            ]
        )
        talked = Listing.objects.bulk_create(
            [listing(companies[2 * i], f"Palettes {i}") for i in range(n_pairs)]
        )
        # One more listing per pair's first company, for the conversations opened in the run.
        to_open = Listing.objects.bulk_create(
            [listing(companies[2 * i], f"Cartons {i}") for i in range(n_pairs)]
        )
        conversations = Conversation.objects.bulk_create(
            [
                Conversation(
                    listing=talked[i],
                    owner_company=companies[2 * i],
                    other_company=companies[2 * i + 1],
                )
                for i in range(n_pairs)
            ]
        )
        keys = _stack.login_sessions(users)
    Path(out).write_text(
        json.dumps(
            {
                "sessions": keys,
                "conversations": [c.pk for c in conversations],
                "to_open": [x.pk for x in to_open],
            }
        )
    )


# --- Private Redis -----------------------------------------------------------------------------
@contextlib.contextmanager
def private_redis():
    """A redis-server of this run's own, on a free port: its clients and keys are ours only."""
    if os.environ.get("BENCH_REDIS_URL"):
        yield os.environ["BENCH_REDIS_URL"]
        return
    binary = shutil.which("redis-server")
    if binary is None:
        yield None
        return
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with tempfile.TemporaryDirectory(prefix="bourse_soak_redis_") as folder:
        process = subprocess.Popen(  # noqa: S603 - the system's redis-server
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly"]
            + ["no", "--dir", folder, "--maxclients", "10000"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline:
                with socket.socket() as s:
                    if s.connect_ex(("127.0.0.1", port)) == 0:
                        break
                time.sleep(0.1)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            process.terminate()
            process.wait(timeout=15)


def redis_figures(url: str) -> dict:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=3, client_name="soak-figures")
    info = client.info()
    kinds: dict[str, int] = {}
    last_command: dict[str, int] = {}  # command connections by their last command
    for entry in client.client_list():
        if entry.get("name") == "soak-figures":
            continue
        kind = "pubsub" if int(entry.get("sub", 0)) or int(entry.get("psub", 0)) else "commands"
        kinds[kind] = kinds.get(kind, 0) + 1
        if kind == "commands":
            command = entry.get("cmd", "?")
            last_command[command] = last_command.get(command, 0) + 1
    # Keys by kind: the event numbers (`seq:company:<id>`, `seq:user:<id>`: one per company or
    # user that ever received an event, kept), keys with a time to live (rate limits, cache),
    # and the rest.
    keys_by_kind = {"seq": 0, "expiring": 0, "other": 0}
    for key in client.scan_iter(count=1000):
        if b":seq:" in key:
            keys_by_kind["seq"] += 1
        elif client.ttl(key) >= 0:
            keys_by_kind["expiring"] += 1
        else:
            keys_by_kind["other"] += 1
    client.close()
    return {
        "keys_by_kind": keys_by_kind,
        "clients_by_kind": kinds,
        "commands_by_last_command": last_command,
        "clients": int(info.get("connected_clients", 0)) - 1,  # less this very connection
        "keys": int(client.dbsize()),
        "memory_mb": round(int(info.get("used_memory", 0)) / 1024 / 1024, 2),
    }


# --- The run -----------------------------------------------------------------------------------
class Soak:
    def __init__(self, *, stack, data: dict, redis_url: str, database_url: str, args):
        self.stack, self.redis_url, self.args = stack, redis_url, args
        self.database_url = database_url
        self.keys = data["sessions"]
        self.n = len(self.keys)
        self.conversation_of = [data["conversations"][i // 2] for i in range(self.n)]
        self.to_open = data["to_open"]
        self.sockets: list = [None] * self.n
        self.away: set[int] = set()
        self.closing: set[int] = set()
        self.last_seen: dict[tuple[int, int], int] = {}  # (socket, conversation) -> message id
        self.last_seq: dict[int, int] = {}  # socket -> last company number seen (the real client's)
        self.gaps = 0  # numbers still missing after GAP_GRACE: catch-ups, as a page would
        self.late_events = 0  # numbers that arrived out of order within GAP_GRACE
        self.seen_seq: dict[int, set[int]] = {}  # socket -> numbers seen (the latest ones)
        self.acked: set[str] = set()  # the sender's own copy came back (stored)
        self.resent_over_http = 0
        self.sent: dict[str, tuple[float, int]] = {}  # client_id -> (t0, receiving socket)
        self.live: dict[str, float] = {}  # client_id -> latency ms
        self.caught_up: set[str] = set()
        self.duplicates = 0
        self.errors: list[str] = []
        self.closed_by_server = 0
        self.opened = 0
        self.open_failures: list[str] = []
        self.rejoins = 0
        self.readers: dict[int, asyncio.Task] = {}
        self.sender_of: dict[str, int] = {}  # client_id -> sending socket (socket sends only)
        self.resending: set[str] = set()
        self.bodies: dict[str, str] = {}
        self.background: set[asyncio.Task] = set()
        self.session = None  # the HTTP client session, once the run starts
        self.redis_timeline: list[dict] = []

    def port(self, i: int) -> int:
        # The two members of a pair sit on different processes.
        return self.stack.ports[i % len(self.stack.ports)]

    async def connect(self, i: int) -> None:
        from websockets.asyncio.client import connect

        port = self.port(i)
        self.sockets[i] = await connect(
            f"ws://127.0.0.1:{port}/ws/",
            origin=f"http://127.0.0.1:{port}",
            additional_headers={"Cookie": f"sessionid={self.keys[i]}"},
            proxy=None,
            compression=None,
            open_timeout=60,
            ping_interval=None,
            max_queue=None,
        )
        self.readers[i] = asyncio.create_task(self.read(i, self.sockets[i]))

    def follow(self, i: int, seq, *, numbered: bool) -> None:
        """Follow `seq` as frontend/js/realtime.js does: numbers skipped mean events missed
        live, and the page catches up over HTTP from what it had seen *before* the event that
        showed the gap. Events numbered by two server processes may arrive out of order, so
        (unlike the page, for which one catch-up too many costs nothing) the soak waits
        GAP_GRACE seconds for the missing numbers before catching up: on a saturated machine
        every reordering would otherwise become two HTTP requests, and load the servers more."""
        if not isinstance(seq, int):
            return
        last = self.last_seq.get(i)
        seen = self.seen_seq.setdefault(i, set())
        if numbered:
            seen.add(seq)
            if len(seen) > 4096:
                seen.difference_update(sorted(seen)[:2048])
        if last is None:
            self.last_seq[i] = seq
            return
        if seq < last and (numbered and seq == 1 or not numbered):
            missing = None  # the numbers started again (Redis restarted): catch up now
        else:
            missing = set(range(last + 1, seq + (0 if numbered else 1))) - seen
        self.last_seq[i] = seq if missing is None else max(last, seq)
        if missing == set():
            return
        after = self.last_seen.get((i, self.conversation_of[i]), 0)
        self.spawn(self.catch_up_after_gap(i, after=after, missing=missing))

    async def catch_up_after_gap(self, i: int, *, after: int, missing: set[int] | None) -> None:
        if missing is not None:
            await asyncio.sleep(GAP_GRACE)
            if missing <= self.seen_seq.get(i, set()):
                self.late_events += 1
                return
        self.gaps += 1
        await self.catch_up_retrying(self.session, i, after=after)

    def spawn(self, coroutine) -> None:
        task = asyncio.create_task(coroutine)
        self.background.add(task)
        task.add_done_callback(self.background.discard)

    def record(self, i: int, message: dict, *, live: bool, now: float) -> None:
        conversation, message_id = message.get("conversation"), message.get("id")
        if isinstance(message_id, int):
            key = (i, conversation)
            self.last_seen[key] = max(self.last_seen.get(key, 0), message_id)
        client_id = message.get("client_id") or ""
        origin = self.sent.get(client_id)
        if origin is None:
            return  # a warm-up line
        if origin[1] != i:
            self.acked.add(client_id)  # the sender's own copy: stored
            return
        if not live:
            self.caught_up.add(client_id)
        elif client_id in self.live:
            self.duplicates += 1
        else:
            self.live[client_id] = (now - origin[0]) * 1000

    async def read(self, i: int, ws) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            async for raw in ws:
                now = time.perf_counter()
                event = json.loads(raw)
                kind = event.get("type")
                if kind == "error":
                    self.errors.append(str(event.get("code")))
                    continue
                if kind == "heartbeat":
                    self.follow(i, event.get("seq"), numbered=False)
                    continue
                if event.get("to") != "user":
                    # Before recording the event: the catch-up starts from what was seen
                    # before it (frontend/js/chat.js).
                    self.follow(i, event.get("seq"), numbered=True)
                if isinstance(event.get("message"), dict):
                    self.record(i, event["message"], live=True, now=now)
        except ConnectionClosed:
            pass
        if i not in self.closing:
            self.closed_by_server += 1

    async def catch_up(self, session, i: int, after: int) -> None:
        """What a page does on rejoining or on a gap: the inbox (the conversations opened
        meanwhile show their last line), then the lines of its conversation after `after`, the
        last one seen *before* the socket left or the gap (frontend/js/chat.js reads it then:
        lines arriving live meanwhile must not move it past the missing ones)."""
        conversation = self.conversation_of[i]
        async with session.get(
            f"http://127.0.0.1:{self.port(i)}/api/v1/conversations/",
            headers={"X-Session-Token": self.keys[i]},
        ) as resp:
            if resp.status != 200:
                self.errors.append(f"inbox {resp.status}")
                return
            inbox = await resp.json()
        for item in inbox["results"]:
            if item.get("last_message"):
                self.record(i, item["last_message"], live=False, now=time.perf_counter())
        while True:
            async with session.get(
                f"http://127.0.0.1:{self.port(i)}/api/v1/conversations/{conversation}/messages/",
                params={"after": str(after)},
                headers={"X-Session-Token": self.keys[i]},
            ) as resp:
                if resp.status != 200:
                    self.errors.append(f"catch-up {resp.status}")
                    return
                body = await resp.json()
            for message in body["results"]:
                self.record(i, message, live=False, now=time.perf_counter())
            if not body.get("next_after"):
                return
            after = body["next_after"]

    async def churn(self, session, rng: random.Random) -> None:
        """5 % of the sockets leave, and rejoin AWAY_SECONDS later, catching up."""
        chosen = rng.sample(range(self.n), max(1, int(CHURN_SHARE * self.n)))
        self.away.update(chosen)
        self.closing.update(chosen)
        await asyncio.gather(*(self.sockets[i].close() for i in chosen), return_exceptions=True)
        await asyncio.gather(*(self.readers[i] for i in chosen), return_exceptions=True)
        # What each page had seen when its socket closed: its catch-up starts there.
        resume = {i: self.last_seen.get((i, self.conversation_of[i]), 0) for i in chosen}
        await asyncio.sleep(AWAY_SECONDS)
        for i in chosen:
            self.closing.discard(i)
            self.last_seq.pop(i, None)  # a new socket: numbers followed from its first event
            self.seen_seq.pop(i, None)
        try:
            await asyncio.gather(*(self.connect_retrying(i) for i in chosen))
            await asyncio.gather(
                *(self.catch_up_retrying(session, i, after=resume[i]) for i in chosen),
                return_exceptions=True,
            )
        finally:
            self.away.difference_update(chosen)
        self.rejoins += len(chosen)

    async def connect_retrying(self, i: int) -> None:
        """A page whose socket was refused (a saturated server answering 500) tries again
        after 0.5 s, 1 s, 2 s... (frontend/js/realtime.js)."""
        from websockets.exceptions import InvalidStatus

        for attempt in range(6):
            try:
                await self.connect(i)
                return
            except (InvalidStatus, OSError, TimeoutError) as exc:
                self.errors.append(f"handshake {exc.__class__.__name__}")
                if attempt == 5:
                    raise
                await asyncio.sleep(0.5 * 2**attempt)

    async def resend_unacknowledged(self, session, *, older_than: float) -> None:
        """What frontend/js/chat.js does with a line whose own copy did not come back within
        5 s (its socket closed meanwhile, or the server is slow): the same client_id over HTTP,
        which the server never stores twice."""
        import aiohttp

        now = time.perf_counter()
        due = [
            c
            for c, sender in list(self.sender_of.items())
            if c not in self.acked
            and c not in self.resending
            and now - self.sent[c][0] > older_than
        ]
        self.resending.update(due)
        for client_id in due:
            sender = self.sender_of[client_id]
            for attempt in (1, 2, 3):
                try:
                    async with session.post(
                        f"http://127.0.0.1:{self.port(sender)}/api/v1/conversations/"
                        f"{self.conversation_of[sender]}/messages/",
                        json={"body": self.bodies[client_id], "client_id": client_id},
                        headers={"X-Session-Token": self.keys[sender]},
                    ) as resp:
                        if resp.status in (200, 201):
                            self.acked.add(client_id)
                            self.resent_over_http += 1
                        else:
                            self.errors.append(f"resend {resp.status}")
                    break
                except (TimeoutError, aiohttp.ClientError):
                    if attempt == 3:
                        self.errors.append("resend failed")
                    await asyncio.sleep(1)

    async def catch_up_retrying(self, session, i: int, *, after: int) -> None:
        """A page whose request failed (connection reset by a saturated server) tries again."""
        import aiohttp

        for attempt in range(3):
            try:
                await self.catch_up(session, i, after)
                return
            except (TimeoutError, aiohttp.ClientError) as exc:
                if attempt == 2:
                    self.errors.append(f"catch-up {exc.__class__.__name__}")
                await asyncio.sleep(1)

    async def open_conversation(self, session, pair: int, run: str) -> None:
        """The pair's second member contacts the next pair's first company (its listing)."""
        opener = 2 * pair + 1
        target_pair = (pair + 1) % (self.n // 2)
        owner = 2 * target_pair
        import aiohttp

        client_id = f"{run}o{pair}"
        self.sent[client_id] = (time.perf_counter(), owner)
        for attempt in (1, 2):
            try:
                async with session.post(
                    f"http://127.0.0.1:{self.port(opener)}/api/v1/conversations/",
                    json={
                        "listing": self.to_open[target_pair],
                        "body": f"Bonjour, vos cartons m'intéressent ({client_id}).",
                        "client_id": client_id,
                    },
                    headers={"X-Session-Token": self.keys[opener]},
                ) as resp:
                    status, text = resp.status, await resp.text()
            except (TimeoutError, aiohttp.ClientError):
                # uvicorn closed the idle keep-alive connection as the request left, or reset
                # it when saturated: the same request again (the client_id makes it
                # idempotent), as a browser would.
                if attempt == 1:
                    continue
                status, text = 0, "connection failed twice"
            break
        if status not in (200, 201):
            self.open_failures.append(f"{status} {text[:200]}")
            del self.sent[client_id]
            return
        self.opened += 1

    async def send_one(self, i: int, client_id: str, record: bool) -> None:
        partner = i + 1 if i % 2 == 0 else i - 1
        body = f"Message d'endurance {client_id}"
        if record:
            self.sent[client_id] = (time.perf_counter(), partner)
            self.sender_of[client_id] = i
            self.bodies[client_id] = body
        from websockets.exceptions import ConnectionClosed

        frame = {
            "type": "message.send",
            "conversation": self.conversation_of[i],
            "body": body,
            "client_id": client_id,
        }
        # The socket may leave meanwhile (a churn): as on a page, the line then goes over HTTP
        # once its own copy has not come back (resend_unacknowledged).
        with contextlib.suppress(ConnectionClosed):
            await self.sockets[i].send(json.dumps(frame))

    async def run(self) -> dict:
        import aiohttp

        # Open before the sockets: a gap seen during the warm-up is caught up too.
        self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
        try:
            return await self._run()
        finally:
            await self.session.close()

    async def _run(self) -> dict:
        args = self.args
        rng = random.Random(16)
        run = uuid.uuid4().hex[:6]
        for start in range(0, self.n, 50):
            await asyncio.gather(*(self.connect(i) for i in range(start, min(start + 50, self.n))))
        # Warm-up: every socket sends once, unrecorded; each process serves a page (its pools
        # open their first connections before the start figures are read).
        for i in range(self.n):
            await self.send_one(i, f"{run}w{i}", record=False)
        for i in range(len(self.stack.ports)):
            await self.catch_up_retrying(self.session, i, after=0)
        await asyncio.sleep(3)

        start_figures = {
            "rss_mb": self.stack.web_rss_mb(),
            "redis": redis_figures(self.redis_url),
            "load_average": round(os.getloadavg()[0], 2),
        }
        self.redis_timeline.append({"t": 0, **start_figures["redis"]})
        session = self.session
        begin = time.perf_counter()
        total = int(args.rate * args.seconds)
        open_every = args.seconds / max(1, min(self.n // 2, args.openings))
        next_open, next_churn, opened_pairs = begin + 1, begin + args.churn_every, 0
        next_resend, next_sample = begin + 1, begin + args.sample_every
        for k in range(total):
            target = begin + k / args.rate
            delay = target - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            now = time.perf_counter()
            if now >= next_churn:
                next_churn += args.churn_every
                self.spawn(self.churn(session, rng))
            if now >= next_resend:
                next_resend += 1
                self.spawn(self.resend_unacknowledged(session, older_than=RESEND_AFTER))
            if now >= next_sample:
                next_sample += args.sample_every
                figures = await asyncio.to_thread(redis_figures, self.redis_url)
                self.redis_timeline.append({"t": round(now - begin), **figures})
            if now >= next_open and opened_pairs < self.n // 2:
                next_open += open_every
                owner = 2 * ((opened_pairs + 1) % (self.n // 2))
                if owner not in self.away and 2 * opened_pairs + 1 not in self.away:
                    self.spawn(self.open_conversation(session, opened_pairs, run))
                opened_pairs += 1
            i = k % self.n
            while i in self.away:
                i = (i + 1) % self.n
            await self.send_one(i, f"{run}m{k}", record=True)
        elapsed = time.perf_counter() - begin
        while self.background:
            await asyncio.gather(*list(self.background), return_exceptions=True)
        # Grace period for the last deliveries, bounded, resending what was not
        # acknowledged as a page would; then every page missing something catches up once
        # from what it saw last (a gap in the last seconds has no later event to show it).
        deadline = time.perf_counter() + 15
        while time.perf_counter() < deadline and self.undelivered():
            await self.resend_unacknowledged(session, older_than=RESEND_AFTER)
            await asyncio.sleep(0.5)
        receivers = {self.sent[c][1] for c in self.undelivered()}
        await asyncio.gather(
            *(
                self.catch_up_retrying(
                    session, i, after=self.last_seen.get((i, self.conversation_of[i]), 0)
                )
                for i in sorted(receivers)
            ),
            return_exceptions=True,
        )
        end_figures = {
            "rss_mb": self.stack.web_rss_mb(),
            "redis": redis_figures(self.redis_url),
            "load_average": round(os.getloadavg()[0], 2),
        }
        self.redis_timeline.append(
            {"t": round(time.perf_counter() - begin), **end_figures["redis"]}
        )
        self.closing.update(range(self.n))
        await asyncio.gather(*(ws.close() for ws in self.sockets), return_exceptions=True)
        await asyncio.wait_for(
            asyncio.gather(*self.readers.values(), return_exceptions=True), timeout=60
        )
        latencies = sorted(self.live.values())
        lost = sorted(self.undelivered())
        return {
            "sockets": self.n,
            "processes": len(self.stack.ports),
            "rate": args.rate,
            "seconds": round(elapsed, 1),
            "sent": len(self.sent),
            "opened_conversations": self.opened,
            "open_failures": self.open_failures[:5],
            "rejoins": self.rejoins,
            "delivered_live": len(self.live),
            "delivered_by_catch_up": len(self.caught_up - self.live.keys()),
            "seq_gaps": self.gaps,
            "seq_late": self.late_events,
            "resent_over_http": self.resent_over_http,
            "unacknowledged": len(set(self.sender_of) - self.acked),
            "lost": len(lost),
            "lost_ids": lost[:20],
            "lost_stored": self.stored(lost),
            "duplicated": self.duplicates,
            "errors": len(self.errors),
            "error_codes": sorted(set(self.errors))[:10],
            "closed_by_server": self.closed_by_server,
            "median_ms": statistics.median(latencies) if latencies else float("nan"),
            "p99_ms": _stack.percentile(latencies, 99),
            "max_ms": latencies[-1] if latencies else float("nan"),
            "start": start_figures,
            "end": end_figures,
            "redis_timeline": self.redis_timeline,
        }

    def undelivered(self) -> set[str]:
        return set(self.sent) - self.live.keys() - self.caught_up

    def stored(self, client_ids: list[str]) -> list[str]:
        """Of the lines counted lost, those the database holds: lost by the delivery (live and
        catch-up), not by the server's storing."""
        if not client_ids:
            return []
        import psycopg

        with psycopg.connect(self.database_url) as conn:
            rows = conn.execute(
                "SELECT client_id FROM messaging_message WHERE client_id = ANY(%s)",
                [client_ids],
            ).fetchall()
        return sorted(r[0] for r in rows)


def flat(start: float, end: float) -> str:
    if not start:
        return "—"
    change = (end - start) / start
    return f"{change:+.1%} ({'flat' if abs(change) <= 0.10 else 'NOT flat'})"


def print_report(r: dict) -> None:
    s, e = r["start"], r["end"]
    print()
    print(
        "| sockets | processes | msg/s | s | sent (opened) | rejoins | lost | dup | errors | "
        "closed by server | median ms | p99 ms | max ms |"
    )
    print("| --- " * 13 + "|")
    print(
        f"| {r['sockets']} | {r['processes']} | {r['rate']:g} | {r['seconds']} | {r['sent']} "
        f"({r['opened_conversations']}) | {r['rejoins']} | {r['lost']} | {r['duplicated']} | "
        f"{r['errors']} | {r['closed_by_server']} | {r['median_ms']:.1f} | {r['p99_ms']:.1f} | "
        f"{r['max_ms']:.1f} |"
    )
    print()
    print("| figure | start | end | change |")
    print("| --- | --- | --- | --- |")
    for k, (a, b) in enumerate(zip(s["rss_mb"], e["rss_mb"], strict=True)):
        print(f"| RSS of web.{k + 1}, MB | {a} | {b} | {flat(a, b)} |")
    for name in ("clients", "keys"):
        a, b = s["redis"][name], e["redis"][name]
        print(f"| Redis {name} | {a} | {b} | {flat(a, b)} |")
    # Keys with a time to live (rate limits, cache) come and go; the others must not grow.
    a, b = (x["redis"]["keys_by_kind"]["seq"] + x["redis"]["keys_by_kind"]["other"] for x in (s, e))
    print(f"| Redis keys without a time to live | {a} | {b} | {flat(a, b)} |")
    a, b = s["redis"]["memory_mb"], e["redis"]["memory_mb"]
    print(f"| Redis used memory, MB | {a} | {b} | {(b - a) / a:+.1%} |")
    print(f"(load average {s['load_average']} → {e['load_average']})")
    print()
    print(
        f"Catch-ups on a gap in seq still open after {GAP_GRACE:g} s: {r['seq_gaps']} (numbers "
        f"that arrived late within it: {r['seq_late']}); lines resent over "
        f"HTTP after {RESEND_AFTER:g} s without their own copy: {r['resent_over_http']} "
        f"(never acknowledged: {r['unacknowledged']}); lost: {r['lost']}, of which stored in "
        f"the database: {len(r['lost_stored'])} {r['lost_stored'][:5]}"
    )
    print()
    print(
        "| t (s) | Redis clients (pub/sub, commands) | command connections by last command | "
        "keys (seq, expiring, other) |"
    )
    print("| --- | --- | --- | --- |")
    for point in r["redis_timeline"]:
        kinds = point["clients_by_kind"]
        commands = ", ".join(
            f"{k} {v}" for k, v in sorted(point["commands_by_last_command"].items())
        )
        print(
            f"| {point['t']} | {point['clients']} ({kinds.get('pubsub', 0)}, "
            f"{kinds.get('commands', 0)}) | {commands} | {point['keys']} "
            f"({point['keys_by_kind']['seq']}, {point['keys_by_kind']['expiring']}, "
            f"{point['keys_by_kind']['other']}) |"
        )


def main() -> int:
    _stack.raise_open_files_limit()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 sockets, 60 s")
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=50.0, help="messages per second in all")
    parser.add_argument("--seconds", type=float, default=300.0)
    parser.add_argument("--churn-every", type=float, default=60.0, help="seconds")
    parser.add_argument("--openings", type=int, default=300, help="conversations opened")
    parser.add_argument("--web", type=int, default=2, help="uvicorn processes")
    parser.add_argument(
        "--sample-every", type=float, default=30.0, help="seconds between Redis client counts"
    )
    parser.add_argument("--database-prefix", default="bourse_bench_soak")
    parser.add_argument("--json", help="write the result to this file")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        import django

        django.setup()
        seed(int(args.child[1]), args.child[2])
        return 0
    if args.quick:
        args.sockets, args.seconds, args.churn_every, args.openings = 200, 60.0, 15.0, 60
        args.sample_every = 15.0
    if not _stack.postgres_reachable():
        print(f"bench/soak.py skipped: PostgreSQL is needed ({_stack.POSTGRES_URL})")
        return 0

    with private_redis() as redis_url:
        if redis_url is None:
            print("bench/soak.py skipped: no redis-server binary (or set BENCH_REDIS_URL)")
            return 0
        print(
            f"Soak — {args.sockets} sockets on {args.web} uvicorn processes (Procfile via "
            f"honcho), {args.rate:g} msg/s for {args.seconds:g} s, {CHURN_SHARE:.0%} of the "
            f"sockets leaving and rejoining every {args.churn_every:g} s; Redis {redis_url}",
            flush=True,
        )
        with (
            _stack.bench_database(args.database_prefix) as database_url,
            tempfile.TemporaryDirectory() as folder,
        ):
            env = _stack.server_env(database_url, REDIS_URL=redis_url)
            data_path = str(Path(folder) / "data.json")
            t0 = time.perf_counter()
            _stack.manage(env, "migrate", "--no-input", "-v", "0")
            _stack.run_python(
                env,
                str(Path(__file__).resolve()),
                "--child",
                "seed",
                str(args.sockets // 2),
                data_path,
            )
            print(f"seeded {args.sockets} members in {time.perf_counter() - t0:.0f} s", flush=True)
            data = json.loads(Path(data_path).read_text())
            stack = _stack.Stack(env, web=args.web)
            try:
                result = asyncio.run(
                    Soak(
                        stack=stack,
                        data=data,
                        redis_url=redis_url,
                        database_url=database_url,
                        args=args,
                    ).run()
                )
                result["tracebacks_in_server_logs"] = stack.tracebacks()
                result["every_process_alive"] = stack.alive()
            finally:
                stack.stop()
    print(json.dumps(result), flush=True)
    print_report(result)
    print(
        f"tracebacks in the servers' logs: {result['tracebacks_in_server_logs']}; every "
        f"process alive at the end: {result['every_process_alive']}"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
