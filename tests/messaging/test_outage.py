"""Redis stopped for 10 s under two server processes, then started again: nothing lost, nothing
duplicated, no error after a commit.

A private redis-server (never the shared one) carries the channel layer of two uvicorn
processes. While it is down, messages sent over HTTP answer 201 and those sent over a socket are
acknowledged; the partner's open conversation page (the real client code, in Chromium) learns of
the outage from the heartbeat, polls over HTTP and has every message on screen within 10 s of
the restart; and once both processes say the layer is back, 20 of 20 messages sent through one
process reach a client of the other.
"""

import asyncio
import json
import queue
import re
import threading
import time

import pytest
from websockets.asyncio.client import connect

from tests.private_redis import PrivateRedis

from .live import Server, live_database, prepare, server_env

pytestmark = [pytest.mark.redis, pytest.mark.browser, pytest.mark.slow]

OUTAGE_SECONDS = 10


class SocketClient:
    """An app client's socket (X-Session-Token) on a thread of its own, recording every frame."""

    def __init__(self, server: Server, token: str):
        self.frames: queue.Queue = queue.Queue()
        self.seen: list[dict] = []
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

        async def open_socket():
            return await connect(
                server.ws, additional_headers={"X-Session-Token": token}, proxy=None
            )

        self.ws = self._run(open_socket())
        self.reader = asyncio.run_coroutine_threadsafe(self._read(), self.loop)

    def _run(self, coroutine, timeout: float = 15):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    async def _read(self):
        async for raw in self.ws:
            self.frames.put(json.loads(raw))

    def send(self, frame: dict) -> None:
        self._run(self.ws.send(json.dumps(frame)))

    def wait_for(self, predicate, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                frame = self.frames.get(timeout=left)
            except queue.Empty:
                break
            self.seen.append(frame)
            if predicate(frame):
                return frame
        raise AssertionError(f"no such frame within {timeout} s; last ones: {self.seen[-5:]}")

    def close(self) -> None:
        self._run(self.ws.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)
        self.loop.close()


def heartbeat(state: str):
    return lambda f: f["type"] == "heartbeat" and f["layer"] == state


@pytest.fixture
def outage(tmp_path):
    redis = PrivateRedis(tmp_path)
    servers = []
    try:
        with live_database(tmp_path) as database_url:
            env = server_env(
                database_url,
                DEBUG="true",  # static files straight from frontend/
                REDIS_URL=redis.url,
                REALTIME_PROBE_SECONDS="0.5",
                REALTIME_HEARTBEAT_SECONDS="2",
            )
            seed = prepare(env)
            servers.append(Server(env, tmp_path / "a.log"))
            servers.append(Server(env, tmp_path / "b.log"))
            yield redis, servers[0], servers[1], seed
    finally:
        for server in servers:
            server.stop()
        redis.stop()


def on_page(page, body: str):
    """The message bodies on the page that are exactly `body`."""
    return page.locator(".chat-body", has_text=re.compile(f"^{re.escape(body)}$"))


def logged_in_page(browser, server: Server, email: str):
    page = browser.new_context(locale="fr-FR").new_page()
    page.goto(server.base + "/comptes/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", "motdepasse-solide-42")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state("networkidle")
    return page


def test_a_redis_outage_loses_nothing_and_delivery_is_whole_again(outage, browser):
    redis, a, b, seed = outage
    conversation = seed["conversation"]
    messages_path = f"/api/v1/conversations/{conversation}/messages/"
    owner_token, writer_token = a.app_login(seed["owner"]), b.app_login(seed["writer"])
    page = logged_in_page(browser, b, seed["writer"])
    page.goto(f"{b.base}/messages/{conversation}/")
    page.wait_for_function("() => window.BourseRealtime && window.BourseRealtime.isOpen()")
    owner_on_a = SocketClient(a, owner_token)
    writer_on_b = SocketClient(b, writer_token)
    try:
        # --- Redis down ---------------------------------------------------------------------
        redis.stop()
        stopped_at = time.monotonic()
        owner_on_a.wait_for(heartbeat("down"), timeout=5)
        writer_on_b.wait_for(heartbeat("down"), timeout=5)
        page.wait_for_function("() => window.BourseRealtime.isLive() === false", timeout=5000)
        during = []
        for i in range(4):
            body = f"pendant la panne, par HTTP {i}"
            status, message = a.request(
                "POST", messages_path, token=owner_token, data={"body": body, "client_id": f"h{i}"}
            )
            assert status == 201, message
            during.append(body)
            body = f"pendant la panne, par la socket {i}"
            owner_on_a.send(
                {
                    "type": "message.send",
                    "conversation": conversation,
                    "body": body,
                    "client_id": f"s{i}",
                }
            )
            ack = owner_on_a.wait_for(
                lambda f, i=i: (
                    f.get("type") in ("message.new", "error")
                    and f.get("message", f).get("client_id") == f"s{i}"
                ),
                timeout=5,
            )
            assert ack["type"] == "message.new", ack  # stored, acknowledged
            during.append(body)
            time.sleep(1)
        time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - stopped_at)))

        # --- Redis back ---------------------------------------------------------------------
        redis.start()
        restarted_at = time.monotonic()
        for body in during:
            on_page(page, body).wait_for(
                timeout=max(1, 10 - (time.monotonic() - restarted_at)) * 1000
            )
        on_screen = time.monotonic() - restarted_at
        owner_on_a.wait_for(heartbeat("up"), timeout=10)
        writer_on_b.wait_for(heartbeat("up"), timeout=10)
        layer_back = time.monotonic() - restarted_at

        # --- Across processes, after recovery ------------------------------------------------
        sent = [f"après la panne {i}" for i in range(20)]
        for i, body in enumerate(sent):
            owner_on_a.send(
                {
                    "type": "message.send",
                    "conversation": conversation,
                    "body": body,
                    "client_id": f"after{i}",
                }
            )
        received = []
        deadline = time.monotonic() + 10
        while len(received) < len(sent) and time.monotonic() < deadline:
            frame = writer_on_b.wait_for(lambda f: f["type"] == "message.new", timeout=10)
            received.append(frame["message"]["body"])
        assert sorted(received) == sorted(sent), f"{len(received)} of 20 crossed"
        for body in sent[-3:]:
            on_page(page, body).wait_for(timeout=5000)
    finally:
        owner_on_a.close()
        writer_on_b.close()

    # Nothing duplicated: on the page, in the database.
    for body in during + sent:
        assert on_page(page, body).count() == 1, body
    status, listing = b.request("GET", f"{messages_path}?after=0", token=writer_token)
    bodies = []
    while True:
        bodies += [m["body"] for m in listing["results"]]
        if not listing.get("next_after"):
            break
        status, listing = b.request(
            "GET", f"{messages_path}?after={listing['next_after']}", token=writer_token
        )
    assert all(bodies.count(body) == 1 for body in during + sent)
    print(f"on screen {on_screen:.1f} s after the restart; layer back in {layer_back:.1f} s")
